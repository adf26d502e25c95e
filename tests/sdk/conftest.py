"""Fixtures for the stepfunctions SDK interop tests.

The SDK is imported here through orderflow's quiet loader (when it is installed) before any
test module's ``pytest.importorskip("stepfunctions")`` runs, so its import-time side effects
(stdout INFO lines, the root logger set to ERROR) never reach the test session.

``sfn`` is a Step Functions client talking to moto's HTTP server on a free loopback port,
with dummy credentials and a guard that fails any request leaving 127.0.0.1: never real AWS.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from orderflow._errors import SdkInteropError
from orderflow.sdk._import import require_sdk

from .._aws import REGION, guard_client, loopback_allows, reset_moto

with contextlib.suppress(SdkInteropError):  # modules needing the SDK then importorskip it
    require_sdk()

ROLE_ARN = "arn:aws:iam::123456789012:role/orderflow-sdk-test"
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance" / "executions"


def _corpus_definitions() -> list[tuple[str, dict[str, Any]]]:
    """Each distinct definition of the execution corpus once, named by its first case."""
    if not CORPUS.is_dir():
        return []
    seen: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sorted(CORPUS.rglob("*.json")):
        case = json.loads(path.read_text())
        definition = case.get("definition") if isinstance(case, dict) else None
        if isinstance(definition, dict):
            key = json.dumps(definition, sort_keys=True)
            seen.setdefault(key, (f"{path.parent.name}/{path.stem}", definition))
    return list(seen.values())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``corpus_definition``: every distinct definition of the execution corpus."""
    if "corpus_definition" not in metafunc.fixturenames:
        return
    found = _corpus_definitions()
    if not found:
        metafunc.parametrize(
            "corpus_definition",
            [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))],
        )
        return
    metafunc.parametrize("corpus_definition", [pytest.param(d, id=name[-90:]) for name, d in found])


@pytest.fixture
def role_arn() -> str:
    return ROLE_ARN


@pytest.fixture
def sfn(moto_server_url: str, aws_test_env: dict[str, str]) -> Any:
    """A boto3 Step Functions client bound to a freshly reset moto server."""
    import boto3

    reset_moto(moto_server_url)
    client = boto3.client(
        "stepfunctions",
        region_name=REGION,
        endpoint_url=moto_server_url,
        aws_access_key_id=aws_test_env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=aws_test_env["AWS_SECRET_ACCESS_KEY"],
    )
    guard_client(client, lambda url: loopback_allows(moto_server_url, url))
    return client
