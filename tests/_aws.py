"""AWS test doubles shared by every suite: nothing a test runs can reach real AWS.

Two fixtures, provided to all tests by ``tests/conftest.py``:

- ``moto_server_url``: moto's real HTTP server on a free 127.0.0.1 port, started once per
  session (call :func:`reset_moto` before each test that uses it);
- ``aws_test_env``: dummy credentials in the environment, every other ``AWS_*`` variable
  removed, and the AWS config and credentials files pointed at a per-test path that does not
  exist, so no real profile, token or endpoint can leak in. In-process ``moto.mock_aws()``
  tests use it too.

:func:`guard_client` is the loopback guard: a boto3 client must be built for an allowed
loopback URL, and every request it sends is checked against that before it leaves.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
_LOOPBACK = "http://127.0.0.1:"


def loopback_allows(server_url: str, url: str, extra: Sequence[str] = ()) -> bool:
    """True when ``url`` (an origin: scheme, host and port) is the test server, or one of
    the ``extra`` loopback URLs a test points at on purpose (a closed port)."""
    return url.startswith(_LOOPBACK) and (url == server_url or url in extra)


def guard_client(client: Any, allows: Callable[[str], bool]) -> None:
    """Fail unless ``client`` talks only to origins ``allows`` accepts.

    Checks the endpoint the client was built for now, and each request's origin just
    before it is sent (a redirect or a per-operation endpoint cannot slip past).
    """
    assert allows(client.meta.endpoint_url), client.meta.endpoint_url

    def before_send(request: Any, **_: Any) -> None:
        origin = "/".join(request.url.split("/", 3)[:3])
        assert allows(origin), request.url

    client.meta.events.register("before-send", before_send)


def moto_post(server_url: str, path: str, body: bytes = b"") -> bytes:
    """POST to the moto server (its ``/moto-api/...`` control endpoints)."""
    assert server_url.startswith(_LOOPBACK), server_url
    request = urllib.request.Request(server_url + path, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return bytes(response.read())


def reset_moto(server_url: str) -> None:
    """Empty every moto backend and switch its Step Functions interpreter back off.

    The server is shared by the whole session, so a test that enabled the interpreter
    must not leave it on for the next one.
    """
    moto_post(server_url, "/moto-api/reset")
    moto_post(
        server_url, "/moto-api/config", b'{"stepfunctions": {"execute_state_machine": false}}'
    )


@pytest.fixture(scope="session")
def moto_server_url() -> Iterator[str]:
    """The URL of moto's HTTP server, started once on a free 127.0.0.1 port."""
    pytest.importorskip("moto.server", reason="moto[server] is needed")
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == "127.0.0.1"
    try:
        yield f"{_LOOPBACK}{port}"
    finally:
        server.stop()


@pytest.fixture
def aws_test_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """Dummy credentials and region only; returns the credentials set."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    return dict(CREDENTIALS)
