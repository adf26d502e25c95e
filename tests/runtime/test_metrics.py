"""Business metrics: recorded through ``deps.metrics``; on Lambda, EMF lines by Powertools.

The EMF tests run the real Lambda adapter (``make_handler``) with the metrics namespace
deploy sets, so the lines come from AWS Lambda Powertools' own code; each printed line is
parsed back as JSON and read as CloudWatch reads it (``_aws.CloudWatchMetrics``).
"""

from __future__ import annotations

import dataclasses
import io
import json
from typing import Any

import pytest

from orderflow._errors import ContractError
from orderflow.orders import (
    InsufficientStock,
    PaymentDeclined,
    UserNotFound,
    authorize_payment,
    get_user,
    reserve_inventory,
    send_notification,
    validate_order,
)
from orderflow.orders._metrics import ORDERS_COMPLETED, ORDERS_REJECTED, REVENUE_CENTS
from orderflow.orders.app import app
from orderflow.runtime import Metric, NullMetrics, RecordedMetrics, ServiceDeps, make_handler
from orderflow.runtime._lambda import METRICS_NAMESPACE_ENV

NAMESPACE = "orderflow/shop"
ENV = {METRICS_NAMESPACE_ENV: NAMESPACE}
NOTIFY = {
    "order_id": "ord-1",
    "to": "ada@example.com",
    "total_cents": 8548,
    "transaction_id": "txn-1",
}


def _deps(metrics: Any = None) -> ServiceDeps:
    return dataclasses.replace(app.deps(seed=0), metrics=metrics or NullMetrics())


def _emf(out: str) -> list[dict[str, Any]]:
    """Every EMF document printed (other JSON lines are Powertools' structured logs)."""
    documents = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return [d for d in documents if "CloudWatchMetrics" in d.get("_aws", {})]


def _values(document: dict[str, Any]) -> dict[str, Any]:
    """metric name -> (value, unit, dimensions) as CloudWatch reads the document."""
    (directive,) = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == NAMESPACE
    (dimension_set,) = directive["Dimensions"]
    dimensions = {key: document[key] for key in dimension_set}
    # EMF allows a value or an array of values (Powertools writes arrays); CloudWatch
    # counts each element.
    return {
        metric["Name"]: (_total(document[metric["Name"]]), metric["Unit"], dimensions)
        for metric in directive["Metrics"]
    }


def _total(value: Any) -> float:
    return float(sum(value)) if isinstance(value, list) else float(value)


def test_a_completed_order_emits_orders_completed_and_revenue(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = make_handler(send_notification, _deps(), environment=ENV)
    capsys.readouterr()
    handler(NOTIFY, None)
    (document,) = _emf(capsys.readouterr().out)
    values = _values(document)
    assert values["OrdersCompleted"] == (1.0, "Count", {"service": "send-notification"})
    assert values["RevenueCents"] == (8548.0, "Count", {"service": "send-notification"})
    # Sent once: a repeated confirmation is not a second completed order.
    handler(NOTIFY, None)
    assert _emf(capsys.readouterr().out) == []


@pytest.mark.parametrize(
    ("service", "event", "error"),
    [
        (get_user, {"user_id": "u-nobody"}, UserNotFound),
        (
            authorize_payment,
            {
                "idempotency_key": "req-9",
                "user_id": "u-100",
                "amount_cents": 99_999_00,
                "credit_score": 300,
            },
            PaymentDeclined,
        ),
        (
            reserve_inventory,
            {
                "reservation_id": "res-9",
                "items": [{"product_id": "p-1", "quantity": 10_000, "unit_price_cents": 1}],
            },
            InsufficientStock,
        ),
        (
            validate_order,
            {
                "request_id": "req-9",
                "user_id": "u-100",
                "items": [{"product_id": "p-1", "quantity": 1, "unit_price_cents": 0}],
            },
            None,
        ),
    ],
)
def test_each_rejection_is_counted_by_reason(
    capsys: pytest.CaptureFixture[str], service: Any, event: dict[str, Any], error: Any
) -> None:
    handler = make_handler(service, _deps(), environment=ENV)
    capsys.readouterr()
    with pytest.raises(Exception) as raised:
        handler(event, None)
    if error is not None:
        assert isinstance(raised.value, error)
    reason = type(raised.value).__name__
    (document,) = _emf(capsys.readouterr().out)
    assert _values(document) == {
        "OrdersRejected": (1.0, "Count", {"Reason": reason, "service": service.name})
    }


def test_powertools_logs_one_structured_line_per_invocation() -> None:
    from orderflow.runtime._powertools import PowertoolsBoundary

    # Powertools keeps one logger per service name for the process (as on Lambda): a
    # name of its own, so the stream given here is the one it writes to.
    stream = io.StringIO()
    boundary = PowertoolsBoundary(NAMESPACE, "log-probe", [], stream=stream)
    assert boundary.run(lambda: 42) == 42
    with pytest.raises(UserNotFound):
        boundary.run(lambda: (_ for _ in ()).throw(UserNotFound("no such user")))
    ok, failed = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert ok["service"] == "log-probe" and ok["outcome"] == "ok" and ok["level"] == "INFO"
    assert failed["outcome"] == "UserNotFound" and failed["message"] == "invocation failed"


def test_without_a_namespace_or_declared_metrics_nothing_is_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    recorded = RecordedMetrics()
    make_handler(send_notification, _deps(recorded), environment={})(NOTIFY, None)
    assert capsys.readouterr().out == ""
    # The injected recorder got the values instead.
    assert recorded.total("OrdersCompleted") == 1 and recorded.total("RevenueCents") == 8548


def test_services_record_through_the_injected_recorder() -> None:
    recorded = RecordedMetrics()
    deps = _deps(recorded)
    with pytest.raises(UserNotFound):
        get_user.invoke_json({"user_id": "u-nobody"}, deps)
    assert recorded.total("OrdersRejected", Reason="UserNotFound") == 1
    assert [d.name for d in recorded.data] == ["OrdersRejected"]


def test_metric_values_and_declarations_are_checked() -> None:
    with pytest.raises(ContractError, match="dimensions"):
        NullMetrics().add(ORDERS_REJECTED, 1)
    with pytest.raises(ContractError, match="finite"):
        RecordedMetrics().add(ORDERS_COMPLETED, float("nan"))
    with pytest.raises(ContractError, match="unit"):
        Metric("Orders", unit="Furlongs")
    with pytest.raises(ContractError, match="name"):
        Metric("orders completed")
    from orderflow.runtime._powertools import PowertoolsMetrics

    with pytest.raises(ContractError, match="without declaring"):
        PowertoolsMetrics(NAMESPACE, "get-user", [ORDERS_REJECTED]).add(REVENUE_CENTS, 1)
