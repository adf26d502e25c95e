"""Run a workflow locally with an app's own services bound to its Lambda functions.

This is what ``orderflow run`` does: render a DSL workflow (or read an ASL file), bind the
app's ``local_handler`` to every Lambda call, and execute the emitted ASL on the virtual
clock. No AWS account is involved. The app is any :class:`orderflow.App`; this module never
imports one itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

from orderflow._errors import ConfigurationError, ContractError, ExecutionError
from orderflow._targets import is_module_target, load_definition_target, read_definition_bytes
from orderflow.asl import JSON, Definition, parse_definition
from orderflow.executor._clock import Clock
from orderflow.executor._execution import Execution, start_execution
from orderflow.executor._fakes import LocalAws
from orderflow.executor._plan import refuse_duplicate_keys

if TYPE_CHECKING:
    from orderflow._app import App
    from orderflow.runtime import ServiceDeps


def load_target(target: str) -> Definition:
    """The ASL definition named by ``target``.

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
    if is_module_target(target):
        return load_definition_target(target)
    raw = read_definition_bytes(target)
    definition = parse_definition(raw, file=target)
    refuse_duplicate_keys(raw, target)
    return definition


def sample_input(app: App, workflow: str | None = None) -> JSON | None:
    """The app's declared sample input for ``workflow`` (or for its default workflow, or
    its only sample), a copy; ``None`` when it declares none."""
    samples = app.sample_inputs
    default = getattr(app, "default_workflow", None)
    if workflow is not None:
        chosen = samples.get(workflow)
    elif default is not None and default in samples:
        chosen = samples[default]
    elif len(samples) == 1:
        chosen = next(iter(samples.values()))
    else:
        chosen = None
    return None if chosen is None else json.loads(json.dumps(chosen))


def check_input(input_model: type[BaseModel], execution_input: Any, *, workflow: str) -> None:
    """Refuse an execution input that does not satisfy the workflow's input model.

    Raises:
        ContractError: names the workflow, the model and each field at fault.
    """
    try:
        input_model.model_validate(execution_input)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or '<root>'}: {error['msg']}"
            for error in exc.errors()
        )
        raise ContractError(
            f"the input does not satisfy workflow {workflow!r}'s input model "
            f"{input_model.__name__}: {problems}",
            field="--input",
        ) from None


def check_failure_rates(app: App, failure_rates: Mapping[str, float]) -> dict[str, float]:
    """``failure_rates`` checked: every name a service of ``app``, every rate a probability.

    A misspelt name would otherwise simulate nothing and the run would look healthy.

    Raises:
        orderflow.ConfigurationError: a name is not a service of the app (lists them).
        orderflow.ExecutionError: a rate is outside [0, 1].
    """
    checked = app.check_failure_rates(failure_rates)
    for name, rate in checked.items():
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
    app: App,
    seed: int = 0,
    failure_rates: Mapping[str, float] | None = None,
    clock: Clock | None = None,
    on_event: Callable[[str, dict[str, Any] | None], None] | None = None,
    aws: LocalAws | None = None,
    state_machine_type: str = "STANDARD",
    deps: ServiceDeps | None = None,
) -> Execution:
    """Execute ``definition`` with ``app``'s services answering its Lambda calls.

    Args:
        definition: the ASL to run.
        execution_input: the execution input.
        app: the app whose services run (on its in-memory store with its sample data).
        seed: seeds both the services (ids, simulated failures) and the executor (jitter).
        failure_rates: service name -> probability in [0, 1] of a simulated transient
            failure.
        clock: the executor's clock (virtual by default).
        on_event: called with each history event's type and details as it happens.
        aws: the in-memory AWS services answering the definition's service integrations
            (DynamoDB, SNS, SQS, EventBridge, S3, Step Functions); by default a fresh
            :class:`~orderflow.testing.LocalAws` with every table the definition uses.
        state_machine_type: ``STANDARD`` or ``EXPRESS``.
        deps: what the services run on; by default ``app.deps(seed=seed,
            failure_rates=failure_rates)``. Pass your own (made by ``app.deps``) to read
            its store after the run; its failure rates then apply.

    Raises:
        orderflow.ConfigurationError: a failure rate names a service the app does not
            have, or a task calls a function no service of the app answers.
        orderflow.ExecutionError: a failure rate is not a probability.
        orderflow.InvalidDefinition: the definition has structural errors.
    """
    rates = check_failure_rates(app, failure_rates or {})
    if deps is None:
        deps = app.deps(seed=seed, failure_rates=rates)
    elif rates:
        raise ConfigurationError(
            "run_locally() got both deps= and failure_rates=: give the failure rates to "
            "app.deps(failure_rates=...) instead"
        )
    handler = app.local_handler(deps)
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
        state_machine_type=state_machine_type,
    )


__all__ = ["check_failure_rates", "check_input", "load_target", "run_locally", "sample_input"]
