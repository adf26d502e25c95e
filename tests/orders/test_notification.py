from __future__ import annotations

from datetime import UTC, datetime

import pytest

from orderflow._errors import ContractError
from orderflow.orders import Notification, SendNotificationInput, format_cents, send_notification
from orderflow.orders.app import app
from orderflow.runtime import FixedClock, ServiceDeps


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (5, "$0.05"),
        (1234, "$12.34"),
        (100_000, "$1,000.00"),
        (123456789, "$1,234,567.89"),
        (-250, "-$2.50"),
    ],
)
def test_format_cents(cents: int, text: str) -> None:
    assert format_cents(cents) == text


def test_message_names_order_total_and_transaction() -> None:
    when = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    deps = app.deps(clock=FixedClock(when))
    request = SendNotificationInput(
        to="ada@example.com", order_id="ord-1", total_cents=1234, transaction_id="txn-9"
    )
    note = send_notification(request, deps)
    assert "ord-1" in note.subject
    for part in ("ord-1", "$12.34", "txn-9"):
        assert part in note.message
    assert (note.to, note.status, note.sent_at) == ("ada@example.com", "sent", when)
    assert (
        Notification.model_validate(deps.store.table("notifications").get(note.notification_id))
        == note
    )


def test_sent_once_per_order(deps: ServiceDeps) -> None:
    request = SendNotificationInput(
        to="ada@example.com", order_id="ord-1", total_cents=1, transaction_id="t"
    )
    assert send_notification(request, deps) == send_notification(request, deps)
    assert len(deps.store.table("notifications").scan()) == 1


def test_rejects_non_email(deps: ServiceDeps) -> None:
    with pytest.raises(ContractError, match="to"):
        send_notification.invoke_json(
            {"to": "not-an-address", "order_id": "o", "total_cents": 1, "transaction_id": "t"}, deps
        )
