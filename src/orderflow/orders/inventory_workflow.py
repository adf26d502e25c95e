"""The inventory workflow: real-time stock adjustments, as an EXPRESS state machine.

An ``Inventory Adjusted`` event (source ``orderflow.inventory``) starts it with the event's
``detail`` (an :class:`~orderflow.orders.stock.InventoryAdjusted`): the stock service applies
the delta to the ``stock`` table with a conditional write, and when the product is now low
on stock the workflow puts a ``Low Stock`` event on the default bus (source
``orderflow.inventory``) for whoever restocks. A delta that would take the stock below zero
ends the execution as ``AdjustmentRejected`` with the service's cause.

EXPRESS because each adjustment is short, frequent and needs no history kept for months:
Express machines run for at most five minutes and support only request-response
integrations (no ``.sync``, no ``.waitForTaskToken``), which this workflow respects; the
whole execution is bounded by ``TIMEOUT_SECONDS``. Started with ``StartSyncExecution``
(``orderflow start-execution --workflow inventory --sync``) the caller gets the new stock
level back at once.
"""

from __future__ import annotations

from typing import Any, Final

from orderflow.dsl import (
    CONTINUE,
    LAMBDA_TRANSIENT_ERRORS,
    Catch,
    CaughtError,
    Event,
    Flow,
    Retry,
    eq,
    workflow,
)
from orderflow.orders.stock import InventoryAdjusted, StockUnderflow, adjust_inventory

EVENT_SOURCE: Final = "orderflow.inventory"
"""The ``source`` of the events that start the workflow and of the ones it emits."""

ADJUSTED_DETAIL_TYPE: Final = "Inventory Adjusted"
"""The ``detail-type`` that starts the workflow."""

LOW_STOCK_DETAIL_TYPE: Final = "Low Stock"
"""The ``detail-type`` of the event put when a product is low on stock."""

TIMEOUT_SECONDS: Final = 60
"""The execution's TimeoutSeconds: well inside Express's five-minute limit."""

SAMPLE_ADJUSTMENT: dict[str, Any] = {
    "adjustment_id": "adj-0001",
    "product_id": "p-9",
    "delta": -1,
    "reason": "damaged in the warehouse",
}
"""A valid execution input: one unit of the nearly sold-out ``p-9`` written off."""

TRANSIENT = Retry(
    LAMBDA_TRANSIENT_ERRORS,
    interval_seconds=1,
    max_attempts=3,
    backoff_rate=2.0,
    max_delay_seconds=5,
    jitter="FULL",
)
"""Lambda's own service errors, retried quickly (the whole run has a minute)."""


def _reject(flow: Flow[InventoryAdjusted], error: CaughtError) -> None:
    flow.fail("AdjustmentRejected", error=error.Error, cause=error.Cause)


@workflow(
    "inventory",
    input_model=InventoryAdjusted,
    comment="Apply a real-time stock adjustment; announce low stock.",
    timeout_seconds=TIMEOUT_SECONDS,
    type="EXPRESS",
)
def inventory_workflow(flow: Flow[InventoryAdjusted]) -> None:
    """Build the inventory workflow (see the module docstring)."""
    level = flow.task(
        "ApplyAdjustment",
        adjust_inventory,
        retry=[TRANSIENT],
        catch=[Catch([StockUnderflow], then=_reject)],
        timeout_seconds=10,
    ).call_with(flow.input)

    def announce(branch: Flow[InventoryAdjusted]) -> None:
        branch.events.put_events(
            "AnnounceLowStock",
            [Event(source=EVENT_SOURCE, detail_type=LOW_STOCK_DETAIL_TYPE, detail=level)],
            timeout_seconds=10,
        )

    flow.choice(
        "IsStockLow",
        [(eq(level.low_stock, True), announce)],
        otherwise=CONTINUE,
    )


__all__ = [
    "ADJUSTED_DETAIL_TYPE",
    "EVENT_SOURCE",
    "LOW_STOCK_DETAIL_TYPE",
    "SAMPLE_ADJUSTMENT",
    "TIMEOUT_SECONDS",
    "inventory_workflow",
]
