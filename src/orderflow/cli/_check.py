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

import json
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from orderflow._errors import InvalidDefinition, TargetError, WorkflowBuildError
from orderflow._targets import MAX_FILE_BYTES, load_definition_target, user_code
from orderflow.asl import Definition, as_definition
from orderflow.checker._cli import dataflow_diagnostics, dataflow_options
from orderflow.cli._app import app_option, selected_workflows, the_app, workflow_option
from orderflow.validation import (
    Diagnostic,
    StateMachineType,
    format_json,
    format_text,
    has_errors,
    validate,
)


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


def check_definition(
    source: str | Definition | Mapping[str, Any],
    *,
    state_machine_type: StateMachineType = "STANDARD",
) -> CheckReport:
    """Load ``source`` (a file, ``MODULE:ATTR``, a Definition or a dict) and validate it.

    Raises:
        DefinitionError: ``source`` cannot be read as a state machine (see
            :func:`orderflow._targets.load_definition_target`).
        WorkflowBuildError: a DSL workflow cannot be rendered.
    """
    if isinstance(source, str):
        name = source
        try:
            definition = load_definition_target(source)
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


def check_workflow(
    workflow: Any,
    *,
    prefix: str,
    state_machine_type: StateMachineType | None = None,
    contracts: str | None = None,
    input_model: str | None = None,
) -> CheckReport:
    """Render ``workflow`` (a DSL workflow of an app) with ``prefix`` and check it:
    structure first, then the data flow against its own contracts and input model (unless
    ``contracts``/``input_model`` name others).

    Args:
        workflow: the workflow.
        prefix: the Lambda name prefix it is rendered with (the app's name).
        state_machine_type: overrides the workflow's own type.
        contracts: ``--contracts MODULE:ATTR``.
        input_model: ``--input-model MODULE:ATTR``.
    """
    from orderflow import dsl
    from orderflow.checker import check_with_contracts

    machine_type = state_machine_type or workflow.type
    try:
        with user_code(f"workflow {workflow.name!r}: rendering"):
            definition = dsl.render(workflow, prefix=prefix)
    except WorkflowBuildError as exc:
        return CheckReport(workflow.name, None, [build_error_diagnostic(exc)])
    except InvalidDefinition as exc:
        found = [d for d in exc.diagnostics if isinstance(d, Diagnostic)]
        if not found:
            raise
        return CheckReport(workflow.name, None, found)
    report = CheckReport(
        workflow.name, definition, validate(definition, state_machine_type=machine_type)
    )
    if report.ok:
        report.diagnostics.extend(
            check_with_contracts(
                definition,
                contracts=contracts or dsl.contracts_for(workflow, prefix=prefix),
                input_model=input_model or workflow.input_model,
            )
        )
    return report


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
@click.argument("target", required=False, metavar="[FILE.json | MODULE:ATTR]")
@app_option
@workflow_option
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
    default=None,
    help="The state machine type (EXPRESS rejects .sync and .waitForTaskToken); default: "
    "the workflow's own type, STANDARD for a file.",
)
@dataflow_options
@click.pass_context
def check(
    ctx: click.Context,
    target: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    fmt: str,
    machine_type: StateMachineType | None,
    contracts: str | None,
    input_model: str | None,
) -> None:
    """Validate TARGET (an ASL JSON file or MODULE:ATTR naming a workflow), or without
    TARGET each workflow of the app (or --workflow NAME).

    Structure is checked first (as AWS's CreateStateMachine does); a structurally valid
    machine then gets the data-flow check: every path a state reads must exist in its input,
    with the type its consumer's contract needs (contracts from --contracts, or a DSL
    workflow's own).

    With --format json, a TARGET's diagnostics are one JSON array; an app's are one JSON
    object, workflow name -> its array.

    Exit status: 0 valid (warnings allowed), 1 errors found, 2 unreadable input.
    """
    if target is None:
        app = the_app(app_spec)
        reports = [
            check_workflow(
                workflow,
                prefix=app.name,
                state_machine_type=machine_type,
                contracts=contracts,
                input_model=input_model,
            )
            for workflow in selected_workflows(app, workflow_name)
        ]
        if fmt == "json":
            merged = {r.source: json.loads(format_json(r.diagnostics)) for r in reports}
            click.echo(json.dumps(merged, indent=2))
        else:
            color = sys.stderr.isatty()
            for r in reports:
                text = format_text(r.diagnostics, file=f"{app.name}:{r.source}", color=color)
                click.echo(text, err=True, nl=False)
        ctx.exit(max(r.exit_code for r in reports))
    try:
        report = check_definition(target, state_machine_type=machine_type or "STANDARD")
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
    "check_workflow",
    "user_code",
]
