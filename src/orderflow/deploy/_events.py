"""The EventBridge rule that starts the workflow, and local event-pattern matching.

The rule matches ``source`` and ``detail-type`` (``microservices.orders`` /
``Order Submitted`` by default) on the default bus; its one target is the state machine
(or its alias), started with the EventBridge role and ``InputPath: $.detail``.

Why ``$.detail``: EventBridge hands a target the whole envelope (``version, id,
detail-type, source, account, time, region, resources, detail``). The workflow's input
contract is the order request itself — the same payload ``orderflow start-execution``
sends and the local runner takes — so the target strips the envelope and both entry points
give the workflow identical input. The envelope's metadata is not needed by any service.

:func:`event_matches` implements EventBridge's pattern matching for the operators rules
use, so tests (and users) can check locally which events a rule would deliver.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orderflow._errors import DeployError
from orderflow.deploy._adopt import require_ours
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, tag_changes

INPUT_PATH = "$.detail"
TARGET_ID = "orderflow-workflow"


def event_pattern(source: str, detail_type: str) -> dict[str, Any]:
    """The rule's pattern: events with exactly this source and detail-type."""
    return {"source": [source], "detail-type": [detail_type]}


def event_matches(pattern: Mapping[str, Any], event: Mapping[str, Any]) -> bool:
    """Whether EventBridge would match ``event`` against ``pattern``.

    Supports exact values (strings, numbers, booleans, null), and the ``prefix``,
    ``suffix``, ``equals-ignore-case``, ``anything-but``, ``exists`` and ``numeric``
    operators; arrays in the event match when any element matches.

    Raises:
        DeployError: the pattern uses an operator not supported here.

    Example:
        >>> event_matches({"source": ["a"], "detail": {"n": [{"numeric": [">", 1]}]}},
        ...               {"source": "a", "detail": {"n": 2}})
        True
    """
    for key, expected in pattern.items():
        present = isinstance(event, Mapping) and key in event
        value = event.get(key) if isinstance(event, Mapping) else None
        if isinstance(expected, Mapping):
            if not present or not isinstance(value, Mapping) or not event_matches(expected, value):
                return False
            continue
        if not isinstance(expected, list):
            raise DeployError(f"event pattern field {key!r} must be an object or an array")
        if not _field_matches(expected, present, value):
            return False
    return True


def _field_matches(expected: list[Any], present: bool, value: Any) -> bool:
    for matcher in expected:
        if isinstance(matcher, Mapping) and "exists" in matcher:
            if bool(matcher["exists"]) == present:
                return True
            continue
        if not present:
            continue
        values = value if isinstance(value, list) else [value]
        if any(_value_matches(matcher, v) for v in values):
            return True
    return False


def _value_matches(matcher: Any, value: Any) -> bool:
    if not isinstance(matcher, Mapping):
        return _same(matcher, value)
    if len(matcher) != 1:
        raise DeployError(f"event pattern matcher {matcher} must have exactly one operator")
    ((op, arg),) = matcher.items()
    if op == "prefix":
        return isinstance(value, str) and value.startswith(arg)
    if op == "suffix":
        return isinstance(value, str) and value.endswith(arg)
    if op == "equals-ignore-case":
        return isinstance(value, str) and value.casefold() == str(arg).casefold()
    if op == "anything-but":
        if isinstance(arg, Mapping):
            return not _value_matches(arg, value)
        excluded = arg if isinstance(arg, list) else [arg]
        return not any(_same(e, value) for e in excluded)
    if op == "numeric":
        return _numeric(arg, value)
    raise DeployError(f"event pattern operator {op!r} is not supported by local matching")


def _same(expected: Any, value: Any) -> bool:
    if isinstance(expected, bool) or isinstance(value, bool):
        return expected is value
    if isinstance(expected, int | float) and isinstance(value, int | float):
        return float(expected) == float(value)
    return bool(expected == value)


_COMPARE = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _numeric(arg: list[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    pairs = list(zip(arg[::2], arg[1::2], strict=True))
    for op, bound in pairs:
        if op not in _COMPARE:
            raise DeployError(f"numeric operator {op!r} is not one of {sorted(_COMPARE)}")
        if not _COMPARE[op](value, bound):
            return False
    return True


@dataclass(frozen=True)
class RuleResource:
    """The rule and its single target.

    Attributes:
        name: the rule name.
        arn: the rule ARN.
        prefix: the stack prefix.
        pattern: the event pattern.
        target_arn: the state machine (or alias) ARN the rule starts.
        role_arn: the role EventBridge assumes to start it.
        tags: the rule's tags.
        input_path: the part of the event that becomes the execution input.
    """

    name: str
    arn: str
    prefix: str
    pattern: Mapping[str, Any]
    target_arn: str
    role_arn: str
    tags: Mapping[str, str]
    input_path: str = INPUT_PATH
    kind: str = field(default="EventBridge rule", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def description(self) -> str:
        """The rule's description."""
        return f"Starts the orderflow workflow ({self.prefix}) on each matching event"

    def target(self) -> dict[str, str]:
        """The rule's target, as PutTargets takes it."""
        return {
            "Id": TARGET_ID,
            "Arn": self.target_arn,
            "RoleArn": self.role_arn,
            "InputPath": self.input_path,
        }

    def desired(self) -> View:
        return {
            "EventPattern": dict(self.pattern),
            "State": "ENABLED",
            "Description": self.description,
            "Targets": [self.target()],
            "Tags": dict(self.tags),
        }

    def read(self, aws: Aws) -> View | None:
        client = aws.client("events")
        try:
            rule = client.describe_rule(Name=self.name)
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            with calling(self._label, "events:DescribeRule"):
                raise
        with calling(self._label, "events:ListTagsForResource"):
            tags = from_key_value(client.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"])
        require_ours(self.kind, self.name, tags, self.prefix)
        with calling(self._label, "events:ListTargetsByRule"):
            targets = client.list_targets_by_rule(Rule=self.name).get("Targets", [])
        ours = [
            {k: t[k] for k in ("Id", "Arn", "RoleArn", "InputPath") if k in t}
            for t in targets
            if t["Id"] == TARGET_ID
        ]
        return {
            "EventPattern": json.loads(rule.get("EventPattern") or "{}"),
            "State": rule.get("State"),
            "Description": rule.get("Description", ""),
            "Targets": ours,
            "Tags": tags,
        }

    def _put(self, aws: Aws, *, tags: bool) -> None:
        client = aws.client("events")
        extra: dict[str, Any] = {"Tags": as_key_value(self.tags)} if tags else {}
        with calling(self._label, "events:PutRule"):
            client.put_rule(
                Name=self.name,
                EventPattern=json.dumps(self.pattern, sort_keys=True),
                State="ENABLED",
                Description=self.description,
                **extra,
            )
        with calling(self._label, "events:PutTargets"):
            response = client.put_targets(Rule=self.name, Targets=[self.target()])
        failed = response.get("FailedEntries") or []
        if failed:
            entry = failed[0]
            raise DeployError(
                f"{self._label}: events:PutTargets failed: {entry.get('ErrorCode')}: "
                f"{entry.get('ErrorMessage')}"
            )

    def create(self, aws: Aws) -> None:
        self._put(aws, tags=True)

    def refusal(self, actual: View) -> str | None:
        return None  # every difference can be updated in place

    def update(self, aws: Aws, actual: View) -> None:
        desired = self.desired()
        if any(actual[k] != desired[k] for k in desired if k != "Tags"):
            self._put(aws, tags=False)
        client = aws.client("events")
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "events:TagResource"):
                client.tag_resource(ResourceARN=self.arn, Tags=as_key_value(to_set))
        if to_remove:
            with calling(self._label, "events:UntagResource"):
                client.untag_resource(ResourceARN=self.arn, TagKeys=to_remove)


def delete_rule(aws: Aws, name: str) -> None:
    """Remove the rule's targets, then the rule (already-deleted is fine).

    Every target goes, not just orderflow's: EventBridge refuses to delete a rule that has
    targets, and the rule (ours, by its tags) is going away regardless.
    """
    client = aws.client("events")
    try:
        targets = client.list_targets_by_rule(Rule=name).get("Targets", [])
        if targets:
            client.remove_targets(Rule=name, Ids=[t["Id"] for t in targets])
        client.delete_rule(Name=name)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        with calling(f"EventBridge rule {name}", "events:DeleteRule"):
            raise


__all__ = [
    "INPUT_PATH",
    "TARGET_ID",
    "RuleResource",
    "delete_rule",
    "event_matches",
    "event_pattern",
]
