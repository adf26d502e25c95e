"""An execution drawn on its state machine: the HTML report of ``run``/``history --report``.

The report is computed from the AWS-shaped event history only (see
:mod:`orderflow.report._overlay`), so the same code draws a local run
(``orderflow run --report``) and a deployed execution (``orderflow history --report``).
Each state gets a status (succeeded, retried, caught, failed, stopped or not run), its
simulated duration, its retry count, the errors it met, and every run's input and output
(shown on click); the transitions the execution followed are drawn bold, Catch edges that
fired in the error colour, and compensations that ran are listed in the header.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from pathlib import Path
from typing import Any

from orderflow.asl import Definition, as_definition
from orderflow.asl._document import JSON
from orderflow.report._graph import Graph, build_graph
from orderflow.report._layout import layout
from orderflow.report._overlay import Run, Visit, read_history
from orderflow.report._page import page, state_records, write_text_atomic
from orderflow.report._svg import draw_svg

VISITS_SHOWN = 25
"""Runs of one state whose input and output the page embeds (a big Map runs a state
thousands of times; the counts and durations still cover every run)."""
PAYLOAD_SHOWN = 200_000
"""Characters of one input or output the page embeds; longer ones are cut and say so."""

# When a state ran several times, the status shown is its most serious one.
_SEVERITY = ("failed", "caught", "retried", "stopped", "running", "succeeded")


def _payload(text: str | None) -> str | None:
    if text is None or len(text) <= PAYLOAD_SHOWN:
        return text
    return text[:PAYLOAD_SHOWN] + f"… ({len(text) - PAYLOAD_SHOWN} more characters not shown)"


def _errors(visit: Visit, status: str) -> list[dict[str, JSON]]:
    last = len(visit.errors) - 1
    return [
        {"error": error, "cause": cause, "caught": status == "caught" and i == last}
        for i, (error, cause) in enumerate(visit.errors)
    ]


def _seconds(run: Run, visit: Visit) -> float | None:
    end = visit.exited or run.stopped
    if visit.entered is None or end is None:
        return None
    return round((end - visit.entered).total_seconds(), 6)


def _summarise(graph: Graph, run: Run) -> tuple[list[dict[str, JSON]], dict[int, str]]:
    records = state_records(graph)
    by_state: dict[int, list[Visit]] = {}
    for visit in run.visits:
        index = graph.state_index(visit.name)
        if index is not None:
            by_state.setdefault(index, []).append(visit)
    status: dict[int, str] = {}
    for index, record in enumerate(records):
        visits = by_state.get(index, [])
        if not visits:
            status[index] = "notrun"
            record.update(status="not run", runs=0)
            continue
        statuses = [v.status(run.status) for v in visits]
        worst = min(statuses, key=_SEVERITY.index)
        status[index] = worst
        durations = [d for d in (_seconds(run, v) for v in visits) if d is not None]
        record.update(
            status=worst,
            runs=len(visits),
            retries=sum(v.retries for v in visits),
            duration=round(sum(durations), 6) if durations else None,
            errors=[e for v, s in zip(visits, statuses, strict=True) for e in _errors(v, s)][
                :VISITS_SHOWN
            ],
            visits=[
                {
                    "status": s,
                    "start": run.seconds(v.entered),
                    "duration": _seconds(run, v),
                    "retries": v.retries,
                    "errors": _errors(v, s),
                    "input": _payload(v.input),
                    "output": _payload(v.output),
                }
                for v, s in list(zip(visits, statuses, strict=True))[:VISITS_SHOWN]
            ],
            more=max(0, len(visits) - VISITS_SHOWN),
        )
    return records, status


def _taken(graph: Graph, run: Run, status: Mapping[int, str]) -> set[str]:
    seen = {
        (graph.state_index(t.source), graph.state_index(t.target), t.caught)
        for t in run.transitions
    }
    started = {graph.state_index(name) for name in run.started_states}
    ran = {i for i, s in status.items() if s != "notrun"}
    finished = {i for i, s in status.items() if s in ("succeeded", "retried")}
    taken: set[str] = set()
    for edge in graph.edges:
        if edge.kind == "start":
            hit = edge.target in started
        elif edge.kind == "branch":
            hit = edge.target in ran
        elif edge.kind == "join":
            hit = edge.source in finished
        elif edge.kind == "end":
            hit = run.status == "SUCCEEDED" and edge.source in finished
        else:
            hit = (edge.source, edge.target, edge.kind == "catch") in seen
        if hit:
            taken.add(edge.key)
    return taken


def _badge(record: Mapping[str, Any]) -> str:
    parts = []
    if record.get("runs", 0) > 1:
        parts.append(f"{record['runs']} runs")
    if record.get("duration") is not None:
        parts.append(f"{record['duration']:.3f}s")
    if record.get("retries"):
        parts.append(f"↻{record['retries']}")
    return " · ".join(parts)


def _summary(graph: Graph, run: Run, records: list[dict[str, JSON]]) -> str:
    caught = [
        f"{r['name']}: {e['error']}"
        for r in records
        for e in r.get("errors") or []
        if isinstance(e, dict) and e.get("caught")
    ]
    compensations = [
        s.name for s in graph.states if s.role == "compensation" and records[s.index]["runs"]
    ]
    ran = sum(1 for r in records if r["runs"])
    retries = sum(int(r.get("retries") or 0) for r in records)
    items = [
        f'<span class="status-{escape(run.status)}">{escape(run.status)}</span>',
        f"<span>{ran} of {len(records)} states ran</span>",
        f"<span>{retries} retries</span>",
    ]
    if run.duration is not None:
        items.append(f"<span>{run.duration:.3f} s simulated</span>")
    if run.error:
        # The cause (often a long JSON error object) is in the panel, not the header.
        items.append(f"<span>error {escape(run.error)}</span>")
    if caught:
        items.append(f"<span>caught: {escape('; '.join(caught))}</span>")
    if compensations:
        items.append(f"<span>compensations run: {escape(', '.join(compensations))}</span>")
    return f'<p class="summary">{"".join(items)}</p>'


def execution_report(
    definition: Definition | Mapping[str, JSON] | str | bytes,
    history: Iterable[Mapping[str, Any]],
    *,
    title: str = "",
) -> str:
    """The state machine as an HTML page with one execution drawn on it.

    Args:
        definition: the ASL the execution ran.
        history: its events in the shape of ``GetExecutionHistory`` (for a local run,
            ``execution.history``; for a deployed one, what ``orderflow history --json``
            prints or boto3's ``get_execution_history`` events).
        title: the page title (default: "Execution of <file or state machine>").

    Example:
        >>> from orderflow.testing import run_asl
        >>> execution = run_asl(definition, {"order": 1})
        >>> html = execution_report(definition, execution.history)

    Raises:
        orderflow.DefinitionError: ``definition`` is not an ASL document.
        LayoutError: Graphviz's ``dot`` is missing or failed.
    """
    document = as_definition(definition)
    graph = build_graph(document)
    run = read_history(history)
    records, status = _summarise(graph, run)
    badges = {i: _badge(r) for i, r in enumerate(records) if r["runs"]}
    svg = draw_svg(
        graph, layout(graph), status=status, badges=badges, taken=_taken(graph, run, status)
    )
    name = Path(document.file).name if document.file else "state machine"
    return page(
        title=title or f"Execution of {name}",
        subtitle=graph.comment,
        svg=svg,
        data={
            "comment": graph.comment,
            "states": records,
            "execution": {
                "status": run.status,
                "error": run.error,
                "cause": run.cause,
                "duration": run.duration,
                "input": _payload(run.input),
                "output": _payload(run.output),
            },
        },
        summary=_summary(graph, run, records),
        report=True,
    )


def write_report(
    path: str | Path,
    definition: Definition | Mapping[str, JSON] | str | bytes,
    history: Iterable[Mapping[str, Any]],
    *,
    title: str = "",
) -> Path:
    """Write :func:`execution_report` to ``path`` (atomically); returns the path.

    Raises:
        OSError: ``path`` cannot be written.
        orderflow.DefinitionError, LayoutError: as :func:`execution_report`.
    """
    return write_text_atomic(path, execution_report(definition, history, title=title))


__all__ = ["PAYLOAD_SHOWN", "VISITS_SHOWN", "execution_report", "write_report"]
