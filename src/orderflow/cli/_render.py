"""``orderflow render``: print a workflow's ASL (or a Mermaid diagram of it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from orderflow._targets import TargetError, load_workflow, user_code
from orderflow.asl import dumps
from orderflow.asl._mermaid import to_mermaid
from orderflow.cli._app import app_option, selected_workflows, the_app, workflow_option
from orderflow.dsl import Workflow
from orderflow.dsl import render as render_workflow

# Rendering a MODULE:ATTR target outside any app names its functions with this prefix.
TARGET_PREFIX = "orderflow"


def render_workflow_text(
    workflow: Workflow[Any],
    *,
    fmt: str = "asl",
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = TARGET_PREFIX,
) -> str:
    """The text ``orderflow render`` prints for ``workflow``: ASL JSON or a Mermaid flowchart."""
    with user_code(f"workflow {workflow.name!r}: rendering"):
        definition = render_workflow(workflow, account=account, region=region, prefix=prefix)
    return dumps(definition.data) if fmt == "asl" else to_mermaid(definition)


def render_text(
    target: str,
    *,
    fmt: str = "asl",
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = TARGET_PREFIX,
) -> str:
    """The rendered text of the workflow ``target`` (``MODULE:ATTR``) names."""
    workflow = load_workflow(target)
    return render_workflow_text(workflow, fmt=fmt, account=account, region=region, prefix=prefix)


@click.command("render")
@click.argument("target", required=False, metavar="[MODULE:ATTR]")
@app_option
@workflow_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["asl", "mermaid"]),
    default="asl",
    show_default=True,
    help="ASL JSON, or a Mermaid flowchart of the states and transitions.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option("--account", default="123456789012", show_default=True, help="AWS account id.")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region.")
@click.option(
    "--prefix",
    help="Lambda name prefix (default: the app's name; 'orderflow' for a MODULE:ATTR target).",
)
def render(
    target: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    fmt: str,
    output: Path | None,
    account: str,
    region: str,
    prefix: str | None,
) -> None:
    """Render the app's workflows (or the workflow MODULE:ATTR names) as ASL or Mermaid.

    With several workflows and no --workflow, each is printed in turn.
    """
    if target is not None:
        texts = [
            render_text(
                target, fmt=fmt, account=account, region=region, prefix=prefix or TARGET_PREFIX
            )
        ]
    else:
        app = the_app(app_spec)
        workflows = selected_workflows(app, workflow_name)
        if output is not None and len(workflows) > 1:
            raise click.BadParameter(
                f"app {app.name!r} has {len(workflows)} workflows; name the one to write "
                "with --workflow",
                param_hint="'-o' / '--output'",
            )
        texts = [
            render_workflow_text(
                workflow, fmt=fmt, account=account, region=region, prefix=prefix or app.name
            )
            for workflow in workflows
        ]
    if output is None:
        for text in texts:
            click.echo(text, nl=False)
        return
    try:
        output.write_text(texts[0], encoding="utf-8")
    except OSError as exc:
        # An unwritable output is a bad command line (exit 2), not a bad workflow (exit 1);
        # missing folders are not created, since a typo in the path would go unnoticed.
        raise click.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="'-o' / '--output'"
        ) from None
    click.echo(f"wrote {output}", err=True)


__all__ = [
    "TARGET_PREFIX",
    "TargetError",
    "load_workflow",
    "render",
    "render_text",
    "render_workflow_text",
]
