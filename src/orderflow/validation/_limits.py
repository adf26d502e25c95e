"""Size and naming limits AWS enforces on a definition.

* A literal payload (a Pass ``Result``, a ``Parameters``/``Arguments``/``Output``/``Assign``
  template) larger than 256 KiB can never be passed between states: AWS accepts the
  definition, but the state always fails with ``States.DataLimitExceeded``, so it is a
  warning (an error would reject definitions AWS accepts).
* The definition itself is limited to 1,048,576 characters by CreateStateMachine.
* A Map ``Label`` (the name of its child executions) has at most 40 characters and none of
  AWS's forbidden name characters.
"""

from __future__ import annotations

import json
from typing import Any

from orderflow.validation._diagnostic import Collector
from orderflow.validation._walk import StateRef

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_DEFINITION_CHARS = 1_048_576
MAX_LABEL = 40
_LITERAL_FIELDS = (
    "Result",
    "Parameters",
    "Arguments",
    "Output",
    "Assign",
    "ResultSelector",
    "ItemSelector",
)
# AWS's rule for names: no brackets, wildcards, these punctuation marks, whitespace or
# control characters (U+0000 to U+001F, U+007F to U+009F).
_FORBIDDEN_LABEL_CHARS = frozenset('<>{}[]?*"#%\\^|~`$&,;:/')


def encoded_size(value: Any) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON, the way AWS counts payload size."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def check_definition_size(text_size: int, out: Collector) -> None:
    if text_size > MAX_DEFINITION_CHARS:
        out.report(
            "definition-too-large",
            "/",
            f"the definition is {text_size:,} characters; CreateStateMachine accepts at most "
            f"{MAX_DEFINITION_CHARS:,} — move large literals to S3 or split the machine",
        )


def check_state_limits(ref: StateRef, out: Collector) -> None:
    """Literal sizes of one state and its Map Label."""
    for key in _LITERAL_FIELDS:
        if key in ref.state:
            size = encoded_size(ref.state[key])
            if size > MAX_PAYLOAD_BYTES:
                out.report(
                    "payload-too-large",
                    ref.at(key),
                    f"{key} is {size:,} bytes as JSON, over the 256 KiB ({MAX_PAYLOAD_BYTES:,} "
                    "bytes) payload limit: the state will always fail with "
                    "States.DataLimitExceeded; store the data in S3 and pass a reference",
                    state=ref.name,
                    field=key,
                )
    if ref.type == "Map" and "Label" in ref.state:
        problem = label_problem(ref.state["Label"])
        if problem is not None:
            out.report("invalid-label", ref.at("Label"), problem, state=ref.name, field="Label")


def label_problem(label: object) -> str | None:
    """Why a Map Label is invalid, or None when it is fine."""
    if not isinstance(label, str):
        return "Label must be a string"
    if not label:
        return "Label cannot be empty; remove it or give the child executions a name"
    if len(label) > MAX_LABEL:
        return f"Label has {len(label)} characters; it cannot exceed {MAX_LABEL}"
    for char in label:
        code = ord(char)
        if char in _FORBIDDEN_LABEL_CHARS or char.isspace() or code <= 0x1F or 0x7F <= code <= 0x9F:
            return (
                f"Label contains the invalid character {char!r}; labels cannot contain "
                "whitespace, brackets, wildcards, control characters or any of "
                + "".join(sorted(_FORBIDDEN_LABEL_CHARS))
            )
    return None


__all__ = [
    "MAX_DEFINITION_CHARS",
    "MAX_LABEL",
    "MAX_PAYLOAD_BYTES",
    "check_definition_size",
    "check_state_limits",
    "encoded_size",
    "label_problem",
]
