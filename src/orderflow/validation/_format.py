"""Rendering diagnostics: readable text grouped by state, or JSON for machines.

Colour is opt-in (the CLI turns it on only when stderr is a terminal), so text written to a
file or a pipe is plain.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from orderflow.validation._diagnostic import Diagnostic

_RED = "\x1b[31m"
_YELLOW = "\x1b[33m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_RESET = "\x1b[0m"


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    """A JSON array of objects with severity, code, state, field, pointer and message."""
    return json.dumps([d.to_dict() for d in diagnostics], indent=2, ensure_ascii=False) + "\n"


def format_text(
    diagnostics: Sequence[Diagnostic], *, file: str | None = None, color: bool = False
) -> str:
    """Diagnostics grouped by state (machine-level ones first), errors before warnings.

    Example output::

        order.asl.json: 1 error, 1 warning
          state 'Charge'
            error    unknown-target  /States/Charge/Next
                     Next names 'Notfy', which is not a state here; known states: …
            warning  task-without-timeout  /States/Charge
                     Task 'Charge' has no TimeoutSeconds: …
    """

    def paint(text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if color else text

    groups: dict[str | None, list[Diagnostic]] = {None: []}
    for diagnostic in diagnostics:
        groups.setdefault(diagnostic.state, []).append(diagnostic)
    errors = sum(d.severity == "error" for d in diagnostics)
    warnings = len(diagnostics) - errors
    name = f"{file}: " if file else ""
    if not diagnostics:
        return f"{name}no problems found\n"
    lines = [paint(f"{name}{_count(errors, 'error')}, {_count(warnings, 'warning')}", _BOLD)]
    for state, items in groups.items():
        if not items:
            continue
        lines.append("  " + paint("state machine" if state is None else f"state {state!r}", _BOLD))
        for d in sorted(items, key=lambda d: d.severity != "error"):
            label = paint(f"{d.severity:<8}", _RED if d.severity == "error" else _YELLOW)
            lines.append(f"    {label} {d.code}  {paint(d.pointer, _DIM)}")
            lines.append(f"             {d.message}")
    return "\n".join(lines) + "\n"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


__all__ = ["format_json", "format_text"]
