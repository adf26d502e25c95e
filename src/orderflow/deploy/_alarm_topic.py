"""The SNS topic the stack's alarms notify (``{prefix}-alarms``) as a deploy resource.

Deploy creates the topic, tagged, and nothing else: who is told (an e-mail address, a chat
hook, an on-call tool) is the operator's choice, made by subscribing to the topic. A topic
in the same account as the alarms needs no access policy for CloudWatch to publish to it.
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
    client = aws.client("sns")
    try:
        client.get_topic_attributes(TopicArn=arn)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return None
        with calling(f"SNS topic {arn}", "sns:GetTopicAttributes"):
            raise
    with calling(f"SNS topic {arn}", "sns:ListTagsForResource"):
        return from_key_value(client.list_tags_for_resource(ResourceArn=arn).get("Tags", []))


@dataclass(frozen=True)
class TopicResource:
    """One SNS topic.

    Attributes:
        name: the topic name.
        arn: its ARN.
        prefix: the stack prefix.
        tags: its tags.
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
        return None  # tags are the only managed field

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
    """Delete a topic (SNS answers a delete of a missing topic with success)."""
    with calling(f"SNS topic {arn}", "sns:DeleteTopic"):
        aws.client("sns").delete_topic(TopicArn=arn)


__all__ = ["TopicResource", "delete_topic", "topic_tags"]
