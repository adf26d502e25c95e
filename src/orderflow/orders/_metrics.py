"""The order app's business metrics: orders completed, revenue, rejections by reason.

Services record them through ``deps.metrics`` (see ``orderflow.runtime.Metric``); on
Lambda they become CloudWatch Embedded Metric Format lines written by AWS Lambda
Powertools, and ``orderflow deploy`` draws each on the app's dashboard. An order is
*completed* when its confirmation is first sent (the workflow's last step; a retried or
repeated send counts once), its revenue is the confirmed total in integer cents, and a
*rejection* is a business error that ends the order (its class name is the ``Reason``).
"""

from __future__ import annotations

from typing import TypeVar

from orderflow import ServiceError
from orderflow.runtime import Metric, ServiceDeps

ORDERS_COMPLETED = Metric(
    "OrdersCompleted", description="Orders completed (confirmation sent)", statistic="Sum"
)
REVENUE_CENTS = Metric(
    "RevenueCents", description="Revenue of completed orders (integer cents)", statistic="Sum"
)
ORDERS_REJECTED = Metric(
    "OrdersRejected",
    dimensions=("Reason",),
    description="Orders rejected, by reason (business error)",
    statistic="Sum",
)

E = TypeVar("E", bound=ServiceError)


def rejected(deps: ServiceDeps, error: E) -> E:
    """Count ``error`` as a rejection (``Reason`` = its class name); return it to raise."""
    deps.metrics.add(ORDERS_REJECTED, 1, Reason=type(error).__name__)
    return error


__all__ = ["ORDERS_COMPLETED", "ORDERS_REJECTED", "REVENUE_CENTS", "rejected"]
