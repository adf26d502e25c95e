"""``orderflow.App`` and ``Trigger``: checked at construction, lookups, local deps and
handlers."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from orderflow import App, ConfigurationError, Service, Trigger
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, User, cancel_order, get_user
from orderflow.orders.app import app as orders
from orderflow.runtime import UnknownServiceError


class Ping(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str


@workflow("lookup", input_model=GetUserInput)
def lookup(flow: Flow[GetUserInput]) -> None:
    flow.task("GetUser", get_user).call_with(flow.input)


def _other_get_user(request: GetUserInput, deps: Any) -> User:
    raise NotImplementedError


impostor: Service[GetUserInput, User] = Service(
    "get-user", _other_get_user, GetUserInput, User, reads=("users",)
)


def make(**overrides: Any) -> App:
    arguments: dict[str, Any] = {
        "services": [get_user],
        "workflows": [lookup],
        "tables": {"users": "user_id"},
    }
    arguments.update(overrides)
    name = arguments.pop("name", "mini")
    return App(name, **arguments)


def test_a_well_formed_app() -> None:
    app = make(triggers=[Trigger("lookup", source="mini.users", detail_type="User Looked Up")])
    assert app.name == "mini"
    assert list(app.services) == ["get-user"] and app.service("get-user") is get_user
    assert app.workflow() is lookup and app.workflow("lookup") is lookup
    assert dict(app.tables) == {"users": "user_id"}
    (trigger,) = app.triggers_of("lookup")
    assert trigger.pattern == {"source": ["mini.users"], "detail-type": ["User Looked Up"]}
    assert trigger.slug == "user-looked-up" and trigger.input_path == "$.detail"
    assert app.packages == ("tests",)  # the calling module's top-level package
    with pytest.raises(TypeError):
        app.services["x"] = get_user  # type: ignore[index]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Mini"}, "app name 'Mini'"),
        ({"name": "mini-"}, "app name"),
        ({"name": "a" * 33}, "app name"),
        ({"services": [get_user, get_user]}, "two services are named 'get-user'"),
        ({"services": []}, "no services"),
        ({"services": [lookup]}, "not an orderflow Service"),
        ({"workflows": [lookup, lookup]}, "two workflows are named 'lookup'"),
        ({"workflows": []}, "no workflows"),
        ({"workflows": [get_user]}, "not a Workflow"),
        ({"tables": {}}, r"no key declared for table\(s\) users \(used by get-user\)"),
        ({"tables": {"users": ""}}, "partition key"),
        ({"tables": {"users": "user_id", "carts": "cart_id"}}, "carts in tables= are used by"),
        (
            {"triggers": [Trigger("nope", source="s", detail_type="D")]},
            "names unknown workflow 'nope'; workflows: lookup",
        ),
        (
            {
                "triggers": [
                    Trigger("lookup", source="s", detail_type="Looked Up"),
                    Trigger("lookup", source="t", detail_type="looked-up"),
                ]
            },
            "same rule",
        ),
        ({"services": [cancel_order], "tables": {"orders": "order_id"}}, "calls service"),
        ({"services": [impostor]}, "different object"),
        ({"sample_inputs": {"other": {}}}, "sample_inputs for unknown workflow"),
        ({"packages": ("not a package",)}, "packages="),
        ({"seed_data": 3}, "seed_data"),
    ],
)
def test_construction_names_the_app_and_the_culprit(overrides: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message) as info:
        make(**overrides)
    assert isinstance(info.value, LookupError)
    if "name" not in overrides:
        assert str(info.value).startswith("app 'mini': ")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"source": "", "detail_type": "D"}, "source"),
        ({"source": "s", "detail_type": "!!"}, "letter or digit"),
        ({"source": "s", "detail_type": "D", "input_path": "detail"}, "JSONPath"),
    ],
)
def test_bad_triggers_are_refused(kwargs: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Trigger("lookup", **kwargs)


def test_lookups_list_what_the_app_has() -> None:
    with pytest.raises(ConfigurationError, match="no service named 'x'; its services: get-user"):
        make().service("x")
    with pytest.raises(ConfigurationError, match="its workflows: order"):
        orders.workflow("trip")
    two = make(
        workflows=[lookup, orders.workflow()],
        services=list(orders.services.values()),
        tables=orders.tables,
        buckets=orders.buckets,
    )
    with pytest.raises(ConfigurationError, match="2 workflows"):
        two.workflow()


def test_deps_hold_exactly_the_apps_tables_with_its_sample_data() -> None:
    deps = orders.deps(seed=3)
    assert deps.store.names == tuple(sorted(orders.tables))
    assert deps.store.table("users").get("u-100") is not None  # seeded
    assert make().deps().store.table("users").scan() == []  # no seed_data: empty
    with pytest.raises(Exception, match="unknown table 'orders'"):
        make().deps().store.table("orders")
    assert (
        orders.deps(failure_rates={"authorize-payment": 0.5}).failure_rate("authorize-payment")
        == 0.5
    )
    with pytest.raises(ConfigurationError, match="unknown service 'payment'"):
        orders.deps(failure_rates={"payment": 0.5})


def test_the_local_handler_resolves_every_name_form_and_refuses_unknown_ones() -> None:
    handle = make().local_handler()
    for name in ("get-user", "mini-get-user", "arn:aws:lambda:us-east-1:1:function:x-get-user:7"):
        with pytest.raises(Exception, match=r"no user with id 'u-1'"):
            handle(name, {"user_id": "u-1"})
    with pytest.raises(UnknownServiceError, match="no service of app 'mini'") as info:
        handle("mini-ship", {})
    assert isinstance(info.value, ConfigurationError)


def test_a_workflow_declares_its_state_machine_type() -> None:
    from orderflow import WorkflowBuildError

    @workflow("fast", input_model=GetUserInput, type="EXPRESS")
    def fast(flow: Flow[GetUserInput]) -> None:
        flow.task("GetUser", get_user).call_with(flow.input)

    assert fast.type == "EXPRESS" and lookup.type == "STANDARD"
    with pytest.raises(WorkflowBuildError, match="STANDARD or EXPRESS"):
        workflow("slow", input_model=GetUserInput, type="SLOW")(  # type: ignore[arg-type]
            lambda flow: None
        )
