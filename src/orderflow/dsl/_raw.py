"""What a raw ASL state does to the state data, read from its fields.

``flow.raw`` accepts any ASL state, so the builder cannot know what it produces; it can know
whether the state *keeps* its input. A state that keeps it (``ResultPath: null``, a
``ResultPath`` under a new key, a Wait, a plain Pass) lets every earlier reference through.
One that replaces it (no ``ResultPath``, ``$``, an ``InputPath``/``OutputPath`` that narrows
the data, any JSONata ``Output``) is a barrier: references made before it cannot be read
after it, and the build says so, naming both states, instead of the execution failing with
``States.Runtime`` on AWS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from orderflow._errors import WorkflowBuildError

_KEY = re.compile(r"\$\.([A-Za-z_][A-Za-z0-9_]*)((?:\.[A-Za-z_][A-Za-z0-9_]*)*)\Z")
_TRANSITIONS = ("Succeed", "Fail", "Choice")


@dataclass(frozen=True)
class RawEffect:
    """``keeps``: the input survives (with ``key`` added when the result goes there);
    ``replaces``: the output is something else; ``ends``: the state manages its own
    transitions, so nothing after it in the sequence reads its output."""

    kind: Literal["keeps", "replaces", "ends"]
    key: str | None = None
    nested: bool = False


def raw_effect(name: str, state: dict[str, Any], jsonata: bool) -> RawEffect:
    """How ``state`` (a raw state called ``name``) changes the data that flows on.

    Raises:
        WorkflowBuildError: the ResultPath is not a plain ``$.a.b`` reference path.
    """
    kind = state["Type"]
    if kind in _TRANSITIONS or "Next" in state or "End" in state:
        return RawEffect("ends")
    if jsonata or state.get("QueryLanguage") == "JSONata":
        # JSONata has no ResultPath: a Task's, Map's or Parallel's output is its result
        # unless Output says otherwise, and Output may say anything.
        if "Output" in state or kind in ("Task", "Map", "Parallel"):
            return RawEffect("replaces")
        return RawEffect("keeps")
    if state.get("OutputPath", "$") != "$":
        return RawEffect("replaces")
    narrowed = state.get("InputPath", "$") != "$"
    if kind == "Wait":
        return RawEffect("replaces" if narrowed else "keeps")
    if "ResultPath" in state and state["ResultPath"] is None:
        return RawEffect("keeps")
    result_path = state.get("ResultPath", "$")
    plain_pass = kind == "Pass" and "Result" not in state and "Parameters" not in state
    if plain_pass and result_path == "$":
        return RawEffect("replaces" if narrowed else "keeps")
    if result_path == "$" or narrowed:
        return RawEffect("replaces")
    match = _KEY.match(str(result_path))
    if match is None:
        raise WorkflowBuildError(
            f"ResultPath {result_path!r} must be null, '$' or a plain path such as '$.key' "
            "for the DSL to follow the data through this raw state",
            state=name,
            field="ResultPath",
        )
    return RawEffect("keeps", match.group(1), bool(match.group(2)))


__all__ = ["RawEffect", "raw_effect"]
