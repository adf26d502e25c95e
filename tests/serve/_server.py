"""A real ``orderflow serve`` in a subprocess on 127.0.0.1, stopped by PID.

Shared by the serve tests and ``benchmarks/bench_serve.py``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
HERE = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env() -> dict[str, str]:
    """The environment for the server and AWS clients: dummy credentials, no real config."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
    )
    return env


class ServerProcess:
    """``python -m orderflow serve`` on a free loopback port with its own database."""

    def __init__(
        self, db: Path, *, time_scale: float = 0.001, extra: Sequence[str] = (), workers: int = 8
    ) -> None:
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = [
            sys.executable,
            "-m",
            "orderflow",
            "serve",
            "--db",
            str(db),
            "--port",
            str(self.port),
            "--time-scale",
            str(time_scale),
            "--workers",
            str(workers),
            *extra,
        ]
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = db.with_suffix(".log")

    def start(self) -> ServerProcess:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                self.args, stdout=log, stderr=subprocess.STDOUT, env=server_env()
            )
        deadline = time.monotonic() + 60
        client = self.client()
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()}")
            try:
                client.list_state_machines()
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def client(self, *, validate: bool = True) -> Any:
        """A boto3 Step Functions client for this endpoint (``validate=False``: send even
        what botocore's own parameter checks would refuse, to see the server's answer)."""
        return boto3.client(
            "stepfunctions",
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(
                inject_host_prefix=False,
                retries={"mode": "standard", "max_attempts": 10},
                max_pool_connections=50,
                parameter_validation=validate,
            ),
        )

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        os.kill(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def kill9(self) -> None:
        """``kill -9`` the server by PID."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def poll(check: Callable[[], Any], *, deadline: float = 120.0, every: float = 0.05) -> Any:
    """Call ``check`` until it returns something truthy; fail after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"still not done after {deadline}s: {check}")
        time.sleep(every)


def tokens_of(client: Any, execution_arn: str) -> list[str]:
    """The task tokens an execution waits on, read from its history (TaskScheduled)."""
    found = []
    for event in client.get_execution_history(executionArn=execution_arn, maxResults=1000)[
        "events"
    ]:
        if event["type"] == "TaskScheduled":
            params = json.loads(event["taskScheduledEventDetails"]["parameters"])
            token = params.get("MessageBody", {}).get("token")
            if token:
                found.append(token)
    return found


__all__ = ["REGION", "ServerProcess", "free_port", "poll", "server_env", "tokens_of"]
