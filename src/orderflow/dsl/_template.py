"""Payload templates from Python values that may hold references at any depth.

``{"order": order, "note": "x", "lines": [{"sku": line.sku}]}`` becomes
``{"order.$": "$.create_order", "note": "x", "lines": [{"sku.$": "$.line.sku"}]}``. A
reference standing alone inside a list cannot be written in JSONPath templates (only object
fields take ``.$``), so it is refused with a hint.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref
from orderflow.dsl._scope import Scope


def put(out: dict[str, Any], key: str, value: Any, scope: Scope, state: str) -> None:
    """Set ``key`` in the template ``out`` to ``value`` (``key.$`` for a reference)."""
    if isinstance(value, Ref):
        out[f"{key}.$"] = scope.resolve(value, state)
    else:
        out[key] = literal(value, scope, state, key)


def literal(value: Any, scope: Scope, state: str, field: str) -> Any:
    """``value`` as template JSON; nested references become ``.$`` fields."""
    if isinstance(value, Ref):
        raise WorkflowBuildError(
            f"{value._of_path} sits directly in a list, where ASL cannot place a path; wrap it "
            "in an object ({'value': ref}) or build the list with flow.pass_",
            state=state,
            field=field,
        )
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, BaseModel):
        return literal(dict(value.__dict__), scope, state, field)
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise WorkflowBuildError(
                    f"object keys must be strings, got {key!r}", state=state, field=field
                )
            put(out, key, item, scope, state)
        return out
    if isinstance(value, (list, tuple)):
        return [literal(item, scope, state, field) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise WorkflowBuildError(
        f"{type(value).__name__} is not JSON; pass a reference, a model or plain JSON values",
        state=state,
        field=field,
    )


__all__ = ["literal", "put"]
