"""The state machine's CloudWatch Logs log group as a deploy resource.

Step Functions' logging configuration points at an existing log group; deploy creates it
(tagged, with a retention period so logs do not accumulate forever) before the machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from orderflow.deploy._adopt import create_or_adopt, require_ours
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.deploy._tags import tag_changes

RETENTION_DAYS = 30


@dataclass(frozen=True)
class LogGroupResource:
    """One log group.

    Attributes:
        name: the log group name.
        arn: its ARN without the trailing ``:*`` (the form tagging APIs take).
        prefix: the stack prefix.
        tags: the log group's tags.
        retention_days: how long events are kept.
    """

    name: str
    arn: str
    prefix: str
    tags: Mapping[str, str]
    retention_days: int = RETENTION_DAYS
    kind: str = field(default="log group", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {"RetentionInDays": self.retention_days, "Tags": dict(self.tags)}

    def read(self, aws: Aws) -> View | None:
        client = aws.client("logs")
        with calling(self._label, "logs:DescribeLogGroups"):
            groups = client.describe_log_groups(logGroupNamePrefix=self.name).get("logGroups", [])
        group = next((g for g in groups if g["logGroupName"] == self.name), None)
        if group is None:
            return None
        with calling(self._label, "logs:ListTagsForResource"):
            tags = dict(client.list_tags_for_resource(resourceArn=self.arn).get("tags") or {})
        require_ours(self.kind, self.name, tags, self.prefix)
        return {"RetentionInDays": group.get("retentionInDays"), "Tags": tags}

    def create(self, aws: Aws) -> None:
        client = aws.client("logs")
        adopted = create_or_adopt(
            aws,
            self,
            "logs:CreateLogGroup",
            lambda: client.create_log_group(logGroupName=self.name, tags=dict(self.tags)),
            codes={"ResourceAlreadyExistsException"},
        )
        if adopted is not None:
            return  # adopting brought it to the desired view, retention included
        with calling(self._label, "logs:PutRetentionPolicy"):
            client.put_retention_policy(logGroupName=self.name, retentionInDays=self.retention_days)

    def refusal(self, actual: View) -> str | None:
        return None  # every difference can be updated in place

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("logs")
        if actual["RetentionInDays"] != self.retention_days:
            with calling(self._label, "logs:PutRetentionPolicy"):
                client.put_retention_policy(
                    logGroupName=self.name, retentionInDays=self.retention_days
                )
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "logs:TagResource"):
                client.tag_resource(resourceArn=self.arn, tags=to_set)
        if to_remove:
            with calling(self._label, "logs:UntagResource"):
                client.untag_resource(resourceArn=self.arn, tagKeys=to_remove)


def delete_log_group(aws: Aws, name: str) -> None:
    """Delete a log group (already-deleted is fine)."""
    try:
        aws.client("logs").delete_log_group(logGroupName=name)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        with calling(f"log group {name}", "logs:DeleteLogGroup"):
            raise


__all__ = ["RETENTION_DAYS", "LogGroupResource", "delete_log_group"]
