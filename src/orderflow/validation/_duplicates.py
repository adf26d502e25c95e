"""Duplicate keys in ASL JSON text.

A JSON decoder keeps only the last of two equal keys, so a hand-written machine with two
states of the same name silently loses one of them. Only the text shows it: this module
re-reads the text once, noting every object that had a key twice, then finds those objects'
JSON pointers with one walk over the result.
"""

from __future__ import annotations

import json
from typing import Any

from orderflow.validation._diagnostic import Collector, pointer_join


def check_duplicate_keys(text: str | bytes, out: Collector) -> None:
    """Report every key that appears twice in one JSON object of ``text``.

    ``text`` must already be known to be valid JSON (the caller parsed it).
    """
    repeated: dict[int, list[str]] = {}
    # Objects dropped by a later equal key would free their id for reuse; keep them alive.
    alive: list[dict[str, Any]] = []

    def keep(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        dupes = []
        for key, value in pairs:
            if key in result:
                dupes.append(key)
            result[key] = value
        if dupes:
            repeated[id(result)] = dupes
            alive.append(result)
        return result

    root = json.loads(text, object_pairs_hook=keep)
    if not repeated:
        return
    stack: list[tuple[Any, str, str | None, bool]] = [(root, "", None, False)]
    while stack:
        node, pointer, state, in_states = stack.pop()
        if isinstance(node, dict):
            for key in repeated.get(id(node), []):
                _report(key, pointer, state, in_states, out)
            for key, value in node.items():
                child_state = key if in_states else state
                stack.append((value, pointer_join(pointer, key), child_state, key == "States"))
        elif isinstance(node, list):
            stack.extend(
                (value, pointer_join(pointer, i), state, False) for i, value in enumerate(node)
            )


def _report(key: str, pointer: str, state: str | None, in_states: bool, out: Collector) -> None:
    if in_states:
        out.report(
            "duplicate-state-name",
            pointer_join(pointer, key),
            f"state {key!r} is defined twice in the same States object; JSON keeps only the "
            "last one, so the first is silently lost — rename one of them",
            state=key,
        )
    else:
        out.report(
            "duplicate-key",
            pointer_join(pointer, key),
            f"{key!r} appears twice in the same object; JSON keeps only the last value — "
            "remove one of them",
            state=state,
            field=key,
        )


__all__ = ["check_duplicate_keys"]
