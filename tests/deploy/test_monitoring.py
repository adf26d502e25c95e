"""Monitoring deployed with each app: alarm topic, alarms and dashboard, against moto.

The dashboard body and the alarms are asserted as JSON (what the builders make and what
CloudWatch stores); deploy creates them tagged and notifying the topic, a second deploy
changes nothing, a changed threshold is an update with a diff, and destroy leaves nothing.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from orderflow import App
from orderflow._errors import DeployError
from orderflow.deploy import Aws, Packager, StackConfig, deploy, destroy
from orderflow.deploy._monitoring import MonitoringConfig, monitoring_resources
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Action
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, get_user
from orderflow.orders.app import app

from .conftest import ACCOUNT, REGION, FakeDependencies, MotoServer

pytestmark = pytest.mark.moto

NAMES = StackNames("shop", ACCOUNT, REGION)
MACHINE = NAMES.for_workflow("order")
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:shop-alarms"
TRAVEL = Path(__file__).resolve().parents[2] / "examples" / "travel" / "src"


def quiet(line: str) -> None:
    del line


def client(moto: MotoServer, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=moto.url)


def _resources(config: MonitoringConfig | None = None) -> dict[str, Any]:
    found = monitoring_resources(NAMES, app, [(MACHINE, "STANDARD")], config or MonitoringConfig())
    return {resource.name: resource for resource in found}


def _widget(body: dict[str, Any], title: str) -> dict[str, Any]:
    (widget,) = [w for w in body["widgets"] if w["properties"].get("title") == title]
    return widget["properties"]


def test_dashboard_body_shows_executions_durations_lambdas_and_business_metrics() -> None:
    body = _resources()["shop-dashboard"].desired()["Body"]
    assert "`orderflow prefix=shop`" in body["widgets"][0]["properties"]["markdown"]
    arn = MACHINE.state_machine_arn
    counts = _widget(body, "order: executions")["metrics"]
    assert [line[1] for line in counts] == [
        "ExecutionsStarted",
        "ExecutionsSucceeded",
        "ExecutionsFailed",
        "ExecutionsTimedOut",
        "ExecutionsAborted",
    ]
    assert all(line[:4] == ["AWS/States", line[1], "StateMachineArn", arn] for line in counts)
    rate = _widget(body, "order: success rate (%)")["metrics"]
    assert rate[0][0]["expression"].startswith("100 * FILL(s, 0) / (")
    assert {line[-1]["id"] for line in rate[1:]} == {"s", "f", "t", "a"}
    durations = _widget(body, "order: duration (ms)")["metrics"]
    assert [line[-1]["stat"] for line in durations] == ["p50", "p90", "p99"]
    for title, metric in (
        ("Lambda errors by service", "Errors"),
        ("Lambda throttles by service", "Throttles"),
        ("Lambda duration p90 by service (ms)", "Duration"),
    ):
        lines = _widget(body, title)["metrics"]
        assert [line[3] for line in lines] == [f"shop-{name}" for name in app.services]
        assert {line[1] for line in lines} == {metric}
    completed = _widget(body, "Orders completed (confirmation sent)")["metrics"]
    assert completed == [
        [
            "orderflow/shop",
            "OrdersCompleted",
            "service",
            "send-notification",
            {"label": "send-notification"},
        ]
    ]
    revenue = _widget(body, "Revenue of completed orders (integer cents)")["metrics"]
    assert revenue[0][:2] == ["orderflow/shop", "RevenueCents"]
    rejected = _widget(body, "Orders rejected, by reason (business error)")["metrics"]
    assert rejected == [
        [
            {
                "expression": "SEARCH('{orderflow/shop,Reason,service} "
                "MetricName=\"OrdersRejected\"', 'Sum', 300)",
                "id": "search",
                "label": "",
            }
        ]
    ]
    alarms = next(w for w in body["widgets"] if w["type"] == "alarm")["properties"]["alarms"]
    assert f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:shop-order-failure-rate" in alarms
    # Laid out on CloudWatch's 24-column grid without overlaps.
    cells = {(w["x"], w["y"]) for w in body["widgets"]}
    assert len(cells) == len(body["widgets"])
    assert all(w["x"] + w["width"] <= 24 for w in body["widgets"])


def test_alarms_watch_failure_rate_backlog_and_throttles() -> None:
    resources = _resources(MonitoringConfig(failure_rate_percent=2.5, backlog_minutes=30))
    rate = resources["shop-order-failure-rate"].spec
    assert rate["Threshold"] == 2.5 and rate["AlarmActions"] == [TOPIC]
    (expression,) = [q for q in rate["Metrics"] if "Expression" in q]
    assert expression["ReturnData"] is True
    assert expression["Expression"] == (
        "100 * (FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0)) / started"
    )
    stats = {q["Id"]: q["MetricStat"] for q in rate["Metrics"] if "MetricStat" in q}
    assert stats["started"]["Metric"]["MetricName"] == "ExecutionsStarted"
    assert stats["started"]["Metric"]["Dimensions"] == [
        {"Name": "StateMachineArn", "Value": MACHINE.state_machine_arn}
    ]
    backlog = resources["shop-order-backlog"].spec
    assert {q["MetricStat"]["Period"] for q in backlog["Metrics"] if "MetricStat" in q} == {1800}
    assert backlog["EvaluationPeriods"] == backlog["DatapointsToAlarm"] == 2
    for name in app.services:
        throttles = resources[f"shop-{name}-throttles"].spec
        assert throttles["MetricName"] == "Throttles" and throttles["Namespace"] == "AWS/Lambda"
        assert throttles["Dimensions"] == [{"Name": "FunctionName", "Value": f"shop-{name}"}]
    # An Express workflow cannot wait for an approval: no backlog alarm.
    express = monitoring_resources(NAMES, app, [(MACHINE, "EXPRESS")], MonitoringConfig())
    assert "shop-order-backlog" not in {r.name for r in express}
    assert (
        monitoring_resources(NAMES, app, [(MACHINE, "STANDARD")], MonitoringConfig(enabled=False))
        == []
    )


@pytest.mark.parametrize(
    "bad", [{"failure_rate_percent": 100}, {"throttles": -1}, {"backlog_minutes": 0}]
)
def test_thresholds_out_of_range_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(DeployError):
        MonitoringConfig(**bad)


def test_deploy_creates_tagged_monitoring_idempotently_and_destroy_removes_it(
    moto: MotoServer, aws: Aws, packager: Packager
) -> None:
    planned = deploy(aws, app=app, prefix="shop", packager=packager, dry_run=True)
    kinds = {(c.kind, c.name): c.action for c in planned.changes}
    assert kinds[("SNS topic", "shop-alarms")] is Action.CREATE
    assert kinds[("CloudWatch dashboard", "shop-dashboard")] is Action.CREATE
    assert kinds[("CloudWatch alarm", "shop-order-failure-rate")] is Action.CREATE
    assert not [w for w in moto.writes() if w[0] in {"cloudwatch", "sns"}]

    deploy(aws, app=app, prefix="shop", packager=packager, progress=quiet)
    # Deploy monitors every workflow of the app, each by its own type.
    every = [(NAMES.for_workflow(name), flow.type) for name, flow in app.workflows.items()]
    expected = {r.name: r for r in monitoring_resources(NAMES, app, every, MonitoringConfig())}
    cw = client(moto, "cloudwatch")
    stored = json.loads(cw.get_dashboard(DashboardName="shop-dashboard")["DashboardBody"])
    assert stored == expected["shop-dashboard"].desired()["Body"]
    alarms = cw.describe_alarms(AlarmNamePrefix="shop-")["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        name for name in expected if name not in {"shop-dashboard", "shop-alarms"}
    )
    tags = {"project": "orderflow", "prefix": "shop", "app": app.name}
    for alarm in alarms:
        assert alarm["AlarmActions"] == [TOPIC] and alarm["OKActions"] == [TOPIC]
        listed = cw.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
        assert {t["Key"]: t["Value"] for t in listed} == tags
    rate = next(a for a in alarms if a["AlarmName"] == "shop-order-failure-rate")
    assert [q["Id"] for q in rate["Metrics"]][-1] == "failure_rate"
    sns = client(moto, "sns")
    topic_tags = sns.list_tags_for_resource(ResourceArn=TOPIC)["Tags"]
    assert {t["Key"]: t["Value"] for t in topic_tags} == tags

    again = deploy(aws, app=app, prefix="shop", packager=packager, dry_run=True)
    assert again.up_to_date, again.render()

    stricter = StackConfig(monitoring=MonitoringConfig(failure_rate_percent=1.0))
    changed = deploy(aws, app=app, prefix="shop", packager=packager, config=stricter, dry_run=True)
    updates = [c for c in changed.changes if c.action is Action.UPDATE]
    assert [(c.kind, c.name) for c in updates] == [
        ("CloudWatch alarm", f"shop-{name}-failure-rate") for name in app.workflows
    ]
    for update in updates:
        assert update.diff[-1] == "~ Threshold: 5.0 -> 1.0"
        assert update.diff[0].startswith('~ AlarmDescription: "More than 5% ')
    deploy(aws, app=app, prefix="shop", packager=packager, config=stricter, progress=quiet)
    assert (
        cw.describe_alarms(AlarmNames=["shop-order-failure-rate"])["MetricAlarms"][0]["Threshold"]
        == 1.0
    )

    lines: list[str] = []
    deleted = destroy(aws, prefix="shop", progress=lines.append)
    assert "CloudWatch dashboard shop-dashboard" in deleted
    assert "SNS topic shop-alarms" in deleted
    assert cw.describe_alarms()["MetricAlarms"] == []
    assert cw.list_dashboards()["DashboardEntries"] == []
    assert sns.list_topics()["Topics"] == []
    assert destroy(aws, prefix="shop", progress=quiet) == []


def test_a_dashboard_not_made_for_the_stack_is_neither_changed_nor_deleted(
    moto: MotoServer, aws: Aws, packager: Packager
) -> None:
    cw = client(moto, "cloudwatch")
    mine = {"widgets": [{"type": "text", "properties": {"markdown": "my own"}}]}
    cw.put_dashboard(DashboardName="shop-dashboard", DashboardBody=json.dumps(mine))
    with pytest.raises(DeployError, match="not made by orderflow for prefix 'shop'"):
        deploy(aws, app=app, prefix="shop", packager=packager, dry_run=True)
    lines: list[str] = []
    destroy(aws, prefix="shop", progress=lines.append)
    assert any(line.startswith("left alone CloudWatch dashboard shop-dashboard") for line in lines)
    assert json.loads(cw.get_dashboard(DashboardName="shop-dashboard")["DashboardBody"]) == mine


@pytest.fixture
def travel_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The examples/travel app, importable as its project makes it."""
    monkeypatch.syspath_prepend(str(TRAVEL))
    import importlib

    module = importlib.import_module("travel.app")
    yield module.app


def test_the_travel_app_gets_its_own_dashboard_without_order_metrics(
    moto: MotoServer, aws: Aws, travel_app: Any
) -> None:
    assert not any(service.metrics for service in travel_app.services.values())
    packager = Packager(FakeDependencies())
    deploy(aws, app=travel_app, prefix="trips", packager=packager, progress=quiet)
    cw = client(moto, "cloudwatch")
    body = json.loads(cw.get_dashboard(DashboardName="trips-dashboard")["DashboardBody"])
    text = json.dumps(body)
    for order_metric in ("OrdersCompleted", "RevenueCents", "OrdersRejected", "orderflow/trips"):
        assert order_metric not in text
    assert "`orderflow prefix=trips`" in body["widgets"][0]["properties"]["markdown"]
    throttled = {w["properties"]["title"] for w in body["widgets"] if w["type"] == "metric"}
    assert "Lambda throttles by service" in throttled
    # Its functions are not told about a metrics namespace, and do not ship Powertools.
    lam = client(moto, "lambda")
    for name in travel_app.services:
        variables = lam.get_function(FunctionName=f"trips-{name}")["Configuration"]["Environment"][
            "Variables"
        ]
        assert "ORDERFLOW_METRICS_NAMESPACE" not in variables
        assert not any("powertools" in r for r in packager.trace(name).requirements)
    destroy(aws, prefix="trips", progress=quiet)
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_order_services_with_metrics_ship_powertools(packager: Packager) -> None:
    for name, service in app.services.items():
        dists = {
            r.partition("==")[0].replace("_", "-").lower()
            for r in packager.trace(name).requirements
        }
        assert ("aws-lambda-powertools" in dists) == bool(service.metrics), name


def test_monitoring_can_be_turned_off(aws: Aws, packager: Packager) -> None:
    config = StackConfig(monitoring=dataclasses.replace(MonitoringConfig(), enabled=False))
    planned = deploy(aws, app=app, prefix="shop", packager=packager, config=config, dry_run=True)
    assert not [c for c in planned.changes if c.kind.startswith("CloudWatch")]
    # The app's own topics stay; only the alarm topic goes.
    topics = [c.name for c in planned.changes if c.kind == "SNS topic"]
    assert topics == [topic.replace("{prefix}", "shop") for topic in app.topics]


@workflow("lookup", input_model=GetUserInput)
def lookup_workflow(flow: Flow[GetUserInput]) -> None:
    flow.task("GetUser", get_user).call_with(flow.input)


def test_an_app_topic_named_like_the_alarm_topic_is_refused() -> None:
    clash = App(
        "clash",
        services=[get_user],
        workflows=[lookup_workflow],
        tables={"users": "user_id"},
        topics=["{prefix}-alarms"],
    )
    with pytest.raises(DeployError, match="'shop-alarms', the name deploy gives"):
        monitoring_resources(NAMES, clash, [(MACHINE, "STANDARD")], MonitoringConfig())
    # Without monitoring there is no alarm topic to collide with.
    off = MonitoringConfig(enabled=False)
    assert monitoring_resources(NAMES, clash, [(MACHINE, "STANDARD")], off) == []
