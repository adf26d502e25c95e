"""What answers a served execution's tasks: the app's services, in-process.

One small function, :func:`bind_app`, turns ``--app MODULE:ATTR`` (or nothing: the bundled
order services) into a :class:`Binding`. Every other part of the server only sees the
binding, so adapting to another app framework means changing this module alone.

An app object may provide, all optional:

* ``lambda_handler_for(execution_arn) -> handler``: a Lambda handler per execution;
* ``lambda_handler(function_name, payload)``: one handler for every execution;
* ``handlers``: a mapping of resource ARN -> handler for other service integrations;
* or be itself callable as ``(function_name, payload)``.

Service integrations nobody handles get small local fakes for the common "send and wait
for the token" targets (SQS ``sendMessage``, SNS ``publish``, EventBridge ``putEvents``),
answering the way those services answer, so a ``.waitForTaskToken`` task can be driven
entirely through ``SendTaskSuccess``.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orderflow.asl import JSON
from orderflow.executor._runtime import LambdaHandler, TaskHandler

if TYPE_CHECKING:
    from orderflow._app import App


def _sqs_send(payload: JSON) -> JSON:
    body = payload.get("MessageBody") if isinstance(payload, dict) else None
    text = body if isinstance(body, str) else json.dumps(body)
    return {
        "MD5OfMessageBody": hashlib.md5(text.encode()).hexdigest(),
        "MessageId": str(uuid.uuid4()),
    }


def _sns_publish(payload: JSON) -> JSON:
    return {"MessageId": str(uuid.uuid4())}


def _put_events(payload: JSON) -> JSON:
    entries = payload.get("Entries") if isinstance(payload, dict) else None
    count = len(entries) if isinstance(entries, list) else 0
    return {
        "Entries": [{"EventId": str(uuid.uuid4())} for _ in range(count)],
        "FailedEntryCount": 0,
    }


LOCAL_FAKES: dict[str, TaskHandler] = {
    "arn:aws:states:::sqs:sendMessage": _sqs_send,
    "arn:aws:states:::sns:publish": _sns_publish,
    "arn:aws:states:::events:putEvents": _put_events,
}
"""Resource ARN -> fake service answer, for integrations the app does not handle."""


@dataclass
class Binding:
    """How served executions reach the app.

    Attributes:
        lambda_handler_for: the Lambda handler for one execution (by its ARN).
        handlers: other service integrations, by resource ARN.
        description: what was bound (printed when the server starts).
    """

    lambda_handler_for: Callable[[str], LambdaHandler]
    handlers: Mapping[str, TaskHandler] = field(default_factory=dict)
    description: str = ""
    prepare: Callable[[JSON], None] = field(default=lambda _definition: None)
    """Called with a definition before an execution of it runs (creates the in-memory
    tables its DynamoDB integrations use, as ``orderflow run`` does)."""


def _app_binding(app: App) -> Binding:
    # The app's own services on its in-memory store, as `orderflow run` binds them, and the
    # AWS integrations (a circuit breaker's DynamoDB table) in memory, shared by every
    # execution of the server as a deployed stack's executions share AWS.
    from orderflow.executor._fakes._local_aws import LocalAws

    handler: LambdaHandler = app.local_handler(app.deps())
    aws = LocalAws(lambda_handler=handler)
    handlers = {**aws.handlers(), **LOCAL_FAKES}
    return Binding(lambda _arn: handler, handlers, f"app {app.name!r}", aws.tables_for)


def bind_app(spec: str | None) -> Binding:
    """The binding for ``--app MODULE:ATTR``.

    Without ``--app`` the app is found as every command finds it (``[tool.orderflow] app`` in
    the nearest ``pyproject.toml``, else the bundled order app). ``MODULE:ATTR`` may name an
    :class:`orderflow.App`, or any object offering ``lambda_handler_for(execution_arn)``,
    ``lambda_handler`` or ``handlers`` (a test double, such as a recorded-call replayer).

    Raises:
        orderflow.TargetError: the module or attribute cannot be loaded, or the object
            offers nothing that can answer a task.
        orderflow.ConfigurationError: the app is wired wrongly.
    """
    from orderflow._app import App
    from orderflow._errors import TargetError
    from orderflow._targets import import_attribute, load_app

    if spec is None:
        return _app_binding(load_app(None))
    app: Any = import_attribute(spec, what="app")
    if isinstance(app, App):
        return _app_binding(app)
    handlers: dict[str, TaskHandler] = dict(LOCAL_FAKES)
    extra = getattr(app, "handlers", None)
    if isinstance(extra, Mapping):
        handlers.update(extra)
    factory = getattr(app, "lambda_handler_for", None)
    if callable(factory):
        return Binding(factory, handlers, spec)
    single = getattr(app, "lambda_handler", None)
    if not callable(single) and callable(app):
        single = app
    if not callable(single):
        raise TargetError(
            f"{spec} has no lambda_handler, lambda_handler_for or handlers to answer tasks",
            target=spec,
        )
    bound: LambdaHandler = single
    return Binding(lambda _arn: bound, handlers, spec)


__all__ = ["LOCAL_FAKES", "Binding", "bind_app"]
