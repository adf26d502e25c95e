"""Run a workflow locally with the real order services bound to its Lambda functions.

This is what ``orderflow run`` does: render a DSL workflow (or read an ASL file), bind
``orderflow.services.local_handler`` to every Lambda call, and execute the emitted ASL on
the virtual clock. No AWS account is involved.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from orderflow._errors import ExecutionError
from orderflow._targets import (
    DEFAULT_TARGET,
    is_module_target,
    load_definition_target,
    read_definition_bytes,
)
from orderflow.asl import JSON, Definition, parse_definition
from orderflow.executor._clock import Clock
from orderflow.executor._execution import Execution, start_execution
from orderflow.executor._fakes import LocalAws
from orderflow.executor._plan import refuse_duplicate_keys


def load_target(target: str | None = None) -> Definition:
    """The ASL definition named by ``target`` (default: the order workflow).

    ``target`` is an ASL JSON file or ``MODULE:ATTR`` naming a DSL workflow (rendered with
    the default account, region and prefix), a :class:`~orderflow.asl.Definition`, an ASL
    dict or an object with ``to_definition()``; it is loaded as ``orderflow check`` loads
    it (see :func:`orderflow._targets.load_definition_target`).

    Raises:
        orderflow.DefinitionError: the file cannot be read, is too large or is not ASL.
        TargetError: (a DefinitionError) the module or attribute cannot be loaded, or is not
            a state machine.
        orderflow.WorkflowBuildError: the workflow is wired wrongly.
        orderflow.InvalidDefinition: the file repeats a key in an object (a decoder would
            silently keep the last one; ``orderflow check`` reports the same).
    """
    target = target or DEFAULT_TARGET
    if is_module_target(target):
        return load_definition_target(target)
    raw = read_definition_bytes(target)
    definition = parse_definition(raw, file=target)
    refuse_duplicate_keys(raw, target)
    return definition


def sample_input() -> JSON:
    """The default execution input: the order workflow's sample order."""
    from orderflow.workflow import SAMPLE_ORDER

    return json.loads(json.dumps(SAMPLE_ORDER))


def check_failure_rates(failure_rates: Mapping[str, float]) -> dict[str, float]:
    """``failure_rates`` checked: every name a service of ``orderflow.services``, every
    rate a probability.

    A misspelt name would otherwise simulate nothing and the run would look healthy.

    Raises:
        orderflow.ExecutionError: a name is not a known service or a rate is outside
            [0, 1]; the message lists the known names.
    """
    from orderflow.services import SERVICES

    known = list(SERVICES)
    checked: dict[str, float] = {}
    for name, rate in failure_rates.items():
        if name not in SERVICES:
            raise ExecutionError(
                f"unknown service {name!r} in the failure rates; known services: "
                + ", ".join(known)
            )
        number = float(rate)
        if not 0.0 <= number <= 1.0:
            raise ExecutionError(
                f"the failure rate of {name!r} must be between 0 and 1, not {rate!r}"
            )
        checked[name] = number
    return checked


def run_locally(
    definition: Definition,
    execution_input: JSON,
    *,
    seed: int = 0,
    failure_rates: Mapping[str, float] | None = None,
    clock: Clock | None = None,
    on_event: Callable[[str, dict[str, Any] | None], None] | None = None,
    aws: LocalAws | None = None,
) -> Execution:
    """Execute ``definition`` with the order services answering its Lambda calls.

    Args:
        definition: the ASL to run.
        execution_input: the execution input.
        seed: seeds both the services (ids, simulated failures) and the executor (jitter).
        failure_rates: service name (a key of ``orderflow.services.SERVICES``) ->
            probability in [0, 1] of a simulated transient failure.
        clock: the executor's clock (virtual by default).
        on_event: called with each history event's type and details as it happens.
        aws: the in-memory AWS services answering the definition's service integrations
            (DynamoDB, SNS, SQS, EventBridge, S3, Step Functions); by default a fresh
            :class:`~orderflow.testing.LocalAws` with every table the definition uses.

    Raises:
        orderflow.ExecutionError: a failure rate names an unknown service or is not a
            probability.
        orderflow.InvalidDefinition: the definition has structural errors.
    """
    from orderflow.services import ServiceDeps, local_handler

    rates = check_failure_rates(failure_rates or {})
    deps = ServiceDeps.default(seed=seed, failure_rates=rates)
    handler = local_handler(deps)
    if aws is None:
        aws = LocalAws(seed=seed, lambda_handler=handler)
        aws.tables_for(definition)
    return start_execution(
        definition,
        execution_input,
        lambda_handler=handler,
        handlers=aws.handlers(),
        clock=clock,
        seed=seed,
        on_event=on_event,
    )


__all__ = ["check_failure_rates", "load_target", "run_locally", "sample_input"]
