"""CloudWatch alarms: what each watches (pure builders) and the alarm as a deploy resource.

Three kinds, each notifying the stack's alarm topic when it goes into ALARM and back to OK:

* **failure rate**, per workflow: metric math over Step Functions' metrics,
  ``100 * (failed + timed out + aborted) / started`` over 5 minutes, above a percentage;
* **throttles**, per service: the function's ``Throttles`` (AWS/Lambda) summed over
  5 minutes, above a count (0: any throttle alarms);
* **backlog**, per Standard workflow: ``started - (succeeded + failed + timed out +
  aborted)`` per window of N minutes, above a count in two consecutive windows. Step
  Functions publishes no "running executions" metric, and an execution waiting for a human
  approval (a ``.waitForTaskToken`` task) emits nothing while it waits; what shows such a
  backlog from the outside is executions starting faster than they end, window after window.
  A backlog of executions older than N minutes keeps the difference positive for as long as
  new orders arrive. Express workflows (at most 5 minutes, no callbacks) get none.

Missing data (no executions) is ``notBreaching``: a quiet stack is a healthy one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orderflow._errors import DeployError
from orderflow.deploy._aws import Aws, calling
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, is_ours, tag_changes

Spec = dict[str, Any]
"""``PutMetricAlarm``'s arguments, without the tags."""

PERIOD = 300
"""The window of the failure-rate and throttle alarms, in seconds."""


def _stat(
    query_id: str, namespace: str, metric: str, dimension: tuple[str, str], period: int
) -> Spec:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": namespace,
                "MetricName": metric,
                "Dimensions": [{"Name": dimension[0], "Value": dimension[1]}],
            },
            "Period": period,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def _execution_queries(machine_arn: str, period: int) -> list[Spec]:
    dimension = ("StateMachineArn", machine_arn)
    names = {
        "started": "ExecutionsStarted",
        "succeeded": "ExecutionsSucceeded",
        "failed": "ExecutionsFailed",
        "timedout": "ExecutionsTimedOut",
        "aborted": "ExecutionsAborted",
    }
    return [_stat(qid, "AWS/States", metric, dimension, period) for qid, metric in names.items()]


def _common(name: str, description: str, topic_arn: str) -> Spec:
    return {
        "AlarmName": name,
        "AlarmDescription": description,
        "ActionsEnabled": True,
        "AlarmActions": [topic_arn],
        "OKActions": [topic_arn],
        "TreatMissingData": "notBreaching",
        "ComparisonOperator": "GreaterThanThreshold",
    }


def failure_rate_alarm(name: str, machine_arn: str, topic_arn: str, percent: float) -> Spec:
    """The alarm on a workflow's share of executions that did not succeed."""
    queries = _execution_queries(machine_arn, PERIOD)
    queries = [q for q in queries if q["Id"] != "succeeded"]
    queries.append(
        {
            "Id": "failure_rate",
            "Expression": "100 * (FILL(failed, 0) + FILL(timedout, 0) + FILL(aborted, 0))"
            " / started",
            "Label": "failed, timed out or aborted (% of started)",
            "ReturnData": True,
        }
    )
    return {
        **_common(
            name,
            f"More than {percent:g}% of the executions of {machine_arn.rsplit(':', 1)[-1]} "
            f"failed, timed out or were aborted in {PERIOD // 60} minutes",
            topic_arn,
        ),
        "Threshold": float(percent),
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Metrics": queries,
    }


def throttle_alarm(name: str, function: str, topic_arn: str, threshold: int) -> Spec:
    """The alarm on a service function's throttled invocations."""
    return {
        **_common(
            name,
            f"Lambda throttled {function} more than {threshold} time(s) in {PERIOD // 60} minutes",
            topic_arn,
        ),
        "Namespace": "AWS/Lambda",
        "MetricName": "Throttles",
        "Dimensions": [{"Name": "FunctionName", "Value": function}],
        "Statistic": "Sum",
        "Period": PERIOD,
        "Threshold": float(threshold),
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
    }


def backlog_alarm(
    name: str, machine_arn: str, topic_arn: str, minutes: int, threshold: int
) -> Spec:
    """The alarm on executions starting faster than they end (waiting for approval)."""
    period = minutes * 60
    queries = _execution_queries(machine_arn, period)
    queries.append(
        {
            "Id": "backlog",
            "Expression": "FILL(started, 0) - (FILL(succeeded, 0) + FILL(failed, 0) + "
            "FILL(timedout, 0) + FILL(aborted, 0))",
            "Label": f"executions started minus ended per {minutes} minutes",
            "ReturnData": True,
        }
    )
    return {
        **_common(
            name,
            f"Executions of {machine_arn.rsplit(':', 1)[-1]} started faster than they ended "
            f"(by more than {threshold}) in two consecutive {minutes}-minute windows: "
            "executions are piling up (waiting for approval?)",
            topic_arn,
        ),
        "Threshold": float(threshold),
        "EvaluationPeriods": 2,
        "DatapointsToAlarm": 2,
        "Metrics": queries,
    }


def _project(want: Any, have: Any) -> Any:
    """``have`` reduced to the keys ``want`` has, recursively (what AWS adds is ignored)."""
    if isinstance(want, Mapping) and isinstance(have, Mapping):
        return {key: _project(want[key], have[key]) for key in want if key in have}
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        return [_project(w, h) for w, h in zip(want, have, strict=True)]
    return have


@dataclass(frozen=True)
class AlarmResource:
    """One metric alarm.

    Attributes:
        spec: ``PutMetricAlarm``'s arguments (without tags).
        arn: the alarm's ARN.
        prefix: the stack prefix.
        tags: its tags.
    """

    spec: Mapping[str, Any]
    arn: str
    prefix: str
    tags: Mapping[str, str]
    kind: str = field(default="CloudWatch alarm", init=False)

    @property
    def name(self) -> str:
        return str(self.spec["AlarmName"])

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def _managed(self) -> Spec:
        return {k: v for k, v in self.spec.items() if k != "AlarmName"}

    def desired(self) -> View:
        return {**self._managed(), "Tags": dict(self.tags)}

    def read(self, aws: Aws) -> View | None:
        client = aws.client("cloudwatch")
        with calling(self._label, "cloudwatch:DescribeAlarms"):
            found = client.describe_alarms(AlarmNames=[self.name], AlarmTypes=["MetricAlarm"])
        alarm = next(
            (a for a in found.get("MetricAlarms", []) if a["AlarmName"] == self.name), None
        )
        if alarm is None:
            return None
        with calling(self._label, "cloudwatch:ListTagsForResource"):
            tags = from_key_value(client.list_tags_for_resource(ResourceARN=self.arn)["Tags"])
        if not is_ours(tags, self.prefix):
            raise DeployError(
                f"{self._label} exists but was not made by orderflow for prefix "
                f"{self.prefix!r}; refusing to change it (choose another --prefix)"
            )
        return {**_project(self._managed(), alarm), "Tags": tags}

    def create(self, aws: Aws) -> None:
        with calling(self._label, "cloudwatch:PutMetricAlarm"):
            aws.client("cloudwatch").put_metric_alarm(**self.spec, Tags=as_key_value(self.tags))

    def refusal(self, actual: View) -> str | None:
        return None  # PutMetricAlarm replaces the whole alarm in place

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("cloudwatch")
        current = {k: v for k, v in actual.items() if k != "Tags"}
        if current != self._managed():
            with calling(self._label, "cloudwatch:PutMetricAlarm"):
                client.put_metric_alarm(**self.spec)
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "cloudwatch:TagResource"):
                client.tag_resource(ResourceARN=self.arn, Tags=as_key_value(to_set))
        if to_remove:
            with calling(self._label, "cloudwatch:UntagResource"):
                client.untag_resource(ResourceARN=self.arn, TagKeys=to_remove)


def delete_alarms(aws: Aws, names: Sequence[str]) -> None:
    """Delete alarms by name (missing ones are ignored by CloudWatch)."""
    with calling(f"CloudWatch alarms {', '.join(names)}", "cloudwatch:DeleteAlarms"):
        aws.client("cloudwatch").delete_alarms(AlarmNames=list(names))


__all__ = [
    "PERIOD",
    "AlarmResource",
    "Spec",
    "backlog_alarm",
    "delete_alarms",
    "failure_rate_alarm",
    "throttle_alarm",
]
