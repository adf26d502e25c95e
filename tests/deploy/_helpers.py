"""Shared helpers for the deploy tests (not fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from orderflow._app import App
from orderflow.asl import Definition
from orderflow.cli import main
from orderflow.deploy import StackNames
from orderflow.deploy._integration_tables import integration_tables
from orderflow.dsl import render
from orderflow.orders.workflow import order_workflow

from .conftest import MotoServer


@dataclass
class Result:
    code: int
    out: str
    err: str


def integration_table_count(app: App, prefix: str = "shop") -> int:
    """The tables deploy makes for the app's workflows' DynamoDB integrations (a circuit
    breaker's), besides the tables its services declare."""
    definitions = [render(flow, prefix=prefix) for flow in app.workflows.values()]
    declared = {f"{prefix}-{table}" for table in app.tables}
    return len(set(integration_tables(definitions, prefix)) - declared)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """Run the real CLI in-process; return exit code, stdout and stderr."""
    capsys.readouterr()
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def deploy_args(moto: MotoServer, wheel_dir: Path, *extra: str) -> list[str]:
    """``orderflow deploy`` against the test server, with the offline wheel cache."""
    return [
        "deploy",
        "--endpoint-url",
        moto.url,
        "--region",
        "us-east-1",
        "--prefix",
        "shop",
        "--wheel-dir",
        str(wheel_dir),
        "--no-download",
        *extra,
    ]


def without_approval(names: StackNames) -> Definition:
    """The order workflow minus its human approval (an EXPRESS machine cannot wait for one)."""
    data = render(
        order_workflow, account=names.account, region=names.region, prefix=names.prefix
    ).to_dict()
    states = data["States"]
    for name in ("ApproveOrderNeeded", "ApproveOrder", "OrderNotApproved"):
        del states[name]
    states["GetUser"]["Next"] = "ProcessOrder"
    return Definition(data)
