"""Mermaid flowcharts of ASL definitions: every state and every transition.

Drawn from the ASL document (not the DSL), so a hand-written definition gets the same
diagram. Parallel branches and Map bodies are subgraphs; Choice edges carry their rule;
Catch edges are dashed and name the errors; a Choice without ``Default`` gets a "no match"
edge to a ``States.NoChoiceMatched`` end; each Retrier is a dashed self-loop naming the
errors it retries and how many attempts it allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from orderflow.asl._document import JSON, Definition, as_definition

_START = "start_"
# "end" is a Mermaid keyword; an id starting with it can break the parser.
_END = "finish_"
_SYMBOLS = {
    "Equals": "==",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
    "LessThan": "<",
    "LessThanEquals": "<=",
}
_KINDS = ("String", "Numeric", "Boolean", "Timestamp")


def to_mermaid(source: Definition | Mapping[str, JSON] | str | bytes) -> str:
    """A Mermaid ``flowchart TD`` of the definition (deterministic text, ends with a newline).

    Example:
        >>> print(to_mermaid({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}))
        flowchart TD
        ...
    """
    definition = as_definition(source)
    writer = _Writer()
    writer.line(0, "flowchart TD")
    writer.line(1, f'{_START}(["start"])')
    writer.line(1, f'{_END}(["end"])')
    start = definition.start_at
    writer.machine(definition.data, depth=1, top=True, scope="")
    if start is not None and start in definition.states:
        writer.edges.insert(0, f"{_START} --> {writer.node(start, '')}")
    writer.lines.extend(f"    {edge}" for edge in writer.edges)
    writer.line(1, "classDef fail fill:#fde2e1,stroke:#c0392b")
    writer.line(1, "classDef succeed fill:#e3f6e5,stroke:#2e7d32")
    if writer.fails:
        writer.line(1, f"class {','.join(writer.fails)} fail")
    if writer.succeeds:
        writer.line(1, f"class {','.join(writer.succeeds)} succeed")
    return "\n".join(writer.lines) + "\n"


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.edges: list[str] = []
        self.ids: dict[tuple[str, str], str] = {}
        self.used: set[str] = {_START, _END}
        self.fails: list[str] = []
        self.succeeds: list[str] = []

    def line(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    def node(self, name: str, scope: str) -> str:
        """A stable Mermaid id for state ``name`` in ``scope`` (names repeat across files)."""
        key = (scope, name)
        if key not in self.ids:
            base = "s_" + (re.sub(r"[^A-Za-z0-9_]", "_", name) or "state")
            candidate, n = base, 2
            while candidate in self.used:
                candidate, n = f"{base}_{n}", n + 1
            self.used.add(candidate)
            self.ids[key] = candidate
        return self.ids[key]

    def machine(self, machine: Mapping[str, Any], *, depth: int, top: bool, scope: str) -> None:
        states = machine.get("States")
        if not isinstance(states, dict):
            return
        for name, state in states.items():
            if isinstance(state, dict):
                self.state(name, state, depth=depth, top=top, scope=scope)

    def state(
        self, name: str, state: Mapping[str, Any], *, depth: int, top: bool, scope: str
    ) -> None:
        me = self.node(name, scope)
        kind = state.get("Type")
        if kind == "Parallel":
            self.line(depth, f'subgraph {me}["{_text(name)} (Parallel)"]')
            self.line(depth + 1, "direction TB")
            for i, branch in enumerate(state.get("Branches") or []):
                if not isinstance(branch, dict):
                    continue
                inner = f"{scope}/{name}/{i}"
                self.line(depth + 1, f'subgraph {me}_b{i}["branch {i + 1}"]')
                self.machine(branch, depth=depth + 2, top=False, scope=inner)
                self.line(depth + 1, "end")
            self.line(depth, "end")
        elif kind == "Map":
            body = state.get("ItemProcessor") or state.get("Iterator")
            items = state.get("ItemsPath", "$")
            self.line(depth, f'subgraph {me}["{_text(name)} (Map over {_text(str(items))})"]')
            self.line(depth + 1, "direction TB")
            if isinstance(body, dict):
                self.machine(body, depth=depth + 1, top=False, scope=f"{scope}/{name}")
            self.line(depth, "end")
        else:
            self.line(depth, me + _shape(name, state))
            if kind == "Choice" and "Default" not in state:
                # No Default: an unmatched input fails the execution; draw that way out too.
                self.line(depth, f'{me}_nomatch(["States.NoChoiceMatched"])')
                self.fails.append(f"{me}_nomatch")
            if kind == "Fail":
                self.fails.append(me)
            elif kind == "Succeed":
                self.succeeds.append(me)
        self.transitions(me, name, state, top=top, scope=scope)

    def transitions(
        self, me: str, name: str, state: Mapping[str, Any], *, top: bool, scope: str
    ) -> None:
        for retrier in state.get("Retry") or []:
            if isinstance(retrier, dict):
                attempts = retrier.get("MaxAttempts", 3)
                errors = _errors(retrier.get("ErrorEquals"))
                self.edges.append(f'{me} -.->|"retry {errors} (max {attempts})"| {me}')
        for rule in state.get("Choices") or []:
            if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                target = self.node(rule["Next"], scope)
                self.edges.append(f'{me} -->|"{_text(rule_label(rule))}"| {target}')
        if isinstance(state.get("Default"), str):
            self.edges.append(f'{me} -->|"default"| {self.node(state["Default"], scope)}')
        elif state.get("Type") == "Choice":
            self.edges.append(f'{me} -->|"no match"| {me}_nomatch')
        if isinstance(state.get("Next"), str):
            self.edges.append(f"{me} --> {self.node(state['Next'], scope)}")
        for catcher in state.get("Catch") or []:
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                errors = _errors(catcher.get("ErrorEquals"))
                target = self.node(catcher["Next"], scope)
                self.edges.append(f'{me} -.->|"catch {errors}"| {target}')
        ends = state.get("End") is True or state.get("Type") in ("Succeed", "Fail")
        if top and ends:
            self.edges.append(f"{me} --> {_END}")


def rule_label(rule: Mapping[str, Any]) -> str:
    """A Choice rule as a short readable condition: ``$.total > 1000``."""
    if isinstance(rule.get("Condition"), str):
        # A JSONata rule: its expression, without the {% %} around it.
        return str(rule["Condition"]).removeprefix("{%").removesuffix("%}").strip()
    if "And" in rule or "Or" in rule:
        word = "and" if "And" in rule else "or"
        parts = rule.get("And") or rule.get("Or") or []
        return f" {word} ".join(f"({rule_label(p)})" for p in parts if isinstance(p, dict))
    if isinstance(rule.get("Not"), dict):
        return f"not ({rule_label(rule['Not'])})"
    variable = str(rule.get("Variable", "?"))
    for key, value in rule.items():
        if key in ("Variable", "Next"):
            continue
        if key in ("IsPresent", "IsNull", "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"):
            what = re.sub(r"(?<!^)([A-Z])", r" \1", key[2:]).lower()
            return f"{variable} is {'' if value else 'not '}{what}"
        if key == "StringMatches":
            return f"{variable} matches {json_text(value)}"
        path = key.endswith("Path")
        core = key.removesuffix("Path")
        for kind in _KINDS:
            if core.startswith(kind) and core[len(kind) :] in _SYMBOLS:
                shown = str(value) if path else json_text(value)
                return f"{variable} {_SYMBOLS[core[len(kind) :]]} {shown}"
    return variable


def json_text(value: Any) -> str:
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _errors(value: Any) -> str:
    if not isinstance(value, list):
        return "?"
    return _text(", ".join(str(v) for v in value))


def _shape(name: str, state: Mapping[str, Any]) -> str:
    label = _text(name)
    kind = state.get("Type")
    if kind == "Task":
        resource = _resource_label(state)
        return f'["{label}<br/>{_text(resource)}"]' if resource else f'["{label}"]'
    if kind == "Choice":
        return f'{{"{label}"}}'
    if kind == "Pass":
        return f'[/"{label}"/]'
    if kind == "Wait":
        return f'{{{{"{label} (wait)"}}}}'
    if kind in ("Succeed", "Fail"):
        return f'(["{label}"])'
    return f'["{label} ({_text(str(kind))})"]'


def _resource_label(state: Mapping[str, Any]) -> str:
    parameters = state.get("Parameters")
    if isinstance(parameters, dict) and isinstance(parameters.get("FunctionName"), str):
        return str(parameters["FunctionName"]).rsplit(":", 1)[-1]
    resource = state.get("Resource")
    return resource.rsplit(":", 1)[-1] if isinstance(resource, str) else ""


def _text(text: str) -> str:
    """Escape text for a quoted Mermaid label."""
    return (
        text.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    )


__all__ = ["rule_label", "to_mermaid"]
