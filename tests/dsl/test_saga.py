"""Sagas: the ASL ``compensate=`` emits, how it runs, and the mistakes it refuses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import ServiceError, TaskFailure, WorkflowBuildError
from orderflow.checker import check_dataflow
from orderflow.dsl import (
    LAMBDA_TRANSIENT_ERRORS,
    CaughtError,
    Compensation,
    Flow,
    Retry,
    Workflow,
    contracts_for,
    render,
    workflow,
)
from orderflow.runtime import Service
from orderflow.testing import run_asl
from orderflow.validation import has_errors, validate


class Req(BaseModel):
    key: str
    items: list[str] = ["a", "b"]


class StepIn(BaseModel):
    key: str


class StepOut(BaseModel):
    key: str
    ref: str


class UndoIn(BaseModel):
    key: str


class Undone(BaseModel):
    key: str


def _never(request: Any, deps: Any) -> Any:  # the tests answer Lambda calls themselves
    raise NotImplementedError


def _service(name: str) -> Service[StepIn, StepOut]:
    return Service(name, _never, StepIn, StepOut)


def _undo(name: str) -> Service[UndoIn, Undone]:
    return Service(name, _never, UndoIn, Undone)


book, pay, ship, hold, note = (_service(n) for n in ("book", "pay", "ship", "hold", "note"))
unbook, unpay, unhold = (_undo(n) for n in ("unbook", "unpay", "unhold"))
TRANSIENT = Retry(LAMBDA_TRANSIENT_ERRORS, interval_seconds=1, max_attempts=3)


def undo(service: Service[UndoIn, Undone], key: str) -> Compensation[UndoIn]:
    return Compensation(service, retry=[TRANSIENT]).call(UndoIn, key=key)


@workflow("trip", input_model=Req)
def trip(flow: Flow[Req]) -> None:
    """Book, pay, ship in a row: book undone from its own result, pay from the input."""
    booked = flow.task(
        "Book",
        book,
        compensate=lambda result: Compensation(unbook).call(UndoIn, key=result.ref),
    ).call(StepIn, key=flow.input.key)
    flow.task("Pay", pay, compensate=undo(unpay, flow.input.key)).call(StepIn, key=booked.ref)
    flow.task("Ship", ship).call(StepIn, key=flow.input.key)


@workflow("fanout", input_model=Req)
def fanout(flow: Flow[Req]) -> None:
    """A step, then a Parallel of three branches, each with a compensation, then a note."""
    flow.task("Book", book, compensate=undo(unbook, flow.input.key)).call(
        StepIn, key=flow.input.key
    )

    def paying(branch: Flow[Req]) -> StepOut:
        return branch.task("Pay", pay, compensate=undo(unpay, flow.input.key)).call(
            StepIn, key=flow.input.key
        )

    def holding(branch: Flow[Req]) -> StepOut:
        branch.task("Hold", hold, compensate=undo(unhold, flow.input.key)).call(
            StepIn, key=flow.input.key
        )
        return branch.task("Ship", ship).call(StepIn, key=flow.input.key)

    def noting(branch: Flow[Req]) -> StepOut:
        return branch.task("Note", note).call(StepIn, key=flow.input.key)

    flow.parallel("Fan", paying, holding, noting)
    flow.task("Confirm", note).call(StepIn, key=flow.input.key)


def reject(flow: Flow[Req], error: CaughtError) -> None:
    flow.fail("Rejected", error=error.Error, cause=error.Cause)


@workflow("declared", input_model=Req)
def declared(flow: Flow[Req]) -> None:
    """A saga whose outcome is a business Fail of its own."""
    flow.saga(on_failure=reject)
    flow.task("Book", book, compensate=undo(unbook, flow.input.key)).call(
        StepIn, key=flow.input.key
    )
    flow.map(
        "Each", flow.input.items, lambda body, item: body.task("Hold", hold).call(StepIn, key=item)
    )


# --- the emitted ASL ---------------------------------------------------------------------------


def test_each_step_catches_into_the_newest_completed_compensation() -> None:
    states = render(trip).states
    assert "Catch" not in states["Book"]  # nothing completed before it
    assert states["Pay"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate Book"}
    ]
    assert states["Ship"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate Pay"}
    ]
    # The chain runs newest to oldest, keeps the caught error (ResultPath null) and ends in
    # a Fail that re-raises it.
    assert states["Compensate Pay"]["Next"] == "Compensate Book"
    assert states["Compensate Book"]["Next"] == "SagaFailed"
    for name in ("Compensate Pay", "Compensate Book"):
        assert states[name]["ResultPath"] is None
        assert "ResultSelector" not in states[name]
    assert states["SagaFailed"] == {
        "Type": "Fail",
        "Comment": "Every completed step was compensated: fail with the original error.",
        "ErrorPath": "$.error.Error",
        "CausePath": "$.error.Cause",
    }
    # A compensation may read its own step's result (it exists whenever it runs).
    assert states["Compensate Book"]["Parameters"]["Payload"] == {"key.$": "$.book.ref"}
    assert states["Compensate Pay"]["Retry"][0]["ErrorEquals"] == list(LAMBDA_TRANSIENT_ERRORS)
    assert states["Compensate Pay"]["Parameters"]["FunctionName"].endswith(":orderflow-unpay")


def test_a_parallel_catches_into_the_compensation_of_every_branch() -> None:
    states = render(fanout).states
    fan = states["Fan"]
    assert fan["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate Fan"}
    ]
    # Branch states never catch into the chain themselves: the Parallel does.
    for branch in fan["Branches"]:
        for state in branch["States"].values():
            assert "Catch" not in state
    compensate = states["Compensate Fan"]
    assert compensate["Type"] == "Parallel"
    assert compensate["ResultPath"] is None
    assert compensate["Next"] == "Compensate Book"
    assert [list(b["States"]) for b in compensate["Branches"]] == [
        ["Compensate Pay"],
        ["Compensate Hold"],
    ]
    assert states["Confirm"]["Catch"][0]["Next"] == "Compensate Fan"
    assert states["Book"].get("Catch") is None


def test_a_declared_outcome_ends_the_chain_and_a_map_after_a_step_catches_too() -> None:
    states = render(declared).states
    assert states["Each"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Compensate Book"}
    ]
    assert states["Compensate Book"]["Next"] == "Rejected"
    assert states["Rejected"] == {
        "Type": "Fail",
        "ErrorPath": "$.error.Error",
        "CausePath": "$.error.Cause",
    }
    assert "SagaFailed" not in states


@pytest.mark.parametrize("wf", [trip, fanout, declared], ids=lambda wf: wf.name)
def test_validation_and_the_data_flow_check_pass(wf: Workflow[Any]) -> None:
    definition = render(wf, validate=False)
    assert not has_errors(validate(definition.to_json()))
    diagnostics = check_dataflow(definition, contracts=contracts_for(wf), input_model=Req)
    assert [d for d in diagnostics if d.severity == "error"] == []


# --- behaviour in the local executor --------------------------------------------------------


Plan = dict[str, list[str]]
"""Service name -> the errors its successive calls raise ("" = the call succeeds)."""


def run(wf: Workflow[Any], plan: Plan) -> tuple[Any, list[str]]:
    calls: list[str] = []
    pending = {name: list(errors) for name, errors in plan.items()}

    def handler(function: str, payload: Any) -> Any:
        name = function.rsplit(":", 1)[-1].removeprefix("orderflow-")
        calls.append(name)
        queue = pending.get(name)
        if queue:
            error = queue.pop(0)
            if error:
                raise TaskFailure(error, f"{name} failed with {error}")
        return {"key": payload["key"], "ref": f"{name}-ref"}

    execution = run_asl(
        render(wf).to_json(), {"key": "k-1", "items": ["a", "b"]}, lambda_handler=handler
    )
    return execution, calls


def test_a_failure_undoes_the_completed_steps_newest_first_and_keeps_the_error() -> None:
    execution, calls = run(trip, {"ship": ["Broken"]})
    assert calls == ["book", "pay", "ship", "unpay", "unbook"]
    assert (execution.status, execution.error, execution.cause) == (
        "FAILED",
        "Broken",
        "ship failed with Broken",
    )


def test_only_steps_that_completed_are_undone() -> None:
    execution, calls = run(trip, {"pay": ["Declined"]})
    assert calls == ["book", "pay", "unbook"]
    assert execution.error == "Declined"
    execution, calls = run(trip, {"book": ["Full"]})
    assert calls == ["book"]
    assert execution.error == "Full"


def test_no_failure_no_compensation() -> None:
    execution, calls = run(trip, {})
    assert execution.status == "SUCCEEDED"
    assert calls == ["book", "pay", "ship"]


def test_one_failing_branch_undoes_every_branch_then_the_steps_before() -> None:
    # Ship (branch 2's second step) fails: Pay and Hold completed side by side, so both
    # are undone, then Book; the original error ends the execution.
    execution, calls = run(fanout, {"ship": ["Lost"]})
    assert calls[0] == "book"
    assert sorted(calls[1:5]) == ["hold", "note", "pay", "ship"]  # all branches started
    assert sorted(calls[5:7]) == ["unhold", "unpay"]
    assert calls[7:] == ["unbook"]
    assert (execution.status, execution.error) == ("FAILED", "Lost")


def test_a_failure_after_the_parallel_undoes_it_too() -> None:
    execution, calls = run(fanout, {"note": ["", "Bounced"]})
    assert calls[-3:-1] in (["unpay", "unhold"], ["unhold", "unpay"])
    assert calls[-1] == "unbook"
    assert execution.error == "Bounced"


def test_the_jsonata_form_compensates_the_same_way() -> None:
    jsonata = Workflow("fanout", Req, fanout._build, query_language="JSONata")
    states = render(jsonata).states
    # A JSONata state outputs its result unless told otherwise: keep the caught error.
    assert states["Compensate Fan"]["Output"] == "{% $states.input %}"
    for wf in (fanout, jsonata):
        execution, calls = run(wf, {"ship": ["Lost"]})
        assert calls[-1] == "unbook"
        assert (execution.error, execution.cause) == ("Lost", "ship failed with Lost")


def test_a_compensation_failing_transiently_is_retried() -> None:
    execution, calls = run(trip, {"ship": ["Broken"], "unpay": ["Lambda.ServiceException"] * 2})
    assert calls == ["book", "pay", "ship", "unpay", "unpay", "unpay", "unbook"]
    assert execution.error == "Broken"


def test_a_compensation_that_keeps_failing_fails_the_execution_with_its_error() -> None:
    execution, calls = run(trip, {"ship": ["Broken"], "unbook": ["Corrupt"]})
    assert calls == ["book", "pay", "ship", "unpay", "unbook"]
    assert execution.error == "Corrupt"  # never reported as a clean rejection


def test_the_declared_outcome_reports_the_original_error() -> None:
    execution, calls = run(declared, {"hold": ["", "Gone"]})
    assert calls[-1] == "unbook"
    assert (execution.error, execution.cause) == ("Gone", "hold failed with Gone")
    assert execution.history[-1]["type"] == "ExecutionFailed"


# --- mistakes refused at build time ------------------------------------------------------


def build(body: Callable[[Flow[Req]], None]) -> None:
    workflow("bad", input_model=Req)(body).graph()


def test_a_branch_compensation_cannot_read_the_branch_result() -> None:
    def body(flow: Flow[Req]) -> None:
        def branch(b: Flow[Req]) -> StepOut:
            return b.task(
                "Pay",
                pay,
                compensate=lambda paid: Compensation(unpay).call(UndoIn, key=paid.ref),
            ).call(StepIn, key=flow.input.key)

        flow.parallel("Fan", branch)

    with pytest.raises(WorkflowBuildError, match="request id") as info:
        build(body)
    assert info.value.state == "Compensate Pay"


def test_compensate_inside_a_map_body_is_refused() -> None:
    def body(flow: Flow[Req]) -> None:
        def each(b: Flow[Req], item: str) -> StepOut:
            return b.task("Hold", hold, compensate=undo(unhold, item)).call(StepIn, key=item)

        flow.map("Each", flow.input.items, each)

    with pytest.raises(WorkflowBuildError, match="not inside Map 'Each'"):
        build(body)


def test_saga_must_come_before_the_first_compensable_step() -> None:
    def body(flow: Flow[Req]) -> None:
        flow.task("Book", book, compensate=undo(unbook, flow.input.key)).call(
            StepIn, key=flow.input.key
        )
        flow.saga(on_failure=reject)

    with pytest.raises(WorkflowBuildError, match="already has a saga"):
        build(body)


def test_a_compensation_needs_its_payload_and_the_right_model() -> None:
    def unfinished(flow: Flow[Req]) -> None:
        flow.task("Book", book, compensate=Compensation(unbook)).call(StepIn, key="x")

    with pytest.raises(WorkflowBuildError, match=r"no payload: finish it with \.call"):
        build(unfinished)
    with pytest.raises(WorkflowBuildError, match="takes UndoIn, not 'StepIn'"):
        Compensation(unbook).call(StepIn, key="x")  # type: ignore[arg-type]


def test_a_compensation_must_not_retry_business_errors() -> None:
    class Stuck(ServiceError):
        pass

    strict: Service[UndoIn, Undone] = Service("strict", _never, UndoIn, Undone, errors=(Stuck,))

    def body(flow: Flow[Req]) -> None:
        flow.task(
            "Book",
            book,
            compensate=Compensation(strict, retry=[Retry(["States.ALL"])]).call(UndoIn, key="k"),
        ).call(StepIn, key="x")

    with pytest.raises(WorkflowBuildError, match="would retry Stuck") as info:
        build(body)
    assert info.value.state == "Compensate Book"
