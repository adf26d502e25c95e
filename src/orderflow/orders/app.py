"""The bundled order app: what every orderflow command uses when no other app is named.

Ten services (five steps of the order workflow, their compensations, and the stock
adjustment), seven tables, the ``archive`` bucket the notification service writes to, the
SNS topic high-value orders' approval requests go to, and two workflows, each with the
EventBridge trigger that starts it: ``order`` (STANDARD, the default workflow of every
command) on each ``Order Submitted`` event from ``microservices.orders``, and ``inventory``
(EXPRESS) on each ``Inventory Adjusted`` event from ``orderflow.inventory``.
"""

from __future__ import annotations

from orderflow import App, Trigger
from orderflow.orders._sample import TABLES, seed_sample_data
from orderflow.orders.compensation import cancel_order, refund_payment, release_inventory
from orderflow.orders.inventory import reserve_inventory
from orderflow.orders.inventory_workflow import (
    ADJUSTED_DETAIL_TYPE,
    EVENT_SOURCE,
    SAMPLE_ADJUSTMENT,
    inventory_workflow,
)
from orderflow.orders.notification import send_notification
from orderflow.orders.order import create_order, validate_order
from orderflow.orders.payment import authorize_payment
from orderflow.orders.stock import adjust_inventory
from orderflow.orders.user import get_user
from orderflow.orders.workflow import APPROVALS_TOPIC, SAMPLE_ORDER, order_workflow

app = App(
    "orderflow",
    services=[
        validate_order,
        get_user,
        create_order,
        authorize_payment,
        reserve_inventory,
        send_notification,
        release_inventory,
        refund_payment,
        cancel_order,
        adjust_inventory,
    ],
    workflows=[order_workflow, inventory_workflow],
    tables=TABLES,
    triggers=[
        Trigger("order", source="microservices.orders", detail_type="Order Submitted"),
        Trigger("inventory", source=EVENT_SOURCE, detail_type=ADJUSTED_DETAIL_TYPE),
    ],
    topics=[APPROVALS_TOPIC],
    packages=("orderflow.orders",),
    seed_data=seed_sample_data,
    sample_inputs={"order": SAMPLE_ORDER, "inventory": SAMPLE_ADJUSTMENT},
    buckets=("archive",),
    default_workflow="order",
)
"""The order app (deployed under the prefix ``orderflow`` unless ``--prefix`` says otherwise)."""

__all__ = ["app"]
