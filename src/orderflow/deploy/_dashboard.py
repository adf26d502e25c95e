"""The app's CloudWatch dashboard: its body (a pure builder) and the dashboard resource.

One dashboard per stack (``{prefix}-dashboard``), built from the app, so it shows exactly
what was deployed:

* per workflow: executions started / succeeded / failed / timed out / aborted, the success
  rate (metric math: ``100 * succeeded / (succeeded + failed + timed out + aborted)``), and
  the duration's p50, p90 and p99 (``ExecutionTime``);
* per service function: Lambda errors, throttles and duration (p90), one line each;
* every business metric the app's services declare (``Service(metrics=...)``), read from
  the stack's namespace (``orderflow/<prefix>``): one line per service, or, for a metric
  with dimensions, a ``SEARCH`` giving one line per dimension value (rejections by reason);
* the stack's alarms and their state.

CloudWatch dashboards cannot be tagged. The first widget is a text widget naming the stack
(`` `orderflow prefix=shop` ``): deploy refuses to overwrite, and destroy to delete, a
dashboard of that name without it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orderflow._errors import DeployError
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.runtime._metrics import Metric

Body = dict[str, Any]
"""A dashboard body as JSON data."""

PERIOD = 300
"""Every graph's period, in seconds."""

_WIDTH = 12
_HEIGHT = 6
_MISSING = ("ResourceNotFound", "ResourceNotFoundException")


def marker(prefix: str) -> str:
    """The text that marks a dashboard as this stack's."""
    return f"`orderflow prefix={prefix}`"


def is_our_dashboard(body: Mapping[str, Any], prefix: str) -> bool:
    """True when the body's first widget carries :func:`marker` of ``prefix``."""
    widgets = body.get("widgets")
    if not isinstance(widgets, list) or not widgets or not isinstance(widgets[0], Mapping):
        return False
    markdown = widgets[0].get("properties", {}).get("markdown", "")
    return isinstance(markdown, str) and marker(prefix) in markdown


@dataclass(frozen=True)
class WorkflowPanel:
    """One deployed workflow, as the dashboard shows it.

    Attributes:
        name: the workflow's name.
        arn: its state machine's ARN (the ``StateMachineArn`` dimension).
    """

    name: str
    arn: str


@dataclass(frozen=True)
class BusinessMetric:
    """A business metric and the services (their names) that emit it."""

    metric: Metric
    services: tuple[str, ...]


def _graph(title: str, region: str, metrics: list[Any], stat: str = "Sum", **extra: Any) -> Body:
    properties: Body = {
        "title": title,
        "region": region,
        "view": "timeSeries",
        "stacked": False,
        "stat": stat,
        "period": PERIOD,
        "metrics": metrics,
    }
    properties.update(extra)
    return {"type": "metric", "properties": properties}


def _workflow_widgets(panel: WorkflowPanel, region: str) -> list[Body]:
    dim = ["StateMachineArn", panel.arn]
    counts = [
        ["AWS/States", f"Executions{what}", *dim, {"label": what.lower()}]
        for what in ("Started", "Succeeded", "Failed", "TimedOut", "Aborted")
    ]
    rate = [
        [
            {
                "expression": "100 * FILL(s, 0) / (FILL(s, 0) + FILL(f, 0) + FILL(t, 0) + "
                "FILL(a, 0))",
                "label": "success rate %",
                "id": "rate",
            }
        ],
        ["AWS/States", "ExecutionsSucceeded", *dim, {"id": "s", "visible": False}],
        ["AWS/States", "ExecutionsFailed", *dim, {"id": "f", "visible": False}],
        ["AWS/States", "ExecutionsTimedOut", *dim, {"id": "t", "visible": False}],
        ["AWS/States", "ExecutionsAborted", *dim, {"id": "a", "visible": False}],
    ]
    durations = [
        ["AWS/States", "ExecutionTime", *dim, {"stat": stat, "label": stat}]
        for stat in ("p50", "p90", "p99")
    ]
    return [
        _graph(f"{panel.name}: executions", region, counts),
        _graph(
            f"{panel.name}: success rate (%)",
            region,
            rate,
            yAxis={"left": {"min": 0, "max": 100}},
        ),
        _graph(f"{panel.name}: duration (ms)", region, durations, stat="p50"),
    ]


def _lambda_widgets(functions: Sequence[str], region: str) -> list[Body]:
    def lines(metric: str) -> list[Any]:
        return [
            ["AWS/Lambda", metric, "FunctionName", function, {"label": function}]
            for function in functions
        ]

    return [
        _graph("Lambda errors by service", region, lines("Errors")),
        _graph("Lambda throttles by service", region, lines("Throttles")),
        _graph("Lambda duration p90 by service (ms)", region, lines("Duration"), stat="p90"),
    ]


def _business_widget(item: BusinessMetric, namespace: str, region: str) -> Body:
    metric = item.metric
    title = metric.description or metric.name
    if metric.dimensions:
        keys = ",".join([namespace, *sorted(metric.dimensions), "service"])
        search = (
            f"SEARCH('{{{keys}}} MetricName=\"{metric.name}\"', '{metric.statistic}', {PERIOD})"
        )
        lines: list[Any] = [[{"expression": search, "id": "search", "label": ""}]]
    else:
        lines = [
            [namespace, metric.name, "service", service, {"label": service}]
            for service in item.services
        ]
    return _graph(title, region, lines, stat=metric.statistic)


def dashboard_body(
    *,
    prefix: str,
    app: str,
    region: str,
    workflows: Sequence[WorkflowPanel],
    functions: Sequence[str],
    business: Sequence[BusinessMetric],
    namespace: str,
    alarm_arns: Sequence[str],
) -> Body:
    """The dashboard of one stack (see the module docstring), widgets laid out two a row."""
    shown = ["Step Functions executions and durations", "Lambda health per service"]
    if business:
        shown.append(f"business metrics from namespace `{namespace}`")
    heading = f"## {app} (stack {prefix})\nDeployed by {marker(prefix)}: {', '.join(shown)}."
    widgets: list[Body] = [
        {"type": "text", "properties": {"markdown": heading}, "width": 24, "height": 2}
    ]
    graphs: list[Body] = []
    for panel in workflows:
        graphs.extend(_workflow_widgets(panel, region))
    graphs.extend(_lambda_widgets(functions, region))
    graphs.extend(_business_widget(item, namespace, region) for item in business)
    if alarm_arns:
        graphs.append(
            {"type": "alarm", "properties": {"title": "Alarms", "alarms": sorted(alarm_arns)}}
        )
    y = 2
    for index, graph in enumerate(graphs):
        graph.update(
            {
                "x": (index % 2) * _WIDTH,
                "y": y + (index // 2) * _HEIGHT,
                "width": _WIDTH,
                "height": _HEIGHT,
            }
        )
    widgets[0].update({"x": 0, "y": 0})
    widgets.extend(graphs)
    return {"widgets": widgets}


def read_dashboard(aws: Aws, name: str) -> Body | None:
    """A dashboard's body, or ``None`` when there is no dashboard of that name."""
    client = aws.client("cloudwatch")
    try:
        answer = client.get_dashboard(DashboardName=name)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return None
        with calling(f"CloudWatch dashboard {name}", "cloudwatch:GetDashboard"):
            raise
    body = json.loads(answer.get("DashboardBody") or "{}")
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True)
class DashboardResource:
    """The stack's dashboard.

    Attributes:
        name: the dashboard name.
        prefix: the stack prefix.
        body: the dashboard body.
    """

    name: str
    prefix: str
    body: Mapping[str, Any]
    kind: str = field(default="CloudWatch dashboard", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {"Body": dict(self.body)}

    def read(self, aws: Aws) -> View | None:
        body = read_dashboard(aws, self.name)
        if body is None:
            return None
        if not is_our_dashboard(body, self.prefix):
            raise DeployError(
                f"{self._label} exists but was not made by orderflow for prefix "
                f"{self.prefix!r} (its first widget lacks {marker(self.prefix)}); refusing "
                "to change it (choose another --prefix)"
            )
        return {"Body": body}

    def create(self, aws: Aws) -> None:
        with calling(self._label, "cloudwatch:PutDashboard"):
            answer = aws.client("cloudwatch").put_dashboard(
                DashboardName=self.name, DashboardBody=json.dumps(self.body, sort_keys=True)
            )
        problems = answer.get("DashboardValidationMessages") or []
        if problems:
            raise DeployError(f"{self._label}: CloudWatch found problems in the body: {problems}")

    def refusal(self, actual: View) -> str | None:
        return None  # PutDashboard replaces the body

    def update(self, aws: Aws, actual: View) -> None:
        self.create(aws)


def delete_dashboard(aws: Aws, name: str) -> None:
    """Delete a dashboard."""
    with calling(f"CloudWatch dashboard {name}", "cloudwatch:DeleteDashboards"):
        aws.client("cloudwatch").delete_dashboards(DashboardNames=[name])


__all__ = [
    "PERIOD",
    "Body",
    "BusinessMetric",
    "DashboardResource",
    "WorkflowPanel",
    "dashboard_body",
    "delete_dashboard",
    "is_our_dashboard",
    "marker",
    "read_dashboard",
]
