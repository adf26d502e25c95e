"""An in-memory DynamoDB behind ``dynamodb:getItem/putItem/updateItem/deleteItem``.

Items are kept in DynamoDB's own JSON (``{"S": "x"}``), exactly as the integration sends
them, so what a test reads from :attr:`FakeDynamoDB.tables` is what the table would hold.
``UpdateExpression`` supports ``SET`` and ``REMOVE`` of top-level attributes;
``ConditionExpression`` supports ``attribute_exists``/``attribute_not_exists``. Anything
else fails the task with ``DynamoDB.ValidationException`` saying the fake cannot do it
(never a silent no-op).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from orderflow.executor._fakes._common import Ids, metadata, need, service_error

_SDK = "AmazonDynamoDBv2"
_CONDITION = re.compile(r"\s*(attribute_exists|attribute_not_exists)\s*\(\s*([#\w]+)\s*\)\s*\Z")
_ASSIGN = re.compile(r"\s*([#\w]+)\s*=\s*(:\w+)\s*\Z")


@dataclass
class Table:
    """One table: its key attribute names and its items (DynamoDB JSON)."""

    key: tuple[str, ...]
    items: list[dict[str, Any]] = field(default_factory=list)

    def find(self, key: dict[str, Any]) -> int | None:
        for i, item in enumerate(self.items):
            if all(item.get(name) == key.get(name) for name in self.key):
                return i
        return None


class FakeDynamoDB:
    """The tables, by name: ``tables["orders"].items``."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.tables: dict[str, Table] = {}

    def create_table(self, name: str, key: str | Sequence[str]) -> Table:
        """Create (or empty) table ``name`` keyed by ``key`` (partition[, sort])."""
        names = (key,) if isinstance(key, str) else tuple(key)
        self.tables[name] = Table(names)
        return self.tables[name]

    def _error(self, code: str, message: str) -> Exception:
        return service_error(self.ids, "DynamoDB", _SDK, code, message)

    def _table(self, params: Any) -> Table:
        name = need(params, "TableName", self.ids, "DynamoDB", _SDK)
        table = self.tables.get(str(name).rsplit("/", 1)[-1])
        if table is None:
            raise self._error("ResourceNotFoundException", "Requested resource not found")
        return table

    def _key(self, table: Table, params: dict[str, Any]) -> dict[str, Any]:
        key = need(params, "Key", self.ids, "DynamoDB", _SDK)
        if not isinstance(key, dict) or set(key) != set(table.key):
            raise self._error(
                "ValidationException", "The provided key element does not match the schema"
            )
        return key

    def _check_condition(self, params: dict[str, Any], existing: dict[str, Any] | None) -> None:
        expression = params.get("ConditionExpression")
        if expression is None:
            return
        match = _CONDITION.match(str(expression))
        if match is None:
            raise self._error(
                "ValidationException",
                f"the local DynamoDB fake supports only attribute_exists/attribute_not_exists "
                f"conditions, not {expression!r}",
            )
        attribute = _name(match.group(2), params)
        present = existing is not None and attribute in existing
        if present != (match.group(1) == "attribute_exists"):
            raise self._error("ConditionalCheckFailedException", "The conditional request failed")

    # --- the integration's actions ----------------------------------------------------

    def get_item(self, params: Any) -> dict[str, Any]:
        table = self._table(params)
        index = table.find(self._key(table, params))
        found: dict[str, Any] = {}
        if index is not None:
            found["Item"] = copy.deepcopy(table.items[index])
        return {**found, **metadata(self.ids)}

    def put_item(self, params: Any) -> dict[str, Any]:
        table = self._table(params)
        item = need(params, "Item", self.ids, "DynamoDB", _SDK)
        if not isinstance(item, dict) or any(name not in item for name in table.key):
            raise self._error(
                "ValidationException", "One or more parameter values were invalid: missing key"
            )
        index = table.find(item)
        self._check_condition(params, None if index is None else table.items[index])
        if index is None:
            table.items.append(copy.deepcopy(item))
        else:
            table.items[index] = copy.deepcopy(item)
        return metadata(self.ids)

    def update_item(self, params: Any) -> dict[str, Any]:
        table = self._table(params)
        key = self._key(table, params)
        index = table.find(key)
        existing = None if index is None else table.items[index]
        self._check_condition(params, existing)
        item = copy.deepcopy(existing) if existing is not None else copy.deepcopy(key)
        self._apply(str(params.get("UpdateExpression", "")), params, item)
        if index is None:
            table.items.append(item)
        else:
            table.items[index] = item
        answer = metadata(self.ids)
        if params.get("ReturnValues") == "ALL_NEW":
            answer = {"Attributes": copy.deepcopy(item), **answer}
        return answer

    def delete_item(self, params: Any) -> dict[str, Any]:
        table = self._table(params)
        index = table.find(self._key(table, params))
        self._check_condition(params, None if index is None else table.items[index])
        if index is not None:
            del table.items[index]
        return metadata(self.ids)

    def _apply(self, expression: str, params: dict[str, Any], item: dict[str, Any]) -> None:
        if not expression.strip():
            raise self._error("ValidationException", "UpdateExpression is required")
        values = params.get("ExpressionAttributeValues") or {}
        # Split into clauses; text before the first keyword, or ADD/DELETE, is unsupported.
        pieces = re.split(r"\b(SET|REMOVE|ADD|DELETE)\b", expression)
        if pieces[0].strip() or any(k in ("ADD", "DELETE") for k in pieces[1::2]):
            raise self._unsupported(expression)
        changed = copy.deepcopy(item)
        for clause, body in zip(pieces[1::2], pieces[2::2], strict=True):
            parts = [p for p in body.split(",") if p.strip()]
            if not parts:
                raise self._unsupported(expression)
            for part in parts:
                if clause == "REMOVE":
                    changed.pop(_name(part.strip(), params), None)
                    continue
                match = _ASSIGN.match(part)
                if match is None or match.group(2) not in values:
                    raise self._unsupported(part.strip())
                changed[_name(match.group(1), params)] = copy.deepcopy(values[match.group(2)])
        item.clear()
        item.update(changed)

    def _unsupported(self, text: str) -> Exception:
        return self._error(
            "ValidationException",
            f"the local DynamoDB fake supports 'SET name = :value' and 'REMOVE name', not {text!r}",
        )


def _name(token: str, params: dict[str, Any]) -> str:
    if token.startswith("#"):
        names = params.get("ExpressionAttributeNames") or {}
        return str(names.get(token, token))
    return token


__all__ = ["FakeDynamoDB", "Table"]
