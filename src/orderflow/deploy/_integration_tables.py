"""DynamoDB tables the workflows themselves use (``dynamodb:getItem``/``updateItem``/...).

A service declares its tables on the app; a workflow's optimized DynamoDB integrations (a
circuit breaker's state, for example) name theirs in the definition. Deploy creates those
that belong to the stack, that is whose name starts with ``{prefix}-`` (so destroy finds
them like every other table), keyed by the attribute the definition's ``Key`` uses. A
table named otherwise is someone else's: deploy grants the role access to it (see
:mod:`orderflow.deploy._grants`) but does not create it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from orderflow.asl import Definition

_KEYED = ("getItem", "updateItem", "deleteItem")


def _block(state: Mapping[str, Any]) -> Mapping[str, Any]:
    for field in ("Parameters", "Arguments"):
        value = state.get(field)
        if isinstance(value, Mapping):
            return value
    return {}


def integration_tables(definitions: Iterable[Definition], prefix: str) -> dict[str, str]:
    """Table name -> partition key attribute, for the stack's tables the definitions key.

    Only a literal ``TableName`` starting with ``{prefix}-`` and a ``Key`` of one string
    attribute (``{"breaker": {"S": ...}}``) count; the first state naming a table decides
    its key.
    """
    found: dict[str, str] = {}
    for definition in definitions:
        for _pointer, _name, state in definition.iter_states():
            resource = state.get("Resource")
            if not isinstance(resource, str) or ":states:::dynamodb:" not in resource:
                continue
            if resource.rsplit(":", 1)[-1] not in _KEYED:
                continue
            block = _block(state)
            table, key = block.get("TableName"), block.get("Key")
            if not isinstance(table, str) or not table.startswith(f"{prefix}-"):
                continue
            if table in found or not isinstance(key, Mapping) or len(key) != 1:
                continue
            ((attribute, value),) = key.items()
            if isinstance(value, Mapping) and "S" in value:
                found[table] = attribute.removesuffix(".$")
    return found


__all__ = ["integration_tables"]
