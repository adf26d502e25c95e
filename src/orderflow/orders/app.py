"""The bundled order app: what every orderflow command uses when no other app is named.

Nine services (five steps of the order workflow and their compensations), seven tables,
the order workflow, the EventBridge trigger that starts it on each ``Order Submitted``
event from ``microservices.orders``, and the SNS topic high-value orders' approval requests
go to.
"""

from __future__ import annotations

from orderflow import App, Trigger
from orderflow.orders._sample import TABLES, seed_sample_data
from orderflow.orders.compensation import cancel_order, refund_payment, release_inventory
from orderflow.orders.inventory import reserve_inventory
from orderflow.orders.notification import send_notification
from orderflow.orders.order import create_order, validate_order
from orderflow.orders.payment import authorize_payment
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
    ],
    workflows=[order_workflow],
    tables=TABLES,
    triggers=[Trigger("order", source="microservices.orders", detail_type="Order Submitted")],
    topics=[APPROVALS_TOPIC],
    packages=("orderflow.orders",),
    seed_data=seed_sample_data,
    sample_inputs={"order": SAMPLE_ORDER},
)
"""The order app (deployed under the prefix ``orderflow`` unless ``--prefix`` says otherwise)."""

__all__ = ["app"]
