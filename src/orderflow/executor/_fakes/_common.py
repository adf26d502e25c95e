"""What every local AWS fake shares: request ids, AWS-shaped metadata and errors."""

from __future__ import annotations

import random
import uuid
from typing import Any

from orderflow._errors import TaskFailure

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


class Ids:
    """Seeded UUIDs, so two runs with the same seed produce the same ids."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))


def metadata(ids: Ids, content_type: str = "application/x-amz-json-1.0") -> dict[str, Any]:
    """``SdkHttpMetadata`` and ``SdkResponseMetadata`` as optimized integrations add them."""
    request_id = ids.uuid()
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "Content-Type": [content_type],
                "x-amzn-RequestId": [request_id],
            },
            "HttpHeaders": {"Content-Type": content_type, "x-amzn-RequestId": request_id},
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def service_error(
    ids: Ids, service: str, sdk_service: str, code: str, message: str, *, suffix: str = ""
) -> TaskFailure:
    """A failure named and worded as Step Functions reports a service's error.

    E.g. ``DynamoDB.ResourceNotFoundException`` with ``Requested resource not found
    (Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException;
    Request ID: ...; Proxy: null)``.
    """
    exception = code if code.endswith("Exception") else f"{code}Exception"
    cause = (
        f"{message} (Service: {sdk_service}; Status Code: 400; Error Code: {code}; "
        f"Request ID: {ids.uuid()}; Proxy: null){suffix}"
    )
    return TaskFailure(f"{service}.{exception}", cause)


def name_of(arn_or_url: str) -> str:
    """The resource name at the end of an ARN (``...:topic-name``) or a queue URL."""
    text = str(arn_or_url)
    return text.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def need(params: Any, field: str, ids: Ids, service: str, sdk_service: str) -> Any:
    """``params[field]``, or the service's validation error when it is missing."""
    if not isinstance(params, dict) or field not in params:
        raise service_error(
            ids, service, sdk_service, "ValidationException", f"{field} is required"
        )
    return params[field]


__all__ = ["PARTITIONS", "Ids", "metadata", "name_of", "need", "service_error"]
