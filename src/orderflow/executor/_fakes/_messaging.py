"""In-memory SNS topics, SQS queues and EventBridge buses that record what was sent.

A message body or event detail given as a JSON object is serialised the way Step Functions
serialises it before calling the service, so :attr:`FakeMessaging.messages` holds the text
the queue would deliver. Topics, queues and buses need no creating: the first message makes
them (``strict=True`` makes an unknown one fail as on AWS).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from orderflow.executor._fakes._common import Ids, metadata, name_of, need, service_error


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class FakeMessaging:
    """What was published, sent and put.

    Attributes:
        published: topic name -> the messages published to it, in order
            (``{"MessageId", "TopicArn", "Message", "Subject"?}``).
        messages: queue name -> the messages sent to it, in order
            (``{"MessageId", "QueueUrl", "MessageBody", "MD5OfMessageBody", ...}``).
        events: every event put, in order (``{"EventId", "EventBusName", "Source",
            "DetailType", "Detail"}``).
        strict: when true, only topics, queues and buses created beforehand exist.
    """

    def __init__(self, ids: Ids, *, strict: bool = False) -> None:
        self.ids = ids
        self.strict = strict
        self.published: dict[str, list[dict[str, Any]]] = {}
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []
        self.buses: set[str] = {"default"}

    def create_topic(self, name: str) -> None:
        self.published.setdefault(name, [])

    def create_queue(self, name: str) -> None:
        self.messages.setdefault(name, [])

    def create_bus(self, name: str) -> None:
        self.buses.add(name)

    def publish(self, params: Any) -> dict[str, Any]:
        arn = str(need(params, "TopicArn", self.ids, "SNS", "AmazonSNS"))
        topic = name_of(arn)
        if self.strict and topic not in self.published:
            raise service_error(self.ids, "SNS", "AmazonSNS", "NotFound", "Topic does not exist")
        message = need(params, "Message", self.ids, "SNS", "AmazonSNS")
        record = {"MessageId": self.ids.uuid(), "TopicArn": arn, "Message": _text(message)}
        if "Subject" in params:
            record["Subject"] = params["Subject"]
        self.published.setdefault(topic, []).append(record)
        return {"MessageId": record["MessageId"], **metadata(self.ids, "text/xml")}

    def send_message(self, params: Any) -> dict[str, Any]:
        url = str(need(params, "QueueUrl", self.ids, "SQS", "AmazonSQS"))
        queue = name_of(url)
        if self.strict and queue not in self.messages:
            raise service_error(
                self.ids,
                "SQS",
                "AmazonSQS",
                "QueueDoesNotExist",
                "The specified queue does not exist.",
            )
        body = _text(need(params, "MessageBody", self.ids, "SQS", "AmazonSQS"))
        record: dict[str, Any] = {
            "MessageId": self.ids.uuid(),
            "QueueUrl": url,
            "MessageBody": body,
            "MD5OfMessageBody": hashlib.md5(body.encode()).hexdigest(),
        }
        for optional in ("MessageGroupId", "MessageDeduplicationId", "DelaySeconds"):
            if optional in params:
                record[optional] = params[optional]
        self.messages.setdefault(queue, []).append(record)
        return {
            "MD5OfMessageBody": record["MD5OfMessageBody"],
            "MessageId": record["MessageId"],
            **metadata(self.ids, "text/xml"),
        }

    def put_events(self, params: Any) -> dict[str, Any]:
        entries = need(params, "Entries", self.ids, "EventBridge", "AmazonEventBridge")
        if not isinstance(entries, list) or not 1 <= len(entries) <= 10:
            raise service_error(
                self.ids,
                "EventBridge",
                "AmazonEventBridge",
                "ValidationException",
                "Entries must hold 1 to 10 events",
            )
        results: list[dict[str, Any]] = []
        failed = 0
        for entry in entries:
            entry = entry if isinstance(entry, dict) else {}
            bus = name_of(str(entry.get("EventBusName", "default")))
            missing = [f for f in ("Source", "DetailType", "Detail") if f not in entry]
            if missing or (self.strict and bus not in self.buses):
                failed += 1
                results.append(
                    {
                        "ErrorCode": "MalformedDetail" if missing else "ResourceNotFoundException",
                        "ErrorMessage": f"missing {', '.join(missing)}"
                        if missing
                        else f"Event bus {bus} does not exist.",
                    }
                )
                continue
            event_id = self.ids.uuid()
            self.buses.add(bus)
            self.events.append(
                {
                    "EventId": event_id,
                    "EventBusName": bus,
                    "Source": entry["Source"],
                    "DetailType": entry["DetailType"],
                    "Detail": _text(entry["Detail"]),
                }
            )
            results.append({"EventId": event_id})
        return {"Entries": results, "FailedEntryCount": failed, **metadata(self.ids)}


__all__ = ["FakeMessaging"]
