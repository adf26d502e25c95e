"""``--contracts`` / ``--input-model``: the options ``orderflow check`` takes from the checker."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from orderflow._errors import DefinitionError
from orderflow.asl import load_definition
from orderflow.checker import check_with_contracts
from orderflow.checker._cli import dataflow_diagnostics, dataflow_options

MODELS = """
from pydantic import BaseModel, ConfigDict

class Req(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str

class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int

class PriceOut(BaseModel):
    cents: int

CONTRACTS = {"price": (PriceIn, PriceOut)}
"""

MACHINE = {
    "StartAt": "Price",
    "States": {
        "Price": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:1:function:price",
            "Parameters": {"sku.$": "$.sku"},
            "Next": "Done",
        },
        "Done": {"Type": "Pass", "Parameters": {"c.$": "$.cents", "x.$": "$.sku"}, "End": True},
    },
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "shop_models.py").write_text(MODELS)
    (tmp_path / "machine.json").write_text(json.dumps(MACHINE))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_with_contracts_from_specs(project: Path) -> None:
    found = check_with_contracts(
        project / "machine.json",
        contracts="shop_models:CONTRACTS",
        input_model="shop_models:Req",
    )
    assert [(d.code, d.state, d.field) for d in found] == [
        ("contract-missing-field", "Price", "Parameters/quantity"),
        ("path-cannot-exist", "Done", "Parameters/x.$"),
    ]


def test_without_contracts_only_the_definition_is_used(project: Path) -> None:
    assert check_with_contracts(str(project / "machine.json")) == []


def test_bad_spec_is_a_definition_error(project: Path) -> None:
    with pytest.raises(DefinitionError, match="MODULE:ATTR"):
        check_with_contracts(project / "machine.json", contracts="no-colon")
    with pytest.raises(DefinitionError, match="no attribute 'NOPE'"):
        check_with_contracts(project / "machine.json", contracts="shop_models:NOPE")


@click.command()
@click.argument("target")
@dataflow_options
def _command(target: str, contracts: str | None, input_model: str | None) -> None:
    diagnostics = dataflow_diagnostics(
        load_definition(target), contracts=contracts, input_model=input_model
    )
    for d in diagnostics:
        click.echo(f"{d.severity} {d.code} {d.state}")


def test_options_reach_the_checker(project: Path) -> None:
    result = CliRunner().invoke(
        _command,
        [
            "machine.json",
            "--contracts",
            "shop_models:CONTRACTS",
            "--input-model",
            "shop_models:Req",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "error contract-missing-field Price",
        "error path-cannot-exist Done",
    ]


def test_a_workflow_target_brings_its_own_contracts() -> None:
    from orderflow.dsl import render
    from orderflow.orders.workflow import order_workflow

    definition = render(order_workflow).to_dict()
    definition["States"]["GetUser"]["ResultSelector"]["email.$"] = "$.Payload.mail"
    found: list[Any] = dataflow_diagnostics(
        load_definition_from(definition), target="orderflow.orders.workflow:order_workflow"
    )
    assert [(d.code, d.state) for d in found] == [("path-cannot-exist", "GetUser")]


def load_definition_from(data: dict[str, Any]) -> Any:
    from orderflow.asl import as_definition

    return as_definition(data)
