"""Declared table access matches what the services really do, and the IAM grant matches it.

Each service runs against a recording store (the in-memory tables, wrapped to log every
``(table, operation)`` call) over its happy path, its idempotent repeats, every declared
business error, lost races on conditional writes, and generated contract-valid payloads.
What it was seen doing must be declared, every declared operation must be seen (no spare
grants), and the Lambda role deploy builds must allow exactly the declared actions on
exactly the declared tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderflow._errors import ServiceError
from orderflow.deploy._iam import LAMBDA_TABLE_ACTIONS, lambda_policy
from orderflow.deploy._names import StackNames
from orderflow.orders import (
    SAMPLE_STOCK,
    SAMPLE_USERS,
    TABLES,
    AuthorizePaymentInput,
    CreateOrderInput,
    OrderItem,
    ReserveInventoryInput,
    User,
    authorize_payment,
    create_order,
    get_user,
    reserve_inventory,
)
from orderflow.orders.app import app
from orderflow.orders.order import order_id_for
from orderflow.orders.payment import DECLINE_ABOVE_CENTS, transaction_id_for
from orderflow.runtime import (
    OPERATIONS,
    AccessDeclarationError,
    InMemoryTable,
    Service,
    ServiceDeps,
    Store,
    Table,
    TableAccess,
)
from orderflow.runtime._storage import Expectation, Item
from orderflow.testing._strategies import json_from_model

Call = tuple[str, str]
"""(table, operation) as the recording store saw it."""

NAMES = StackNames("shop", "111122223333", "eu-west-1")
SEED_KEY = "seed-req"


class RecordingTable:
    """A table that logs each operation, optionally losing its first conditional write.

    With ``race``, the first ``put`` with a condition on this table finds that a concurrent
    identical request wrote the same item just before, as happens when two executions
    retry the same step: the condition fails and the service takes its lost-race path.
    """

    def __init__(self, inner: Table, calls: set[Call], *, race: bool = False) -> None:
        self._inner = inner
        self._calls = calls
        self._race = race

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def key(self) -> str:
        return self._inner.key

    def get(self, key: str) -> Item | None:
        self._calls.add((self.name, "get"))
        return self._inner.get(key)

    def put(self, item: Mapping[str, Any], *, expect: Expectation = None) -> bool:
        self._calls.add((self.name, "put"))
        if self._race and expect is not None:
            self._race = False
            self._inner.put(item)  # the concurrent winner, not the service under test
        return self._inner.put(item, expect=expect)

    def delete(self, key: str) -> None:
        self._calls.add((self.name, "delete"))
        self._inner.delete(key)

    def scan(self) -> list[Item]:
        self._calls.add((self.name, "scan"))
        return self._inner.scan()


def recording(deps: ServiceDeps, calls: set[Call], *, race: bool = False) -> ServiceDeps:
    """``deps`` with its (already populated) store's tables wrapped in ``RecordingTable``."""
    store = Store(
        {name: RecordingTable(deps.store.table(name), calls, race=race) for name in TABLES}
    )
    return ServiceDeps(
        store=store,
        clock=deps.clock,
        rng=deps.rng,
        failure_rates=deps.failure_rates,
        objects=deps.objects,
    )


def prepared(seed: int = 0, failure_rates: Mapping[str, float] | None = None) -> ServiceDeps:
    """Sample data plus an order, a payment and a reservation under ``SEED_KEY``."""
    deps = app.deps(seed=seed)
    items = [OrderItem(product_id="p-1", quantity=2, unit_price_cents=1050)]
    create_order(CreateOrderInput(request_id=SEED_KEY, user_id="u-100", items=items), deps)
    authorize_payment(
        AuthorizePaymentInput(
            idempotency_key=SEED_KEY, user_id="u-100", amount_cents=2100, credit_score=720
        ),
        deps,
    )
    reserve_inventory(ReserveInventoryInput(reservation_id=SEED_KEY, items=items), deps)
    return ServiceDeps(
        store=deps.store,
        clock=deps.clock,
        rng=deps.rng,
        failure_rates=dict(failure_rates or {}),
        objects=deps.objects,
    )


def declared(service: Service[Any, Any]) -> set[Call]:
    return {(t, op) for t, ops in service.access.operations().items() for op in ops}


def run(service: Service[Any, Any], payload: dict[str, Any], deps: ServiceDeps) -> str:
    """Invoke; the outcome is ``ok`` or the declared error's name."""
    try:
        service.invoke_json(payload, deps)
    except ServiceError as exc:
        assert isinstance(exc, service.errors), f"{service.name}: undeclared {exc!r}"
        return type(exc).__name__
    return "ok"


LINE = {"product_id": "p-1", "quantity": 2, "unit_price_cents": 1050}
OTHER_LINE = {"product_id": "p-2", "quantity": 1, "unit_price_cents": 500}
ORDER = {"request_id": "r-1", "user_id": "u-100", "items": [LINE]}
PAY = {"idempotency_key": "k-1", "user_id": "u-100", "amount_cents": 2100, "credit_score": 720}
NOTE = {"to": "ada@example.com", "order_id": "o-1", "total_cents": 2100, "transaction_id": "t"}
SEED_TXN = transaction_id_for(SEED_KEY)

# Per service, in order on one store: payloads and the outcome each must have. Together
# they reach the happy path, the idempotent repeat and every declared business error.
SCENARIOS: dict[str, list[tuple[dict[str, Any], str]]] = {
    "validate-order": [
        (ORDER, "ok"),
        ({**ORDER, "items": [LINE, LINE]}, "InvalidOrder"),
    ],
    "get-user": [
        ({"user_id": "u-100"}, "ok"),
        ({"user_id": "u-300"}, "UserInactive"),
        ({"user_id": "nobody"}, "UserNotFound"),
    ],
    "create-order": [
        (ORDER, "ok"),
        (ORDER, "ok"),
        ({**ORDER, "items": [OTHER_LINE]}, "OrderConflict"),
        ({**ORDER, "request_id": "r-2", "items": [LINE, LINE]}, "InvalidOrder"),
    ],
    "authorize-payment": [
        (PAY, "ok"),
        (PAY, "ok"),
        ({**PAY, "amount_cents": 1}, "PaymentConflict"),
        (
            {
                **PAY,
                "idempotency_key": "k-2",
                "amount_cents": DECLINE_ABOVE_CENTS + 1,
                "credit_score": 300,
            },
            "PaymentDeclined",
        ),
    ],
    "reserve-inventory": [
        ({"reservation_id": "res-1", "items": [LINE]}, "ok"),
        ({"reservation_id": "res-1", "items": [LINE]}, "ok"),
        ({"reservation_id": "res-1", "items": [OTHER_LINE]}, "ReservationConflict"),
        (
            {
                "reservation_id": "res-2",
                "items": [LINE, {**OTHER_LINE, "product_id": "p-9", "quantity": 5}],
            },
            "InsufficientStock",
        ),
    ],
    "send-notification": [(NOTE, "ok"), (NOTE, "ok")],
    "adjust-inventory": [
        ({"adjustment_id": "a-1", "product_id": "p-9", "delta": 5}, "ok"),
        ({"adjustment_id": "a-1", "product_id": "p-9", "delta": 5}, "ok"),
        ({"adjustment_id": "a-2", "product_id": "p-new", "delta": 3}, "ok"),
        ({"adjustment_id": "a-3", "product_id": "p-9", "delta": -100}, "StockUnderflow"),
    ],
    "release-inventory": [
        ({"reservation_id": SEED_KEY}, "ok"),
        ({"reservation_id": SEED_KEY}, "ok"),
        ({"reservation_id": "nope"}, "ok"),
    ],
    "refund-payment": [
        ({"idempotency_key": SEED_KEY}, "ok"),
        ({"idempotency_key": SEED_KEY}, "ok"),
        ({"idempotency_key": "nope"}, "ok"),
    ],
    "cancel-order": [
        ({"request_id": SEED_KEY}, "ok"),
        ({"request_id": SEED_KEY}, "ok"),
        ({"request_id": "nope"}, "ok"),
    ],
}


def observe_scenarios(service: Service[Any, Any]) -> set[Call]:
    """Run the service's scenarios (and its lost-race path) on a recording store."""
    calls: set[Call] = set()
    deps = recording(prepared(), calls)
    outcomes = [run(service, payload, deps) for payload, _ in SCENARIOS[service.name]]
    assert outcomes == [expected for _, expected in SCENARIOS[service.name]]
    # Lost races: the first conditional write on each table loses to an identical request.
    raced = recording(prepared(), calls, race=True)
    assert run(service, SCENARIOS[service.name][0][0], raced) == "ok"
    # A transient failure is an error path too (only authorize-payment simulates one).
    flaky = recording(prepared(failure_rates={service.name: 1.0}), calls)
    run(service, {**SCENARIOS[service.name][0][0]}, flaky)
    return calls


def test_scenarios_reach_every_declared_error() -> None:
    for name, scenarios in SCENARIOS.items():
        expected = {outcome for _, outcome in scenarios} - {"ok"}
        retry_only = {e.__name__ for e in app.services[name].retryable}
        assert expected | retry_only == {e.__name__ for e in app.services[name].errors}, name
    assert set(SCENARIOS) == set(app.services)


@pytest.mark.parametrize("name", sorted(app.services))
def test_declared_access_is_exactly_what_the_service_does(name: str) -> None:
    service = app.services[name]
    observed = observe_scenarios(service)
    assert observed <= declared(service), (
        f"{name} did undeclared {sorted(observed - declared(service))}"
    )
    # Nothing declared that the code never does: every grant is used.
    assert observed == declared(service), name


OVERRIDES: dict[str, st.SearchStrategy[Any]] = {
    "user_id": st.sampled_from([str(u["user_id"]) for u in SAMPLE_USERS])
    | st.text(min_size=1, max_size=8),
    "product_id": st.sampled_from(sorted(SAMPLE_STOCK)) | st.just("p-unknown"),
    "quantity": st.integers(min_value=1, max_value=5) | st.integers(min_value=1, max_value=10_000),
    "order_id": st.just(order_id_for(SEED_KEY)) | st.text(min_size=1, max_size=8),
    "transaction_id": st.just(SEED_TXN) | st.text(min_size=1, max_size=8),
    "reservation_id": st.just(SEED_KEY) | st.text(min_size=1, max_size=8),
}
"""Ids biased toward the prepared records, so lookups find something as often as not."""


@pytest.mark.parametrize("name", sorted(app.services))
def test_generated_payloads_stay_within_the_declared_access(name: str) -> None:
    service = app.services[name]
    allowed = declared(service)

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        payloads=st.lists(json_from_model(service.input_model, OVERRIDES), min_size=1, max_size=3),
        race=st.booleans(),
        flaky=st.booleans(),
    )
    def check(payloads: list[dict[str, Any]], race: bool, flaky: bool) -> None:
        calls: set[Call] = set()
        rates = {service.name: 0.5} if flaky else {}
        deps = recording(prepared(failure_rates=rates), calls, race=race)
        for payload in payloads:
            run(service, payload, deps)
        assert calls <= allowed, f"{name} did undeclared {sorted(calls - allowed)}"

    check()


@pytest.mark.parametrize("name", sorted(app.services))
def test_the_role_grants_exactly_the_declared_actions_on_exactly_those_tables(name: str) -> None:
    service = app.services[name]
    policy = lambda_policy(NAMES, name, service.tables)
    granted = {
        (arn, action)
        for statement in policy["Statement"]
        for action in statement["Action"]
        if action.startswith("dynamodb:")
        for arn in statement["Resource"]
    }
    assert granted == {
        (NAMES.table_arn(t), LAMBDA_TABLE_ACTIONS[op]) for t, op in declared(service)
    }
    assert all(statement["Effect"] == "Allow" for statement in policy["Statement"])


def test_get_user_only_reads() -> None:
    assert get_user.access.operations() == {"users": frozenset({"get"})}
    assert get_user.tables == ("users",)


def test_table_access_normalises_and_refuses_nonsense() -> None:
    access = TableAccess.of(reads=("users", "orders"), writes=("orders",), scans=("stock",))
    assert access == ("orders", "stock", "users")
    assert access.operations() == {
        "orders": frozenset({"get", "put"}),
        "stock": frozenset({"scan"}),
        "users": frozenset({"get"}),
    }
    assert access.allows("orders", "put") and not access.allows("users", "put")
    assert repr(access) == "TableAccess(orders=get+put, stock=scan, users=get)"
    assert set(OPERATIONS) == set(LAMBDA_TABLE_ACTIONS)
    with pytest.raises(AccessDeclarationError, match="unknown operation"):
        TableAccess({"users": ["update"]})  # type: ignore[list-item]
    with pytest.raises(AccessDeclarationError, match="no operations"):
        TableAccess({"users": []})


def _handler(request: User, deps: ServiceDeps) -> User:
    return request


def test_service_declarations_old_and_new() -> None:
    old = Service("x", _handler, User, User, tables=("users", "orders"))
    # The older form keeps its meaning: read and write each listed table.
    assert old.tables == ("orders", "users")
    assert old.access.operations() == {
        "orders": frozenset({"get", "put"}),
        "users": frozenset({"get", "put"}),
    }
    new = Service("x", _handler, User, User, reads=("users",), deletes=("orders",))
    assert new.tables == ("orders", "users")
    assert isinstance(new.tables, TableAccess)
    assert new.access.operations() == {"orders": frozenset({"delete"}), "users": frozenset({"get"})}
    # Listing a table in tables= without saying what is done to it is refused.
    with pytest.raises(AccessDeclarationError, match="stock"):
        Service("x", _handler, User, User, tables=("stock",), reads=("users",))
    none = Service("x", _handler, User, User)
    assert none.tables == () and none.access.operations() == {}


def test_recording_table_is_a_table() -> None:
    calls: set[Call] = set()
    table: Table = RecordingTable(InMemoryTable("users", "user_id"), calls)
    assert table.put({"user_id": "u"}) and table.get("u") == {"user_id": "u"}
    table.delete("u")
    assert table.scan() == []
    assert calls == {("users", "put"), ("users", "get"), ("users", "delete"), ("users", "scan")}
