"""Retry and Catch specs: error names, ranges AWS enforces, and Wait/Fail path types."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.dsl import LAMBDA_TRANSIENT_ERRORS, Catch, Flow, Retry, Workflow, render


class Start(BaseModel):
    key: str
    count: int


class Boom(Exception):
    pass


def test_error_classes_contribute_their_names() -> None:
    retrier = Retry([Boom, "States.Timeout"], max_attempts=0).to_asl("S")
    assert retrier == {"ErrorEquals": ["Boom", "States.Timeout"], "MaxAttempts": 0}
    assert Catch([Boom], then="X").error_names("S") == ["Boom"]


def test_transient_lambda_errors() -> None:
    assert set(LAMBDA_TRANSIENT_ERRORS) == {
        "Lambda.ServiceException",
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    }


@pytest.mark.parametrize(
    ("retry", "fragment"),
    [
        (Retry(["X"], interval_seconds=0), "IntervalSeconds must be >= 1"),
        (Retry(["X"], max_attempts=-1), "MaxAttempts must be >= 0"),
        (Retry(["X"], max_delay_seconds=0), "MaxDelaySeconds must be >= 1"),
        (Retry(["X"], backoff_rate=0.5), "BackoffRate must be >= 1.0"),
        (Retry([]), "at least one error name"),
    ],
)
def test_out_of_range_retry_fields(retry: Retry, fragment: str) -> None:
    with pytest.raises(WorkflowBuildError) as info:
        retry.to_asl("S")
    assert info.value.state == "S" and fragment in info.value.message


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda f: f.wait("W", seconds=f.input.key), "SecondsPath"),
        (lambda f: f.wait("W", timestamp=f.input.count), "TimestampPath"),
        (lambda f: f.wait("W", seconds=-1), "Seconds"),
        (lambda f: f.fail("F", cause=f.input.count), "CausePath"),
    ],
)
def test_wait_and_fail_paths_must_have_the_right_type(build: object, field: str) -> None:
    def wf(flow: Flow[Start]) -> None:
        build(flow)  # type: ignore[operator]

    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Start, wf))
    assert info.value.field == field
