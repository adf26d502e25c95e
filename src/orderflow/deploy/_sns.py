"""SNS topics as deploy resources: the topics an app's workflows publish to, and the
stack's alarm topic (see :mod:`orderflow.deploy._monitoring`).

An app declares its topics (``App(topics=[...])``, e.g. the order app's approvals topic); the
workflows name them in their ``sns:publish`` tasks, so the topic keeps the name written
there, and the state machine role may publish to exactly those topics (see
:mod:`orderflow.deploy._grants`). Topic names start with the prefix (``"{prefix}-approvals"``
in the workflow and the app), so destroy finds them as it finds the rest of the stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from orderflow.deploy._adopt import require_ours
from orderflow.deploy._aws import Aws, calling, error_code
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, tag_changes

_MISSING = ("NotFound", "NotFoundException", "ResourceNotFoundException")


def topic_tags(aws: Aws, arn: str) -> dict[str, str] | None:
    """The topic's tags, or ``None`` when it does not exist."""
    label = f"SNS topic {arn.rsplit(':', 1)[-1]}"
    client = aws.client("sns")
    try:
        client.get_topic_attributes(TopicArn=arn)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return None
        with calling(label, "sns:GetTopicAttributes"):
            raise
    with calling(label, "sns:ListTagsForResource"):
        return from_key_value(client.list_tags_for_resource(ResourceArn=arn).get("Tags", []))


@dataclass(frozen=True)
class TopicResource:
    """One SNS topic.

    Attributes:
        name: the topic name (``orderflow-approvals``).
        arn: its ARN.
        prefix: the stack prefix.
        tags: the topic's tags.
    """

    name: str
    arn: str
    prefix: str
    tags: Mapping[str, str]
    kind: str = field(default="SNS topic", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {"Tags": dict(self.tags)}

    def read(self, aws: Aws) -> View | None:
        tags = topic_tags(aws, self.arn)
        if tags is None:
            return None
        require_ours(self.kind, self.name, tags, self.prefix)
        return {"Tags": tags}

    def create(self, aws: Aws) -> None:
        with calling(self._label, "sns:CreateTopic"):
            aws.client("sns").create_topic(Name=self.name, Tags=as_key_value(self.tags))

    def refusal(self, actual: View) -> str | None:
        return None  # tags are all deploy manages on a topic

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("sns")
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "sns:TagResource"):
                client.tag_resource(ResourceArn=self.arn, Tags=as_key_value(to_set))
        if to_remove:
            with calling(self._label, "sns:UntagResource"):
                client.untag_resource(ResourceArn=self.arn, TagKeys=to_remove)


def delete_topic(aws: Aws, arn: str) -> None:
    """Delete a topic (SNS treats an already-deleted topic as deleted)."""
    with calling(f"SNS topic {arn.rsplit(':', 1)[-1]}", "sns:DeleteTopic"):
        aws.client("sns").delete_topic(TopicArn=arn)


def stack_topics(aws: Aws, prefix: str) -> dict[str, dict[str, str]]:
    """Every topic named ``{prefix}-…`` -> its tags (destroy deletes those tagged ours)."""
    client = aws.client("sns")
    found: dict[str, dict[str, str]] = {}
    with calling("SNS topics", "sns:ListTopics"):
        arns = [
            topic["TopicArn"]
            for page in client.get_paginator("list_topics").paginate()
            for topic in page.get("Topics", [])
        ]
    for arn in arns:
        if not arn.rsplit(":", 1)[-1].startswith(f"{prefix}-"):
            continue
        with calling(f"SNS topic {arn.rsplit(':', 1)[-1]}", "sns:ListTagsForResource"):
            found[arn] = from_key_value(client.list_tags_for_resource(ResourceArn=arn)["Tags"])
    return found


__all__ = ["TopicResource", "delete_topic", "stack_topics", "topic_tags"]
