"""Execution names: generated client-side when none is given, and listed even when the
service records none (moto's interpreter names a nameless execution "None" and lists it
without a ``name``)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import boto3
import pytest

from orderflow.deploy import Aws, deploy, list_executions, start_execution
from orderflow.deploy._executions import execution_name
from orderflow.deploy._package import Packager

from ._helpers import run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

GENERATED = re.compile(r"^run-\d{8}T\d{6}Z-[0-9a-f]{8}$")


def common(moto: MotoServer) -> list[str]:
    return ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]


@pytest.fixture
def interpreted(aws: Aws, moto: MotoServer, packager: Packager) -> Aws:
    """The stack on moto with its Step Functions interpreter on (before the machine is
    created, as moto needs)."""
    moto.enable_step_functions_interpreter()
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    return aws


def test_execution_names_are_readable_sortable_and_from_the_injected_sources() -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert execution_name(at, "0a1b2c3d") == "run-20260102T030405Z-0a1b2c3d"
    # Any time zone is written as UTC.
    plus_two = at.astimezone(timezone(timedelta(hours=2)))
    assert execution_name(plus_two, "0a1b2c3d") == "run-20260102T030405Z-0a1b2c3d"
    assert len(execution_name(at, "f" * 8)) <= 80


def test_start_execution_names_the_run_from_clock_and_token(interpreted: Aws) -> None:
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    arn = start_execution(
        interpreted,
        prefix="shop",
        workflow="order",
        input={},
        clock=lambda: at,
        token=lambda: "0a1b2c3d",
    )
    assert arn.endswith(":execution:shop-order:run-20260102T030405Z-0a1b2c3d")
    given = start_execution(interpreted, prefix="shop", workflow="order", input={}, name="mine")
    assert given.endswith(":execution:shop-order:mine")


def test_the_cli_generates_a_name_and_two_runs_do_not_collide(
    interpreted: Aws, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_cli(capsys, "start-execution", *common(moto), "--input", "{}")
    second = run_cli(capsys, "start-execution", *common(moto), "--input", "{}")
    assert first.code == second.code == 0, (first.err, second.err)
    names = [result.out.strip().rsplit(":", 1)[-1] for result in (first, second)]
    assert all(GENERATED.match(name) for name in names), names
    assert names[0] != names[1]
    listed = run_cli(capsys, "executions", *common(moto), "--json")
    assert listed.code == 0, listed.err
    assert {item["name"] for item in json.loads(listed.out)} == set(names)


def test_an_execution_listed_without_a_name_is_named_by_its_arn(
    interpreted: Aws, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # Started by someone else without a name: moto's interpreter lists it with no "name".
    sfn = boto3.client("stepfunctions", region_name=REGION, endpoint_url=moto.url)
    machine = "arn:aws:states:us-east-1:123456789012:stateMachine:shop-order"
    arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
    (raw,) = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert "name" not in raw  # the emulator gap this guards against; AWS always names runs
    result = run_cli(capsys, "executions", *common(moto))
    assert result.code == 0, result.err
    (line,) = result.out.splitlines()
    assert line.split("\t")[0] == arn.rsplit(":", 1)[-1]
    (summary,) = list_executions(interpreted, prefix="shop", workflow="order")
    assert summary.arn == arn and summary.name == arn.rsplit(":", 1)[-1]
