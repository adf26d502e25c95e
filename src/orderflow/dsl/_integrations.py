"""Typed optimized service integrations: ``flow.dynamodb``, ``flow.sns``, ``flow.sqs``,
``flow.events``, ``flow.sfn`` and ``flow.callback``.

Each call adds one Task state and returns a reference typed as the integration's response
model (or the item/output model you declare), so a later state's use of the result is
checked by mypy and again at build time, like a Lambda task's::

    order = flow.dynamodb.get_item(
        "LoadOrder", table="orders", key={"order_id": flow.input.order_id}, item=OrderRecord
    )
    sent = flow.sns.publish("Announce", topic="order-events", message=order)
    flow.sqs.send_message("Enqueue", queue="shipping", body={"order": order, "sns": sent.MessageId})

Names (table, topic, queue, bus, state machine) become ARNs and URLs for the account and
region the workflow is rendered for; a full ARN or URL is used as given. Deploy grants the
state machine exactly the action each integration performs on exactly that resource (see
:func:`orderflow.deploy.integration_statements`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, cast, overload

from pydantic import BaseModel
from typing_extensions import Unpack

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._aws_models import (
    DynamoWriteResult,
    Event,
    ExecutionResult,
    PutEventsResult,
    SnsPublishResult,
    SqsSendMessageResult,
    StartExecutionResult,
)
from orderflow.dsl._marshal import item_selector, item_template, key_template
from orderflow.dsl._options import catchers, check_retry_targets, retriers
from orderflow.dsl._refs import Ref, compatible
from orderflow.dsl._retry import Catch, Retry
from orderflow.dsl._scope import ServiceStep
from orderflow.dsl._template import literal, put
from orderflow.dsl._wiring import snake_case
from orderflow.runtime._service import Service

if TYPE_CHECKING:
    from orderflow.dsl._compile import Target
    from orderflow.dsl._flow import Flow

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

TOKEN = "$$.Task.Token"
_TABLE = re.compile(r"[A-Za-z0-9_.-]{3,255}\Z")
_NAME = re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?\Z")
_MACHINE = re.compile(r"[A-Za-z0-9_-]{1,80}\Z")
_WRITE_SELECTOR = {"HttpStatusCode.$": "$.SdkHttpMetadata.HttpStatusCode"}


class TaskOptions(TypedDict, total=False):
    """Options every integration Task takes (as keyword arguments)."""

    retry: Sequence[Retry]
    catch: Sequence[Catch]
    timeout_seconds: int
    result_key: str
    comment: str


def resource(target: Target, spec: str) -> str:
    """``arn:{partition}:states:::{spec}``: the Task ``Resource`` of an integration."""
    return f"arn:{target.partition}:states:::{spec}"


def _check_name(value: object, pattern: re.Pattern[str], what: str, state: str, field: str) -> str:
    # "{prefix}" stands for the deploy prefix (see Target.arn): checked as a plain name.
    if not isinstance(value, str) or not (
        value.startswith(("arn:", "https://")) or pattern.match(value.replace("{prefix}", "p"))
    ):
        raise WorkflowBuildError(
            f"{what} {value!r} is not a valid name or ARN", state=state, field=field
        )
    return value


def add_service_task(
    flow: Flow[Any],
    name: str,
    spec: str,
    parameters: Callable[[Target], dict[str, Any]],
    selector: dict[str, str] | None,
    annotation: type[T],
    options: TaskOptions,
    *,
    heartbeat_seconds: int | None = None,
    service: Service[Any, Any] | None = None,
) -> T:
    """Add the Task (result under ``$.<result_key>``); returns the typed reference.

    ``parameters`` must already hold every reference resolved (it runs at compile time and
    only fills in ARNs).
    """
    scope = flow._scope
    retry = tuple(options.get("retry", ()))
    catch = tuple(options.get("catch", ()))
    timeout = options.get("timeout_seconds")
    for value, label in ((timeout, "TimeoutSeconds"), (heartbeat_seconds, "HeartbeatSeconds")):
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise WorkflowBuildError(f"{label} must be an int >= 1", state=name, field=label)
    if timeout is not None and heartbeat_seconds is not None and heartbeat_seconds >= timeout:
        raise WorkflowBuildError(
            "HeartbeatSeconds must be smaller than TimeoutSeconds",
            state=name,
            field="HeartbeatSeconds",
        )
    retry_asl = retriers(name, retry)
    if service is not None:
        check_retry_targets(name, retry, [service])
    catch_specs = catchers(flow, name, catch)
    key = scope.claim_key(options.get("result_key") or snake_case(name), name)
    scope.add(
        ServiceStep(
            name,
            spec,
            lambda target: {**parameters(target)},
            selector,
            f"$.{key}",
            retry_asl,
            catch_specs,
            timeout,
            heartbeat_seconds,
            options.get("comment"),
            service,
        )
    )
    return cast(T, Ref(scope, f"$.{key}", annotation, name))


class _Namespace:
    def __init__(self, flow: Flow[Any]) -> None:
        self._flow = flow

    def _start(self, name: str) -> str:
        name = self._flow._name(name)
        self._flow._scope.builder.claim_name(name)
        return name


class DynamoDB(_Namespace):
    """DynamoDB ``GetItem``/``PutItem``/``UpdateItem``/``DeleteItem`` (``flow.dynamodb``).

    Items are typed by a Pydantic model whose fields are all required; the DSL writes and
    reads DynamoDB's attribute values for you (see :mod:`orderflow.dsl._marshal`).
    """

    def get_item(
        self,
        name: str,
        *,
        table: str,
        key: Mapping[str, str | int | float],
        item: type[M],
        consistent_read: bool = False,
        **options: Unpack[TaskOptions],
    ) -> M:
        """Read one item; returns it typed as ``item``.

        On AWS a key with no item returns no ``Item``, and reading its fields then fails
        the state with ``States.Runtime``: use ``get_item`` for items that exist.
        """
        state = self._start(name)
        _check_name(table, _TABLE, "table", state, "TableName")
        keys = key_template(self._flow._scope, state, key, item)
        selector = item_selector(item, "$.Item", state)
        params: dict[str, Any] = {"TableName": table, "Key": keys}
        if consistent_read:
            params["ConsistentRead"] = True
        return add_service_task(
            self._flow, state, "dynamodb:getItem", lambda t: dict(params), selector, item, options
        )

    def put_item(
        self, name: str, *, table: str, item: BaseModel, **options: Unpack[TaskOptions]
    ) -> DynamoWriteResult:
        """Write ``item`` (a reference to a model), one attribute per field."""
        state = self._start(name)
        _check_name(table, _TABLE, "table", state, "TableName")
        params = {"TableName": table, "Item": item_template(self._flow._scope, state, item)}
        return add_service_task(
            self._flow,
            state,
            "dynamodb:putItem",
            lambda t: dict(params),
            _WRITE_SELECTOR,
            DynamoWriteResult,
            options,
        )

    @overload
    def update_item(
        self,
        name: str,
        *,
        table: str,
        key: Mapping[str, str | int | float],
        set: Mapping[str, object],
        item: type[M],
        **options: Unpack[TaskOptions],
    ) -> M: ...
    @overload
    def update_item(
        self,
        name: str,
        *,
        table: str,
        key: Mapping[str, str | int | float],
        set: Mapping[str, object],
        item: None = None,
        **options: Unpack[TaskOptions],
    ) -> DynamoWriteResult: ...
    def update_item(
        self,
        name: str,
        *,
        table: str,
        key: Mapping[str, str | int | float],
        set: Mapping[str, object],
        item: type[BaseModel] | None = None,
        **options: Unpack[TaskOptions],
    ) -> Any:
        """``SET`` attributes of one item; with ``item=``, returns the updated item typed.

        Attribute names go through ``ExpressionAttributeNames`` and values through
        ``ExpressionAttributeValues``, so reserved words (``status``) are safe.
        """
        state = self._start(name)
        _check_name(table, _TABLE, "table", state, "TableName")
        scope = self._flow._scope
        if not isinstance(set, Mapping) or not set:
            raise WorkflowBuildError(
                "set must be a non-empty mapping attribute -> value",
                state=state,
                field="UpdateExpression",
            )
        keys = key_template(scope, state, key, item)
        values = key_template(scope, state, set, item, is_key=False)
        names = {f"#a{i}": attr for i, attr in enumerate(set)}
        params: dict[str, Any] = {
            "TableName": table,
            "Key": keys,
            "UpdateExpression": "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(set))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": {f":v{i}": v for i, v in enumerate(values.values())},
        }
        if item is None:
            return add_service_task(
                self._flow,
                state,
                "dynamodb:updateItem",
                lambda t: dict(params),
                _WRITE_SELECTOR,
                DynamoWriteResult,
                options,
            )
        params["ReturnValues"] = "ALL_NEW"
        selector = item_selector(item, "$.Attributes", state)
        return add_service_task(
            self._flow,
            state,
            "dynamodb:updateItem",
            lambda t: dict(params),
            selector,
            item,
            options,
        )

    def delete_item(
        self,
        name: str,
        *,
        table: str,
        key: Mapping[str, str | int | float],
        **options: Unpack[TaskOptions],
    ) -> DynamoWriteResult:
        """Delete one item (deleting a missing item succeeds, as on AWS)."""
        state = self._start(name)
        _check_name(table, _TABLE, "table", state, "TableName")
        params = {"TableName": table, "Key": key_template(self._flow._scope, state, key, None)}
        return add_service_task(
            self._flow,
            state,
            "dynamodb:deleteItem",
            lambda t: dict(params),
            _WRITE_SELECTOR,
            DynamoWriteResult,
            options,
        )


def _message(flow: Flow[Any], state: str, key: str, value: object) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(value, Ref) and not _is_text(value):
        # SNS and SQS take text; a model or list is sent as its JSON.
        out[f"{key}.$"] = f"States.JsonToString({flow._scope.resolve(value, state)})"
    elif value is None or value == "":
        raise WorkflowBuildError(f"{key} must not be empty", state=state, field=key)
    else:
        put(out, key, value, flow._scope, state)
    return out


def _is_text(ref: Ref) -> bool:
    return compatible(ref._of_annotation, str)


class Sns(_Namespace):
    """SNS ``Publish`` (``flow.sns``)."""

    def publish(
        self,
        name: str,
        *,
        topic: str,
        message: object,
        subject: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> SnsPublishResult:
        """Publish ``message`` (text, a reference, or an object of references) to ``topic``."""
        state = self._start(name)
        _check_name(topic, _NAME, "topic", state, "TopicArn")
        body = _message(self._flow, state, "Message", message)
        if subject is not None:
            body["Subject"] = subject
        return add_service_task(
            self._flow,
            state,
            "sns:publish",
            lambda t: {"TopicArn": t.arn("sns", topic), **body},
            {"MessageId.$": "$.MessageId"},
            SnsPublishResult,
            options,
        )


class Sqs(_Namespace):
    """SQS ``SendMessage`` (``flow.sqs``)."""

    def send_message(
        self,
        name: str,
        *,
        queue: str,
        body: object,
        group_id: str | None = None,
        delay_seconds: int | None = None,
        **options: Unpack[TaskOptions],
    ) -> SqsSendMessageResult:
        """Send ``body`` (text, a reference, or an object of references) to ``queue``."""
        state = self._start(name)
        _check_name(queue, _NAME, "queue", state, "QueueUrl")
        params = _message(self._flow, state, "MessageBody", body)
        if group_id is not None:
            params["MessageGroupId"] = group_id
        if delay_seconds is not None:
            if not 0 <= delay_seconds <= 900:
                raise WorkflowBuildError(
                    "DelaySeconds must be 0-900", state=state, field="DelaySeconds"
                )
            params["DelaySeconds"] = delay_seconds
        return add_service_task(
            self._flow,
            state,
            "sqs:sendMessage",
            lambda t: {"QueueUrl": t.queue_url(queue), **params},
            {"MessageId.$": "$.MessageId", "MD5OfMessageBody.$": "$.MD5OfMessageBody"},
            SqsSendMessageResult,
            options,
        )


class EventBridge(_Namespace):
    """EventBridge ``PutEvents`` (``flow.events``)."""

    def put_events(
        self, name: str, entries: Sequence[Event], **options: Unpack[TaskOptions]
    ) -> PutEventsResult:
        """Put 1-10 events; each :class:`Event`'s ``detail`` may be a reference."""
        state = self._start(name)
        if not entries or len(entries) > 10:
            raise WorkflowBuildError(
                "PutEvents takes 1 to 10 entries", state=state, field="Entries"
            )
        built: list[dict[str, Any]] = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, Event):
                raise WorkflowBuildError(
                    f"entry {i} must be an Event(...), got {type(entry).__name__}",
                    state=state,
                    field="Entries",
                )
            _check_name(entry.bus, _NAME, "event bus", state, "EventBusName")
            one: dict[str, Any] = {}
            put(one, "Source", entry.source, self._flow._scope, state)
            put(one, "DetailType", entry.detail_type, self._flow._scope, state)
            put(one, "Detail", entry.detail, self._flow._scope, state)
            one["EventBusName"] = entry.bus
            built.append(one)
        return add_service_task(
            self._flow,
            state,
            "events:putEvents",
            lambda t: {"Entries": [dict(e) for e in built]},
            {"FailedEntryCount.$": "$.FailedEntryCount", "Entries.$": "$.Entries"},
            PutEventsResult,
            options,
        )


class StepFunctions(_Namespace):
    """Step Functions ``StartExecution`` of another state machine (``flow.sfn``)."""

    def _params(
        self, state: str, machine: str, input: object, execution_name: str | None
    ) -> Callable[[Target], dict[str, Any]]:
        _check_name(machine, _MACHINE, "state machine", state, "StateMachineArn")
        body: dict[str, Any] = {}
        put(body, "Input", input, self._flow._scope, state)
        if execution_name is not None:
            body["Name"] = execution_name
        return lambda t: {"StateMachineArn": t.arn("states", f"stateMachine:{machine}"), **body}

    def start_execution(
        self,
        name: str,
        *,
        machine: str,
        input: object,
        execution_name: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> StartExecutionResult:
        """Start ``machine`` and go on at once; returns the child's ARN and start date."""
        state = self._start(name)
        params = self._params(state, machine, input, execution_name)
        return add_service_task(
            self._flow,
            state,
            "states:startExecution",
            params,
            {"ExecutionArn.$": "$.ExecutionArn", "StartDate.$": "$.StartDate"},
            StartExecutionResult,
            options,
        )

    def start_execution_sync(
        self,
        name: str,
        *,
        machine: str,
        input: object,
        output: type[T],
        execution_name: str | None = None,
        **options: Unpack[TaskOptions],
    ) -> ExecutionResult[T]:
        """Run ``machine`` to its end (``.sync:2``); ``Output`` is typed as ``output``.

        A child that fails fails this state with ``States.TaskFailed``.
        """
        state = self._start(name)
        params = self._params(state, machine, input, execution_name)
        selector = {
            f"{field}.$": f"$.{field}"
            for field in ("ExecutionArn", "Status", "StartDate", "StopDate", "Output")
        }
        return add_service_task(
            self._flow,
            state,
            "states:startExecution.sync:2",
            params,
            selector,
            cast("type[ExecutionResult[T]]", ExecutionResult[output]),  # type: ignore[valid-type]
            options,
        )


class Callback(_Namespace):
    """Tasks that wait for a task token (``.waitForTaskToken``) (``flow.callback``).

    The token (``$$.Task.Token``) is sent in the request under ``token_key``; whoever
    handles it answers with ``SendTaskSuccess`` (output = ``result``'s JSON),
    ``SendTaskFailure`` or ``SendTaskHeartbeat``. ``timeout_seconds`` is required: without
    it a lost token would hold the execution for up to a year.
    """

    def invoke(
        self,
        name: str,
        service: Service[Any, Any],
        *,
        payload: Mapping[str, object],
        result: type[M],
        timeout_seconds: int,
        heartbeat_seconds: int | None = None,
        token_key: str = "task_token",
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> M:
        """Invoke ``service``'s Lambda function with ``payload`` plus the token."""
        state = self._start(name)
        if not isinstance(service, Service):
            raise WorkflowBuildError(
                f"expected a Service, got {type(service).__name__}", state=state
            )
        body = self._body(state, payload, token_key)
        return self._add(
            state,
            "lambda:invoke.waitForTaskToken",
            lambda t: {"FunctionName": t.function_arn(service), "Payload": body},
            result,
            timeout_seconds,
            heartbeat_seconds,
            TaskOptions(
                retry=retry, catch=catch, result_key=result_key or "", comment=comment or ""
            ),
            service,
        )

    def sqs(
        self,
        name: str,
        *,
        queue: str,
        body: Mapping[str, object],
        result: type[M],
        timeout_seconds: int,
        heartbeat_seconds: int | None = None,
        token_key: str = "task_token",
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> M:
        """Send ``body`` plus the token to ``queue`` and wait for the answer."""
        state = self._start(name)
        _check_name(queue, _NAME, "queue", state, "QueueUrl")
        message = self._body(state, body, token_key)
        return self._add(
            state,
            "sqs:sendMessage.waitForTaskToken",
            lambda t: {"QueueUrl": t.queue_url(queue), "MessageBody": message},
            result,
            timeout_seconds,
            heartbeat_seconds,
            TaskOptions(
                retry=retry, catch=catch, result_key=result_key or "", comment=comment or ""
            ),
        )

    def sns(
        self,
        name: str,
        *,
        topic: str,
        message: Mapping[str, object],
        result: type[M],
        timeout_seconds: int,
        heartbeat_seconds: int | None = None,
        token_key: str = "task_token",
        retry: Sequence[Retry] = (),
        catch: Sequence[Catch] = (),
        result_key: str | None = None,
        comment: str | None = None,
    ) -> M:
        """Publish ``message`` plus the token to ``topic`` and wait for the answer."""
        state = self._start(name)
        _check_name(topic, _NAME, "topic", state, "TopicArn")
        body = self._body(state, message, token_key)
        return self._add(
            state,
            "sns:publish.waitForTaskToken",
            lambda t: {"TopicArn": t.arn("sns", topic), "Message": body},
            result,
            timeout_seconds,
            heartbeat_seconds,
            TaskOptions(
                retry=retry, catch=catch, result_key=result_key or "", comment=comment or ""
            ),
        )

    def _body(self, state: str, payload: Mapping[str, object], token_key: str) -> dict[str, Any]:
        if not isinstance(payload, Mapping):
            raise WorkflowBuildError(
                "the callback request must be a mapping field -> value (the token is added to it)",
                state=state,
            )
        if token_key in payload:
            raise WorkflowBuildError(
                f"{token_key!r} is where the task token goes; use another key or token_key=",
                state=state,
                field=token_key,
            )
        body = literal(dict(payload), self._flow._scope, state, "Payload")
        body[f"{token_key}.$"] = TOKEN
        return dict(body)

    def _add(
        self,
        state: str,
        spec: str,
        parameters: Callable[[Target], dict[str, Any]],
        result: type[M],
        timeout_seconds: int,
        heartbeat_seconds: int | None,
        options: TaskOptions,
        service: Service[Any, Any] | None = None,
    ) -> M:
        if not (isinstance(result, type) and issubclass(result, BaseModel)):
            raise WorkflowBuildError(
                f"result must be the Pydantic model of the callback's answer, got {result!r}",
                state=state,
            )
        if timeout_seconds is None:
            raise WorkflowBuildError(
                "a callback needs timeout_seconds", state=state, field="TimeoutSeconds"
            )
        clean = TaskOptions(
            retry=options.get("retry", ()),
            catch=options.get("catch", ()),
            timeout_seconds=timeout_seconds,
        )
        if options.get("result_key"):
            clean["result_key"] = options["result_key"]
        if options.get("comment"):
            clean["comment"] = options["comment"]
        return add_service_task(
            self._flow,
            state,
            spec,
            parameters,
            None,
            result,
            clean,
            heartbeat_seconds=heartbeat_seconds,
            service=service,
        )


__all__ = [
    "Callback",
    "DynamoDB",
    "EventBridge",
    "Sns",
    "Sqs",
    "StepFunctions",
    "TaskOptions",
    "add_service_task",
    "resource",
]
