"""A create whose response is lost is retried by botocore and adopted when its tags say so.

The moto server really processes the first attempt of a create; a botocore ``before-send``
hook then throws its response away (a read timeout, as a dropped connection gives), so
botocore's own retry reaches a server where the resource already exists. Deploy must adopt
what it just made and finish, and must refuse a resource whose tags name someone else.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session

from orderflow.deploy import Aws, StackConfig, deploy
from orderflow.deploy._adopt import ForeignResourceError
from orderflow.deploy._package import Packager

from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

# Each resource kind's create call: (client name, operation).
CREATES = {
    "IAM role": ("iam", "CreateRole"),
    "Lambda function": ("lambda", "CreateFunction"),
    "DynamoDB table": ("dynamodb", "CreateTable"),
    "log group": ("logs", "CreateLogGroup"),
    "state machine": ("stepfunctions", "CreateStateMachine"),
    "state machine alias": ("stepfunctions", "CreateStateMachineAlias"),
    "EventBridge rule": ("events", "PutRule"),
    "EventBridge target": ("events", "PutTargets"),
}

# Calls that answer "already exists" on moto when retried (the others are idempotent there).
ADOPTED = {"IAM role", "Lambda function", "DynamoDB table", "log group"}

Rewrite = Callable[[bytes], bytes]


class LoseFirstResponse:
    """Sends the first request of ``operation`` itself, then reports a read timeout."""

    def __init__(self, operation: str, rewrite: Rewrite | None = None) -> None:
        self.operation = operation
        self.rewrite = rewrite
        self.dropped = 0
        self._http = URLLib3Session()

    def __call__(self, request: Any, event_name: str, **_: Any) -> None:
        if not event_name.endswith(f".{self.operation}") or self.dropped:
            return
        self.dropped += 1
        if self.rewrite is not None:
            raw = request.body
            body = self.rewrite(raw.encode() if isinstance(raw, str) else bytes(raw))
            request.body = body
            request.headers["Content-Length"] = str(len(body))
        response = self._http.send(request)
        assert response.status_code < 300, response.content
        raise ReadTimeoutError(endpoint_url=request.url)


def _connect(moto: MotoServer, stream: io.StringIO, hook: LoseFirstResponse) -> Aws:
    aws = Aws(REGION, endpoint_url=moto.url, sleep=lambda _: None, stream=stream)
    for service in ("iam", "lambda", "dynamodb", "logs", "stepfunctions", "events"):
        aws.client(service).meta.events.register("before-send", hook)
    return aws


def _deploy(aws: Aws, packager: Packager) -> Any:
    return deploy(
        aws, prefix="shop", packager=packager, config=StackConfig(alias="live"), progress=print
    )


@pytest.mark.parametrize("kind", CREATES)
def test_a_create_whose_response_is_lost_is_adopted(
    kind: str, moto: MotoServer, packager: Packager
) -> None:
    _, operation = CREATES[kind]
    stream = io.StringIO()
    hook = LoseFirstResponse(operation)
    aws = _connect(moto, stream, hook)
    plan = _deploy(aws, packager)
    assert hook.dropped == 1
    assert plan.applied and not plan.blocked
    if kind in ADOPTED:
        assert "adopting " + kind in stream.getvalue(), stream.getvalue()
    # Everything is as deploy wants it: a second deploy has nothing to do.
    fresh = Aws(REGION, endpoint_url=moto.url, sleep=lambda _: None, stream=io.StringIO())
    again = deploy(
        fresh,
        prefix="shop",
        packager=packager,
        config=StackConfig(alias="live"),
        dry_run=True,
    )
    assert again.up_to_date, again.render()


def _foreign_prefix(body: bytes) -> bytes:
    # The request's prefix tag (and nothing named shop-…) becomes another stack's.
    body = body.replace(b'"shop"', b'"othr"')
    return re.sub(rb"Value=shop(&|$)", rb"Value=othr\1", body)


@pytest.mark.parametrize("kind", sorted(ADOPTED))
def test_an_existing_resource_tagged_for_another_stack_is_refused(
    kind: str, moto: MotoServer, packager: Packager
) -> None:
    _, operation = CREATES[kind]
    hook = LoseFirstResponse(operation, rewrite=_foreign_prefix)
    aws = _connect(moto, io.StringIO(), hook)
    with pytest.raises(ForeignResourceError) as caught:
        _deploy(aws, packager)
    message = str(caught.value)
    assert hook.dropped == 1
    assert message.startswith(f"{kind} ") and "shop-" in message.split(":")[0], message
    assert "belongs to someone else" in message and "prefix=othr" in message
    assert caught.value.kind == kind


def test_an_existing_role_of_another_app_is_refused(moto: MotoServer, packager: Packager) -> None:
    def other_app(body: bytes) -> bytes:
        return re.sub(rb"(Key=app&Tags\.member\.\d+\.Value=)orderflow", rb"\1travel", body)

    hook = LoseFirstResponse("CreateRole", rewrite=other_app)
    aws = _connect(moto, io.StringIO(), hook)
    with pytest.raises(ForeignResourceError, match="app=travel, not app=orderflow"):
        _deploy(aws, packager)


def test_a_state_machine_that_create_returns_but_is_not_ours_is_refused(
    moto: MotoServer, packager: Packager
) -> None:
    # CreateStateMachine is idempotent on the definition: it returns someone else's machine
    # with the same definition as if created. Deploy reads the tags back and refuses.
    hook = LoseFirstResponse("CreateStateMachine", rewrite=_foreign_prefix)
    aws = _connect(moto, io.StringIO(), hook)
    with pytest.raises(ForeignResourceError, match="state machine shop-order"):
        _deploy(aws, packager)
