"""The order app's tables and sample data: three users and a stock of six products."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from orderflow.runtime import Store

TABLES: Mapping[str, str] = MappingProxyType(
    {
        "users": "user_id",
        "orders": "order_id",
        "payments": "transaction_id",
        "stock": "product_id",
        "reservations": "reservation_id",
        "notifications": "notification_id",
        "refunds": "refund_id",
    }
)
"""Table name -> partition key attribute: the tables the order services use."""

SAMPLE_USERS: tuple[dict[str, object], ...] = (
    {"user_id": "u-100", "email": "ada@example.com", "status": "active", "credit_score": 720},
    {"user_id": "u-200", "email": "bob@example.com", "status": "active", "credit_score": 600},
    {"user_id": "u-300", "email": "cy@example.com", "status": "suspended", "credit_score": 700},
)
"""Sample users: a good credit score, a poor one, a suspended account."""

SAMPLE_STOCK: Mapping[str, int] = MappingProxyType(
    {"p-1": 1000, "p-2": 1000, "p-3": 1000, "p-4": 1000, "p-5": 1000, "p-9": 2}
)
"""Sample units available per product (``p-9`` is nearly sold out)."""


def seed_sample_data(store: Store) -> Store:
    """Write ``SAMPLE_USERS`` and ``SAMPLE_STOCK`` into ``store``; return it."""
    users = store.table("users")
    for user in SAMPLE_USERS:
        users.put(user)
    stock = store.table("stock")
    for product_id, available in SAMPLE_STOCK.items():
        stock.put({"product_id": product_id, "available": available})
    return store


__all__ = ["SAMPLE_STOCK", "SAMPLE_USERS", "TABLES", "seed_sample_data"]
