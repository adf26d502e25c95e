from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

import orderflow.orders as services
from orderflow._errors import ConfigurationError, ContractError, ServiceError
from orderflow.orders import TABLES, UserNotFound
from orderflow.orders.app import app
from orderflow.runtime import (
    ServiceLocationError,
    ServiceTable,
    UnknownServiceError,
    function_name,
    resolve_service,
)

SERVICE_LOCATIONS = {
    "validate-order": "orderflow.orders.order:validate_order",
    "get-user": "orderflow.orders.user:get_user",
    "create-order": "orderflow.orders.order:create_order",
    "authorize-payment": "orderflow.orders.payment:authorize_payment",
    "reserve-inventory": "orderflow.orders.inventory:reserve_inventory",
    "send-notification": "orderflow.orders.notification:send_notification",
    "release-inventory": "orderflow.orders.compensation:release_inventory",
    "refund-payment": "orderflow.orders.compensation:refund_payment",
    "cancel-order": "orderflow.orders.compensation:cancel_order",
    "adjust-inventory": "orderflow.orders.stock:adjust_inventory",
}

NAMES = {
    "validate-order",
    "get-user",
    "create-order",
    "authorize-payment",
    "reserve-inventory",
    "send-notification",
    "release-inventory",
    "refund-payment",
    "cancel-order",
    "adjust-inventory",
}


def test_all_ten_services() -> None:
    assert set(app.services) == NAMES
    for name, service in app.services.items():
        assert service.name == name
        assert set(service.tables) <= set(TABLES), name
        assert set(service.retryable) <= set(service.errors), name
        assert service.description
        for error in service.errors:
            assert issubclass(error, ServiceError)


@pytest.mark.parametrize(
    ("reference", "name"),
    [
        ("get-user", "get-user"),
        ("shop-get-user", "get-user"),
        ("my-shop-prod-cancel-order", "cancel-order"),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:shop-reserve-inventory",
            "reserve-inventory",
        ),
        (
            "arn:aws:lambda:eu-west-1:123456789012:function:shop-release-inventory:$LATEST",
            "release-inventory",
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:authorize-payment:live",
            "authorize-payment",
        ),
        ("shop-refund-payment:3", "refund-payment"),
    ],
)
def test_resolution(reference: str, name: str) -> None:
    assert resolve_service(reference, app.services).name == name


def test_function_name() -> None:
    assert function_name("arn:aws:lambda:us-east-1:1:function:x-get-user:7") == "x-get-user"
    with pytest.raises(UnknownServiceError, match="not a Lambda function ARN"):
        function_name("arn:aws:states:us-east-1:1:stateMachine:x")


@pytest.mark.parametrize("reference", ["shop-get-users", "getuser", "shop-user", ""])
def test_unknown_function(reference: str) -> None:
    with pytest.raises(UnknownServiceError, match="no service") as info:
        resolve_service(reference, app.services, app="orderflow")
    assert isinstance(info.value, ConfigurationError) and isinstance(info.value, LookupError)
    assert repr(reference) in str(info.value)


def test_local_handler_runs_json_and_propagates_business_errors() -> None:
    deps = app.deps()
    run = app.local_handler(deps)
    assert (
        run("arn:aws:lambda:us-east-1:1:function:p-get-user", {"user_id": "u-200"})["credit_score"]
        == 600
    )
    with pytest.raises(UserNotFound):
        run("p-get-user", {"user_id": "u-0"})
    with pytest.raises(ContractError):
        run("p-get-user", {"user": "u-0"})
    with pytest.raises(ConfigurationError, match="nope"):
        run("nope", {})


def test_local_handler_shares_one_store() -> None:
    run = app.local_handler()
    items = [{"product_id": "p-9", "quantity": 2, "unit_price_cents": 1}]
    run("reserve-inventory", {"reservation_id": "a", "items": items})
    with pytest.raises(services.InsufficientStock):
        run("reserve-inventory", {"reservation_id": "b", "items": items})


SERVICE_MODULES = {
    "compensation",
    "inventory",
    "notification",
    "order",
    "payment",
    "stock",
    "user",
}


def test_public_names_are_exported() -> None:
    exported = set(services.__all__)
    # isidentifier(): pytest's assertion rewriting (orderflow ships a pytest11 plugin, so
    # pytest rewrites the whole distribution) adds globals such as '@py_builtins'.
    listed = {n for n in dir(services) if n.isidentifier() and not n.startswith("_")}
    assert exported == listed - SERVICE_MODULES - {"app", "workflow", "inventory_workflow"}
    lazy = services._LAZY
    assert set(lazy) <= exported and set(lazy.values()) == SERVICE_MODULES
    for name in services.__all__:
        value = getattr(services, name)  # every name resolves, lazy or not
        if name in lazy:
            defined = importlib.import_module(f"orderflow.orders.{lazy[name]}")
            assert getattr(defined, name) is value, name
    # Once every lazy name has been looked up, the module namespace itself is the API.
    public = {n for n in vars(services) if n.isidentifier() and not n.startswith("_")}
    submodules = {"annotations", "app", "workflow", "inventory_workflow"}
    assert exported == public - SERVICE_MODULES - submodules
    assert services.__all__ == sorted(services.__all__, key=lambda n: (not n.isupper(), n))
    with pytest.raises(AttributeError, match="no attribute 'get_users'"):
        services.get_users  # noqa: B018 - the lookup is the test


def test_a_service_table_imports_each_service_where_it_lives() -> None:
    table = ServiceTable(SERVICE_LOCATIONS)
    assert list(table) == list(app.services)
    for name in table:
        assert table[name] is app.services[name]
    with pytest.raises(KeyError):
        table["nope"]
    broken = ServiceTable({"get-user": "orderflow.orders.user:GetUserInput"})
    with pytest.raises(TypeError, match="not the Service 'get-user'"):
        broken["get-user"]


# Run in a fresh interpreter: which service modules does each step import?
_PROBE = """
import json, sys
def loaded():
    return sorted(m.rpartition(".")[2] for m in sys.modules
                  if m.startswith("orderflow.orders.") and not m.rpartition(".")[2][0] == "_")
steps = {}
import orderflow.orders as services
from orderflow.runtime import ServiceTable, resolve_service
steps["import"] = loaded()
table = ServiceTable(LOCATIONS)
names = list(table)
assert "get-user" in table and len(table) == len(names) and "nope" not in table
steps["names"] = loaded()
assert resolve_service("shop-get-user", table).name == "get-user"
steps["resolve"] = loaded()
steps["get-user"] = loaded()
table["cancel-order"]
steps["cancel-order"] = loaded()
services.SendNotificationInput
steps["attribute"] = loaded()
print(json.dumps(steps))
"""


def _fresh(script: str) -> Any:
    environment = {k: v for k, v in os.environ.items() if k != "ORDERFLOW_SERVICE_LOCATION"}
    script = f"LOCATIONS = {SERVICE_LOCATIONS!r}\n{script}"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_service_modules_are_imported_only_when_used() -> None:
    steps = _fresh(_PROBE)
    assert steps["import"] == []
    assert steps["names"] == []  # names and membership import nothing
    assert steps["resolve"] == ["user"]
    assert steps["get-user"] == ["user"]
    # cancel-order reads orders, payments and reservations: their models come along.
    assert steps["cancel-order"] == ["compensation", "inventory", "order", "payment", "user"]
    # The stock service is used by nothing above, so it stays unloaded.
    assert steps["attribute"] == sorted(SERVICE_MODULES - {"stock"})


@pytest.mark.parametrize(
    "reference",
    [
        "123456789012:function:shop-get-user",
        "123456789012:function:shop-get-user:live",
        "arn:aws:lambda:us-east-1:123456789012:function:shop-get-user:live",
        "shop-get-user:$LATEST",
    ],
)
def test_partial_arns_and_qualifiers_resolve(reference: str) -> None:
    # Regression: a partial ARN gave the account id as the function name.
    assert function_name(reference) == "shop-get-user"
    assert resolve_service(reference, app.services).name == "get-user"


def test_the_longest_matching_service_name_wins() -> None:
    # "release-inventory" and a service named "inventory" both end "x-release-inventory".
    fake = {"inventory": "short", "release-inventory": "long"}
    assert resolve_service("x-release-inventory", fake) == "long"  # type: ignore[arg-type]
    assert resolve_service("x-inventory", fake) == "short"  # type: ignore[arg-type]
    assert resolve_service("inventory", fake) == "short"  # type: ignore[arg-type]


def test_garbage_reference_is_an_unknown_service_naming_it() -> None:
    with pytest.raises(UnknownServiceError, match=r"for Lambda function 'get user'"):
        resolve_service("get user", app.services)
    with pytest.raises(UnknownServiceError, match="not a Lambda function name"):
        function_name("get user")


def test_a_wrong_registry_location_names_what_it_found() -> None:
    other = ServiceTable({"get-user": "orderflow.orders.user:get_user"})
    assert other["get-user"].name == "get-user"
    wrong = ServiceTable({"cancel-order": "orderflow.orders.user:get_user"})
    with pytest.raises(ServiceLocationError, match="is the Service 'get-user', not") as info:
        wrong["cancel-order"]
    assert isinstance(info.value, ConfigurationError) and isinstance(info.value, TypeError)
    broken = ServiceTable({"get-user": "orderflow.orders.user:GetUserInput"})
    with pytest.raises(ServiceLocationError, match="is a ModelMetaclass, not the Service"):
        broken["get-user"]
