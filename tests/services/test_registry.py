from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

import orderflow.services as services
from orderflow._errors import ContractError, OrderflowError, ServiceError
from orderflow.services import (
    SERVICES,
    TABLES,
    ServiceDeps,
    ServiceLocationError,
    UnknownServiceError,
    UserNotFound,
    function_name,
    local_handler,
    resolve_service,
)
from orderflow.services._registry import SERVICE_MODULES as SERVICE_MODULES_BY_NAME
from orderflow.services._registry import ServiceTable

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
}


def test_all_nine_services() -> None:
    assert set(SERVICES) == NAMES
    for name, service in SERVICES.items():
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
    assert resolve_service(reference).name == name


def test_function_name() -> None:
    assert function_name("arn:aws:lambda:us-east-1:1:function:x-get-user:7") == "x-get-user"
    with pytest.raises(UnknownServiceError, match="not a Lambda function ARN"):
        function_name("arn:aws:states:us-east-1:1:stateMachine:x")


@pytest.mark.parametrize("reference", ["shop-get-users", "getuser", "shop-user", ""])
def test_unknown_function(reference: str) -> None:
    with pytest.raises(UnknownServiceError, match="no service") as info:
        resolve_service(reference)
    assert isinstance(info.value, ContractError) and isinstance(info.value, LookupError)
    assert repr(reference) in str(info.value)


def test_local_handler_runs_json_and_propagates_business_errors() -> None:
    deps = ServiceDeps.default()
    run = local_handler(deps)
    assert (
        run("arn:aws:lambda:us-east-1:1:function:p-get-user", {"user_id": "u-200"})["credit_score"]
        == 600
    )
    with pytest.raises(UserNotFound):
        run("p-get-user", {"user_id": "u-0"})
    with pytest.raises(ContractError):
        run("p-get-user", {"user": "u-0"})
    with pytest.raises(OrderflowError, match="nope"):
        run("nope", {})


def test_local_handler_shares_one_store() -> None:
    run = local_handler()
    items = [{"product_id": "p-9", "quantity": 2, "unit_price_cents": 1}]
    run("reserve-inventory", {"reservation_id": "a", "items": items})
    with pytest.raises(services.InsufficientStock):
        run("reserve-inventory", {"reservation_id": "b", "items": items})


SERVICE_MODULES = {"compensation", "inventory", "notification", "order", "payment", "user"}


def test_public_names_are_exported() -> None:
    exported = set(services.__all__)
    # isidentifier(): pytest's assertion rewriting (orderflow ships a pytest11 plugin, so
    # pytest rewrites the whole distribution) adds globals such as '@py_builtins'.
    listed = {n for n in dir(services) if n.isidentifier() and not n.startswith("_")}
    assert exported == listed - SERVICE_MODULES
    lazy = services._LAZY
    assert set(lazy) <= exported and set(lazy.values()) == SERVICE_MODULES
    for name in services.__all__:
        value = getattr(services, name)  # every name resolves, lazy or not
        if name in lazy:
            defined = importlib.import_module(f"orderflow.services.{lazy[name]}")
            assert getattr(defined, name) is value, name
    # Once every lazy name has been looked up, the module namespace itself is the API.
    public = {n for n in vars(services) if n.isidentifier() and not n.startswith("_")}
    assert exported == public - SERVICE_MODULES - {"annotations"}
    assert services.__all__ == sorted(services.__all__, key=lambda n: (not n.isupper(), n))
    with pytest.raises(AttributeError, match="no attribute 'get_users'"):
        services.get_users  # noqa: B018 - the lookup is the test


def test_every_service_lives_where_the_registry_says() -> None:
    assert list(SERVICE_MODULES_BY_NAME) == list(SERVICES)
    for name, (module, attribute) in SERVICE_MODULES_BY_NAME.items():
        service = getattr(importlib.import_module(module), attribute)
        assert SERVICES[name] is service is getattr(services, attribute)
    assert isinstance(SERVICES, ServiceTable)
    with pytest.raises(KeyError):
        SERVICES["nope"]
    broken = ServiceTable({"get-user": ("orderflow.services.user", "GetUserInput")})
    with pytest.raises(TypeError, match="not the Service 'get-user'"):
        broken["get-user"]


# Run in a fresh interpreter: which service modules does each step import?
_PROBE = """
import json, sys
def loaded():
    return sorted(m.rpartition(".")[2] for m in sys.modules
                  if m.startswith("orderflow.services.") and not m.rpartition(".")[2][0] == "_")
steps = {}
import orderflow.services as services
steps["import"] = loaded()
names = list(services.SERVICES)
assert "get-user" in services.SERVICES and len(services.SERVICES) == len(names)
assert "nope" not in services.SERVICES and services.function_name("shop-get-user")
steps["names"] = loaded()
assert services.resolve_service("shop-get-user").name == "get-user"
steps["resolve"] = loaded()
out = services.local_handler()("shop-get-user", {"user_id": "u-100"})
assert out["credit_score"] == 720, out
steps["get-user"] = loaded()
services.SERVICES["cancel-order"]
steps["cancel-order"] = loaded()
services.SendNotificationInput
steps["attribute"] = loaded()
print(json.dumps(steps))
"""


def _fresh(script: str) -> Any:
    environment = {k: v for k, v in os.environ.items() if k != "ORDERFLOW_SERVICE"}
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
    assert steps["attribute"] == sorted(SERVICE_MODULES)


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
    assert resolve_service(reference).name == "get-user"


def test_the_longest_matching_service_name_wins() -> None:
    # "release-inventory" and a service named "inventory" both end "x-release-inventory".
    fake = {"inventory": "short", "release-inventory": "long"}
    assert resolve_service("x-release-inventory", fake) == "long"  # type: ignore[arg-type]
    assert resolve_service("x-inventory", fake) == "short"  # type: ignore[arg-type]
    assert resolve_service("inventory", fake) == "short"  # type: ignore[arg-type]


def test_garbage_reference_is_an_unknown_service_naming_it() -> None:
    with pytest.raises(UnknownServiceError, match=r"no service for Lambda function 'get user'"):
        resolve_service("get user")
    with pytest.raises(UnknownServiceError, match="not a Lambda function name"):
        function_name("get user")


def test_a_wrong_registry_location_names_what_it_found() -> None:
    other = ServiceTable({"get-user": ("orderflow.services.user", "get_user")})
    assert other["get-user"].name == "get-user"
    wrong = ServiceTable({"cancel-order": ("orderflow.services.user", "get_user")})
    with pytest.raises(ServiceLocationError, match="is the Service 'get-user', not") as info:
        wrong["cancel-order"]
    assert isinstance(info.value, ContractError) and isinstance(info.value, TypeError)
    broken = ServiceTable({"get-user": ("orderflow.services.user", "GetUserInput")})
    with pytest.raises(ServiceLocationError, match="is a ModelMetaclass, not the Service"):
        broken["get-user"]
