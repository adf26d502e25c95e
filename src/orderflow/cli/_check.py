"""``orderflow check``: validate an ASL file or a DSL workflow.

The command is a thin shell over :func:`check_definition`, which returns a
:class:`CheckReport`; further checks (contracts, input models) add their options to the
command and their diagnostics to the report.

Exit codes: 0 no errors (warnings allowed), 1 errors found (or the workflow cannot be
built), 2 usage error or unreadable input (missing file, malformed JSON, a document that is
not a JSON object, an unimportable module).

Output: with ``--format json`` the diagnostics are the command's result and go to stdout as
a JSON array; the text report is for people and goes to stderr (coloured on a terminal).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from orderflow._errors import DefinitionError, InvalidDefinition, WorkflowBuildError
from orderflow.asl import Definition, as_definition, load_definition
from orderflow.checker._cli import dataflow_diagnostics, dataflow_options
from orderflow.validation import (
    Diagnostic,
    StateMachineType,
    format_json,
    format_text,
    has_errors,
    validate,
)

# Far above AWS's 1 MiB definition limit (which the validator reports as an error), but
# low enough that a wrong file (a log, a data dump) is refused instead of read into memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
_TARGET = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_][\w.]*\Z")


class TargetError(DefinitionError):
    """``MODULE:ATTR`` names nothing importable, or nothing that is a state machine."""


@dataclass(slots=True)
class CheckReport:
    """What ``orderflow check`` found.

    Attributes:
        source: the file or ``MODULE:ATTR`` that was checked.
        definition: the definition that was checked; None when a workflow's own render
            refused to emit it (its diagnostics are then the render's).
        diagnostics: every finding; other checks may append theirs.
    """

    source: str
    definition: Definition | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not has_errors(self.diagnostics)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


@contextlib.contextmanager
def user_code(what: str, *, file: str | None = None) -> Iterator[None]:
    """Run user code (importing a module, building a workflow) as the CLI needs it run.

    Whatever it prints goes to stderr, so stdout carries only the command's result; a
    ``sys.exit()`` in it becomes a :class:`TargetError` instead of silently ending the
    command with the user's exit status.
    """
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except SystemExit as exc:
        raise TargetError(
            f"{what} called sys.exit({exc.code!r}); a module the CLI loads must not exit",
            file=file,
        ) from None


def load_target(target: str) -> Definition:
    """The definition named by ``target``: an ASL JSON file, or ``MODULE:ATTR``.

    ``MODULE:ATTR`` may name a DSL workflow (rendered with :func:`orderflow.dsl.render`), a
    :class:`~orderflow.asl.Definition`, or a dict. The current directory is importable,
    as it is for ``python -m``.

    Raises:
        DefinitionError: the file cannot be read, is too large, is not JSON or not an object.
        TargetError: the module cannot be imported or the attribute is not a state machine.
        WorkflowBuildError: the workflow is wired wrongly and cannot be rendered.
    """
    path = Path(target)
    if path.is_file() or not _TARGET.match(target):
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise DefinitionError(f"cannot read the file: {exc.strerror}", file=target) from None
        if size > MAX_FILE_BYTES:
            raise DefinitionError(
                f"the file is {size:,} bytes; a state machine definition is at most 1 MiB "
                f"(AWS's limit) and files over {MAX_FILE_BYTES:,} bytes are not read",
                file=target,
            )
        return load_definition(path)
    return _definition_of(_import_attribute(target), target)


def _import_attribute(target: str) -> object:
    module_name, _, attr = target.partition(":")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        with user_code(f"importing module {module_name!r}", file=target):
            module = importlib.import_module(module_name)
    except ImportError as exc:
        raise TargetError(f"cannot import module {module_name!r}: {exc}", file=target) from None
    except TargetError:
        raise
    except Exception as exc:  # a broken user module must not end the CLI in a traceback
        raise TargetError(
            f"importing module {module_name!r} failed: {type(exc).__name__}: {exc}", file=target
        ) from None
    value: object = module
    for part in attr.split("."):
        if not hasattr(value, part):
            raise TargetError(f"module {module_name!r} has no attribute {attr!r}", file=target)
        value = getattr(value, part)
    return value


def _definition_of(value: object, target: str) -> Definition:
    if isinstance(value, (Definition, Mapping)) or callable(getattr(value, "to_definition", None)):
        return as_definition(value)  # type: ignore[arg-type]
    from orderflow import dsl  # imported only for workflows: checking a file never needs it

    if isinstance(value, dsl.Workflow):
        with user_code(f"building workflow {target}", file=target):
            rendered: Definition = dsl.render(value)
        return rendered
    raise TargetError(
        f"{target} is a {type(value).__name__}; expected a workflow, a Definition or a dict",
        file=target,
    )


def check_definition(
    source: str | Definition | Mapping[str, Any],
    *,
    state_machine_type: StateMachineType = "STANDARD",
) -> CheckReport:
    """Load ``source`` (a file, ``MODULE:ATTR``, a Definition or a dict) and validate it.

    Raises:
        DefinitionError: ``source`` cannot be read as a state machine (see
            :func:`load_target`).
        WorkflowBuildError: a DSL workflow cannot be rendered.
    """
    if isinstance(source, str):
        name = source
        try:
            definition = load_target(source)
        except InvalidDefinition as exc:
            # A renderer that validates refuses invalid machines; its findings are ours.
            found = [d for d in exc.diagnostics if isinstance(d, Diagnostic)]
            if not found:
                raise
            return CheckReport(name, None, found)
    else:
        definition = as_definition(source)
        name = definition.file or "<definition>"
    subject: Definition | bytes = definition
    if definition.file is not None:
        # The text shows what the decoded dict cannot: keys written twice.
        subject = Path(definition.file).read_bytes()
    diagnostics = validate(subject, state_machine_type=state_machine_type)
    return CheckReport(name, definition, diagnostics)


def build_error_diagnostic(error: WorkflowBuildError) -> Diagnostic:
    """The diagnostic reporting a workflow that cannot be built (code ``workflow-build-error``)."""
    return Diagnostic(
        severity="error",
        code="workflow-build-error",
        state=error.state,
        field=error.field,
        pointer=error.pointer or "/",
        message=error.message,
    )


@click.command("check")
@click.argument("target")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people (stderr), json for tools (stdout).",
)
@click.option(
    "--type",
    "machine_type",
    type=click.Choice(["STANDARD", "EXPRESS"]),
    default="STANDARD",
    show_default=True,
    help="The state machine type (EXPRESS rejects .sync and .waitForTaskToken).",
)
@dataflow_options
@click.pass_context
def check(
    ctx: click.Context,
    target: str,
    fmt: str,
    machine_type: StateMachineType,
    contracts: str | None,
    input_model: str | None,
) -> None:
    """Validate TARGET, an ASL JSON file or MODULE:ATTR naming a workflow.

    Structure is checked first (as AWS's CreateStateMachine does); a structurally valid
    machine then gets the data-flow check: every path a state reads must exist in its input,
    with the type its consumer's contract needs (contracts from --contracts, or a DSL
    workflow's own).

    Exit status: 0 valid (warnings allowed), 1 errors found, 2 unreadable input.
    """
    try:
        report = check_definition(target, state_machine_type=machine_type)
    except WorkflowBuildError as exc:
        # A finding like any other, so --format json still prints a JSON array.
        report = CheckReport(target, None, [build_error_diagnostic(exc)])
    if report.ok and report.definition is not None:
        report.diagnostics.extend(
            dataflow_diagnostics(
                report.definition, contracts=contracts, input_model=input_model, target=target
            )
        )
    if fmt == "json":
        click.echo(format_json(report.diagnostics), nl=False)
    else:
        color = sys.stderr.isatty()
        click.echo(
            format_text(report.diagnostics, file=report.source, color=color), err=True, nl=False
        )
    ctx.exit(report.exit_code)


__all__ = [
    "MAX_FILE_BYTES",
    "CheckReport",
    "TargetError",
    "build_error_diagnostic",
    "check",
    "check_definition",
    "load_target",
    "user_code",
]
