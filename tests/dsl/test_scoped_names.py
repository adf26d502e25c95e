"""``flow.scoped``: a sub-flow can be used again and again without numbering its states."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.dsl import Flow, Workflow, render
from orderflow.testing import run_asl


class Box(BaseModel):
    a: str
    b: str


class Tagged(BaseModel):
    value: str


def compensate(flow: Flow[Box], what: str) -> Tagged:
    flow.wait("Backoff", seconds=1)
    return flow.pass_("Undo").call(Tagged, value=what)


def test_a_sub_flow_used_twice_gets_unique_names_and_keys() -> None:
    def build(flow: Flow[Box]) -> None:
        first = compensate(flow.scoped("Compensate"), flow.input.a)
        second = compensate(flow.scoped("Compensate"), flow.input.b)
        nested = compensate(flow.scoped("Outer").scoped("Compensate"), first.value)
        flow.pass_("Both").call(Box, a=second.value, b=nested.value)

    definition = render(Workflow("t", Box, build))
    assert list(definition.states) == [
        "Compensate: Backoff",
        "Compensate: Undo",
        "Compensate 2: Backoff",
        "Compensate 2: Undo",
        "Outer: Compensate: Backoff",
        "Outer: Compensate: Undo",
        "Both",
    ]
    assert definition.states["Compensate 2: Undo"]["ResultPath"] == "$.compensate_2_undo"
    run = run_asl(definition, {"a": "x", "b": "y"})
    assert run.output["both"] == {"a": "y", "b": "x"}


def test_names_inside_branches_keep_the_prefix() -> None:
    def build(flow: Flow[Box]) -> None:
        scoped = flow.scoped("S")
        scoped.parallel("P", lambda b: b.pass_("In").call(Tagged, value=b.input.a))

    definition = render(Workflow("t", Box, build))
    assert list(definition.states) == ["S: P"]
    assert list(definition.states["S: P"]["Branches"][0]["States"]) == ["S: In"]


def test_an_empty_label_is_refused() -> None:
    def build(flow: Flow[Box]) -> None:
        flow.scoped(" ")

    with pytest.raises(WorkflowBuildError, match="non-empty"):
        render(Workflow("t", Box, build))
