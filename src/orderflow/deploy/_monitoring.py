"""Monitoring of a stack: its alarm topic, alarms and dashboard, named and assembled.

Deploy adds, per app (stack), after the functions and machines: the SNS topic
``{prefix}-alarms``, the alarms (``{prefix}-{workflow}-failure-rate``,
``{prefix}-{workflow}-backlog`` for Standard workflows, ``{prefix}-{service}-throttles``),
all tagged and notifying the topic, and the dashboard ``{prefix}-dashboard`` (dashboards
cannot be tagged; see ``_dashboard``). The business metrics drawn are exactly those the
app's services declare, read from the namespace ``orderflow/<prefix>`` that deploy gives
their functions. Destroy removes alarms, dashboard and topic (see :func:`destroy_monitoring`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orderflow._errors import DeployError
from orderflow.deploy._alarms import (
    AlarmResource,
    backlog_alarm,
    delete_alarms,
    failure_rate_alarm,
    throttle_alarm,
)
from orderflow.deploy._aws import Aws, calling
from orderflow.deploy._dashboard import (
    BusinessMetric,
    DashboardResource,
    WorkflowPanel,
    dashboard_body,
    delete_dashboard,
    is_our_dashboard,
    read_dashboard,
)
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Resource
from orderflow.deploy._sns import TopicResource, delete_topic, topic_tags
from orderflow.deploy._tags import from_key_value, stack_tags

if TYPE_CHECKING:
    from orderflow._app import App


@dataclass(frozen=True)
class MonitoringConfig:
    """The alarms' thresholds.

    Attributes:
        failure_rate_percent: a workflow's failure-rate alarm fires above this share of
            its executions failing, timing out or being aborted in 5 minutes.
        throttles: a service's throttle alarm fires above this many throttled
            invocations in 5 minutes (0: any).
        backlog_minutes: the window N of the backlog alarm (Standard workflows).
        backlog_executions: the backlog alarm fires when more than this many executions
            started than ended in each of two consecutive windows.
        enabled: deploy the monitoring resources at all.

    Raises:
        DeployError: a threshold out of range.
    """

    failure_rate_percent: float = 5.0
    throttles: int = 0
    backlog_minutes: int = 60
    backlog_executions: int = 0
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 0 <= self.failure_rate_percent < 100:
            raise DeployError("the failure-rate alarm threshold must be a percentage in [0, 100)")
        if self.throttles < 0 or self.backlog_executions < 0:
            raise DeployError("alarm thresholds must not be negative")
        # Two windows must fit in the day a metric-math alarm may look back over.
        if not 1 <= self.backlog_minutes <= 720:
            raise DeployError("the backlog window must be 1-720 minutes")


def metrics_namespace(prefix: str) -> str:
    """The CloudWatch namespace of the stack's business metrics."""
    return f"orderflow/{prefix}"


def alarm_topic(names: StackNames) -> str:
    """The name of the topic the stack's alarms notify."""
    return f"{names.prefix}-alarms"


def alarm_topic_arn(names: StackNames) -> str:
    """The ARN of :func:`alarm_topic`."""
    return f"arn:{names.partition}:sns:{names.region}:{names.account}:{alarm_topic(names)}"


def dashboard_name(names: StackNames) -> str:
    """The stack's dashboard name."""
    return f"{names.prefix}-dashboard"


def alarm_arn(names: StackNames, alarm: str) -> str:
    """The ARN of an alarm of the stack."""
    return f"arn:{names.partition}:cloudwatch:{names.region}:{names.account}:alarm:{alarm}"


def business_metrics(app: App) -> list[BusinessMetric]:
    """Every metric the app's services declare, with the services emitting it (in the
    app's order).

    Raises:
        DeployError: two services declare the same metric name differently.
    """
    found: dict[str, BusinessMetric] = {}
    for service in app.services.values():
        for metric in service.metrics:
            seen = found.get(metric.name)
            if seen is not None and seen.metric != metric:
                raise DeployError(
                    f"services {seen.services[0]!r} and {service.name!r} declare metric "
                    f"{metric.name!r} differently; declare it once and share it"
                )
            services = (*seen.services, service.name) if seen else (service.name,)
            found[metric.name] = BusinessMetric(metric, services)
    return list(found.values())


def monitoring_resources(
    names: StackNames,
    app: App,
    workflows: Sequence[tuple[StackNames, str]],
    config: MonitoringConfig,
    tags: Mapping[str, str] | None = None,
) -> list[Resource]:
    """The topic, the alarms and the dashboard of the stack, in creation order.

    Args:
        names: the stack's names.
        app: the app deployed.
        workflows: each deployed workflow's names (workflow chosen) and machine type.
        config: the alarms' thresholds.
        tags: the stack's tags (default: :func:`stack_tags`).
    """
    if not config.enabled:
        return []
    mine = alarm_topic(names)
    if mine in {topic.replace("{prefix}", names.prefix) for topic in app.topics}:
        raise DeployError(
            f"app {app.name!r} declares the topic {mine!r}, the name deploy gives the "
            "stack's alarm topic: rename the app's topic"
        )
    tags = dict(tags) if tags is not None else stack_tags(names.prefix, app.name)
    topic_arn = alarm_topic_arn(names)
    specs: list[dict[str, Any]] = []
    for chosen, machine_type in workflows:
        machine = chosen.state_machine
        specs.append(
            failure_rate_alarm(
                f"{machine}-failure-rate",
                chosen.state_machine_arn,
                topic_arn,
                config.failure_rate_percent,
            )
        )
        if machine_type == "STANDARD":
            specs.append(
                backlog_alarm(
                    f"{machine}-backlog",
                    chosen.state_machine_arn,
                    topic_arn,
                    config.backlog_minutes,
                    config.backlog_executions,
                )
            )
    functions = [names.function(service) for service in app.services]
    for service in app.services:
        specs.append(
            throttle_alarm(
                f"{names.function(service)}-throttles",
                names.function(service),
                topic_arn,
                config.throttles,
            )
        )
    alarms = [
        AlarmResource(spec, alarm_arn(names, spec["AlarmName"]), names.prefix, tags)
        for spec in specs
    ]
    body = dashboard_body(
        prefix=names.prefix,
        app=app.name,
        region=names.region,
        workflows=[WorkflowPanel(n.workflow or "", n.state_machine_arn) for n, _ in workflows],
        functions=functions,
        business=business_metrics(app),
        namespace=metrics_namespace(names.prefix),
        alarm_arns=[alarm.arn for alarm in alarms],
    )
    return [
        TopicResource(alarm_topic(names), topic_arn, names.prefix, tags),
        *alarms,
        DashboardResource(dashboard_name(names), names.prefix, body),
    ]


Handle = Callable[[str, str, dict[str, str], Callable[[], None]], None]
"""Destroy's ``handle(kind, name, tags, delete)``: deletes when the tags say it is ours."""


def _alarms(aws: Aws, prefix: str) -> Iterator[dict[str, Any]]:
    client = aws.client("cloudwatch")
    with calling(f"CloudWatch alarms {prefix}-*", "cloudwatch:DescribeAlarms"):
        pages = client.get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=f"{prefix}-", AlarmTypes=["MetricAlarm"]
        )
        alarms = [alarm for page in pages for alarm in page.get("MetricAlarms", [])]
    yield from alarms


def _deleter(aws: Aws, alarm: str) -> Callable[[], None]:
    return lambda: delete_alarms(aws, [alarm])


def destroy_monitoring(aws: Aws, names: StackNames, handle: Handle) -> None:
    """Delete the stack's alarms, dashboard and alarm topic through destroy's ``handle``.

    Alarms are found by name prefix and deleted when tagged as this stack's; the
    dashboard, which cannot be tagged, when its first widget carries the stack's marker
    (it is then handed to ``handle`` with the stack's tags); the topic by its name.
    """
    client = aws.client("cloudwatch")
    for alarm in _alarms(aws, names.prefix):
        name = alarm["AlarmName"]
        with calling(f"CloudWatch alarm {name}", "cloudwatch:ListTagsForResource"):
            tags = from_key_value(
                client.list_tags_for_resource(ResourceARN=alarm["AlarmArn"])["Tags"]
            )
        handle("CloudWatch alarm", name, tags, _deleter(aws, name))
    dashboard = dashboard_name(names)
    body = read_dashboard(aws, dashboard)
    if body is not None:
        tags = stack_tags(names.prefix) if is_our_dashboard(body, names.prefix) else {}
        handle("CloudWatch dashboard", dashboard, tags, lambda: delete_dashboard(aws, dashboard))
    topic_arn = alarm_topic_arn(names)
    found = topic_tags(aws, topic_arn)
    if found is not None:
        handle("SNS topic", alarm_topic(names), found, lambda: delete_topic(aws, topic_arn))


__all__ = [
    "Handle",
    "MonitoringConfig",
    "alarm_arn",
    "alarm_topic",
    "alarm_topic_arn",
    "business_metrics",
    "dashboard_name",
    "destroy_monitoring",
    "metrics_namespace",
    "monitoring_resources",
]
