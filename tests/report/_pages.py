"""Reading the pages back in tests: the inline data and the order workflow's states."""

from __future__ import annotations

import json
import re
from typing import Any

ORDER_STATES = [
    "ValidateOrder",
    "GetUser",
    "ApproveOrderNeeded",
    "ApproveOrder",
    "OrderNotApproved",
    "ProcessOrder",
    "CreateOrder",
    "PaymentBreaker: Read",
    "PaymentBreaker: Open?",
    "PaymentBreaker open: PaymentUnavailable",
    "AuthorizePayment",
    "PaymentBreaker: Probe?",
    "PaymentBreaker: Probe? Done",
    "PaymentBreaker: Close",
    "PaymentBreaker: Record failure",
    "PaymentBreaker failed: PaymentUnavailable",
    "ReserveInventory",
    "SendNotification",
    "OrderRejected",
    "Compensate ProcessOrder",
    "Compensate CreateOrder",
    "Compensate AuthorizePayment",
    "Compensate ReserveInventory",
]
"""The order workflow's states, in document order."""


def page_data(page: str) -> dict[str, Any]:
    """The JSON the page's script reads (each state, and the execution in a report)."""
    match = re.search(r'<script type="application/json" id="orderflow-data">(.*?)</script>', page)
    assert match is not None
    decoded: dict[str, Any] = json.loads(match.group(1))
    return decoded


__all__ = ["ORDER_STATES", "page_data"]
