"""``deploy``: render, check, then create or update every resource of an app's stack.

Order of work: resolve the account (STS) and names; render each workflow with the real ARNs;
run the pre-deploy checks (structural validation, and the data-flow checker when it is
installed) so a bad definition never touches AWS; build the packages; then either compare
only (``dry_run``: a :class:`~orderflow.deploy.Plan`, no call that writes) or apply resource
by resource, each described first and then created or updated, so running deploy again
completes a half-finished deploy and changes nothing on a finished one.
"""

from __future__ import annotations

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orderflow._errors import DeployError, InvalidDefinition
from orderflow._targets import load_app, load_workflow
from orderflow.asl import Definition
from orderflow.deploy._aws import Aws
from orderflow.deploy._counting import counting
from orderflow.deploy._names import StackNames, check_prefix
from orderflow.deploy._package import Packager, WheelDependencies
from orderflow.deploy._plan import Plan, Progress, apply, plan
from orderflow.deploy._seed import sample_items, seed_sample_data
from orderflow.deploy._stack import Machine, StackConfig, lambda_arns, stack_resources
from orderflow.runtime._registry import resolve_service

if TYPE_CHECKING:
    from orderflow._app import App

WorkflowSource = Callable[[StackNames], Definition]
"""Renders the workflow for a stack (its account, region and prefix). A source may carry an
``input_model`` attribute (the execution input's Pydantic model) for the data-flow check."""


@dataclass(frozen=True)
class CheckContext:
    """What a pre-deploy check knows besides the definition.

    Attributes:
        machine_type: ``STANDARD`` or ``EXPRESS``.
        input_model: the execution input's model, when the workflow declares one.
        services: the app's services by name (each invoked function's contract).
    """

    machine_type: str = "STANDARD"
    input_model: Any = None
    services: Any = None


Check = Callable[[Definition, CheckContext], Sequence[Any]]
"""A pre-deploy check: ``check(definition, context)`` -> diagnostics (objects with
``severity`` and ``message``); any with severity ``error`` stops the deploy."""


@dataclass(frozen=True)
class DslWorkflowSource:
    """Renders a DSL workflow for a stack; carries its input model."""

    workflow: Any

    @property
    def input_model(self) -> Any:
        """The workflow's execution input model."""
        return self.workflow.input_model

    def __call__(self, names: StackNames) -> Definition:
        from orderflow.dsl import render

        return render(
            self.workflow, account=names.account, region=names.region, prefix=names.prefix
        )


def stderr_progress(line: str) -> None:
    """Write a progress line to stderr."""
    print(line, file=sys.stderr, flush=True)


def workflow_source(reference: str) -> WorkflowSource:
    """A source rendering the DSL workflow at ``module:attribute``.

    The module is loaded as every ``orderflow`` command loads one (the current directory
    importable; what it prints goes to stderr), and the workflow's build function runs
    here, so a wrongly wired workflow is reported before any AWS call.

    Raises:
        TargetError: (a DefinitionError) the reference does not name an importable DSL
            workflow; the message names it and the cause.
        WorkflowBuildError: the workflow is wired wrongly.
    """
    return DslWorkflowSource(load_workflow(reference, what="workflow"))


def structural_check(definition: Definition, context: CheckContext) -> Sequence[Any]:
    """orderflow's validator: what AWS would reject at CreateStateMachine, and more."""
    from orderflow.validation import validate

    return validate(definition, state_machine_type=context.machine_type)  # type: ignore[arg-type]


def dataflow_check(definition: Definition, context: CheckContext) -> Sequence[Any]:
    """The data-flow checker (``orderflow.checker.check_dataflow``), when installed, given
    each invoked function's contract and the workflow's input model."""
    try:
        checker = importlib.import_module("orderflow.checker")
    except ImportError:
        return []
    check = getattr(checker, "check_dataflow", None)
    if check is None:
        return []
    contracts = {}
    for arn in lambda_arns(definition):
        if context.services is None:
            continue
        service = resolve_service(arn, context.services)
        contracts[arn] = (service.input_model, service.output_model)
    accepted = inspect.signature(check).parameters
    kwargs: dict[str, Any] = {}
    if "contracts" in accepted:
        kwargs["contracts"] = contracts
    if "input_model" in accepted and context.input_model is not None:
        kwargs["input_model"] = context.input_model
    return list(check(definition, **kwargs))


PRE_DEPLOY_CHECKS: list[Check] = [structural_check, dataflow_check]
"""Run in order on the rendered definition before any AWS call that writes."""


def check_definition(
    definition: Definition, context: CheckContext, checks: Sequence[Check] = PRE_DEPLOY_CHECKS
) -> list[Any]:
    """Run ``checks``; return warnings, raise on errors.

    Raises:
        InvalidDefinition: some check reported an error (all diagnostics attached).
    """
    diagnostics = [d for check in checks for d in check(definition, context)]
    errors = [d for d in diagnostics if getattr(d, "severity", "error") == "error"]
    if errors:
        lines = "\n".join(f"  {_describe(d)}" for d in errors)
        raise InvalidDefinition(
            f"the rendered definition has {len(errors)} error(s); nothing was deployed:\n{lines}",
            diagnostics,
        )
    return [d for d in diagnostics if d not in errors]


def _describe(diagnostic: Any) -> str:
    state = getattr(diagnostic, "state", None)
    code = getattr(diagnostic, "code", None)
    message = getattr(diagnostic, "message", str(diagnostic))
    where = f"state {state!r}: " if state else ""
    return f"{where}{message}" + (f" [{code}]" if code else "")


def default_packager(wheel_dir: Path | None = None, *, download: bool = True) -> Packager:
    """The packager deploy uses: traced code plus Lambda-platform wheels from ``wheel_dir``
    (default ``$ORDERFLOW_WHEEL_CACHE`` or ``~/.cache/orderflow/lambda-wheels``)."""
    if wheel_dir is None:
        configured = os.environ.get("ORDERFLOW_WHEEL_CACHE")
        wheel_dir = (
            Path(configured)
            if configured
            else Path.home() / ".cache" / "orderflow" / "lambda-wheels"
        )
    return Packager(WheelDependencies(cache_dir=wheel_dir, download=download))


def _machines(
    app: App,
    names: StackNames,
    config: StackConfig,
    workflows: Sequence[str] | None,
    source: WorkflowSource | None,
    checks: Sequence[Check],
) -> list[Machine]:
    chosen = (
        [app.workflow(name) for name in workflows] if workflows else list(app.workflows.values())
    )
    if source is not None and len(chosen) != 1:
        raise DeployError(
            f"a workflow source renders one workflow, but app {app.name!r} deploys "
            f"{len(chosen)} ({', '.join(w.name for w in chosen)}); choose one"
        )
    machines: list[Machine] = []
    for workflow in chosen:
        workflow_names = names.for_workflow(workflow.name)
        render = source or DslWorkflowSource(workflow)
        definition = render(workflow_names)
        machine_type = config.machine_type or workflow.type
        context = CheckContext(machine_type, getattr(render, "input_model", None), app.services)
        check_definition(definition, context, checks)
        machines.append(
            Machine(workflow_names, definition, machine_type, app.triggers_of(workflow.name))
        )
    return machines


def deploy(
    aws: Aws,
    *,
    app: App | None = None,
    prefix: str | None = None,
    config: StackConfig | None = None,
    workflows: Sequence[str] | None = None,
    workflow: WorkflowSource | None = None,
    packager: Packager | None = None,
    dry_run: bool = False,
    progress: Progress = stderr_progress,
    checks: Sequence[Check] = PRE_DEPLOY_CHECKS,
) -> Plan:
    """Deploy (or, with ``dry_run``, plan) an app's whole stack.

    Args:
        aws: the connection (region, endpoint, credentials).
        app: the app; by default the one every command finds (``[tool.orderflow] app``
            in the nearest pyproject.toml, else the bundled order app).
        prefix: names every resource (``{prefix}-get-user``…); by default the app's name.
        config: function sizes, state machine type, alias, logging.
        workflows: the names of the workflows to deploy; by default every one.
        workflow: renders the (one) workflow deployed instead of the DSL workflow itself.
        packager: builds the deployment zips; by default traced code plus Lambda wheels.
        dry_run: compare only; no call that writes.
        progress: receives one line per resource as it is handled.
        checks: pre-deploy checks on each rendered definition.

    Returns:
        The plan (``dry_run``) or what was done, resource by resource.

    Raises:
        InvalidDefinition: a rendered definition failed a check; nothing was touched.
        DeployError: an AWS call failed; names the resource and quotes AWS's message.
            Resources handled before it stay; the next deploy completes the rest.
        ConfigurationError: ``workflows`` names a workflow the app does not have.

    Example:
        >>> plan = deploy(Aws("eu-west-1"), prefix="shop", dry_run=True)  # doctest: +SKIP
        >>> print(plan.render())  # doctest: +SKIP
    """
    app = app if app is not None else load_app()
    config = config or StackConfig()
    names = StackNames(check_prefix(prefix or app.name), aws.account, aws.region, aws.partition)
    machines = _machines(app, names, config, workflows, workflow, checks)
    packager = packager or default_packager()
    # One tracing interpreter per function, started together rather than one by one.
    packager.use_app(app)
    packager.prepare(app.services)
    resources = stack_resources(names, app, machines, config, packager.package)
    if dry_run:
        return plan(aws, resources)
    progress(
        f"deploying app {app.name} as stack {names.prefix} to account {names.account}, "
        f"{names.region}"
    )
    if progress is stderr_progress:
        # The CLI's lines: on a terminal, a count of resources stays under them.
        with counting(progress, f"deploy {names.prefix}", len(resources)) as report:
            done = apply(aws, resources, report)
    else:
        done = apply(aws, resources, progress)
    if config.seed_sample_data:
        seed_sample_data(aws, names, progress, sample_items(app), app.tables)
    return done


__all__ = [
    "PRE_DEPLOY_CHECKS",
    "Check",
    "CheckContext",
    "DslWorkflowSource",
    "WorkflowSource",
    "check_definition",
    "dataflow_check",
    "default_packager",
    "deploy",
    "stderr_progress",
    "structural_check",
    "workflow_source",
]
