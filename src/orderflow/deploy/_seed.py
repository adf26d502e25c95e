"""Sample data for a fresh stack: the demo users and stock, written once, never overwritten.

The recipe's validation steps order as user ``u-100``; on a new stack the users table is
empty and the workflow would (correctly) reject the order. ``deploy --seed-sample-data``
writes ``orderflow.services.SAMPLE_USERS`` and ``SAMPLE_STOCK`` with a put-if-absent
condition, so running it again never resets stock that executions have since reserved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeSerializer  # type: ignore[import-untyped]

from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Progress
from orderflow.services import SAMPLE_STOCK, SAMPLE_USERS, TABLES


def sample_items() -> dict[str, list[dict[str, Any]]]:
    """Logical table -> the sample items to write into it."""
    return {
        "users": [dict(user) for user in SAMPLE_USERS],
        "stock": [
            {"product_id": product, "available": available}
            for product, available in sorted(SAMPLE_STOCK.items())
        ],
    }


def seed_sample_data(
    aws: Aws,
    names: StackNames,
    progress: Progress,
    items: Mapping[str, list[dict[str, Any]]] | None = None,
) -> dict[str, int]:
    """Write each item unless an item with its key exists; returns table -> items written."""
    client = aws.client("dynamodb")
    serializer = TypeSerializer()
    written: dict[str, int] = {}
    for table, rows in sorted((items if items is not None else sample_items()).items()):
        physical = names.table(table)
        key = TABLES[table]
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
