"""Circuit breaker (``CircuitBreaker.guard``): the emitted ASL, and its behaviour across
executions sharing one in-memory table and one virtual clock: a failure storm opens it,
later executions skip the service, after the cooldown one probe closes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import TaskFailure, WorkflowBuildError
from orderflow.asl import Definition
from orderflow.checker import check_dataflow
from orderflow.dsl import CircuitBreaker, Flow, Workflow, render
from orderflow.executor import VirtualClock
from orderflow.orders import GetUserInput, get_user
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import validate

TABLE = "test-breakers"


class In(BaseModel):
    user_id: str


class Out(BaseModel):
    email: str


BREAKER = CircuitBreaker(
    "users",
    TABLE,
    trips_on=["Boom"],
    failure_threshold=3,
    window_seconds=60,
    cooldown_seconds=300,
)


def build(flow: Flow[In]) -> None:
    user = BREAKER.guard(
        flow,
        "UserBreaker",
        lambda f, catch: f.task("GetUser", get_user, catch=catch).call(
            GetUserInput, user_id=flow.input.user_id
        ),
        fallback=lambda f: f.fail("Unavailable", error="Unavailable", cause="retry later"),
    )
    flow.pass_("Use").call(Out, email=user.email)


def definition() -> Definition:
    rendered = render(Workflow("t", In, build))
    assert [d for d in validate(rendered) if d.severity == "error"] == []
    assert [d for d in check_dataflow(rendered, input_model=In) if d.severity == "error"] == []
    return rendered


def test_emits_read_choice_guarded_call_record_and_close() -> None:
    states = definition().states
    read = states["UserBreaker: Read"]
    assert read["Resource"] == "arn:aws:states:::dynamodb:getItem"
    assert read["QueryLanguage"] == "JSONata"
    assert read["Arguments"]["Key"] == {"breaker": {"S": "users"}}
    assert "$states.context.State.EnteredTime" in read["Assign"]["breaker_user_breaker"]
    assert read["Output"] == "{% $states.input %}"  # the state data passes unchanged
    assert states["UserBreaker: Open?"]["Choices"] == [
        {
            "Variable": "$breaker_user_breaker.state",
            "StringEquals": "open",
            "Next": "UserBreaker open: Unavailable",
        }
    ]
    assert states["UserBreaker: Open?"]["Default"] == "GetUser"
    assert states["GetUser"]["Catch"][0]["ErrorEquals"] == ["Boom"]
    assert states["GetUser"]["Catch"][0]["Next"] == "UserBreaker: Record failure"
    record = states["UserBreaker: Record failure"]
    assert record["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert record["Output"] == "{% $states.input %}"
    assert record["Next"] == "UserBreaker failed: Unavailable"
    assert states["UserBreaker: Close"]["Output"] == "{% $states.input %}"
    assert states["UserBreaker: Probe?"]["Default"] == "Use"


class Flaky:
    """get-user that fails with ``Boom`` while ``down`` is set; counts its calls."""

    def __init__(self) -> None:
        self.down = False
        self.calls = 0

    def __call__(self, function: str, payload: Any) -> Any:
        self.calls += 1
        if self.down:
            raise TaskFailure("Boom", "the user service is down")
        return {
            "user_id": payload["user_id"],
            "email": "ada@example.com",
            "status": "active",
            "credit_score": 720,
        }


def test_a_storm_opens_it_then_the_cooldown_lets_one_probe_close_it() -> None:
    aws = LocalAws()
    aws.create_table(TABLE, "breaker")
    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    service = Flaky()
    machine = definition()

    def run() -> Any:
        execution = run_asl(
            machine, {"user_id": "u-100"}, lambda_handler=service, aws=aws, clock=clock
        )
        clock.advance(5)
        return execution

    assert run().status == "SUCCEEDED"
    service.down = True
    storm = [run() for _ in range(3)]
    assert [(e.status, e.error) for e in storm] == [("FAILED", "Unavailable")] * 3
    assert service.calls == 4
    (item,) = aws.tables[TABLE].items
    assert item["failures"] == {"N": "3"} and item["opened_at"] != {"N": "0"}

    # Open: the service is not called at all, the fallback runs.
    skipped = [run() for _ in range(4)]
    assert all(e.error == "Unavailable" for e in skipped)
    assert service.calls == 4
    assert all("GetUser" not in _entered(e) for e in skipped)

    # After the cooldown, one probe goes through and, the service being back, closes it.
    service.down = False
    clock.advance(300)
    probe = run()
    assert probe.status == "SUCCEEDED" and service.calls == 5
    assert "UserBreaker: Close" in _entered(probe)
    after = run()
    assert after.status == "SUCCEEDED" and "UserBreaker: Close" not in _entered(after)


def test_a_failed_probe_opens_it_again() -> None:
    aws = LocalAws()
    aws.create_table(TABLE, "breaker")
    clock = VirtualClock()
    service = Flaky()
    service.down = True
    machine = definition()
    for _ in range(3):
        run_asl(machine, {"user_id": "u-1"}, lambda_handler=service, aws=aws, clock=clock)
    clock.advance(301)
    run_asl(machine, {"user_id": "u-1"}, lambda_handler=service, aws=aws, clock=clock)
    assert service.calls == 4  # the probe
    clock.advance(10)
    run_asl(machine, {"user_id": "u-1"}, lambda_handler=service, aws=aws, clock=clock)
    assert service.calls == 4  # open again: skipped


def test_failures_spread_beyond_the_window_do_not_open_it() -> None:
    aws = LocalAws()
    aws.create_table(TABLE, "breaker")
    clock = VirtualClock()
    service = Flaky()
    service.down = True
    machine = definition()
    for _ in range(6):
        run_asl(machine, {"user_id": "u-1"}, lambda_handler=service, aws=aws, clock=clock)
        clock.advance(40)  # two failures per 60 s window at most
    assert service.calls == 6  # never skipped


def test_other_errors_pass_through_uncounted() -> None:
    aws = LocalAws()
    aws.create_table(TABLE, "breaker")

    def declined(function: str, payload: Any) -> Any:
        raise TaskFailure("UserNotFound", "no such user")

    machine = definition()
    for _ in range(5):
        execution = run_asl(machine, {"user_id": "u-1"}, lambda_handler=declined, aws=aws)
        assert execution.error == "UserNotFound"
    assert not aws.tables[TABLE].items


def _entered(execution: Any) -> list[str]:
    return [
        e["stateEnteredEventDetails"]["name"]
        for e in execution.history
        if "stateEnteredEventDetails" in e
    ]


def test_the_fallback_must_end_and_the_catchers_must_be_used() -> None:
    def keeps_going(flow: Flow[In]) -> None:
        BREAKER.guard(
            flow,
            "B",
            lambda f, catch: f.task("GetUser", get_user, catch=catch).call(
                GetUserInput, user_id=flow.input.user_id
            ),
            fallback=lambda f: f.pass_("Nothing").call(Out, email="x"),
        )

    with pytest.raises(WorkflowBuildError, match="must end"):
        render(Workflow("t", In, keeps_going))

    def ignores_catch(flow: Flow[In]) -> None:
        BREAKER.guard(
            flow,
            "B",
            lambda f, catch: f.task("GetUser", get_user).call(
                GetUserInput, user_id=flow.input.user_id
            ),
            fallback=lambda f: f.fail("Down"),
        )

    with pytest.raises(WorkflowBuildError, match="did not use the catchers"):
        render(Workflow("t", In, ignores_catch))


@pytest.mark.parametrize("field", ["failure_threshold", "window_seconds", "cooldown_seconds"])
def test_limits_must_be_positive(field: str) -> None:
    with pytest.raises(WorkflowBuildError, match=field):
        CircuitBreaker("b", TABLE, trips_on=["Boom"], **{field: 0})
