"""A Choice says what happens when no rule matches, or covers every value."""

from __future__ import annotations

import enum
from typing import Literal

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.asl import to_mermaid
from orderflow.dsl import CONTINUE, FAIL, Flow, Workflow, any_of, eq, gt, render
from orderflow.testing import run_asl


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Facts(BaseModel):
    flag: bool = False
    amount: int
    status: Literal["active", "suspended"]
    colour: Colour
    maybe: Literal["a", "b"] | None = None


def wait(name: str):  # type: ignore[no-untyped-def]
    return lambda f: f.wait(name, seconds=1)


def build_error(build) -> WorkflowBuildError:  # type: ignore[no-untyped-def]
    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Facts, build))
    return info.value


def test_no_otherwise_and_no_full_cover_is_a_build_error_naming_the_state() -> None:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", [(gt(flow.input.amount, 5), wait("Big"))])

    error = build_error(build)
    assert error.state == "Route" and error.field == "Default"
    assert "otherwise=CONTINUE" in error.message and "otherwise=FAIL" in error.message
    assert "States.NoChoiceMatched" in error.message


@pytest.mark.parametrize(
    "rules",
    [
        lambda i: [(eq(i.status, "active"), wait("A"))],
        lambda i: [(eq(i.colour, Colour.RED), wait("A"))],
        lambda i: [(eq(i.maybe, "a"), wait("A")), (eq(i.maybe, "b"), wait("B"))],
        lambda i: [(eq(i.status, "active"), wait("A")), (eq(i.colour, Colour.BLUE), wait("B"))],
        lambda i: [(eq(i.flag, True), wait("A"))],
    ],
    ids=["literal-partial", "enum-partial", "optional-literal", "two-references", "bool-partial"],
)
def test_partial_covers_are_not_exhaustive(rules) -> None:  # type: ignore[no-untyped-def]
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", rules(flow.input))

    assert build_error(build).state == "Route"


@pytest.mark.parametrize(
    "rules",
    [
        lambda i: [(eq(i.status, "active"), wait("A")), (eq(i.status, "suspended"), wait("B"))],
        lambda i: [(any_of(eq(i.colour, Colour.RED), eq(i.colour, "blue")), wait("A"))],
        lambda i: [(eq(i.flag, True), wait("A")), (eq(i.flag, False), wait("B"))],
    ],
    ids=["literal", "enum-any-of", "bool"],
)
def test_a_full_literal_or_enum_cover_needs_no_otherwise(rules) -> None:  # type: ignore[no-untyped-def]
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", rules(flow.input))

    route = render(Workflow("t", Facts, build)).states["Route"]
    assert "Default" not in route


def test_continue_goes_on_after_the_choice_and_mermaid_draws_it() -> None:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", [(gt(flow.input.amount, 5), wait("Big"))], otherwise=CONTINUE)
        flow.succeed("Done")

    definition = render(Workflow("t", Facts, build))
    assert definition.states["Route"]["Default"] == "Done"
    assert '-->|"default"| s_Done' in to_mermaid(definition)
    facts = {"amount": 1, "status": "active", "colour": "red"}
    run = run_asl(definition, facts)
    assert run.status == "SUCCEEDED" and run.output == facts
    entered = [
        e["stateEnteredEventDetails"]["name"]
        for e in run.history
        if e["type"].endswith("StateEntered")
    ]
    assert entered == ["Route", "Done"]


def test_fail_has_no_default_fails_unmatched_input_and_mermaid_draws_the_no_match_edge() -> None:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", [(gt(flow.input.amount, 5), wait("Big"))], otherwise=FAIL)

    definition = render(Workflow("t", Facts, build))
    assert "Default" not in definition.states["Route"]
    diagram = to_mermaid(definition)
    assert 's_Route -->|"no match"| s_Route_nomatch' in diagram
    assert 's_Route_nomatch(["States.NoChoiceMatched"])' in diagram
    run = run_asl(definition, {"amount": 1, "status": "active", "colour": "red"})
    assert run.status == "FAILED" and run.error == "States.NoChoiceMatched"
    assert run_asl(definition, {"amount": 9, "status": "active", "colour": "red"}).succeeded


def test_otherwise_of_the_wrong_kind_is_a_build_error() -> None:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("Route", [(gt(flow.input.amount, 5), wait("Big"))], otherwise="fail")  # type: ignore[arg-type]

    error = build_error(build)
    assert error.state == "Route" and "CONTINUE or FAIL" in error.message
