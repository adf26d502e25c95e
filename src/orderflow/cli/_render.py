"""``orderflow render``: print a workflow's ASL (or a Mermaid diagram of it)."""

from __future__ import annotations

from pathlib import Path

import click

from orderflow._targets import DEFAULT_TARGET, TargetError, load_workflow, user_code
from orderflow.asl import dumps
from orderflow.asl._mermaid import to_mermaid
from orderflow.cli._atomic import write_atomically
from orderflow.dsl import render as render_workflow


def render_text(
    target: str,
    *,
    fmt: str = "asl",
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = "orderflow",
) -> str:
    """The rendered text ``orderflow render`` prints: ASL JSON or a Mermaid flowchart."""
    workflow = load_workflow(target)
    with user_code(f"workflow {target!r}: rendering", target=target):
        definition = render_workflow(workflow, account=account, region=region, prefix=prefix)
    return dumps(definition.data) if fmt == "asl" else to_mermaid(definition)


@click.command("render")
@click.argument("target", default=DEFAULT_TARGET, metavar="[MODULE:ATTR]")
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
@click.option(
    "--follow-symlinks",
    is_flag=True,
    help="When the -o file is a symbolic link, replace the file it points to (refused by default).",
)
@click.option("--account", default="123456789012", show_default=True, help="AWS account id.")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region.")
@click.option("--prefix", default="orderflow", show_default=True, help="Lambda name prefix.")
def render(
    target: str,
    fmt: str,
    output: Path | None,
    follow_symlinks: bool,
    account: str,
    region: str,
    prefix: str,
) -> None:
    """Render a workflow (default: the order workflow) as ASL or Mermaid."""
    text = render_text(target, fmt=fmt, account=account, region=region, prefix=prefix)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        # Whole or not at all (temp file + rename), and not through a symlink unless asked.
        write_atomically(output, text, follow_symlinks=follow_symlinks)
    except OSError as exc:
        # An unwritable output is a bad command line (exit 2), not a bad workflow (exit 1);
        # missing folders are not created, since a typo in the path would go unnoticed.
        raise click.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="'-o' / '--output'"
        ) from None
    click.echo(f"wrote {output}", err=True)


__all__ = ["DEFAULT_TARGET", "TargetError", "load_workflow", "render", "render_text"]
