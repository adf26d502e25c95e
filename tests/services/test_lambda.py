from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from orderflow._errors import ContractError
from orderflow.services import (
    LAMBDA_HANDLER,
    PaymentDeclined,
    PaymentGatewayTimeout,
    ServiceDeps,
    UnknownServiceError,
    UserInactive,
    _lambda,
    authorize_payment,
    deps_from_environment,
    get_user,
    make_handler,
)


@pytest.fixture(autouse=True)
def _fresh_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lambda, "_handlers", {})
    for name in ("ORDERFLOW_STORAGE", "ORDERFLOW_TABLE_PREFIX"):
        monkeypatch.delenv(name, raising=False)


def test_handler_path_is_importable() -> None:
    module, attr = LAMBDA_HANDLER.rsplit(".", 1)
    assert getattr(importlib.import_module(module), attr) is _lambda.handler


def test_env_handler_returns_output_json_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_SERVICE", "get-user")
    monkeypatch.setenv("ORDERFLOW_SEED_SAMPLE_DATA", "1")
    out = _lambda.handler({"user_id": "u-100"}, None)
    assert out == {
        "user_id": "u-100",
        "email": "ada@example.com",
        "status": "active",
        "credit_score": 720,
    }
    assert "statusCode" not in out and "body" not in out


def test_business_error_raises_its_class(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_SERVICE", "get-user")
    monkeypatch.setenv("ORDERFLOW_SEED_SAMPLE_DATA", "1")
    with pytest.raises(UserInactive) as info:
        _lambda.handler({"user_id": "u-300"}, None)
    # Lambda reports errorType = type(exc).__name__
    assert type(info.value).__name__ == "UserInactive"


def test_bad_event_and_unknown_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERFLOW_SERVICE", "get-user")
    with pytest.raises(ContractError, match="GetUserInput"):
        _lambda.handler({"user_id": 5}, None)
    monkeypatch.setenv("ORDERFLOW_SERVICE", "get-users")
    with pytest.raises(UnknownServiceError, match="get-users"):
        _lambda.handler({}, None)
    monkeypatch.delenv("ORDERFLOW_SERVICE")
    with pytest.raises(UnknownServiceError, match="ORDERFLOW_SERVICE"):
        _lambda.handler({}, None)


def test_make_handler_with_injected_deps() -> None:
    deps = ServiceDeps.default()
    handle = make_handler(authorize_payment, deps)
    event: dict[str, Any] = {
        "idempotency_key": "k",
        "user_id": "u-200",
        "amount_cents": 100_001,
        "credit_score": 600,
    }
    with pytest.raises(PaymentDeclined):
        handle(event, None)
    ok = handle({**event, "amount_cents": 100_000}, None)
    assert ok["amount_cents"] == 100_000 and ok["status"] == "authorized"
    assert handle({**event, "amount_cents": 100_000}, None) == ok  # idempotent through the adapter


def test_make_handler_builds_deps_once_from_factory() -> None:
    calls: list[int] = []

    def factory() -> ServiceDeps:
        calls.append(1)
        return ServiceDeps.default()

    handle = make_handler(get_user, factory)
    handle({"user_id": "u-100"}, None)
    handle({"user_id": "u-100"}, None)
    assert calls == [1]


def test_failure_rates_from_environment() -> None:
    deps = deps_from_environment({"ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "1"})
    assert deps.failure_rate("authorize-payment") == 1.0
    assert deps.failure_rate("get-user") == 0.0
    assert deps.clock().tzinfo is not None
    handle = make_handler(authorize_payment, deps)
    with pytest.raises(PaymentGatewayTimeout):
        handle(
            {"idempotency_key": "k", "user_id": "u", "amount_cents": 1, "credit_score": 700}, None
        )
    with pytest.raises(ContractError, match="not a number"):
        deps_from_environment({"ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "often"})
    with pytest.raises(ContractError, match=r"not in \[0, 1\]"):
        deps_from_environment({"ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "1.5"})


# Run in a fresh interpreter, as Lambda's init phase does: import the entry point only.
_COLD_START = """
import json, sys
import orderflow.services._lambda as entry
print(json.dumps({
    "services": sorted(m.rpartition(".")[2] for m in sys.modules
                       if m.startswith("orderflow.services.") and "._" not in m),
    "handlers": sorted(entry._handlers),
    "orderflow": sorted({m.split(".")[1] for m in sys.modules
                         if m.startswith("orderflow.") and m.count(".") >= 1}),
}))
"""


def _cold_start(service: str | None) -> Any:
    env = {k: v for k, v in os.environ.items() if k != "ORDERFLOW_SERVICE"}
    if service is not None:
        env["ORDERFLOW_SERVICE"] = service
    result = subprocess.run(
        [sys.executable, "-c", _COLD_START], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("service", "modules"),
    [
        ("get-user", ["user"]),
        ("authorize-payment", ["payment"]),
        ("send-notification", ["notification"]),
        ("create-order", ["order"]),
        ("reserve-inventory", ["inventory", "order"]),
        ("refund-payment", ["compensation", "inventory", "order", "payment"]),
    ],
)
def test_cold_start_imports_only_the_selected_service(service: str, modules: list[str]) -> None:
    loaded = _cold_start(service)
    assert loaded["services"] == modules
    assert loaded["handlers"] == [service]
    # Nothing of the compiler, checker, executor, CLI or deploy rides along.
    assert loaded["orderflow"] == ["_errors", "asl", "services"]


def test_cold_start_with_an_unknown_or_missing_service_imports_no_service() -> None:
    # The handler reports the bad name at invocation (test_bad_event_and_unknown_service).
    for service in ("get-users", None):
        loaded = _cold_start(service)
        assert loaded["services"] == [] and loaded["handlers"] == []
