"""``run_asl``: run an ASL document locally with Python functions as its tasks."""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON, Definition
from orderflow.executor._clock import Clock
from orderflow.executor._execution import Execution, start_execution
from orderflow.executor._fakes import LocalAws
from orderflow.executor._runtime import LambdaHandler, TaskHandler


def run_asl(
    definition: Definition | Mapping[str, JSON] | str | bytes,
    input: JSON = None,
    *,
    lambda_handler: LambdaHandler | None = None,
    handlers: Mapping[str, TaskHandler] | None = None,
    state_machine_type: str = "STANDARD",
    clock: Clock | None = None,
    seed: int = 0,
    aws: LocalAws | None = None,
) -> Execution:
    """Run a state machine in-process, as AWS Step Functions would, and return its result.

    The definition goes through real JSON serialisation, is validated the way AWS
    validates it at ``CreateStateMachine`` (for ``state_machine_type``) and is compiled;
    both happen once per distinct document, later runs reuse the plan. Time is simulated
    unless ``clock`` says otherwise, so Wait states and retry back-off finish instantly and
    the history shows simulated timestamps; Parallel branches start together and Map
    iterations overlap up to ``MaxConcurrency`` (40 when unlimited, AWS's inline limit),
    interleaved in simulated-time order, so a Parallel takes as long as its slowest
    branch and the first failure stops the other branches at that moment, as on AWS.

    Args:
        definition: ASL as a dict, JSON text or :class:`orderflow.asl.Definition`.
        input: the execution input (any JSON value).
        lambda_handler: ``lambda_handler(function_name_or_arn, payload)`` answers Lambda
            tasks (a function ARN as ``Resource`` or ``arn:aws:states:::lambda:invoke``).
            Return the function's result (JSON, or ``bytes`` as the raw response body);
            raise :class:`orderflow.TaskFailure` to fail with exactly that error and cause,
            or any other exception to fail the way Lambda reports it (``errorType`` is the
            class name, the cause Lambda's JSON error object).
        handlers: other resources (service integrations, activities) by ARN; each is
            called with the task's parameters and returns the service's result.
        state_machine_type: ``STANDARD`` or ``EXPRESS``.
        clock: a :class:`orderflow.executor.VirtualClock` (the default) or
            :class:`orderflow.executor.RealClock`. With real time, waits really happen
            where they are called, one branch at a time, so their times add up.
        seed: seeds every random choice (retry jitter, UUIDs, ``$random``).
        aws: a :class:`LocalAws` answering DynamoDB, SNS, SQS, EventBridge, S3 and Step
            Functions integrations in memory; ``handlers`` given for the same resource win.

    Returns:
        The :class:`Execution`: ``status``, ``output``, ``error``, ``cause``, ``history``.

    Raises:
        orderflow.InvalidDefinition: AWS would reject the definition; ``diagnostics``
            holds the validator's errors.
        orderflow.ExecutionError: bad arguments.
        orderflow.ConfigurationError: a task has no handler to answer it, or the
            handler raised one (an unknown service): a wiring mistake, never a task
            failure that a Catch could swallow.

    Example:
        >>> machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
        >>> run_asl(machine, {"x": 1}).output
        {'x': 1}
    """
    if aws is not None:
        handlers = {**aws.handlers(), **(handlers or {})}
    return start_execution(
        definition,
        input,
        lambda_handler=lambda_handler,
        handlers=handlers,
        state_machine_type=state_machine_type,
        clock=clock,
        seed=seed,
    )


__all__ = ["Execution", "run_asl"]
