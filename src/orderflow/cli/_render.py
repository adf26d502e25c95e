"""``orderflow render``: print a workflow's ASL (or a Mermaid diagram, or an HTML view of it).

The target is ``MODULE:ATTR`` naming a DSL workflow (rendered for ``--account``,
``--region`` and ``--prefix``) or an ASL file, drawn as it is: the HTML view and the
Mermaid diagram read only the ASL document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from orderflow._targets import (
    TargetError,
    is_module_target,
    load_definition_target,
    load_workflow,
    user_code,
)
from orderflow.asl import Definition, dumps
from orderflow.asl._mermaid import to_mermaid
from orderflow.cli._app import app_option, selected_workflows, the_app, workflow_option
from orderflow.cli._atomic import write_atomically
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
    return format_definition(definition, fmt=fmt, title=workflow.name)


def render_text(
    target: str,
    *,
    fmt: str = "asl",
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = TARGET_PREFIX,
) -> str:
    """The rendered text ``orderflow render`` prints for ``target``: ASL JSON, a Mermaid
    flowchart or a self-contained HTML page (``fmt`` ``"asl"``, ``"mermaid"`` or ``"html"``).

    ``target`` is ``MODULE:ATTR`` naming a DSL workflow, or an ASL JSON file.
    """
    definition: Definition
    # A file (or what is named like one) is read as ASL; anything else must be
    # MODULE:ATTR, and load_workflow says so.
    if is_module_target(target) or not (target.endswith(".json") or Path(target).is_file()):
        workflow = load_workflow(target)
        with user_code(f"workflow {target!r}: rendering", target=target):
            definition = render_workflow(workflow, account=account, region=region, prefix=prefix)
    else:
        definition = load_definition_target(target)
    return format_definition(definition, fmt=fmt, title=_title(target, definition))


def format_definition(definition: Definition, *, fmt: str, title: str) -> str:
    """``definition`` as ASL JSON, a Mermaid flowchart or a self-contained HTML page."""
    if fmt == "html":
        from orderflow.report import render_html  # only this format pays for the report

        return render_html(definition, title=title)
    return dumps(definition.data) if fmt == "asl" else to_mermaid(definition)


def _title(target: str, definition: Definition) -> str:
    if definition.file:
        return Path(definition.file).name
    return target.rpartition(":")[2] or target


@click.command("render")
@click.argument("target", required=False, metavar="[MODULE:ATTR | FILE.json]")
@app_option
@workflow_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["asl", "mermaid", "html"]),
    default="asl",
    show_default=True,
    help="ASL JSON, a Mermaid flowchart, or one self-contained HTML page with the graph "
    "drawn as SVG (needs Graphviz's dot).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of stdout.",
)
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="When the -o file is a symbolic link, replace the file it points to (refused by default).",
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
    follow_symlinks: bool,
    account: str,
    region: str,
    prefix: str | None,
) -> None:
    """Render the app's workflows (or the workflow MODULE:ATTR names) as ASL, Mermaid or HTML.

    With several workflows and no --workflow, each is printed in turn (-o writes the
    app's default workflow, if it names one).
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
        if output is not None and workflow_name is None and app.default_workflow is not None:
            # One file holds one workflow: -o without --workflow writes the app's default.
            workflows = [app.workflow()]
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
        # Whole or not at all (temp file + rename), and not through a symlink unless asked.
        write_atomically(output, texts[0], follow_symlinks=follow_symlinks)
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
