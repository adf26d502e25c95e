"""The stock service: apply one real-time inventory adjustment (a delivery, a count, a loss).

An ``InventoryAdjusted`` event names a product and a signed number of units. The service
adds it to the product's ``available`` count in the ``stock`` table with a compare-and-set
on the count (so it never races a reservation), refuses a delta that would leave fewer than
zero units (``StockUnderflow``), and says whether the product is now at or under its low-stock
threshold, which the inventory workflow turns into a ``Low Stock`` event.

Express workflows started by events run at least once, so an adjustment must not be counted
twice: the stock item remembers the ids of its last ``APPLIED_HISTORY`` adjustments, written
in the same conditional put as the new count; a repeated id returns the current level
without changing it.
"""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from orderflow import ServiceError
from orderflow.orders._fields import Id
from orderflow.runtime import ABSENT, Service, ServiceDeps, StorageError

LOW_STOCK_THRESHOLD: Final = 10
"""Units at or under which a product counts as low on stock (unless the event says)."""

APPLIED_HISTORY: Final = 50
"""How many recent adjustment ids each stock item remembers, to ignore redeliveries."""

MAX_DELTA: Final = 1_000_000
_CAS_ATTEMPTS = 20


class InventoryAdjusted(BaseModel):
    """An inventory adjustment: the ``detail`` of an ``Inventory Adjusted`` event."""

    model_config = ConfigDict(extra="forbid")

    adjustment_id: Id = Field(description="The sender's id; a redelivery is applied once.")
    product_id: Id = Field(description="The product whose stock changes.")
    delta: Annotated[StrictInt, Field(ge=-MAX_DELTA, le=MAX_DELTA)] = Field(
        description="Units added (positive) or removed (negative); 0 records a recount "
        "that found the stock as expected."
    )
    reason: Annotated[str, Field(max_length=200)] = Field(
        default="", description="Free text for people (delivery, recount, damage...)."
    )
    low_stock_threshold: Annotated[StrictInt, Field(ge=0, le=MAX_DELTA)] = Field(
        default=LOW_STOCK_THRESHOLD,
        description="At or under this many units the product is reported as low on stock.",
    )


class StockLevel(BaseModel):
    """A product's stock after an adjustment."""

    model_config = ConfigDict(extra="forbid")

    adjustment_id: Id = Field(description="The adjustment applied (or found already applied).")
    product_id: Id = Field(description="The product.")
    available: Annotated[StrictInt, Field(ge=0)] = Field(description="Units available now.")
    low_stock: bool = Field(description="True when ``available`` is at or under the threshold.")
    duplicate: bool = Field(description="True when this adjustment id had already been applied.")


class StockUnderflow(ServiceError):
    """The adjustment would leave fewer than zero units of the product.

    Attributes:
        product_id: the product.
        delta: the units the adjustment removes (negative).
        available: the units available when checked.
    """

    def __init__(self, product_id: str, delta: int, available: int) -> None:
        super().__init__(
            f"cannot remove {-delta} unit(s) of product {product_id!r}: only {available} available"
        )
        self.product_id = product_id
        self.delta = delta
        self.available = available


def _adjust_inventory(request: InventoryAdjusted, deps: ServiceDeps) -> StockLevel:
    stock = deps.store.table("stock")
    for _ in range(_CAS_ATTEMPTS):
        item = stock.get(request.product_id)
        available = int(item["available"]) if item is not None else 0
        applied = [str(a) for a in (item or {}).get("applied", [])]
        if request.adjustment_id in applied:
            return _level(request, available, duplicate=True)
        if available + request.delta < 0:
            raise StockUnderflow(request.product_id, request.delta, available)
        new = {
            **(item or {}),
            "product_id": request.product_id,
            "available": available + request.delta,
            "applied": [*applied, request.adjustment_id][-APPLIED_HISTORY:],
        }
        # The count and the id list move together, so a concurrent reservation (which
        # changes the count) or a twin delivery (which changes both) makes this put fail.
        if item is None:
            written = stock.put(new, expect=ABSENT)
        else:
            current: dict[str, object] = {"available": available}
            if "applied" in item:
                current["applied"] = applied
            written = stock.put(new, expect=current)
        if written:
            return _level(request, available + request.delta, duplicate=False)
    raise StorageError(
        f"stock of {request.product_id!r} changed {_CAS_ATTEMPTS} times while adjusting"
    )


def _level(request: InventoryAdjusted, available: int, *, duplicate: bool) -> StockLevel:
    return StockLevel(
        adjustment_id=request.adjustment_id,
        product_id=request.product_id,
        available=available,
        low_stock=available <= request.low_stock_threshold,
        duplicate=duplicate,
    )


adjust_inventory: Service[InventoryAdjusted, StockLevel] = Service(
    name="adjust-inventory",
    handler=_adjust_inventory,
    input_model=InventoryAdjusted,
    output_model=StockLevel,
    errors=(StockUnderflow,),
    description="Apply a real-time stock adjustment once per adjustment id; flag low stock.",
    reads=("stock",),
    writes=("stock",),
)

__all__ = [
    "APPLIED_HISTORY",
    "LOW_STOCK_THRESHOLD",
    "MAX_DELTA",
    "InventoryAdjusted",
    "StockLevel",
    "StockUnderflow",
    "adjust_inventory",
]
