"""Sample data for a fresh stack: the app's sample rows, written once, never overwritten.

An app's ``seed_data(store)`` writes its sample rows (the order app: its users and stock);
on a new stack the tables are empty and a workflow would (correctly) reject the sample
input. ``deploy --seed-sample-data`` runs ``seed_data`` on an in-memory store with the app's
tables and writes what it holds with a put-if-absent condition, so running it again never
resets rows that executions have since changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeSerializer  # type: ignore[import-untyped]

from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Progress
from orderflow.runtime._storage import Store

if TYPE_CHECKING:
    from orderflow._app import App


def sample_items(app: App) -> dict[str, list[dict[str, Any]]]:
    """Logical table -> the sample items ``app.seed_data`` writes (tables it leaves empty
    are left out); empty when the app has no seed data."""
    if app.seed_data is None:
        return {}
    store = Store.in_memory(app.tables)
    app.seed_data(store)
    items: dict[str, list[dict[str, Any]]] = {}
    for table, key in sorted(app.tables.items()):
        rows = sorted(store.table(table).scan(), key=lambda row: str(row.get(key)))
        if rows:
            items[table] = rows
    return items


def seed_sample_data(
    aws: Aws,
    names: StackNames,
    progress: Progress,
    items: Mapping[str, list[dict[str, Any]]],
    keys: Mapping[str, str],
) -> dict[str, int]:
    """Write each item unless an item with its key exists; returns table -> items written.

    Args:
        aws: the connection.
        names: the stack's names.
        progress: receives one line per table.
        items: logical table -> items (see :func:`sample_items`).
        keys: logical table -> partition key attribute (the app's tables).
    """
    client = aws.client("dynamodb")
    serializer = TypeSerializer()
    written: dict[str, int] = {}
    for table, rows in sorted(items.items()):
        physical = names.table(table)
        key = keys[table]
        count = 0
        for row in rows:
            try:
                client.put_item(
                    TableName=physical,
                    Item={k: serializer.serialize(v) for k, v in row.items()},
                    ConditionExpression="attribute_not_exists(#k)",
                    ExpressionAttributeNames={"#k": key},
                )
                count += 1
            except Exception as exc:
                if error_code(exc) == "ConditionalCheckFailedException":
                    continue
                with calling(f"DynamoDB table {physical}", "dynamodb:PutItem"):
                    raise
        written[table] = count
        progress(
            f"seeded DynamoDB table {physical} ({count} of {len(rows)} sample items written, "
            "the rest already present)"
        )
    return written


__all__ = ["sample_items", "seed_sample_data"]
