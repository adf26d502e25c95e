"""Fixtures for deploy tests: moto's real HTTP server on 127.0.0.1, and nothing else.

Every test that touches AWS gets dummy credentials (set in the environment, with the AWS
config files pointed at nowhere so no real profile can leak in), a moto server on a free
loopback port reset between tests, and a guard on ``Aws.client``: each client orderflow
builds must talk to that loopback URL with the test credentials, and every request it sends
is checked against the URL before it leaves. The guard also records the API operations
called, so tests can assert what deploy did (and did not) call.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from orderflow.deploy import Aws
from orderflow.deploy._package import Packager, Trace, WheelDependencies, trace_entry_point
from orderflow.orders.app import app

from .._aws import CREDENTIALS, REGION, guard_client, loopback_allows, moto_post, reset_moto

# REGION and ACCOUNT are imported by the tests of this package from here.
ACCOUNT = "123456789012"  # what moto answers to sts:GetCallerIdentity
_IAM_PREFIX = {"monitoring": "cloudwatch"}


@dataclass
class MotoServer:
    """The running server and what the guard saw."""

    url: str
    operations: list[tuple[str, str]] = field(default_factory=list)
    clients: list[Any] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)
    extra_endpoints: list[str] = field(default_factory=list)
    """Other loopback URLs a test deliberately points at (a closed port)."""

    def allows(self, url: str) -> bool:
        return loopback_allows(self.url, url, self.extra_endpoints)

    def post(self, path: str, body: bytes = b"") -> bytes:
        return moto_post(self.url, path, body)

    def enable_step_functions_interpreter(self) -> None:
        """Switch on moto's Step Functions interpreter (off by default: executions then
        do nothing)."""
        self.post("/moto-api/config", b'{"stepfunctions": {"execute_state_machine": true}}')

    def writes(self) -> list[tuple[str, str]]:
        """Operations that change something (not Describe/Get/List/Head)."""
        readers = ("Describe", "Get", "List", "Head")
        return [(s, op) for s, op in self.operations if not op.startswith(readers)]


@pytest.fixture
def moto(
    moto_server_url: str, aws_test_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[MotoServer]:
    """A freshly reset moto server, dummy credentials, and the loopback guard."""
    server = MotoServer(moto_server_url)
    reset_moto(server.url)
    # Anything that builds its own boto3 client (the services' DynamoDB store) lands here too.
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    monkeypatch.setenv("ORDERFLOW_ENDPOINT_URL", server.url)

    original = Aws.client

    def guarded(self: Aws, service: str) -> Any:
        fresh = service not in self._clients
        client = original(self, service)
        if fresh:
            guard_client(client, server.allows)
            credentials = self.session.get_credentials()
            assert credentials is not None
            assert credentials.access_key == CREDENTIALS["AWS_ACCESS_KEY_ID"]

            def before_call(model: Any, **_: Any) -> None:
                prefix = model.service_model.endpoint_prefix
                # Recorded as IAM names actions: CloudWatch's endpoint is "monitoring".
                server.operations.append((_IAM_PREFIX.get(prefix, prefix), model.name))

            client.meta.events.register("before-call", before_call)
            server.clients.append(client)
        return client

    monkeypatch.setattr(Aws, "client", guarded)
    # Commands built by the CLI poll with the default sleep: record it, never sleep.
    monkeypatch.setattr("orderflow.deploy._aws.default_sleep", server.slept.append)
    yield server
    for client in server.clients:
        assert server.allows(client.meta.endpoint_url)


@pytest.fixture
def sleeps() -> list[float]:
    """Records every wait deploy asks for, instead of sleeping."""
    return []


@pytest.fixture
def aws(moto: MotoServer, sleeps: list[float]) -> Aws:
    """A connection to the test server; waits are recorded, never slept."""
    return Aws(REGION, endpoint_url=moto.url, sleep=sleeps.append)


class FakeDependencies:
    """Stands in for the Lambda wheels: one small file per pinned requirement."""

    def __init__(self) -> None:
        self.requested: list[tuple[str, ...]] = []

    def files(self, requirements: Any) -> dict[str, bytes]:
        self.requested.append(tuple(requirements))
        return {f"_deps/{r.partition('==')[0]}.txt": r.encode() for r in requirements}


@pytest.fixture(scope="session")
def traced() -> Trace:
    """The Lambda entry point's trace, made once per session."""
    return trace_entry_point("orderflow.runtime._lambda")


@pytest.fixture(scope="session")
def service_traces() -> dict[str, Trace]:
    """Each service's own trace, as ``orderflow deploy`` packages it, made once per session."""
    packager = Packager(FakeDependencies())
    packager.use_app(app)
    packager.prepare(list(app.services))
    return packager.traces


@pytest.fixture
def packager(service_traces: dict[str, Trace]) -> Packager:
    """The real packager (each function gets its own service's code) with the dependency
    step replaced."""
    return Packager(FakeDependencies(), traces=dict(service_traces))


@pytest.fixture(scope="session")
def requirements(service_traces: dict[str, Trace]) -> tuple[str, ...]:
    """What the Lambda functions need, as deploy computes it (every service's)."""
    return tuple(sorted({r for trace in service_traces.values() for r in trace.requirements}))


def write_wheel(directory: Path, filename: str, files: dict[str, bytes]) -> Path:
    path = directory / filename
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


@pytest.fixture(scope="session")
def wheel_dir(tmp_path_factory: pytest.TempPathFactory, requirements: tuple[str, ...]) -> Path:
    """A wheel cache holding a tiny stand-in wheel for each requirement, so the CLI's real
    ``WheelDependencies`` runs offline (``--no-download``)."""
    directory = tmp_path_factory.mktemp("wheels")
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        dist = name.replace("-", "_").lower()
        write_wheel(
            directory,
            f"{dist}-{version}-py3-none-any.whl",
            {f"{dist}/__init__.py": f"# stand-in {requirement}\n".encode()},
        )
    assert WheelDependencies(directory, download=False).files(requirements)
    return directory
