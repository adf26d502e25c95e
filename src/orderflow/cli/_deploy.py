"""``orderflow deploy``/``destroy`` and the commands that work with the deployed workflow.

Each command builds an :class:`~orderflow.deploy.Aws` from the common options and calls
one library function. Results go to stdout (the plan, an execution ARN, a list, a
history); progress lines go to stderr. A failed AWS call, an invalid definition or a
blocked dry-run plan exits 1 with the message (resource and AWS's own words), never a
traceback; a bad option value (``--prefix``, ``--region``, ``--endpoint-url``,
``--profile``, a ``--workflow`` that names no importable workflow) exits 2 naming the
option.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from orderflow._errors import DeployError, InvalidDefinition, TargetError
from orderflow._targets import DEFAULT_TARGET
from orderflow.asl import JSON
from orderflow.cli._report import report_option, write_report_file
from orderflow.deploy._aws import ConnectionOptionError

F = TypeVar("F", bound=Callable[..., Any])


def _checked_prefix(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from orderflow.deploy._names import check_prefix

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
            default="orderflow",
            show_default=True,
            envvar="ORDERFLOW_PREFIX",
            callback=_checked_prefix,
            help="Names every resource of the stack.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _aws(region: str | None, endpoint_url: str | None, profile: str | None) -> Any:
    from orderflow.deploy import Aws

    return Aws(region, endpoint_url=endpoint_url, profile=profile)


def _failures_exit_1(command: F) -> F:
    """A failed deploy or a bad definition is the subject being bad: exit 1, not 2.
    A connection option AWS cannot use is a usage error: exit 2, naming the option."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConnectionOptionError as exc:
            raise click.BadParameter(exc.message, param_hint=f"'{exc.option}'") from None
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
@click.option("--dry-run", is_flag=True, help="Print the plan; make no call that writes.")
@click.option(
    "--type",
    "machine_type",
    type=click.Choice(["STANDARD", "EXPRESS"]),
    default="STANDARD",
    show_default=True,
    help="State machine type (fixed once created).",
)
@click.option(
    "--workflow",
    default=DEFAULT_TARGET,
    show_default=True,
    help="The DSL workflow to deploy, as MODULE:ATTR.",
)
@click.option("--alias", help="Publish a version and point this state machine alias at it.")
@click.option("--event-source", default="microservices.orders", show_default=True)
@click.option("--detail-type", default="Order Submitted", show_default=True)
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
    help="Write the sample users and stock into the tables (only absent items).",
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
@_failures_exit_1
def deploy(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str,
    dry_run: bool,
    machine_type: str,
    workflow: str,
    alias: str | None,
    event_source: str,
    detail_type: str,
    log_level: str,
    timeout: int,
    memory: int,
    seed_sample_data: bool,
    wheel_dir: Path | None,
    no_download: bool,
    print_deployer_policy: bool,
) -> None:
    """Create or update the whole stack: tables, roles, functions, state machine, rule."""
    from orderflow.deploy import (
        StackConfig,
        StackNames,
        default_packager,
        deployer_policy,
        workflow_source,
    )
    from orderflow.deploy import deploy as run_deploy

    if print_deployer_policy:
        names = StackNames(prefix, "*", region or "*")
        click.echo(json.dumps(deployer_policy(names), indent=2))
        return

    config = StackConfig(
        machine_type=machine_type,
        alias=alias,
        event_source=event_source,
        detail_type=detail_type,
        log_level=log_level,
        timeout=timeout,
        memory=memory,
        seed_sample_data=seed_sample_data,
    )
    try:
        source = workflow_source(workflow)
    except TargetError as exc:
        raise click.BadParameter(str(exc), param_hint="'--workflow'") from None
    plan = run_deploy(
        _aws(region, endpoint_url, profile),
        prefix=prefix,
        config=config,
        workflow=source,
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
@_failures_exit_1
def destroy(region: str | None, endpoint_url: str | None, profile: str | None, prefix: str) -> None:
    """Delete everything deploy made for --prefix (and nothing else)."""
    from orderflow.deploy import destroy as run_destroy
    from orderflow.deploy._deploy import stderr_progress

    deleted = run_destroy(
        _aws(region, endpoint_url, profile), prefix=prefix, progress=stderr_progress
    )
    click.echo(f"{len(deleted)} resource(s) deleted")


@click.command("start-execution")
@_aws_options
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
@_failures_exit_1
def start_execution(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str,
    input_text: str,
    name: str | None,
    alias: str | None,
    wait: bool,
) -> None:
    """Start an execution of the deployed workflow; prints its ARN."""
    from orderflow.deploy import start_execution as run_start
    from orderflow.deploy import wait_for_execution

    payload = _json_arg(input_text, "--input")
    aws = _aws(region, endpoint_url, profile)
    arn = run_start(aws, prefix=prefix, input=payload, name=name, alias=alias)
    if not wait:
        click.echo(arn)
        return
    summary = wait_for_execution(aws, arn)
    click.echo(json.dumps(summary.to_dict(), indent=2))
    if summary.status != "SUCCEEDED":
        raise click.exceptions.Exit(1)


@click.command()
@_aws_options
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
    prefix: str,
    status: str | None,
    limit: int,
    as_json: bool,
) -> None:
    """List the deployed workflow's executions (name, status, start, stop)."""
    from orderflow.deploy import list_executions
    from orderflow.deploy._executions import iter_lines

    found = list_executions(
        _aws(region, endpoint_url, profile), prefix=prefix, status=status, limit=limit
    )
    if as_json:
        click.echo(json.dumps([s.to_dict() for s in found], indent=2))
    else:
        for line in iter_lines(found):
            click.echo(line)


@click.command()
@_aws_options
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
    prefix: str,
    execution: str,
    as_json: bool,
    report: Path | None,
) -> None:
    """Print the event history of EXECUTION (a name or an ARN)."""
    from orderflow.deploy import execution_arn, execution_definition
    from orderflow.deploy import history as run_history

    aws = _aws(region, endpoint_url, profile)
    arn = execution_arn(aws, prefix=prefix, execution=execution)
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
@click.option("--detail", required=True, help="The event's detail: JSON text or @file.")
@click.option("--source", default="microservices.orders", show_default=True)
@click.option("--detail-type", default="Order Submitted", show_default=True)
@_failures_exit_1
def send_event(
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
    prefix: str,
    detail: str,
    source: str,
    detail_type: str,
) -> None:
    """Put an event on the default bus (the rule starts the workflow); prints its id."""
    from orderflow.deploy import send_event as run_send

    payload = _json_arg(detail, "--detail")
    if not isinstance(payload, dict):
        raise click.BadParameter("--detail must be a JSON object")
    click.echo(
        run_send(
            _aws(region, endpoint_url, profile), payload, source=source, detail_type=detail_type
        )
    )


__all__ = ["deploy", "destroy", "executions", "history", "send_event", "start_execution"]
