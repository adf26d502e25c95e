"""How the validator visits a definition: scopes, and the states inside each scope.

A *scope* is a set of states that may transition to each other: the machine itself, each
Parallel branch, each Map body (``ItemProcessor`` or the older ``Iterator``). Scopes are
collected once with an explicit stack, so a deeply nested or very large machine costs time
linear in its size and never hits Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from orderflow.validation._diagnostic import pointer_join

JSONPATH = "JSONPath"
JSONATA = "JSONata"
QUERY_LANGUAGES = (JSONPATH, JSONATA)


@dataclass(slots=True)
class Scope:
    """States that transition among themselves.

    Attributes:
        data: the object holding ``StartAt`` and ``States``.
        pointer: JSON pointer to ``data`` ("" for the machine).
        owner: the Parallel or Map state that owns the scope; ``None`` for the machine.
        kind: ``"machine"``, ``"branch"`` or ``"map"``.
    """

    data: dict[str, Any]
    pointer: str
    owner: str | None
    kind: str
    states: list[StateRef] = field(default_factory=list)

    @property
    def names(self) -> dict[str, Any]:
        states = self.data.get("States")
        return states if isinstance(states, dict) else {}


@dataclass(slots=True)
class StateRef:
    """One state as the checks see it.

    Attributes:
        name: the state's name.
        state: its JSON object.
        pointer: JSON pointer to the state.
        language: the query language in effect (the state's own or the machine's).
        scope: the scope the state belongs to.
    """

    name: str
    state: dict[str, Any]
    pointer: str
    language: str
    scope: Scope

    @property
    def type(self) -> str | None:
        value = self.state.get("Type")
        return value if isinstance(value, str) else None

    def at(self, *tokens: str | int) -> str:
        """JSON pointer to a field (or deeper) of this state."""
        return pointer_join(self.pointer, *tokens)


def machine_language(data: dict[str, Any]) -> str:
    value = data.get("QueryLanguage", JSONPATH)
    return value if value in QUERY_LANGUAGES else JSONPATH


def collect_scopes(data: dict[str, Any]) -> list[Scope]:
    """Every scope of the machine, the machine first, each with its states filled in.

    States that are not JSON objects are skipped here (the field checks report them).
    """
    top_language = machine_language(data)
    machine = Scope(data, "", None, "machine")
    scopes = [machine]
    stack = [machine]
    while stack:
        scope = stack.pop()
        for name, state in scope.names.items():
            if not isinstance(state, dict):
                continue
            own = state.get("QueryLanguage")
            # A state without QueryLanguage uses the machine's, even inside a Map or
            # Parallel that set its own (AWS documents inheritance from the top level).
            language = own if own in QUERY_LANGUAGES else top_language
            pointer = pointer_join(scope.pointer, "States", name)
            scope.states.append(StateRef(name, state, pointer, language, scope))
            for child in _child_scopes(name, state, pointer):
                scopes.append(child)
                stack.append(child)
    return scopes


def _child_scopes(name: str, state: dict[str, Any], pointer: str) -> Iterator[Scope]:
    kind = state.get("Type")
    if kind == "Parallel":
        branches = state.get("Branches")
        if isinstance(branches, list):
            for i, branch in enumerate(branches):
                if isinstance(branch, dict):
                    yield Scope(branch, pointer_join(pointer, "Branches", i), name, "branch")
    elif kind == "Map":
        for key in ("ItemProcessor", "Iterator"):
            body = state.get(key)
            if isinstance(body, dict):
                yield Scope(body, pointer_join(pointer, key), name, "map")


__all__ = [
    "JSONATA",
    "JSONPATH",
    "QUERY_LANGUAGES",
    "Scope",
    "StateRef",
    "collect_scopes",
    "machine_language",
]
