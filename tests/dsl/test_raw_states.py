"""``flow.raw``: a raw state either keeps its input, declares its output, or is opaque."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.dsl import CONTINUE, Flow, Workflow, gt, render
from orderflow.testing import run_asl


class Box(BaseModel):
    a: str
    n: int


class Shaped(BaseModel):
    label: str


def build_error(build: Any) -> WorkflowBuildError:
    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Box, build))
    return info.value


REPLACING = [
    {"Type": "Pass", "Result": {"label": "x"}},
    {"Type": "Pass", "Result": {"label": "x"}, "ResultPath": "$"},
    {"Type": "Pass", "InputPath": "$.a"},
    {"Type": "Wait", "Seconds": 1, "OutputPath": "$.a"},
    {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {"Message": "m"}},
]


@pytest.mark.parametrize("state", REPLACING)
def test_a_reference_through_an_opaque_raw_state_names_both_states(state: dict[str, Any]) -> None:
    def build(flow: Flow[Box]) -> None:
        made = flow.pass_("Make").call(Shaped, label=flow.input.a)
        flow.raw("Opaque", state)
        flow.pass_("Use").call(Shaped, label=made.label)

    error = build_error(build)
    assert error.state == "Use"
    assert "'Make'" in error.message and "'Opaque'" in error.message
    assert "opaque" in error.message and "output=Model" in error.message


def test_the_workflow_input_is_also_cut_off() -> None:
    def build(flow: Flow[Box]) -> None:
        flow.raw("Opaque", {"Type": "Pass", "Result": {"label": "x"}})
        flow.succeed("Out", output=flow.input.a)

    error = build_error(build)
    assert error.state == "Out" and "the workflow input" in error.message


@pytest.mark.parametrize(
    "state",
    [
        {"Type": "Pass", "Result": {"label": "x"}, "ResultPath": None},
        {"Type": "Pass", "Result": {"label": "x"}, "ResultPath": "$.tag"},
        {"Type": "Pass", "Result": 1, "ResultPath": "$.deep.er"},
        {"Type": "Wait", "Seconds": 3},
        {"Type": "Pass"},
    ],
)
def test_states_that_keep_their_input_let_references_through(state: dict[str, Any]) -> None:
    def build(flow: Flow[Box]) -> None:
        flow.raw("Keeps", state)
        flow.pass_("Use").call(Shaped, label=flow.input.a)

    definition = render(Workflow("t", Box, build))
    run = run_asl(definition, {"a": "x", "n": 1})
    assert run.succeeded and run.output["use"] == {"label": "x"}


def test_declared_output_under_a_key_is_typed_and_keeps_the_rest() -> None:
    def build(flow: Flow[Box]) -> None:
        tag = flow.raw(
            "Tag",
            {"Type": "Pass", "Parameters": {"label.$": "$.a"}, "ResultPath": "$.tag"},
            output=Shaped,
        )
        flow.pass_("Use").call(Box, a=tag.label, n=flow.input.n)

    definition = render(Workflow("t", Box, build))
    assert definition.states["Use"]["Parameters"] == {"a.$": "$.tag.label", "n.$": "$.n"}
    assert run_asl(definition, {"a": "x", "n": 2}).output["use"] == {"a": "x", "n": 2}


def test_declared_output_that_replaces_the_data_is_the_only_thing_readable_after() -> None:
    def build(flow: Flow[Box]) -> None:
        shaped = flow.raw(
            "Shape", {"Type": "Pass", "Parameters": {"label.$": "$.a"}}, output=Shaped
        )
        flow.pass_("Use").call(Shaped, label=shaped.label)

    definition = render(Workflow("t", Box, build))
    assert definition.states["Use"]["Parameters"] == {"label.$": "$.label"}
    assert run_asl(definition, {"a": "x", "n": 2}).output == {"label": "x", "use": {"label": "x"}}

    def stale(flow: Flow[Box]) -> None:
        flow.raw("Shape", {"Type": "Pass", "Parameters": {"label.$": "$.a"}}, output=Shaped)
        flow.pass_("Use").call(Shaped, label=flow.input.a)

    error = build_error(stale)
    assert error.state == "Use" and "'Shape'" in error.message and "declared" in error.message


def test_an_opaque_raw_state_in_a_choice_branch_cuts_off_what_follows_the_choice() -> None:
    def build(flow: Flow[Box]) -> None:
        flow.choice(
            "Route",
            [(gt(flow.input.n, 1), lambda f: f.raw("Opaque", {"Type": "Pass", "Result": {}}))],
            otherwise=CONTINUE,
        )
        flow.pass_("Use").call(Shaped, label=flow.input.a)

    error = build_error(build)
    assert error.state == "Use" and "'Opaque'" in error.message


def test_an_opaque_raw_state_inside_a_map_body_cuts_off_outer_values_there() -> None:
    class Many(BaseModel):
        a: str
        items: list[str]

    def build(flow: Flow[Many]) -> None:
        def body(f: Flow[Many], item: str) -> Shaped:
            f.raw("Opaque", {"Type": "Pass", "Result": {}})
            return f.pass_("Use").call(Shaped, label=flow.input.a)

        flow.map("Each", flow.input.items, body)

    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Many, build))
    assert info.value.state == "Use" and "'Opaque'" in info.value.message


def test_bad_raw_result_paths_and_outputs_are_refused() -> None:
    def overwrite(flow: Flow[Box]) -> None:
        flow.raw("Clobber", {"Type": "Pass", "Result": 1, "ResultPath": "$.a"})

    error = build_error(overwrite)
    assert error.state == "Clobber" and error.field == "ResultPath" and "overwrite" in error.message

    def filtered(flow: Flow[Box]) -> None:
        flow.raw("Odd", {"Type": "Pass", "Result": 1, "ResultPath": "$.x[0]"})

    assert build_error(filtered).field == "ResultPath"

    def discarded(flow: Flow[Box]) -> None:
        flow.raw("Gone", {"Type": "Pass", "Result": {}, "ResultPath": None}, output=Shaped)

    assert "not kept" in build_error(discarded).message
