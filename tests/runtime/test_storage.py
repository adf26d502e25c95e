from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from orderflow.orders import (
    TABLES,
    AuthorizePaymentInput,
    CreateOrderInput,
    OrderItem,
    RefundPaymentInput,
    ReleaseInventoryInput,
    ReserveInventoryInput,
    authorize_payment,
    create_order,
    refund_payment,
    release_inventory,
    reserve_inventory,
    seed_sample_data,
)
from orderflow.runtime import (
    ABSENT,
    DynamoTable,
    InMemoryTable,
    ServiceDeps,
    SteppingClock,
    StorageError,
    Store,
    Stored,
    physical_table_name,
    put_new,
)

PREFIX = "test-orderflow"


@pytest.fixture
def aws(aws_test_env: dict[str, str]) -> Iterator[Any]:
    """A moto in-process DynamoDB with the orderflow tables, dummy credentials only
    (``aws_test_env`` also points the AWS config files away from any real profile)."""
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    with moto.mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        for table, key in TABLES.items():
            resource.create_table(
                TableName=physical_table_name(PREFIX, table),
                KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            )
        yield resource


def _tables(kind: str, aws_resource: Any = None) -> Any:
    if kind == "memory":
        return InMemoryTable("orders", "order_id")
    return DynamoTable(
        "orders", "order_id", aws_resource.Table(physical_table_name(PREFIX, "orders"))
    )


def _exercise_table(table: Any) -> None:
    item = {"order_id": "o-1", "total_cents": 12345, "items": [{"q": 2}], "ok": True, "none": None}
    assert table.get("o-1") is None
    assert table.put(item) is True
    got = table.get("o-1")
    assert got == item
    assert type(got["total_cents"]) is int and type(got["items"][0]["q"]) is int
    assert table.put({**item, "total_cents": 1}, expect=ABSENT) is False
    assert table.put({**item, "total_cents": 2}, expect={"total_cents": 999}) is False
    assert table.put({**item, "total_cents": 2}, expect={"total_cents": 12345}) is True
    assert table.get("o-1")["total_cents"] == 2
    assert [i["order_id"] for i in table.scan()] == ["o-1"]
    got["total_cents"] = 7  # mutating a returned item must not change the table
    assert table.get("o-1")["total_cents"] == 2
    table.delete("o-1")
    table.delete("o-1")
    assert table.get("o-1") is None
    with pytest.raises(StorageError, match="float"):
        table.put({"order_id": "o-2", "total": 1.5})
    with pytest.raises(StorageError, match="order_id"):
        table.put({"total": 1})


def test_in_memory_table() -> None:
    _exercise_table(_tables("memory"))


def test_dynamo_table(aws: Any) -> None:
    _exercise_table(_tables("dynamo", aws))


def test_dynamo_decimal_fraction_is_refused(aws: Any) -> None:
    raw = aws.Table(physical_table_name(PREFIX, "orders"))
    raw.put_item(Item={"order_id": "o-9", "total_cents": Decimal("1.5")})
    with pytest.raises(StorageError, match="non-integer"):
        _tables("dynamo", aws).get("o-9")


def test_store_from_environment_memory_and_errors() -> None:
    store = Store.from_environment({}, TABLES)
    assert isinstance(store.table("users"), InMemoryTable)
    with pytest.raises(StorageError, match="ORDERFLOW_STORAGE"):
        Store.from_environment({"ORDERFLOW_STORAGE": "redis"}, TABLES)
    with pytest.raises(StorageError, match="unknown table 'carts'"):
        store.table("carts")


def test_services_end_to_end_on_dynamodb(aws: Any) -> None:
    store = Store.from_environment(
        {"ORDERFLOW_STORAGE": "dynamodb", "ORDERFLOW_TABLE_PREFIX": PREFIX}, TABLES
    )
    assert isinstance(store.table("stock"), DynamoTable)
    deps = ServiceDeps(store=seed_sample_data(store), clock=SteppingClock(), rng=random.Random(0))
    items = [OrderItem(product_id="p-9", quantity=2, unit_price_cents=60_001)]
    order = create_order(CreateOrderInput(request_id="r", user_id="u-100", items=items), deps)
    assert order.total_cents == 120_002
    assert (
        create_order(CreateOrderInput(request_id="r", user_id="u-100", items=items), deps) == order
    )
    payment = authorize_payment(
        AuthorizePaymentInput(
            idempotency_key="r", user_id="u-100", amount_cents=order.total_cents, credit_score=720
        ),
        deps,
    )
    reservation = reserve_inventory(ReserveInventoryInput(reservation_id="r", items=items), deps)
    assert store.table("stock").get("p-9") == {"product_id": "p-9", "available": 0}
    release_inventory(ReleaseInventoryInput(reservation_id=reservation.reservation_id), deps)
    assert store.table("stock").get("p-9") == {"product_id": "p-9", "available": 2}
    refund = refund_payment(RefundPaymentInput(idempotency_key=payment.idempotency_key), deps)
    assert refund.amount_cents == 120_002
    raw = aws.Table(physical_table_name(PREFIX, "payments")).get_item(
        Key={"transaction_id": payment.transaction_id}
    )
    assert raw["Item"]["amount_cents"] == Decimal(120_002)  # stored as a DynamoDB number


@pytest.mark.parametrize("kind", ["memory", "dynamo"])
def test_put_new_creates_once_then_returns_the_winner(kind: str, request: Any) -> None:
    table = _tables(kind, request.getfixturevalue("aws") if kind == "dynamo" else None)
    first = put_new(table, {"order_id": "o-1", "total_cents": 5})
    assert first == Stored({"order_id": "o-1", "total_cents": 5}, created=True)
    second = put_new(table, {"order_id": "o-1", "total_cents": 6})
    assert second == Stored({"order_id": "o-1", "total_cents": 5}, created=False)
    assert table.get("o-1") == {"order_id": "o-1", "total_cents": 5}


class _VanishingWinner(InMemoryTable):
    """A table whose conflicting item is deleted between the failed put and the read."""

    def put(self, item: Any, *, expect: Any = None) -> bool:
        written = super().put(item, expect=expect)
        if not written:
            self.delete(item[self.key])
        return written


def test_put_new_raises_storage_error_when_the_winner_vanished() -> None:
    table = _VanishingWinner("orders", "order_id")
    table.put({"order_id": "o-1"})
    with pytest.raises(StorageError, match=r"'orders'.*order_id='o-1'.*deleted concurrently"):
        put_new(table, {"order_id": "o-1"})
