"""``orderflow run --show-store``, and the saga it shows on the order app."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orderflow.cli import main
from orderflow.orders import SAMPLE_STOCK

DECLINED = {
    "request_id": "req-big",
    "user_id": "u-200",  # credit score 600: over $1,000.00 is declined
    "items": [{"product_id": "p-1", "quantity": 3, "unit_price_cents": 50_000}],
}


def store_of(err: str) -> dict[str, list[dict[str, Any]]]:
    """The JSON object printed after the ``store after the run:`` line."""
    _, _, rest = err.partition("store after the run:\n")
    assert rest, err
    store, _ = json.JSONDecoder().raw_decode(rest)
    assert isinstance(store, dict)
    return store


def test_a_declined_payment_shows_the_compensations_and_consistent_stores(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["run", "--input", json.dumps(DECLINED), "--fail", "authorize-payment=1"]
    assert main([*args, "--trace", "--show-store"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    trace = captured.err
    for state in (
        "Compensate ProcessOrder",
        "Compensate CreateOrder",
        "Compensate AuthorizePayment",
        "Compensate ReserveInventory",
    ):
        assert f"> {state}" in trace and f"< {state}" in trace
    assert trace.index("< Compensate ProcessOrder") < trace.index("> OrderRejected (Fail)")
    assert "execution FAILED: PaymentDeclined" in trace
    assert "credit score 600" in trace.rpartition("cause:")[2]
    store = store_of(trace)
    assert [o["status"] for o in store["orders"]] == ["cancelled"]
    assert [r["status"] for r in store["reservations"]] == ["released"]
    assert store["payments"] == [] and store["refunds"] == []
    assert {s["product_id"]: s["available"] for s in store["stock"]} == dict(SAMPLE_STOCK)


def test_a_payment_that_times_out_after_the_charge_is_refunded(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Seed 20: every gateway call times out, the last after the charge was recorded; the
    # payment breaker counts the failure and its fallback rejects the order.
    assert main(["run", "--fail", "authorize-payment=1", "--seed", "20", "--show-store"]) == 1
    err = capsys.readouterr().err
    assert "execution FAILED: PaymentUnavailable" in err
    store = store_of(err)
    assert [p["status"] for p in store["payments"]] == ["refunded"]
    assert len(store["refunds"]) == 1
    assert [o["status"] for o in store["orders"]] == ["cancelled"]
    assert [r["status"] for r in store["reservations"]] == ["released"]


def test_show_store_keeps_stdout_for_the_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--show-store"]) == 0
    captured = capsys.readouterr()
    output = json.loads(captured.out)
    order = output["process_order"][0]
    store = store_of(captured.err)
    assert store["orders"] == [order]
    assert sorted(store) == [
        "notifications",
        "orders",
        "payments",
        "refunds",
        "reservations",
        "stock",
        "users",
    ]


def test_without_show_store_no_store_is_printed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 0
    assert "store after the run" not in capsys.readouterr().err
