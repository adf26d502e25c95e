"""Wait states and time limits on the virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime

from orderflow.executor import VirtualClock
from orderflow.testing import run_asl


def wait(**fields: object) -> dict[str, object]:
    return {
        "StartAt": "W",
        "States": {
            "W": {"Type": "Wait", **fields, "Next": "P"},
            "P": {"Type": "Pass", "End": True},
        },
    }


def test_one_hour_wait_is_instant_and_simulated() -> None:
    clock = VirtualClock()
    execution = run_asl(wait(Seconds=3600), {"a": 1}, clock=clock)
    assert execution.output == {"a": 1}
    assert clock.elapsed == 3600
    entered = next(e for e in execution.history if e["type"] == "PassStateEntered")
    assert (entered["timestamp"] - execution.start_date).total_seconds() == 3600


def test_seconds_path_and_its_errors() -> None:
    assert run_asl(wait(SecondsPath="$.s"), {"s": 5}).duration == 5
    negative = run_asl(wait(SecondsPath="$.s"), {"s": -1})
    assert negative.cause is not None and negative.cause.endswith(
        "The SecondsPath parameter references a negative value: $.s == -1"
    )
    fraction = run_asl(wait(SecondsPath="$.s"), {"s": 1.5})
    assert fraction.cause is not None and "cannot be parsed as a long value" in fraction.cause


def test_timestamp_wait_until_a_moment() -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    clock = VirtualClock(start)
    run_asl(wait(Timestamp="2024-01-01T00:10:00Z"), {}, clock=clock)
    assert clock.elapsed == 600


def test_timestamp_path_needs_an_offset() -> None:
    execution = run_asl(wait(TimestampPath="$.t"), {"t": "2024-01-01T00:10:00"})
    assert execution.error == "States.Runtime"
    assert execution.cause is not None and "ISO-8601 extended offset date-time" in execution.cause


def test_machine_timeout_ends_a_long_wait() -> None:
    machine = {**wait(Seconds=60), "TimeoutSeconds": 5}
    execution = run_asl(machine, {})
    assert (execution.status, execution.error) == ("TIMED_OUT", "States.Timeout")
    assert execution.duration == 5
    assert execution.history_types[-1] == "ExecutionTimedOut"


def test_jsonata_seconds() -> None:
    machine = {"QueryLanguage": "JSONata", **wait(Seconds="{% $states.input.s * 2 %}")}
    assert run_asl(machine, {"s": 4}).duration == 8
