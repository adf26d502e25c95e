"""`render` never emits a machine that structural validation rejects."""

import pytest
from pydantic import BaseModel, ConfigDict

from orderflow import InvalidDefinition
from orderflow.cli import main
from orderflow.dsl import Flow, render, workflow


class Empty(BaseModel):
    pass


@workflow("broken", input_model=Empty)
def broken(flow: Flow[Empty]) -> None:
    # MaxAttempts must be >= 0: AWS rejects this at CreateStateMachine.
    flow.raw(
        "Flaky",
        {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:flaky",
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": -1}],
            "End": True,
        },
    )


def test_render_refuses_an_invalid_machine() -> None:
    with pytest.raises(InvalidDefinition) as info:
        render(broken)
    assert info.value.diagnostics
    assert all(d.severity == "error" for d in info.value.diagnostics)
    assert "Flaky" in str(info.value) and "MaxAttempts" in str(info.value)


def test_render_can_skip_validation_explicitly() -> None:
    definition = render(broken, validate=False)
    assert definition.states["Flaky"]["Retry"][0]["MaxAttempts"] == -1


def test_cli_render_exits_1_on_an_invalid_machine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["render", f"{__name__}:broken"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "MaxAttempts" in captured.err


class Order(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: str


@workflow("reads-a-missing-path", input_model=Order)
def reads_a_missing_path(flow: Flow[Order]) -> None:
    # Structurally valid, but the input (a closed Order) can never hold $.customer.
    flow.raw("Shape", {"Type": "Pass", "Parameters": {"email.$": "$.customer.email"}})


def test_render_refuses_a_machine_whose_data_flow_is_broken() -> None:
    with pytest.raises(InvalidDefinition) as info:
        render(reads_a_missing_path)
    [diagnostic] = info.value.diagnostics
    assert (diagnostic.state, diagnostic.code) == ("Shape", "path-cannot-exist")
    assert "$.customer.email" in diagnostic.message
    assert render(reads_a_missing_path, validate=False).states["Shape"]["Type"] == "Pass"
