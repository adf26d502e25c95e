"""Mis-wirings raise WorkflowBuildError naming the state and the field.

Each mistake here is also a mypy error (see tests/typing); ``# type: ignore`` gets the code
past mypy so the build-time check is what stops it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.dsl import CONTINUE, Catch, CaughtError, Flow, Workflow, gt, render, workflow
from orderflow.runtime import Service


class Start(BaseModel):
    key: str
    amount: int
    lines: list[LineIn]


class LookupIn(BaseModel):
    key: str


class Account(BaseModel):
    key: str
    email: str
    limit: int


class ChargeIn(BaseModel):
    key: str
    amount: int


class LineIn(BaseModel):
    sku: str


Start.model_rebuild()


def _handler(request: Any, deps: Any) -> Any:
    raise NotImplementedError


lookup: Service[LookupIn, Account] = Service("lookup", _handler, LookupIn, Account)
charge: Service[ChargeIn, Account] = Service("charge", _handler, ChargeIn, Account)
line: Service[LineIn, Account] = Service("line", _handler, LineIn, Account)


def build_error(build: Callable[[Flow[Start]], None]) -> WorkflowBuildError:
    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Start, build))
    return info.value


def test_wrong_type_names_state_field_and_both_types() -> None:
    def build(flow: Flow[Start]) -> None:
        account = flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)
        flow.task("Charge", charge).call(ChargeIn, key=account.limit, amount=account.limit)  # type: ignore[arg-type]

    error = build_error(build)
    assert (error.state, error.field) == ("Charge", "key")
    assert "ChargeIn.key expects str but $.get_account.limit is int" in error.message


def test_missing_required_field() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("Charge", charge).call(ChargeIn, key=flow.input.key)  # type: ignore[call-arg]

    error = build_error(build)
    assert (error.state, error.field) == ("Charge", "amount")
    assert "requires 'amount' (int)" in error.message


def test_unknown_field() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key, extra=1)  # type: ignore[call-arg]

    error = build_error(build)
    assert (error.state, error.field) == ("GetAccount", "extra")
    assert "LookupIn has no field 'extra'" in error.message


def test_reading_a_field_the_output_model_does_not_have() -> None:
    def build(flow: Flow[Start]) -> None:
        account = flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)
        flow.task("Charge", charge).call(ChargeIn, key=account.nickname, amount=1)  # type: ignore[attr-defined]

    error = build_error(build)
    assert (error.state, error.field) == ("GetAccount", "nickname")
    assert "Account (at $.get_account) has no field 'nickname'" in error.message


def test_parallel_index_out_of_range() -> None:
    def build(flow: Flow[Start]) -> None:
        result = flow.parallel(
            "Both",
            lambda b: b.task("A", lookup).call(LookupIn, key=flow.input.key),
            lambda b: b.task("B", lookup).call(LookupIn, key=flow.input.key),
        )
        flow.task("Use", lookup).call(LookupIn, key=result[2].key)  # type: ignore[misc]

    error = build_error(build)
    assert error.state == "Both"
    assert "2 branch(es); there is no branch output [2]" in error.message


def test_wrong_input_model_for_the_service() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(ChargeIn, key=flow.input.key, amount=1)  # type: ignore[arg-type]

    error = build_error(build)
    assert error.state == "GetAccount"
    assert "takes LookupIn, not 'ChargeIn'" in error.message


def test_literal_that_does_not_fit_the_field() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("Charge", charge).call(ChargeIn, key="k", amount="lots")  # type: ignore[arg-type]

    error = build_error(build)
    assert (error.state, error.field) == ("Charge", "amount")
    assert "literal 'lots' does not fit int" in error.message


def test_whole_payload_of_the_wrong_model() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call_with(flow.input)  # type: ignore[arg-type]

    error = build_error(build)
    assert error.state == "GetAccount"
    assert "must be a LookupIn but $ is Start" in error.message


def test_result_key_colliding_with_an_input_field_or_another_state() -> None:
    def input_clash(flow: Flow[Start]) -> None:
        flow.task("Key", lookup).call(LookupIn, key=flow.input.key)

    def state_clash(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)
        flow.task("Get Account", lookup).call(LookupIn, key=flow.input.key)

    error = build_error(input_clash)
    assert (error.state, error.field) == ("Key", "ResultPath")
    assert "result key 'key' is already used" in error.message
    assert build_error(state_clash).state == "Get Account"


def test_duplicate_state_names() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("A", lookup).call(LookupIn, key=flow.input.key)
        flow.parallel("P", lambda b: b.task("A", lookup).call(LookupIn, key=flow.input.key))

    error = build_error(build)
    assert error.state == "A"
    assert "unique in the whole workflow" in error.message


def test_reference_from_a_choice_branch_is_not_readable_after_it() -> None:
    def build(flow: Flow[Start]) -> None:
        made: list[Account] = []

        def big(f: Flow[Start]) -> None:
            made.append(f.task("Inside", lookup).call(LookupIn, key=flow.input.key))

        flow.choice("Route", [(gt(flow.input.amount, 5), big)], otherwise=CONTINUE)
        flow.task("After", lookup).call(LookupIn, key=made[0].key)

    error = build_error(build)
    assert error.state == "After"
    assert "inside Choice 'Route' rule 1" in error.message
    assert "may not have run" in error.message


def test_reference_from_a_parallel_branch_or_map_body_is_not_readable_outside() -> None:
    leaked: list[Account] = []

    def parallel(flow: Flow[Start]) -> None:
        def branch(b: Flow[Start]) -> Account:
            inner = b.task("Inner", lookup).call(LookupIn, key=flow.input.key)
            leaked.append(inner)
            return inner

        flow.parallel("P", branch)
        flow.task("After", lookup).call(LookupIn, key=leaked[-1].email)

    def mapped(flow: Flow[Start]) -> None:
        def body(b: Flow[Start], item: LineIn) -> Account:
            inner = b.task("Inner", line).call(LineIn, sku=item.sku)
            leaked.append(inner)
            return inner

        flow.map("M", flow.input.lines, body)
        flow.task("After", lookup).call(LookupIn, key=leaked[-1].email)

    error = build_error(parallel)
    assert error.state == "After" and "Parallel 'P' branch 1" in error.message
    error = build_error(mapped)
    assert error.state == "After" and "Map 'M'" in error.message


def test_map_over_something_that_is_not_a_list() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.map("M", flow.input.key, lambda b, c: b.task("X", lookup).call(LookupIn, key=c))  # type: ignore[arg-type]

    error = build_error(build)
    assert (error.state, error.field) == ("M", "ItemsPath")


def test_branching_on_a_reference_in_python_is_refused() -> None:
    def build(flow: Flow[Start]) -> None:
        if flow.input.amount:
            flow.succeed("Never")

    assert "flow.choice" in build_error(build).message


def test_states_after_a_terminal_state_are_unreachable() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.fail("Stop", error="E")
        flow.succeed("Later")

    error = build_error(build)
    assert error.state == "Later" and "unreachable" in error.message


def test_catch_handler_inside_a_branch_must_end_the_branch() -> None:
    def note(f: Flow[Any], error: CaughtError) -> None:
        f.pass_("Note").call(LookupIn, key=error.Cause)

    def build(flow: Flow[Start]) -> None:
        flow.parallel(
            "P",
            lambda b: b.task("A", lookup, catch=[Catch(["States.ALL"], then=note)]).call(
                LookupIn, key=flow.input.key
            ),
        )

    error = build_error(build)
    assert (error.state, error.field) == ("A", "Catch")


def test_catch_target_that_is_not_a_state() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("A", lookup, catch=[Catch(["States.ALL"], then="Nowhere")]).call(
            LookupIn, key=flow.input.key
        )

    error = build_error(build)
    assert (error.state, error.field) == ("A", "Catch")
    assert "'Nowhere'" in error.message


def test_reference_from_another_workflow() -> None:
    other: list[Start] = []

    @workflow("other", input_model=Start)
    def first(flow: Flow[Start]) -> None:
        other.append(flow.input)
        flow.succeed("Done")

    render(first)

    def build(flow: Flow[Start]) -> None:
        flow.task("A", lookup).call(LookupIn, key=other[0].key)

    assert "another workflow" in build_error(build).message


def test_reference_nested_in_a_literal() -> None:
    class Batch(BaseModel):
        keys: list[str]

    batch: Service[Batch, Account] = Service("batch", _handler, Batch, Account)

    def build(flow: Flow[Start]) -> None:
        flow.task("B", batch).call(Batch, keys=[flow.input.key])

    error = build_error(build)
    assert (error.state, error.field) == ("B", "keys")
    assert "nested inside a literal" in error.message
