"""Choice conditions compile to the ASL operator matching the reference's annotation."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Literal

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.dsl import (
    FAIL,
    Condition,
    Flow,
    Workflow,
    all_of,
    any_of,
    eq,
    ge,
    gt,
    is_null,
    is_present,
    le,
    lt,
    matches,
    ne,
    not_,
    render,
)


class Facts(BaseModel):
    name: str
    status: Literal["active", "suspended"]
    count: int
    ratio: float
    flag: bool
    at: dt.datetime
    other: int
    note: str | None = None
    tags: list[str] = []


def first_rule(make: Any) -> dict[str, Any]:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("C", [(make(flow.input), lambda f: f.succeed("Yes"))], otherwise=FAIL)

    rule = dict(render(Workflow("t", Facts, build)).states["C"]["Choices"][0])
    rule.pop("Next")
    return rule


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda i: eq(i.name, "x"), {"Variable": "$.name", "StringEquals": "x"}),
        (lambda i: eq(i.status, "active"), {"Variable": "$.status", "StringEquals": "active"}),
        (lambda i: gt(i.count, 3), {"Variable": "$.count", "NumericGreaterThan": 3}),
        (lambda i: ge(i.ratio, 0.5), {"Variable": "$.ratio", "NumericGreaterThanEquals": 0.5}),
        (lambda i: lt(i.count, i.other), {"Variable": "$.count", "NumericLessThanPath": "$.other"}),
        (lambda i: le(i.name, "m"), {"Variable": "$.name", "StringLessThanEquals": "m"}),
        (lambda i: eq(i.flag, False), {"Variable": "$.flag", "BooleanEquals": False}),
        (
            lambda i: gt(i.at, dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
            {"Variable": "$.at", "TimestampGreaterThan": "2030-01-01T00:00:00Z"},
        ),
        (lambda i: ne(i.count, 0), {"Not": {"Variable": "$.count", "NumericEquals": 0}}),
        (lambda i: is_present(i.note), {"Variable": "$.note", "IsPresent": True}),
        (lambda i: is_null(i.note, False), {"Variable": "$.note", "IsNull": False}),
        (lambda i: matches(i.name, "a*"), {"Variable": "$.name", "StringMatches": "a*"}),
        (lambda i: eq(i.note, "n"), {"Variable": "$.note", "StringEquals": "n"}),
        (
            lambda i: all_of(gt(i.count, 1), any_of(eq(i.flag, True), not_(eq(i.name, "z")))),
            {
                "And": [
                    {"Variable": "$.count", "NumericGreaterThan": 1},
                    {
                        "Or": [
                            {"Variable": "$.flag", "BooleanEquals": True},
                            {"Not": {"Variable": "$.name", "StringEquals": "z"}},
                        ]
                    },
                ]
            },
        ),
    ],
)
def test_operator_follows_the_annotation(make: Any, expected: dict[str, Any]) -> None:
    assert first_rule(make) == expected


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda i: gt(i.count, "many"), "cannot compare $.count (int) with 'many'"),
        (lambda i: gt(i.flag, True), "only eq/ne apply"),
        (lambda i: eq(i.name, i.count), "cannot compare $.name (str) with $.count (int)"),
        (lambda i: matches(i.count, "1*"), "matches() needs a string"),
        (lambda i: eq(i.tags, ["a"]), "a Choice can compare strings, numbers"),
        (lambda i: eq("literal", i.name), "must be a reference"),
        (lambda i: all_of(), "And needs at least one condition"),
        (
            lambda i: eq(i.status, "deleted"),
            "$.status can only be 'active', 'suspended', so == 'deleted' is always false",
        ),
        (lambda i: ne(i.status, "gone"), "!= 'gone' is always true"),
        (lambda i: any_of(eq(i.flag, True), eq(i.status, "x")), "can only be 'active'"),
    ],
)
def test_bad_conditions_name_the_choice_state(make: Any, fragment: str) -> None:
    with pytest.raises(WorkflowBuildError) as info:
        first_rule(make)
    assert info.value.state == "C"
    assert fragment in info.value.message


class Tier(enum.StrEnum):
    GOLD = "gold"
    SILVER = "silver"


class Member(BaseModel):
    level: Literal[1, 2, 3] | None = None
    tier: Tier
    mixed: Literal["a"] | str = "a"


def test_comparison_with_a_value_outside_literal_or_enum_fails_at_build() -> None:
    def rule(make: Any) -> None:
        def build(flow: Flow[Member]) -> None:
            flow.choice("C", [(make(flow.input), lambda f: f.succeed("Yes"))], otherwise=FAIL)

        render(Workflow("t", Member, build))

    rule(lambda i: eq(i.level, 2))
    rule(lambda i: eq(i.level, 2.0))
    rule(lambda i: gt(i.level, 7))  # ordering against any number can be meaningful
    rule(lambda i: eq(i.tier, Tier.GOLD))
    rule(lambda i: eq(i.mixed, "anything"))  # str admits every string
    for make, allowed in [
        (lambda i: eq(i.level, 4), "1, 2, 3"),
        (lambda i: eq(i.tier, "bronze"), "'gold', 'silver'"),
    ]:
        with pytest.raises(WorkflowBuildError) as info:
            rule(make)
        assert info.value.state == "C" and info.value.field == "Choices"
        assert f"can only be {allowed}" in info.value.message


def test_a_rule_that_is_not_a_condition() -> None:
    def build(flow: Flow[Facts]) -> None:
        flow.choice("C", [(flow.input.flag, lambda f: f.succeed("Yes"))], otherwise=FAIL)  # type: ignore[list-item]

    with pytest.raises(WorkflowBuildError, match="expected a condition"):
        render(Workflow("t", Facts, build))


def test_conditions_are_condition_objects() -> None:
    assert isinstance(eq(1, 1), Condition)
