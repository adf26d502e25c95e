"""Storage for services: named key-value tables, in memory or in DynamoDB.

Every table has one partition key. An app declares its tables (table name -> key
attribute, :attr:`orderflow.App.tables`); a :class:`Store` holds exactly those, and deploy
creates the DynamoDB tables from the same declaration, so it lists exactly the keys the
code queries. Services need only a few operations, plus optimistic concurrency:

* ``get(key)``: the item or ``None``;
* ``put(item, expect=...)``: write; ``expect`` makes it conditional — ``expect=None`` (the
  default) writes unconditionally, ``expect=ABSENT`` only when no item has that key,
  ``expect={"attr": value}`` only when the stored item has exactly those values.
  A failed condition returns ``False`` instead of writing;
* ``delete(key)``.

:func:`put_new` builds "create once, or return what a concurrent twin created" on top of
``put`` and ``get``, so it works on any ``Table``, including a user's own test double.

Items are JSON-like dicts (str, int, bool, None, lists, dicts). Numbers are integers only
(money is integer cents): ``DynamoTable`` converts DynamoDB's ``Decimal`` back to ``int`` and
refuses floats rather than store a binary fraction.

No secondary indexes: a service derives the ids a later call looks up from the key the
caller holds (the order app derives an order id from its request id, for instance).
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Final, NamedTuple, Protocol

from orderflow._errors import OrderflowError

Item = dict[str, Any]
"""One stored record: a JSON-like dict whose numbers are ints."""


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()
"""``put(item, expect=ABSENT)`` writes only when no item has the item's key."""

Expectation = Mapping[str, Any] | _Absent | None

TableKeys = Mapping[str, str]
"""Table name -> its partition key attribute (a string), as an app declares its tables."""


class StorageError(OrderflowError, RuntimeError):
    """A table is unknown, an item is malformed, or the backing store failed."""


class Table(Protocol):
    """What the services need from a table."""

    @property
    def name(self) -> str:
        """The logical table name (``orders``), without any deploy prefix."""
        ...

    @property
    def key(self) -> str:
        """The partition key attribute."""
        ...

    def get(self, key: str) -> Item | None:
        """Return the item whose partition key is ``key``, or ``None``."""
        ...

    def put(self, item: Mapping[str, Any], *, expect: Expectation = None) -> bool:
        """Write ``item``; with ``expect``, only if the condition holds. True when written."""
        ...

    def delete(self, key: str) -> None:
        """Remove the item with this key (no error when absent)."""
        ...

    def scan(self) -> list[Item]:
        """Every item (a snapshot; for inspection and tests, not for request paths)."""
        ...


class Stored(NamedTuple):
    """What :func:`put_new` found: the item now stored under the key, and who wrote it.

    Attributes:
        item: the stored item (ours when ``created``, the concurrent winner's otherwise).
        created: True when this call wrote it; False when an item with that key existed.
    """

    item: Item
    created: bool


def put_new(table: Table, item: Mapping[str, Any]) -> Stored:
    """Write ``item`` only if no item has its key; otherwise read the one that is there.

    Services use it for idempotent creation: when a concurrent identical request wins the
    conditional write, its record is the answer. Exactly one conditional ``put``, plus one
    ``get`` only when the write lost (so the IAM grant and recorded access stay the same).

    Args:
        table: any table.
        item: the item to create; its key attribute must be set.

    Returns:
        The stored item and whether this call created it.

    Raises:
        StorageError: the write lost, yet no item is stored under the key (it was deleted
            in between), so there is neither our item nor a winner to return.
    """
    if table.put(item, expect=ABSENT):
        return Stored(_plain(item, table.name), created=True)
    key = _check_item(table.name, table.key, item)
    winner = table.get(key)
    if winner is None:
        raise StorageError(
            f"table {table.name!r} refused to create {table.key}={key!r} because an item "
            "existed, but none is there now (deleted concurrently); retry the request"
        )
    return Stored(winner, created=False)


def _check_item(table: str, key: str, item: Mapping[str, Any]) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise StorageError(f"item for table {table!r} needs a non-empty string {key!r}")
    return value


def _matches(stored: Item | None, expect: Expectation) -> bool:
    if expect is None:
        return True
    if isinstance(expect, _Absent):
        return stored is None
    return stored is not None and all(stored.get(k) == v for k, v in expect.items())


class InMemoryTable:
    """A table in a dict; items are deep-copied in and out so callers cannot alias them."""

    def __init__(self, name: str, key: str) -> None:
        self._name = name
        self._key = key
        self._items: dict[str, Item] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def key(self) -> str:
        return self._key

    def get(self, key: str) -> Item | None:
        item = self._items.get(key)
        return copy.deepcopy(item) if item is not None else None

    def put(self, item: Mapping[str, Any], *, expect: Expectation = None) -> bool:
        key = _check_item(self._name, self._key, item)
        if not _matches(self._items.get(key), expect):
            return False
        self._items[key] = _plain(item, self._name)
        return True

    def delete(self, key: str) -> None:
        self._items.pop(key, None)

    def scan(self) -> list[Item]:
        return [copy.deepcopy(item) for item in self._items.values()]

    def __len__(self) -> int:
        return len(self._items)


def _plain(value: Any, where: str) -> Any:
    """A deep copy of a JSON-like value; floats and other types are refused."""
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, float):
        raise StorageError(f"refusing to store float at {where}: money and counts are integers")
    if isinstance(value, Mapping):
        return {str(k): _plain(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise StorageError(f"cannot store {type(value).__name__} at {where}: use JSON-like values")


def _from_dynamo(value: Any) -> Any:
    if isinstance(value, Decimal):
        if value != value.to_integral_value():
            raise StorageError(f"non-integer number {value} read from DynamoDB")
        return int(value)
    if isinstance(value, Mapping):
        return {k: _from_dynamo(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo(v) for v in value]
    return value


class DynamoTable:
    """A table backed by a DynamoDB table (via a boto3 ``Table`` resource).

    Args:
        name: the logical table name (``orders``).
        key: its partition key attribute.
        resource: a boto3 DynamoDB ``Table`` resource for the physical table.
    """

    def __init__(self, name: str, key: str, resource: Any) -> None:
        self._name = name
        self._key = key
        self._resource = resource

    @property
    def name(self) -> str:
        return self._name

    @property
    def key(self) -> str:
        return self._key

    def get(self, key: str) -> Item | None:
        response = self._resource.get_item(Key={self._key: key}, ConsistentRead=True)
        item = response.get("Item")
        return _from_dynamo(item) if item is not None else None

    def put(self, item: Mapping[str, Any], *, expect: Expectation = None) -> bool:
        _check_item(self._name, self._key, item)
        kwargs: dict[str, Any] = {"Item": _plain(item, self._name)}
        if isinstance(expect, _Absent):
            kwargs["ConditionExpression"] = "attribute_not_exists(#k)"
            kwargs["ExpressionAttributeNames"] = {"#k": self._key}
        elif expect is not None:
            names = {f"#a{i}": attr for i, attr in enumerate(expect)}
            values = {f":v{i}": _plain(v, attr) for i, (attr, v) in enumerate(expect.items())}
            kwargs["ConditionExpression"] = " AND ".join(
                f"#a{i} = :v{i}" for i in range(len(names))
            )
            kwargs["ExpressionAttributeNames"] = names
            kwargs["ExpressionAttributeValues"] = values
        try:
            self._resource.put_item(**kwargs)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self._resource.delete_item(Key={self._key: key})

    def scan(self) -> list[Item]:
        items: list[Item] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = self._resource.scan(**kwargs)
            items.extend(_from_dynamo(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Store:
    """The named tables services use (an app's :meth:`orderflow.App.deps` builds one).

    Example:
        >>> store = Store.in_memory({"users": "user_id"})
        >>> store.table("users").put({"user_id": "u-1", "email": "a@example.com"})
        True
    """

    def __init__(self, tables: Mapping[str, Table]) -> None:
        self._tables = dict(tables)

    @property
    def names(self) -> tuple[str, ...]:
        """The logical table names, sorted."""
        return tuple(sorted(self._tables))

    def table(self, name: str) -> Table:
        """The table called ``name``.

        Raises:
            StorageError: the store has no such table (the message lists the known ones).
        """
        try:
            return self._tables[name]
        except KeyError:
            raise StorageError(
                f"unknown table {name!r}; known: {', '.join(sorted(self._tables))}"
            ) from None

    __getitem__ = table

    @classmethod
    def in_memory(cls, keys: TableKeys) -> Store:
        """An empty store with one ``InMemoryTable`` per table of ``keys``."""
        return cls({name: InMemoryTable(name, key) for name, key in keys.items()})

    @classmethod
    def dynamodb(cls, prefix: str, keys: TableKeys, *, resource: Any = None) -> Store:
        """A store over existing DynamoDB tables named ``{prefix}-{table}``.

        Args:
            prefix: the deploy name prefix.
            keys: table name -> partition key attribute.
            resource: a boto3 DynamoDB service resource; by default one is made from the
                environment (region, credentials and ``AWS_ENDPOINT_URL`` as boto3 reads them).
        """
        if resource is None:
            boto3: Any = importlib.import_module("boto3")
            resource = boto3.resource("dynamodb")
        return cls(
            {
                name: DynamoTable(name, key, resource.Table(physical_table_name(prefix, name)))
                for name, key in keys.items()
            }
        )

    @classmethod
    def from_environment(cls, env: Mapping[str, str], keys: TableKeys) -> Store:
        """Build a store as the Lambda adapter does.

        ``ORDERFLOW_STORAGE`` is ``memory`` (default) or ``dynamodb``; for DynamoDB,
        ``ORDERFLOW_TABLE_PREFIX`` (default ``orderflow``) names the tables
        ``{prefix}-{table}``. The endpoint comes from ``AWS_ENDPOINT_URL``, which boto3
        honours itself.

        Args:
            env: the environment.
            keys: table name -> partition key attribute of the tables to open.

        Raises:
            StorageError: ``ORDERFLOW_STORAGE`` has another value.
        """
        kind = env.get("ORDERFLOW_STORAGE", "memory").strip().lower()
        if kind == "memory":
            return cls.in_memory(keys)
        if kind == "dynamodb":
            return cls.dynamodb(env.get("ORDERFLOW_TABLE_PREFIX", "orderflow"), keys)
        raise StorageError(f"ORDERFLOW_STORAGE must be 'memory' or 'dynamodb', not {kind!r}")


def physical_table_name(prefix: str, table: str) -> str:
    """The DynamoDB table name for a logical table: ``{prefix}-{table}``."""
    return f"{prefix}-{table}"


__all__ = [
    "ABSENT",
    "DynamoTable",
    "Expectation",
    "InMemoryTable",
    "Item",
    "StorageError",
    "Store",
    "Stored",
    "Table",
    "TableKeys",
    "physical_table_name",
    "put_new",
]
