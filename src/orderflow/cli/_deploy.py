"""``orderflow deploy``/``destroy`` and the commands that work with the deployed workflow.

Each command finds the app (``--app``, else ``[tool.orderflow] app`` in the nearest
pyproject.toml, else the bundled order app), builds an :class:`~orderflow.deploy.Aws` from
the common options and calls one library function. ``--prefix`` defaults to the app's name;
the execution commands take ``--workflow NAME`` (default: the app's only workflow). Results
go to stdout (the plan, an execution ARN, a list, a history); progress lines go to stderr,
including ``waiting for …`` while a poll waits and a line for each retried call.
``deploy``, ``destroy`` and ``start-execution`` take ``--timeout-total SECONDS`` (default
900): past it the command stops with exit 1, naming the endpoint and the resource.
A failed AWS call, an invalid definition or a blocked dry-run plan exits 1 with the message
(resource and AWS's own words), never a traceback; a bad option value (``--prefix``,
``--region``, ``--endpoint-url``, ``--profile``, ``--app``, a ``--workflow`` the app does
not have) exits 2 naming the option.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orderflow._errors import ConfigurationError, DeployError, InvalidDefinition
from orderflow.asl import JSON
from orderflow.cli._app import app_option, the_app, workflow_option
from orderflow.cli._report import report_option, write_report_file
from orderflow.deploy._aws import ConnectionOptionError

if TYPE_CHECKING:
    from orderflow._app import App

F = TypeVar("F", bound=Callable[..., Any])


def _checked_prefix(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from orderflow.deploy._names import check_prefix

    if value is None:
        return None  # the app's name, once the app is loaded
    try:
        return check_prefix(value)
    except DeployError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _aws_options(command: F) -> F:
    options = [
        click.option("--region", envvar="AWS_REGION", help="AWS region (default: AWS_REGION)."),
        click.option(
            "--endpoint-url",
            envvar="ORDERFLOW_ENDPOINT_URL",
            help="Send every AWS call here (e.g. a local moto server).",
        ),
        click.option("--profile", help="A named AWS profile."),
        click.option(
            "--prefix",
            envvar="ORDERFLOW_PREFIX",
            callback=_checked_prefix,
            help="Names every resource of the stack (default: the app's name).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _timeout_option(command: F) -> F:
    from orderflow.deploy._deadline import DEFAULT_TIMEOUT_TOTAL

    return click.option(
        "--timeout-total",
        type=click.FloatRange(min=0, min_open=True),
        default=DEFAULT_TIMEOUT_TOTAL,
        show_default=True,
        metavar="SECONDS",
        help="Give up (exit 1) after this many seconds in all, every AWS call, retry and "
        "wait included; each attempt's connect/read timeouts shrink with it.",
    )(command)


class _Stack:
    """The app, prefix and workflow a command works on, loaded only when needed."""

    def __init__(self, app_spec: str | None, prefix: str | None, workflow: str | None) -> None:
        self._spec = app_spec
        self._prefix = prefix
        self._workflow = workflow
        self._app: App | None = None

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = the_app(self._spec)
        return self._app

    @property
    def prefix(self) -> str:
        return self._prefix or self.app.name

    @property
    def workflow(self) -> str:
        """The ``--workflow`` name; without one, the app's only workflow."""
        if self._workflow is not None and self._spec is None and self._prefix is not None:
            return self._workflow  # --prefix and --workflow say it all: no app needed
        return self.app.workflow(self._workflow).name


def _aws(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    timeout_total: float | None = None,
) -> Any:
    from orderflow.deploy import Aws

    return Aws(region, endpoint_url=endpoint_url, profile=profile, timeout_total=timeout_total)


def _failures_exit_1(command: F) -> F:
    """A failed deploy or a bad definition is the subject being bad: exit 1, not 2.
    A connection option AWS cannot use is a usage error: exit 2, naming the option."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConnectionOptionError as exc:
            raise click.BadParameter(exc.message, param_hint=f"'{exc.option}'") from None
        except ConfigurationError as exc:
            raise click.UsageError(str(exc)) from None
        except (DeployError, InvalidDefinition) as exc:
            click.echo(f"error: {exc}", err=True)
            raise click.exceptions.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def _json_arg(text: str, what: str) -> JSON:
    """JSON text, or ``@file`` to read it from a file."""
    if text.startswith("@"):
        try:
            text = Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise click.BadParameter(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"{what} is not valid JSON: {exc}") from None


@click.command()
@_aws_options
@app_option
@click.option("--dry-run", is_flag=True, help="Print the plan; make no call that writes.")
@click.option(
    "--type",
    "machine_type",
    type=click.Choice(["STANDARD", "EXPRESS"]),
    default=None,
    help="State machine type of every workflow (fixed once created; default: each "
    "workflow's own type).",
)
@click.option(
    "--workflow",
    "workflow_names",
    multiple=True,
    metavar="NAME",
    help="Deploy only this workflow of the app (repeatable; default: every workflow).",
)
@click.option("--alias", help="Publish a version and point this state machine alias at it.")
@click.option(
    "--log-level",
    type=click.Choice(["ALL", "ERROR", "FATAL", "OFF"]),
    default="ERROR",
    show_default=True,
    help="State machine logging level.",
)
@click.option("--timeout", default=30, show_default=True, help="Function timeout (seconds).")
@click.option("--memory", default=256, show_default=True, help="Function memory (MiB).")
@click.option(
    "--seed-sample-data",
    is_flag=True,
    help="Write the app's sample data into the tables (only absent items).",
)
@click.option(
    "--wheel-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Lambda-platform wheels cache (default ~/.cache/orderflow/lambda-wheels).",
)
@click.option("--no-download", is_flag=True, help="Use only wheels already in --wheel-dir.")
@click.option(
    "--print-deployer-policy",
    is_flag=True,
    help="Print the IAM policy the deploying user needs for --prefix (and --region); no AWS call.",
)
@_timeout_option
@_failures_exit_1
def deploy(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    dry_run: bool,
    machine_type: str | None,
    workflow_names: tuple[str, ...],
    alias: str | None,
    log_level: str,
    timeout: int,
    memory: int,
    seed_sample_data: bool,
    wheel_dir: Path | None,
    no_download: bool,
    print_deployer_policy: bool,
    timeout_total: float,
) -> None:
    """Create or update the app's whole stack: tables, roles, functions, state machines
    (one per workflow) and rules (one per trigger)."""
    from orderflow.deploy import StackConfig, StackNames, default_packager, deployer_policy
    from orderflow.deploy import deploy as run_deploy

    stack = _Stack(app_spec, prefix, None)
    if print_deployer_policy:
        names = StackNames(stack.prefix, "*", region or "*")
        click.echo(json.dumps(deployer_policy(names), indent=2))
        return

    config = StackConfig(
        machine_type=machine_type,
        alias=alias,
        log_level=log_level,
        timeout=timeout,
        memory=memory,
        seed_sample_data=seed_sample_data,
    )
    app = stack.app
    for name in workflow_names:
        if name not in app.workflows:
            raise click.BadParameter(
                f"app {app.name!r} has no workflow {name!r}; its workflows: "
                f"{', '.join(app.workflows)}",
                param_hint="'--workflow'",
            )
    plan = run_deploy(
        _aws(region, endpoint_url, profile, timeout_total),
        app=app,
        prefix=stack.prefix,
        config=config,
        workflows=list(workflow_names) or None,
        packager=default_packager(wheel_dir, download=not no_download),
        dry_run=dry_run,
    )
    click.echo(plan.render() if dry_run else plan.summary())
    if plan.blocked:
        for change in plan.blocked:
            click.echo(f"error: {change.blocked}", err=True)
        raise click.exceptions.Exit(1)


@click.command()
@_aws_options
@app_option
@_timeout_option
@_failures_exit_1
def destroy(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    timeout_total: float,
) -> None:
    """Delete everything deploy made for --prefix (default: the app's name), and nothing
    else."""
    from orderflow.deploy import destroy as run_destroy
    from orderflow.deploy._deploy import stderr_progress

    deleted = run_destroy(
        _aws(region, endpoint_url, profile, timeout_total),
        prefix=_Stack(app_spec, prefix, None).prefix,
        progress=stderr_progress,
    )
    click.echo(f"{len(deleted)} resource(s) deleted")


@click.command("start-execution")
@_aws_options
@app_option
@workflow_option
@click.option(
    "--input",
    "input_text",
    default="{}",
    show_default=True,
    help="Execution input: JSON text or @file.",
)
@click.option(
    "--name", help="Execution name (default: run-<UTC time>-<random>, unique and sortable)."
)
@click.option("--alias", help="Start the alias instead of the machine.")
@click.option(
    "--wait",
    is_flag=True,
    help="Wait for the end; print status and output; exit 1 unless it succeeded.",
)
@_timeout_option
@click.option(
    "--sync",
    is_flag=True,
    help="EXPRESS machines: run with StartSyncExecution, which returns when the execution "
    "ends; print status and output; exit 1 unless it succeeded.",
)
@_failures_exit_1
def start_execution(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    input_text: str,
    name: str | None,
    alias: str | None,
    wait: bool,
    timeout_total: float,
    sync: bool,
) -> None:
    """Start an execution of a deployed workflow of the app; prints its ARN."""
    from orderflow.deploy import start_execution as run_start
    from orderflow.deploy import start_sync_execution, wait_for_execution

    if sync and wait:
        raise click.UsageError("--sync already waits for the end: drop --wait")
    payload = _json_arg(input_text, "--input")
    stack = _Stack(app_spec, prefix, workflow_name)
    aws = _aws(region, endpoint_url, profile, timeout_total)
    if sync:
        summary = start_sync_execution(
            aws, prefix=stack.prefix, workflow=stack.workflow, input=payload, name=name, alias=alias
        )
        click.echo(json.dumps(summary.to_dict(), indent=2))
        if summary.status != "SUCCEEDED":
            raise click.exceptions.Exit(1)
        return
    arn = run_start(
        aws, prefix=stack.prefix, workflow=stack.workflow, input=payload, name=name, alias=alias
    )
    if not wait:
        click.echo(arn)
        return
    # The overall deadline governs how long to wait, not wait_for_execution's own default.
    summary = wait_for_execution(aws, arn, timeout=timeout_total)
    click.echo(json.dumps(summary.to_dict(), indent=2))
    if summary.status != "SUCCEEDED":
        raise click.exceptions.Exit(1)


@click.command()
@_aws_options
@app_option
@workflow_option
@click.option(
    "--status",
    type=click.Choice(["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"]),
    help="Only executions in this status.",
)
@click.option("--limit", default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_failures_exit_1
def executions(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    status: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List a deployed workflow's executions (name, status, start, stop)."""
    from orderflow.deploy import list_executions
    from orderflow.deploy._executions import iter_lines

    stack = _Stack(app_spec, prefix, workflow_name)
    found = list_executions(
        _aws(region, endpoint_url, profile),
        prefix=stack.prefix,
        workflow=stack.workflow,
        status=status,
        limit=limit,
    )
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], indent=2))
    else:
        for line in iter_lines(found):
            click.echo(line)


@click.command()
@_aws_options
@app_option
@workflow_option
@click.argument("execution")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@report_option(
    "Also write an HTML page with the execution drawn on the definition it ran "
    "(needs Graphviz's dot)."
)
@_failures_exit_1
def history(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    execution: str,
    as_json: bool,
    report: Path | None,
) -> None:
    """Print the event history of EXECUTION (a name, on the workflow's machine, or an ARN)."""
    from orderflow.deploy import execution_arn, execution_definition
    from orderflow.deploy import history as run_history

    aws = _aws(region, endpoint_url, profile)
    if execution.startswith("arn:"):
        arn = execution  # an ARN names its machine itself: no app needed
    else:
        stack = _Stack(app_spec, prefix, workflow_name)
        arn = execution_arn(aws, prefix=stack.prefix, workflow=stack.workflow, execution=execution)
    events = run_history(aws, arn)
    if report is not None:
        write_report_file(
            report,
            execution_definition(aws, arn),
            events,
            title=f"Execution {arn.rsplit(':', 1)[-1]}",
        )
    if as_json:
        click.echo(json.dumps(events, indent=2))
        return
    for event in events:
        details = json.dumps(event["details"], sort_keys=True) if event["details"] else ""
        click.echo(f"{event['id']}\t{event['timestamp']}\t{event['type']}\t{details}".rstrip())


@click.command("send-event")
@_aws_options
@app_option
@workflow_option
@click.option("--detail", required=True, help="The event's detail: JSON text or @file.")
@click.option("--source", help="The event's source (default: the workflow's trigger's).")
@click.option("--detail-type", help="The event's detail-type (default: the trigger's).")
@_failures_exit_1
def send_event(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    detail: str,
    source: str | None,
    detail_type: str | None,
) -> None:
    """Put an event on the default bus (a trigger's rule starts its workflow); prints its id.

    Without --source and --detail-type, the event is the one the app's trigger (of
    --workflow, else of the app's default workflow, else its only trigger) matches.
    """
    from orderflow.deploy import send_event as run_send

    payload = _json_arg(detail, "--detail")
    if not isinstance(payload, dict):
        raise click.BadParameter("--detail must be a JSON object")
    if source is None or detail_type is None:
        trigger = _trigger(_Stack(app_spec, prefix, workflow_name), workflow_name)
        source = source or trigger.source
        detail_type = detail_type or trigger.detail_type
    click.echo(
        run_send(
            _aws(region, endpoint_url, profile), payload, source=source, detail_type=detail_type
        )
    )


def _trigger(stack: _Stack, workflow_name: str | None) -> Any:
    app = stack.app
    # Without --workflow, the app's default workflow (if it names one) owns the event.
    chosen = workflow_name or app.default_workflow
    triggers = app.triggers_of(app.workflow(chosen).name) if chosen else app.triggers
    if len(triggers) != 1:
        which = f"workflow {workflow_name!r}" if workflow_name else f"app {app.name!r}"
        raise click.UsageError(
            f"{which} has {len(triggers)} triggers; give --source and --detail-type"
            + ("" if workflow_name else " (or --workflow NAME)")
        )
    return triggers[0]


__all__ = ["deploy", "destroy", "executions", "history", "send_event", "start_execution"]
