"""Headless Chromium driven over the DevTools protocol, for the HTML tests.

The browser is Debian's ``chromium`` (``apt-get install chromium``), started with a fresh
profile and every background fetch switched off, its DevTools endpoint on 127.0.0.1 only.
It is stopped through its PID: it runs in a session of its own, whose process group (the
browser and the helpers it forked) gets SIGTERM, then SIGKILL if it lingers.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import websocket

CANDIDATES = ("chromium", "chromium-browser", "/usr/bin/chromium")
STARTUP_SECONDS = 60.0
CALL_SECONDS = 60.0


def find_chromium() -> str | None:
    """The Chromium executable, or ``None``."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class Page:
    """One tab, over its DevTools websocket: calls, and the events seen so far."""

    def __init__(self, url: str) -> None:
        # Loopback only: never through a proxy the environment may name.
        self._socket = websocket.create_connection(
            url, timeout=CALL_SECONDS, http_no_proxy=["127.0.0.1"]
        )
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and return its result; events arriving meanwhile are kept."""
        self._next_id += 1
        call_id = self._next_id
        self._socket.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            if "method" in message:
                self.events.append(message)

    def wait_for(self, method: str) -> dict[str, Any]:
        """Block until an event named ``method`` arrives (or has arrived)."""
        while True:
            for event in self.events:
                if event["method"] == method:
                    return event
            message = json.loads(self._socket.recv())
            if "method" in message:
                self.events.append(message)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def close(self) -> None:
        self._socket.close()


def _devtools_port(process: subprocess.Popen[bytes]) -> int:
    # Chromium prints "DevTools listening on ws://127.0.0.1:PORT/..." once it is ready.
    assert process.stderr is not None
    deadline = time.monotonic() + STARTUP_SECONDS
    seen = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1.0)
        if ready:
            chunk = os.read(process.stderr.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
            match = re.search(rb"DevTools listening on ws://127\.0\.0\.1:(\d+)/", seen)
            if match:
                return int(match.group(1))
    raise RuntimeError(f"chromium did not open its DevTools port: {seen.decode(errors='replace')}")


def _drain(process: subprocess.Popen[bytes]) -> None:
    assert process.stderr is not None
    with suppress(OSError, ValueError):  # the pipe closed under us: nothing left to read
        while os.read(process.stderr.fileno(), 65536):
            pass


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    # Helpers of a browser that exited on its own may still hold the group.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@contextmanager
def chromium_page(executable: str, profile: Path) -> Iterator[Page]:
    """A headless Chromium with one blank tab; stopped (by PID) on exit."""
    process = subprocess.Popen(
        [
            executable,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--disable-default-apps",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "--window-size=1400,1000",
            "about:blank",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    page: Page | None = None
    try:
        port = _devtools_port(process)
        # Keep reading what it logs, so a full pipe can never block the browser.
        threading.Thread(target=_drain, args=(process,), daemon=True).start()
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with direct.open(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            targets = json.load(answer)
        tab = next(t for t in targets if t.get("type") == "page")
        page = Page(tab["webSocketDebuggerUrl"])
        yield page
    finally:
        if page is not None:
            page.close()
        _stop(process)


__all__ = ["Page", "chromium_page", "find_chromium"]
