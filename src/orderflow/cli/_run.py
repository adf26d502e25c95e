"""``orderflow run``: execute a workflow locally with the real services, no AWS needed.

Exit codes: 0 the execution succeeded; 1 it failed, timed out or was aborted (the error
and cause are printed); 2 bad usage or unreadable input.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from orderflow._errors import ExecutionError
from orderflow._progress import progress_of_maps
from orderflow._targets import DEFAULT_TARGET
from orderflow.asl import _wire as wire
from orderflow.cli._report import report_option, write_report_file
from orderflow.executor._local import (
    check_failure_rates,
    load_target,
    run_locally,
    sample_input,
)
from orderflow.executor._trace import format_trace

# AWS refuses an execution input over 256 KiB; a file far larger is a mistake, not input.
_MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024


def _read_input(text: str | None) -> Any:
    if text is None:
        return sample_input()
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


def _failure_rates(values: tuple[str, ...]) -> dict[str, float]:
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
        return check_failure_rates(rates)
    except ExecutionError as exc:
        raise click.BadParameter(str(exc), param_hint="--fail") from None


@click.command("run")
@click.argument(
    "target", required=False, default=DEFAULT_TARGET, metavar="[MODULE:ATTR | FILE.json]"
)
@click.option(
    "--input", "input_text", metavar="JSON|@FILE", help="Execution input (default: a sample order)."
)
@click.option("--trace", is_flag=True, help="Print the state-by-state trace to stderr.")
@click.option(
    "--fail",
    "fail",
    multiple=True,
    metavar="SERVICE=RATE",
    help="Simulated failure rate (0 to 1) of a service of orderflow.services, by name "
    "(e.g. authorize-payment=0.5).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for services and retry jitter."
)
@report_option(
    "Also write an HTML page with the execution drawn on the graph: path, statuses, "
    "durations, retries, caught errors, each state's input and output (needs Graphviz's dot)."
)
def run(
    target: str,
    input_text: str | None,
    trace: bool,
    fail: tuple[str, ...],
    seed: int,
    report: Path | None,
) -> int:
    """Run a workflow locally (default: the order workflow) and print its output JSON."""
    execution_input = _read_input(input_text)
    definition = load_target(target)
    with progress_of_maps() as observe:
        execution = run_locally(
            definition,
            execution_input,
            seed=seed,
            failure_rates=_failure_rates(fail),
            on_event=observe,
        )
    if trace:
        click.echo(format_trace(execution), err=True)
    if report is not None:
        write_report_file(
            report,
            definition,
            execution.history,
            title=f"orderflow run {target} ({execution.status})",
        )
    if execution.status == "SUCCEEDED":
        click.echo(json.dumps(execution.output, indent=2, ensure_ascii=False))
        return 0
    if execution.status == "RUNNING":
        # A callback task waits for a token nobody can answer from the command line.
        click.echo(
            f"execution RUNNING: waiting for task token {execution.waiting_token} (a "
            ".waitForTaskToken task); answer callbacks from Python with run_asl(...) and "
            "send_task_success",
            err=True,
        )
        return 1
    click.echo(f"execution {execution.status}: {execution.error or '(no error name)'}", err=True)
    if execution.cause:
        click.echo(f"cause: {execution.cause}", err=True)
    return 1


__all__ = ["run"]
