from __future__ import annotations

import pytest

import orderflow.services as services
from orderflow._errors import ContractError, OrderflowError, ServiceError
from orderflow.services import (
    SERVICES,
    TABLES,
    ServiceDeps,
    UnknownServiceError,
    UserNotFound,
    function_name,
    local_handler,
    resolve_service,
)

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


def test_public_names_are_exported() -> None:
    exported = set(services.__all__)
    # isidentifier(): pytest's assertion rewriting (orderflow ships a pytest11 plugin, so
    # pytest rewrites the whole distribution) adds globals such as '@py_builtins'.
    public = {n for n in vars(services) if n.isidentifier() and not n.startswith("_")} - {
        "annotations",
        "compensation",
        "inventory",
        "notification",
        "order",
        "payment",
        "user",
    }
    assert exported == public
    assert services.__all__ == sorted(services.__all__, key=lambda n: (not n.isupper(), n))
