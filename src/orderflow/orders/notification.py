"""The notification service: compose the order confirmation and record it as sent.

The total arrives in integer cents and is shown formatted (``1234`` -> ``$12.34``). One
confirmation per order: the notification id is derived from the order id, so a retry
returns the recorded notification instead of mailing twice.

Every message sent is archived as JSON to the ``archive`` bucket under
``notifications/{notification_id}.json`` (``ARCHIVE_PREFIX``); a retry writes the same
object again, so an archive missed by a crashed attempt is repaired.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from orderflow.orders._fields import Cents, Email, Id, derived_id, format_cents
from orderflow.orders._metrics import ORDERS_COMPLETED, REVENUE_CENTS
from orderflow.runtime import Service, ServiceDeps, put_new


class SendNotificationInput(BaseModel):
    """Request for ``send-notification``. Money in integer cents."""

    model_config = ConfigDict(extra="forbid")

    to: Email = Field(description="The recipient's e-mail address.")
    order_id: Id = Field(description="The order being confirmed.")
    total_cents: Cents = Field(description="The order total in integer cents.")
    transaction_id: Id = Field(description="The payment transaction id.")


class Notification(BaseModel):
    """A confirmation that was sent."""

    model_config = ConfigDict(extra="forbid")

    notification_id: Id = Field(description="The notification's id (derived from the order id).")
    to: Email = Field(description="The recipient.")
    subject: str = Field(description="The subject line; names the order id.")
    message: str = Field(
        description="The body: names the order id, the total in dollars and the transaction id."
    )
    status: Literal["sent"] = Field(description="Always 'sent' once recorded.")
    sent_at: AwareDatetime = Field(description="When it was sent (ISO-8601, UTC).")


def compose(request: SendNotificationInput) -> tuple[str, str]:
    """The subject and message for a confirmation."""
    subject = f"Your order {request.order_id} is confirmed"
    message = (
        f"Thank you for your order {request.order_id}. "
        f"We charged {format_cents(request.total_cents)} "
        f"(transaction {request.transaction_id})."
    )
    return subject, message


ARCHIVE_BUCKET = "archive"
"""The bucket every sent message is archived to."""

ARCHIVE_PREFIX = "notifications/"
"""The key prefix of the archived messages (the only keys the service may write)."""


def archive_key(notification_id: str) -> str:
    """Where a notification is archived: ``notifications/{notification_id}.json``."""
    return f"{ARCHIVE_PREFIX}{notification_id}.json"


def _archived(notification: Notification, deps: ServiceDeps) -> Notification:
    deps.objects.bucket(ARCHIVE_BUCKET).put(
        archive_key(notification.notification_id),
        notification.model_dump_json(),
        content_type="application/json",
    )
    return notification


def _send_notification(request: SendNotificationInput, deps: ServiceDeps) -> Notification:
    table = deps.store.table("notifications")
    notification_id = derived_id("ntf", request.order_id)
    existing = table.get(notification_id)
    if existing is not None:
        return _archived(Notification.model_validate(existing), deps)
    subject, message = compose(request)
    notification = Notification(
        notification_id=notification_id,
        to=request.to,
        subject=subject,
        message=message,
        status="sent",
        sent_at=deps.clock(),
    )
    stored = put_new(table, notification.model_dump(mode="json"))
    if not stored.created:
        return _archived(Notification.model_validate(stored.item), deps)
    deps.metrics.add(ORDERS_COMPLETED, 1)
    deps.metrics.add(REVENUE_CENTS, request.total_cents)
    return _archived(notification, deps)


send_notification: Service[SendNotificationInput, Notification] = Service(
    name="send-notification",
    handler=_send_notification,
    input_model=SendNotificationInput,
    output_model=Notification,
    description="Send the order confirmation (total formatted from integer cents), once; "
    "archive it.",
    reads=("notifications",),
    writes=("notifications",),
    metrics=(ORDERS_COMPLETED, REVENUE_CENTS),
    archives=((ARCHIVE_BUCKET, ARCHIVE_PREFIX),),
)

__all__ = [
    "ARCHIVE_BUCKET",
    "ARCHIVE_PREFIX",
    "Notification",
    "SendNotificationInput",
    "archive_key",
    "compose",
    "send_notification",
]
