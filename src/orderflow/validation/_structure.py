"""The state graph: StartAt, transitions, reachability, termination, names and scopes.

Each scope (machine, Parallel branch, Map body) is a closed graph: transitions may only name
states of the same scope. Reachability is one forward breadth-first search from StartAt and
termination one backward search from the terminal states, so the cost is linear in states
plus transitions.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from orderflow.validation._diagnostic import Collector, json_kind, pointer_join
from orderflow.validation._walk import Scope, StateRef

MAX_STATE_NAME = 80
# States that must say where to go next (Choice, Succeed and Fail never do).
_FLOW_TYPES = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})


def transitions(ref: StateRef) -> list[tuple[str, str, str]]:
    """``(target, field, pointer)`` for every transition a state declares."""
    state = ref.state
    found: list[tuple[str, str, str]] = []
    if isinstance(state.get("Next"), str):
        found.append((state["Next"], "Next", ref.at("Next")))
    if ref.type == "Choice":
        if isinstance(state.get("Default"), str):
            found.append((state["Default"], "Default", ref.at("Default")))
        choices = state.get("Choices")
        if isinstance(choices, list):
            for i, rule in enumerate(choices):
                if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
                    found.append((rule["Next"], f"Choices[{i}].Next", ref.at("Choices", i, "Next")))
    catchers = state.get("Catch")
    if isinstance(catchers, list):
        for i, catcher in enumerate(catchers):
            if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
                found.append((catcher["Next"], f"Catch[{i}].Next", ref.at("Catch", i, "Next")))
    return found


def is_terminal(ref: StateRef) -> bool:
    return ref.type in ("Succeed", "Fail") or ref.state.get("End") is True


def check_structure(scopes: list[Scope], out: Collector) -> None:
    """Report every graph problem of every scope."""
    owner_of: dict[str, Scope] = {}
    for scope in scopes:
        _check_start_and_states(scope, out)
        for name, state in scope.names.items():
            where = pointer_join(scope.pointer, "States", name)
            if not name or len(name) > MAX_STATE_NAME:
                out.report(
                    "invalid-state-name",
                    where,
                    f"state name {name!r} is {len(name)} characters long; names must have "
                    f"1 to {MAX_STATE_NAME} characters",
                    state=name,
                )
            if name in owner_of:
                other = owner_of[name]
                out.report(
                    "duplicate-state-name",
                    where,
                    f"state name {name!r} is also used at "
                    f"{pointer_join(other.pointer, 'States', name)}; "
                    "names must be unique in the whole machine, nested scopes included — "
                    "rename one of them",
                    state=name,
                )
            else:
                owner_of[name] = scope
            if not isinstance(state, dict):
                out.report(
                    "invalid-type",
                    where,
                    f"state {name!r} must be a JSON object, not {json_kind(state)}",
                    state=name,
                )
    for scope in scopes:
        _check_graph(scope, owner_of, out)


def _check_start_and_states(scope: Scope, out: Collector) -> None:
    what = {"machine": "the state machine", "branch": "a Parallel branch", "map": "a Map body"}[
        scope.kind
    ]
    here = scope.pointer or "/"
    start = scope.data.get("StartAt")
    if "StartAt" not in scope.data:
        out.report(
            "missing-field",
            here,
            f"{what} needs StartAt, the name of its first state",
            state=scope.owner,
            field="StartAt",
        )
    elif not isinstance(start, str):
        out.report(
            "invalid-type",
            pointer_join(scope.pointer, "StartAt"),
            f"StartAt must be a state name (string), not {json_kind(start)}",
            state=scope.owner,
            field="StartAt",
        )
    states = scope.data.get("States")
    if "States" not in scope.data:
        out.report(
            "missing-field",
            here,
            f"{what} needs States, an object mapping state names to states",
            state=scope.owner,
            field="States",
        )
    elif not isinstance(states, dict):
        out.report(
            "invalid-type",
            pointer_join(scope.pointer, "States"),
            f"States must be an object mapping names to states, not {json_kind(states)}",
            state=scope.owner,
            field="States",
        )
    elif not states:
        out.report(
            "empty-states",
            pointer_join(scope.pointer, "States"),
            f"States of {what} is empty; add at least one state",
            state=scope.owner,
            field="States",
        )
    elif isinstance(start, str) and start not in states:
        out.report(
            "start-at-not-found",
            pointer_join(scope.pointer, "StartAt"),
            f"StartAt names {start!r}, which is not a state of {what}; known states: "
            f"{_some(states)}",
            state=scope.owner,
            field="StartAt",
        )


def _check_graph(scope: Scope, owner_of: dict[str, Scope], out: Collector) -> None:
    names = scope.names
    # Every name is a node, objects or not: a state that is not an object was reported
    # already, and a transition to it must neither crash the searches nor cascade into
    # "unreachable" or "never terminates" noise, so it counts as a dead end that terminates.
    edges: dict[str, list[str]] = {name: [] for name in names}
    for ref in scope.states:
        state = ref.state
        has_next = "Next" in state
        ends = state.get("End") is True
        if ref.type in _FLOW_TYPES and not has_next and not ends:
            out.report(
                "missing-transition",
                ref.pointer,
                f"{ref.type} state {ref.name!r} has neither Next nor End; add "
                '"Next": "<state>" or "End": true',
                state=ref.name,
            )
        if has_next and "End" in state:
            out.report(
                "conflicting-fields",
                ref.pointer,
                f"state {ref.name!r} has both Next and End; keep exactly one",
                state=ref.name,
                field="End",
            )
        for target, field_name, pointer in transitions(ref):
            if target in names:
                edges[ref.name].append(target)
                continue
            other = owner_of.get(target)
            if other is not None:
                out.report(
                    "transition-leaves-scope",
                    pointer,
                    f"{field_name} names {target!r}, a state of {_scope_label(other)}, but "
                    f"{ref.name!r} is in {_scope_label(scope)}; Parallel branches and Map "
                    "bodies are closed: transitions cannot cross their boundary",
                    state=ref.name,
                    field=field_name,
                )
            else:
                out.report(
                    "unknown-target",
                    pointer,
                    f"{field_name} names {target!r}, which is not a state here; known "
                    f"states: {_some(names)}",
                    state=ref.name,
                    field=field_name,
                )
    start = scope.data.get("StartAt")
    if not scope.states or not isinstance(start, str):
        # Without a StartAt every state would be "unreachable": one missing field, not N.
        return
    reached = _reachable({start} if start in edges else set(), edges)
    for ref in scope.states:
        if ref.name not in reached:
            out.report(
                "unreachable-state",
                ref.pointer,
                f"no transition from StartAt leads to {ref.name!r}; connect it or remove it",
                state=ref.name,
            )
    terminals = {ref.name for ref in scope.states if is_terminal(ref)}
    terminals.update(name for name, state in names.items() if not isinstance(state, dict))
    able = _reachable(terminals, _reversed(edges))
    stuck = [ref for ref in scope.states if ref.name in reached and ref.name not in able]
    if stuck or not terminals:
        first = stuck[0] if stuck else scope.states[0]
        listed = ", ".join(repr(ref.name) for ref in stuck[:5])
        more = f" and {len(stuck) - 5} more" if len(stuck) > 5 else ""
        if len(stuck) == 1:
            subject = f"state {listed} never reaches"
        else:
            subject = f"states {listed}{more} never reach" if stuck else "there is no"
        out.report(
            "no-terminal-path",
            first.pointer if stuck else scope.pointer or "/",
            f"in {_scope_label(scope)}, {subject} a terminal state (End: true, Succeed or "
            "Fail); every path must be able to finish",
            state=first.name if stuck else scope.owner,
        )


def _reachable(starts: set[str], edges: dict[str, list[str]]) -> set[str]:
    """Every name reachable from ``starts`` (included) along ``edges``, breadth first."""
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for target in edges[queue.popleft()]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


def _reversed(edges: dict[str, list[str]]) -> dict[str, list[str]]:
    incoming: dict[str, list[str]] = {name: [] for name in edges}
    for source, targets in edges.items():
        for target in targets:
            incoming[target].append(source)
    return incoming


def _scope_label(scope: Scope) -> str:
    if scope.kind == "machine":
        return "the top level"
    if scope.kind == "branch":
        return f"a branch of Parallel {scope.owner!r} ({scope.pointer})"
    return f"the body of Map {scope.owner!r}"


def _some(names: dict[str, Any]) -> str:
    listed = ", ".join(repr(n) for n in list(names)[:8])
    return listed + (", …" if len(names) > 8 else "") if names else "(none)"


__all__ = ["MAX_STATE_NAME", "check_structure", "is_terminal", "transitions"]
