from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from orderflow._errors import ConfigurationError, ContractError
from orderflow.orders import (
    PaymentDeclined,
    PaymentGatewayTimeout,
    UserInactive,
    authorize_payment,
    get_user,
)
from orderflow.orders.app import app
from orderflow.runtime import (
    LAMBDA_HANDLER,
    Service,
    ServiceDeps,
    ServiceLocationError,
    UnknownServiceError,
    _lambda,
    deps_from_environment,
    make_handler,
    service_location,
)

_ENV = (
    "ORDERFLOW_STORAGE",
    "ORDERFLOW_TABLE_PREFIX",
    "ORDERFLOW_SERVICE",
    "ORDERFLOW_SERVICE_LOCATION",
    "ORDERFLOW_TABLES",
    "ORDERFLOW_APP",
    "ORDERFLOW_SEED_SAMPLE_DATA",
)


@pytest.fixture(autouse=True)
def _fresh_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_lambda, "_handlers", {})
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)


def _environment(service: Service[Any, Any]) -> dict[str, str]:
    """What deploy gives the function of ``service`` (see deploy._stack)."""
    tables = {table: app.tables[table] for table in service.access}
    return {
        "ORDERFLOW_SERVICE": service.name,
        "ORDERFLOW_SERVICE_LOCATION": service_location(service),
        "ORDERFLOW_TABLES": json.dumps(tables),
    }


def _configure(monkeypatch: pytest.MonkeyPatch, service: Service[Any, Any], seed: bool) -> None:
    for key, value in _environment(service).items():
        monkeypatch.setenv(key, value)
    if seed:
        monkeypatch.setenv("ORDERFLOW_APP", "orderflow.orders.app:app")
        monkeypatch.setenv("ORDERFLOW_SEED_SAMPLE_DATA", "1")


def test_handler_path_is_importable() -> None:
    module, attr = LAMBDA_HANDLER.rsplit(".", 1)
    assert getattr(importlib.import_module(module), attr) is _lambda.lambda_entry


def test_service_location_finds_the_module_level_name() -> None:
    assert service_location(get_user) == "orderflow.orders.user:get_user"
    inner = Service("inner", lambda r, d: r, type(get_user.input_model), get_user.output_model)
    with pytest.raises(ServiceLocationError, match="module level"):
        service_location(inner)


def test_env_handler_returns_output_json_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, get_user, seed=True)
    out = _lambda.lambda_entry({"user_id": "u-100"}, None)
    assert out == {
        "user_id": "u-100",
        "email": "ada@example.com",
        "status": "active",
        "credit_score": 720,
    }
    assert "statusCode" not in out and "body" not in out


def test_business_error_raises_its_class(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, get_user, seed=True)
    with pytest.raises(UserInactive) as info:
        _lambda.lambda_entry({"user_id": "u-300"}, None)
    # Lambda reports errorType = type(exc).__name__
    assert type(info.value).__name__ == "UserInactive"


def test_bad_event_and_unknown_service(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, get_user, seed=False)
    with pytest.raises(ContractError, match="GetUserInput"):
        _lambda.lambda_entry({"user_id": 5}, None)
    monkeypatch.setenv("ORDERFLOW_SERVICE", "get-users")
    with pytest.raises(ServiceLocationError, match="get-users"):
        _lambda.lambda_entry({}, None)
    monkeypatch.setenv("ORDERFLOW_SERVICE_LOCATION", "orderflow.orders.user:nothing_here")
    with pytest.raises(ServiceLocationError, match="nothing_here"):
        _lambda.lambda_entry({}, None)
    monkeypatch.delenv("ORDERFLOW_SERVICE")
    with pytest.raises(UnknownServiceError, match="ORDERFLOW_SERVICE"):
        _lambda.lambda_entry({}, None)


def test_a_table_the_function_was_not_given_is_a_storage_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _configure(monkeypatch, get_user, seed=False)
    monkeypatch.setenv("ORDERFLOW_TABLES", "{}")
    with pytest.raises(Exception, match="unknown table 'users'"):
        _lambda.lambda_entry({"user_id": "u-100"}, None)
    monkeypatch.setenv("ORDERFLOW_TABLES", "[1]")
    with pytest.raises(ConfigurationError, match="ORDERFLOW_TABLES"):
        deps_from_environment(dict(os.environ))


def test_seeding_needs_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    _configure(monkeypatch, get_user, seed=False)
    monkeypatch.setenv("ORDERFLOW_SEED_SAMPLE_DATA", "1")
    monkeypatch.setenv("ORDERFLOW_APP", "no_such_module:app")
    with pytest.raises(ConfigurationError, match="ORDERFLOW_APP"):
        _lambda.lambda_entry({"user_id": "u-100"}, None)


def test_make_handler_with_injected_deps() -> None:
    deps = app.deps()
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
        return app.deps()

    handle = make_handler(get_user, factory)
    handle({"user_id": "u-100"}, None)
    handle({"user_id": "u-100"}, None)
    assert calls == [1]


def test_failure_rates_from_environment() -> None:
    deps = deps_from_environment(
        {
            "ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "1",
            "ORDERFLOW_SERVICE": "authorize-payment",
            "ORDERFLOW_TABLES": json.dumps(dict(app.tables)),
        }
    )
    assert deps.failure_rate("authorize-payment") == 1.0
    assert deps.failure_rate("get-user") == 0.0
    assert deps.clock().tzinfo is not None
    handle = make_handler(authorize_payment, deps)
    with pytest.raises(PaymentGatewayTimeout):
        handle(
            {"idempotency_key": "k", "user_id": "u", "amount_cents": 1, "credit_score": 700}, None
        )
    rates = ("authorize-payment",)
    with pytest.raises(ContractError, match="not a number"):
        deps_from_environment({"ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "often"}, rates)
    with pytest.raises(ContractError, match=r"not in \[0, 1\]"):
        deps_from_environment({"ORDERFLOW_FAILURE_RATE_AUTHORIZE_PAYMENT": "1.5"}, rates)


# Run in a fresh interpreter, as Lambda's init phase does: import the entry point only.
_COLD_START = """
import json, sys
import orderflow.runtime._lambda as entry
print(json.dumps({
    "services": sorted(m.rpartition(".")[2] for m in sys.modules
                       if m.startswith("orderflow.orders.") and "._" not in m),
    "handlers": sorted(entry._handlers),
    "orderflow": sorted({m.split(".")[1] for m in sys.modules
                         if m.startswith("orderflow.") and m.count(".") >= 1}),
}))
"""


def _cold_start(service: str | None) -> Any:
    env = {k: v for k, v in os.environ.items() if k not in _ENV}
    if service is not None:
        env.update(_environment(app.service(service)))
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
    assert loaded["handlers"] == [f"{service}={service_location(app.service(service))}"]
    # Nothing of the compiler, checker, executor, CLI, deploy or the app object rides along.
    assert loaded["orderflow"] == ["_errors", "asl", "orders", "runtime"]


def test_cold_start_without_a_service_imports_no_service() -> None:
    # The handler reports the missing name at invocation (test_bad_event_and_unknown_service).
    loaded = _cold_start(None)
    assert loaded["services"] == [] and loaded["handlers"] == []
