"""``orderflow run``: execute a workflow locally with the app's services, no AWS needed.

The app's own services answer the workflow's Lambda calls. The input is checked against the
workflow's input model before the run starts (exit 2 naming the field). Without
``--input``, only an app that declares a sample input for the workflow (the bundled order
app does) runs on it; otherwise ``--input`` is required.

A task waiting for a task token (a human approval) is answered with ``--approve`` or
``--reject REASON``; with neither, it waits out its ``TimeoutSeconds`` on the virtual clock
and times out (an approval then rejects automatically).

Exit codes: 0 the execution succeeded; 1 it failed, timed out or was aborted (the error
and cause are printed); 2 bad usage, unreadable or invalid input, or an app wired wrongly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from orderflow._errors import ConfigurationError, ContractError, ExecutionError
from orderflow._progress import progress_of_maps
from orderflow._targets import import_attribute, is_module_target, load_workflow, user_code
from orderflow.asl import _wire as wire
from orderflow.cli._app import app_option, the_app, workflow_option
from orderflow.cli._report import report_option, write_report_file
from orderflow.cli._store import echo_store, show_store_option
from orderflow.executor._local import (
    check_failure_rates,
    check_input,
    load_target,
    run_locally,
    sample_input,
)
from orderflow.executor._trace import format_trace
from orderflow.runtime._objects import write_objects

# AWS refuses an execution input over 256 KiB; a file far larger is a mistake, not input.
_MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024

if TYPE_CHECKING:
    from orderflow._app import App
    from orderflow.asl import Definition
    from orderflow.dsl import Workflow
    from orderflow.executor import Execution


def _read_input(text: str) -> Any:
    source = "--input"
    data: str | bytes = text
    if text.startswith("@"):
        source = text[1:]
        try:
            with Path(source).open("rb") as handle:
                data = handle.read(_MAX_INPUT_FILE_BYTES + 1)
        except OSError as exc:
            raise click.BadParameter(
                f"cannot read {source}: {exc.strerror}", param_hint="--input"
            ) from None
        if len(data) > _MAX_INPUT_FILE_BYTES:
            raise click.BadParameter(
                f"{source} is over {_MAX_INPUT_FILE_BYTES:,} bytes; an execution input is "
                "at most 256 KiB",
                param_hint="--input",
            )
    try:
        return wire.loads_document(data)
    except wire.NotJson as exc:
        raise click.BadParameter(f"{source} is not JSON ({exc})", param_hint="--input") from None


def _failure_rates(app: App, values: tuple[str, ...]) -> dict[str, float]:
    rates: dict[str, float] = {}
    for value in values:
        service, sep, rate = value.partition("=")
        try:
            number = float(rate)
        except ValueError:
            number = -1.0
        if not sep or not service or not 0.0 <= number <= 1.0:
            raise click.BadParameter(
                f"expected SERVICE=RATE with RATE in [0, 1], got {value!r}", param_hint="--fail"
            )
        rates[service] = number
    try:
        return check_failure_rates(app, rates)
    except (ExecutionError, ConfigurationError) as exc:
        raise click.BadParameter(str(exc), param_hint="--fail") from None


# A workflow answering its own callbacks in a loop would never end; no real one waits
# this many times in one execution.
_MAX_ANSWERS = 1000


def answer_tokens(execution: Execution, *, approve: bool, reject_reason: str | None) -> None:
    """Answer each token ``execution`` waits on, until it ends or waits without a limit.

    ``approve`` sends ``SendTaskSuccess`` with ``{}`` (what ``orderflow approve`` sends),
    ``reject_reason`` sends ``SendTaskFailure`` with error ``Rejected`` and that cause;
    with neither, virtual time passes until the waiting task times out, as it would on AWS
    when nobody answers. Each answer is reported on stderr.
    """
    for _ in range(_MAX_ANSWERS):
        token = execution.waiting_token
        if token is None:
            return
        if approve:
            click.echo(f"task token {token}: approved (--approve)", err=True)
            execution.send_task_success(token, {})
        elif reject_reason is not None:
            click.echo(f"task token {token}: rejected (--reject {reject_reason!r})", err=True)
            execution.send_task_failure(token, "Rejected", reject_reason)
        else:
            try:
                execution.advance()
            except ExecutionError:
                return  # no time limit: reported as RUNNING by the caller
            click.echo(f"task token {token}: nobody answered; the task timed out", err=True)


def _subject(
    app: App, target: str | None, workflow_name: str | None
) -> tuple[Definition, Workflow[Any] | None]:
    """The definition to run and, when known, the workflow it is (for its input model)."""
    from orderflow.dsl import Workflow, render

    if target is None:
        workflow = app.workflow(workflow_name)
        with user_code(f"workflow {workflow.name!r}: rendering"):
            return render(workflow, prefix=app.name), workflow
    if is_module_target(target) and isinstance(import_attribute(target, what="target"), Workflow):
        workflow = load_workflow(target, what="target")
        with user_code(f"target {target!r}: rendering workflow {workflow.name!r}"):
            return render(workflow), workflow
    # A file (or a definition object): its input is checked only against a named workflow.
    return load_target(target), app.workflow(workflow_name) if workflow_name else None


def _execution_input(
    app: App, input_text: str | None, workflow: Workflow[Any] | None, workflow_name: str | None
) -> Any:
    if input_text is not None:
        return _read_input(input_text)
    own = workflow is not None and app.workflows.get(workflow.name) is workflow
    sample = sample_input(app, workflow.name if own and workflow else workflow_name)
    if sample is None:
        which = f"workflow {workflow.name!r}" if workflow is not None else "this target"
        raise click.UsageError(
            f"--input is required: app {app.name!r} declares no sample input for {which} "
            "(App(sample_inputs={...}))"
        )
    return sample


@click.command("run")
@click.argument("target", required=False, metavar="[MODULE:ATTR | FILE.json]")
@app_option
@workflow_option
@click.option(
    "--input",
    "input_text",
    metavar="JSON|@FILE",
    help="Execution input (default: the app's sample input for the workflow, if it has one).",
)
@click.option("--trace", is_flag=True, help="Print the state-by-state trace to stderr.")
@click.option(
    "--fail",
    "fail",
    multiple=True,
    metavar="SERVICE=RATE",
    help="Simulated failure rate (0 to 1) of a service of the app, by name "
    "(e.g. authorize-payment=0.5).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for services and retry jitter."
)
@click.option(
    "--save-objects",
    "save_objects",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="After the run, write every object the services stored in the app's buckets to "
    "DIR/BUCKET/KEY (e.g. the notification archive), and list them on stderr.",
)
@click.option(
    "--approve",
    is_flag=True,
    help="Answer every task that waits for a token (e.g. a human approval) with success.",
)
@click.option(
    "--reject",
    "reject_reason",
    metavar="REASON",
    help="Answer every task that waits for a token with failure 'Rejected', cause REASON. "
    "Without --approve or --reject, waiting tasks time out (virtual clock).",
)
@report_option(
    "Also write an HTML page with the execution drawn on the graph: path, statuses, "
    "durations, retries, caught errors, each state's input and output (needs Graphviz's dot)."
)
@show_store_option
def run(
    target: str | None,
    app_spec: str | None,
    workflow_name: str | None,
    input_text: str | None,
    trace: bool,
    fail: tuple[str, ...],
    seed: int,
    save_objects: Path | None,
    approve: bool,
    reject_reason: str | None,
    report: Path | None,
    show_store: bool,
) -> int:
    """Run a workflow of the app (or TARGET) locally and print its output JSON."""
    if approve and reject_reason is not None:
        raise click.UsageError("--approve and --reject are exclusive: one decision per run")
    app = the_app(app_spec)
    rates = _failure_rates(app, fail)
    definition, workflow = _subject(app, target, workflow_name)
    execution_input = _execution_input(app, input_text, workflow, workflow_name)
    if workflow is not None:
        try:
            check_input(workflow.input_model, execution_input, workflow=workflow.name)
        except ContractError as exc:
            raise click.BadParameter(exc.message, param_hint="--input") from None
    deps = app.deps(seed=seed, failure_rates=rates)
    with progress_of_maps() as observe:
        execution = run_locally(
            definition,
            execution_input,
            app=app,
            seed=seed,
            deps=deps,
            state_machine_type=workflow.type if workflow is not None else "STANDARD",
            on_event=observe,
        )
        answer_tokens(execution, approve=approve, reject_reason=reject_reason)
    if trace:
        click.echo(format_trace(execution), err=True)
    if save_objects is not None:
        for path in write_objects(deps.objects, save_objects):
            click.echo(f"saved {path}", err=True)
    if show_store:
        echo_store(deps.store)
    if report is not None:
        subject = target or (workflow.name if workflow is not None else app.name)
        write_report_file(
            report,
            definition,
            execution.history,
            title=f"orderflow run {subject} ({execution.status})",
        )
    if execution.status == "SUCCEEDED":
        click.echo(json.dumps(execution.output, indent=2, ensure_ascii=False))
        return 0
    if execution.status == "RUNNING":
        # A callback task waits for a token nobody can answer from the command line.
        click.echo(
            f"execution RUNNING: waiting for task token {execution.waiting_token} (a "
            ".waitForTaskToken task with no time limit); answer it with --approve or "
            "--reject REASON, or from Python with run_asl(...) and send_task_success",
            err=True,
        )
        return 1
    click.echo(f"execution {execution.status}: {execution.error or '(no error name)'}", err=True)
    if execution.cause:
        click.echo(f"cause: {execution.cause}", err=True)
    return 1


__all__ = ["answer_tokens", "run"]
