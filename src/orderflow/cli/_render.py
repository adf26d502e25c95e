"""``orderflow render``: print a workflow's ASL (or a Mermaid diagram of it)."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Any

import click

from orderflow._errors import WorkflowBuildError
from orderflow.asl import dumps
from orderflow.asl._mermaid import to_mermaid
from orderflow.cli._check import TargetError as CheckTargetError
from orderflow.cli._check import user_code
from orderflow.dsl import Workflow
from orderflow.dsl import render as render_workflow

DEFAULT_TARGET = "orderflow.workflow:order_workflow"


class TargetError(WorkflowBuildError):
    """``MODULE:ATTR`` does not name an importable workflow."""


def load_workflow(target: str) -> Workflow[Any]:
    """The :class:`~orderflow.dsl.Workflow` named by ``MODULE:ATTR``.

    Raises:
        TargetError: the module cannot be imported, has no such attribute, or the attribute
            is not a workflow.
    """
    module_name, sep, attr = target.partition(":")
    if not sep or not module_name or not attr:
        raise TargetError(f"expected MODULE:ATTR (e.g. {DEFAULT_TARGET}), got {target!r}")
    # As with `python -m`, a module in the current directory is importable.
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        with user_code(f"importing module {module_name!r}"):
            module = importlib.import_module(module_name)
    except CheckTargetError as exc:
        raise TargetError(exc.message) from None
    except ImportError as exc:
        raise TargetError(f"cannot import module {module_name!r}: {exc}") from None
    except Exception as exc:  # a broken user module must not end the CLI in a traceback
        raise TargetError(
            f"importing module {module_name!r} failed: {type(exc).__name__}: {exc}"
        ) from None
    value: object = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise TargetError(f"module {module_name!r} has no attribute {attr!r}")
        value = getattr(value, part)
    if not isinstance(value, Workflow):
        raise TargetError(
            f"{target} is a {type(value).__name__}, not a Workflow (build one with "
            "orderflow.dsl.workflow or orderflow.dsl.Workflow)"
        )
    return value


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
    try:
        with user_code(f"building workflow {target}"):
            definition = render_workflow(workflow, account=account, region=region, prefix=prefix)
    except CheckTargetError as exc:
        raise TargetError(exc.message) from None
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
@click.option("--account", default="123456789012", show_default=True, help="AWS account id.")
@click.option("--region", default="us-east-1", show_default=True, help="AWS region.")
@click.option("--prefix", default="orderflow", show_default=True, help="Lambda name prefix.")
def render(
    target: str, fmt: str, output: Path | None, account: str, region: str, prefix: str
) -> None:
    """Render a workflow (default: the order workflow) as ASL or Mermaid."""
    text = render_text(target, fmt=fmt, account=account, region=region, prefix=prefix)
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        # An unwritable output is a bad command line (exit 2), not a bad workflow (exit 1);
        # missing folders are not created, since a typo in the path would go unnoticed.
        raise click.BadParameter(
            f"cannot write {output}: {exc.strerror or exc}", param_hint="'-o' / '--output'"
        ) from None
    click.echo(f"wrote {output}", err=True)


__all__ = ["DEFAULT_TARGET", "TargetError", "load_workflow", "render", "render_text"]
