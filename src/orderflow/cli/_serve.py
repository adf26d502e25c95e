"""``orderflow serve``: run the durable local Step Functions endpoint.

``orderflow approve`` / ``orderflow reject`` answer a task token
(``SendTaskSuccess`` / ``SendTaskFailure``) on that endpoint or on AWS.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from orderflow.cli._deploy import _aws, _failures_exit_1, _json_arg


@click.command()
@click.option("--app", "app", metavar="MODULE:ATTR", help="The app whose services answer tasks.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8083, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--db",
    default="orderflow-serve.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="SQLite database: state machines, executions, histories, task tokens.",
)
@click.option(
    "--time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Real seconds per simulated second (0.001: a 10 s Wait takes 10 ms).",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a --host other than loopback (the endpoint has no authentication).",
)
@click.option("--account", default="123456789012", show_default=True, help="Account in ARNs.")
@click.option("--region", default="us-east-1", show_default=True, help="Region in ARNs.")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 256))
def serve(
    app: str | None,
    host: str,
    port: int,
    db: str,
    time_scale: float,
    allow_remote: bool,
    account: str,
    region: str,
    workers: int,
) -> None:
    """Serve the Step Functions API locally (boto3 / AWS CLI with --endpoint-url)."""
    from orderflow.serve import ServeOptions
    from orderflow.serve import serve as run_server

    run_server(
        ServeOptions(
            app=app,
            host=host,
            port=port,
            db=db,
            time_scale=time_scale,
            allow_remote=allow_remote,
            account=account,
            region=region,
            workers=workers,
        )
    )


F = TypeVar("F", bound=Callable[..., Any])


def _connection_options(command: F) -> F:
    """``--region``, ``--endpoint-url`` and ``--profile``, as the deploy commands take them
    (no ``--prefix``: a token names its execution)."""
    options = [
        click.option("--region", envvar="AWS_REGION", help="AWS region (default: AWS_REGION)."),
        click.option(
            "--endpoint-url",
            envvar="ORDERFLOW_ENDPOINT_URL",
            help="Send the call here (e.g. orderflow serve's endpoint).",
        ),
        click.option("--profile", help="A named AWS profile."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.command()
@click.argument("token")
@click.option(
    "--output",
    "output_text",
    default="{}",
    show_default=True,
    help="The task's output: JSON text or @file.",
)
@_connection_options
@_failures_exit_1
def approve(
    token: str, output_text: str, region: str | None, endpoint_url: str | None, profile: str | None
) -> None:
    """Answer TOKEN with success (SendTaskSuccess): the waiting task goes on."""
    from orderflow.deploy._tokens import send_task_success

    send_task_success(
        _aws(region, endpoint_url, profile), token, _json_arg(output_text, "--output")
    )
    click.echo(json.dumps({"approved": token}))


@click.command()
@click.argument("token")
@click.option("--reason", required=True, help="Why: the task fails with this cause.")
@click.option(
    "--error", default="Rejected", show_default=True, help="The error name the task fails with."
)
@_connection_options
@_failures_exit_1
def reject(
    token: str,
    reason: str,
    error: str,
    region: str | None,
    endpoint_url: str | None,
    profile: str | None,
) -> None:
    """Fail the task waiting on TOKEN (SendTaskFailure) with --reason as the cause."""
    from orderflow.deploy._tokens import send_task_failure

    send_task_failure(_aws(region, endpoint_url, profile), token, error=error, cause=reason)
    click.echo(json.dumps({"rejected": token}))


__all__ = ["approve", "reject", "serve"]
