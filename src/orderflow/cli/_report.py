"""The ``--report FILE.html`` option shared by ``orderflow run`` and ``orderflow history``.

Both draw an execution on its state machine with :func:`orderflow.report.write_report`;
the report package is imported only when the option is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import click

from orderflow.asl import Definition

F = TypeVar("F", bound=Callable[..., Any])


def report_option(help_text: str) -> Callable[[F], F]:
    """``--report FILE.html``, with the command's own help text."""
    return click.option(
        "--report",
        type=click.Path(dir_okay=False, path_type=Path),
        metavar="FILE.html",
        help=help_text,
    )


def write_report_file(
    path: Path,
    definition: Definition,
    history: Iterable[Mapping[str, Any]],
    *,
    title: str = "",
) -> None:
    """Write the execution report and say so on stderr.

    Raises:
        click.BadParameter: ``path`` cannot be written (a usage error, exit 2).
        orderflow.report.LayoutError: Graphviz's dot is missing or failed.
    """
    from orderflow.report import write_report

    try:
        write_report(path, definition, history, title=title)
    except OSError as exc:
        raise click.BadParameter(
            f"cannot write {path}: {exc.strerror or exc}", param_hint="--report"
        ) from None
    click.echo(f"wrote {path}", err=True)


__all__ = ["report_option", "write_report_file"]
