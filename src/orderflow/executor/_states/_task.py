"""The Task state: Lambda functions, service integrations and task tokens."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from orderflow._errors import ConfigurationError, ExecutionError, TaskFailure
from orderflow.asl import JSON, is_lambda_function_arn
from orderflow.asl import _wire as wire
from orderflow.executor._expr import Jsonata, ValueReader, path_or_intrinsic
from orderflow.executor._failure import (
    HEARTBEAT_TIMEOUT,
    PAYLOAD_LIMIT,
    TIMEOUT,
    StateFailure,
    runtime_failure,
)
from orderflow.executor._history import Cursor
from orderflow.executor._lambda import call_function, invoke_response
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, check_size
from orderflow.executor._states._guarded import GuardedState

_STATES_ARN = re.compile(r"arn:[^:]+:states:::(.+)\Z")
_SUFFIXES = (".waitForTaskToken", ".sync:2", ".sync")


class Resource:
    """A Task's ``Resource`` taken apart once.

    Attributes:
        arn: the resource as written.
        kind: ``lambda`` (a function ARN), ``invoke`` (``lambda:invoke``), ``activity``
            or ``service`` (any other integration, answered by a handler).
        resource_type: the history's ``resourceType`` (``lambda``, ``sqs``, ``aws-sdk:s3``).
        resource: the history's ``resource`` (``invoke``, ``sendMessage.waitForTaskToken``).
        wait_for_token: whether the task waits for its token to be answered.
        base: the ARN without its integration-pattern suffix.
    """

    __slots__ = ("arn", "base", "kind", "resource", "resource_type", "wait_for_token")

    def __init__(self, arn: str) -> None:
        self.arn = arn
        self.wait_for_token = arn.endswith(".waitForTaskToken")
        self.base = arn
        for suffix in _SUFFIXES:
            if arn.endswith(suffix):
                self.base = arn[: -len(suffix)]
                break
        if is_lambda_function_arn(arn):
            self.kind = "lambda"
            self.resource_type = "lambda"
            self.resource = arn
            return
        match = _STATES_ARN.match(arn)
        if match is None:
            self.kind = "activity" if ":activity:" in arn else "service"
            self.resource_type = self.kind
            self.resource = arn
            return
        spec = match.group(1)
        service, _, action = spec.rpartition(":")
        self.resource_type = service or spec
        self.resource = action
        self.kind = "invoke" if self.base.endswith(":lambda:invoke") else "service"


def _seconds(value: JSON, field: str, state: str, entered_id: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise runtime_failure(
            state, entered_id, f"The {field} value must be a positive integer: {value}"
        )
    return value


def _add_limits(details: dict[str, Any], timeout: int | None, heartbeat: int | None) -> None:
    if timeout is not None:
        details["timeoutInSeconds"] = timeout
    if heartbeat is not None:
        details["heartbeatInSeconds"] = heartbeat


class _Limit:
    """A Task time limit (``TimeoutSeconds``, ``HeartbeatSeconds``) in any of its forms.

    A literal, a ``*Path`` read from the input, or (in JSONata states) an expression.
    """

    __slots__ = ("field", "jsonata", "literal", "reader")

    def __init__(self, data: Mapping[str, JSON], field: str, jsonata: bool) -> None:
        self.field = field
        value = data.get(field)
        self.literal = value if isinstance(value, int) else None
        self.jsonata = Jsonata(value, field) if isinstance(value, str) and jsonata else None
        path = data.get(f"{field}Path")
        self.reader: ValueReader | None = (
            path_or_intrinsic(path, field=f"{field}Path") if isinstance(path, str) else None
        )

    def from_path(
        self, effective: JSON, ctx: JSON, variables: Mapping[str, JSON], state: str, entered_id: int
    ) -> int | None:
        """The ``*Path`` value when there is one, else the literal."""
        if self.reader is None:
            return self.literal
        value = self.reader.get(effective, ctx, variables)
        return _seconds(value, f"{self.field}Path", state, entered_id)

    def from_jsonata(
        self,
        current: int | None,
        states: dict[str, JSON],
        variables: Mapping[str, JSON],
        state: str,
        entered_id: int,
        rt: Runtime,
    ) -> int | None:
        """The expression's value when there is one, else ``current``."""
        if self.jsonata is None:
            return current
        value = self.jsonata.evaluate(states, variables, rt)
        return _seconds(value, self.field, state, entered_id)


class TaskState(GuardedState):
    """Run a resource: a Lambda function, a service integration or an activity."""

    type_name = "Task"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.target = Resource(str(data.get("Resource", "")))
        self.timeout = _Limit(data, "TimeoutSeconds", self.jsonata)
        self.heartbeat = _Limit(data, "HeartbeatSeconds", self.jsonata)
        self.uses_context = self.uses_context or self.target.wait_for_token
        # Lambda payloads are serialised once on their way to the function; that copy's
        # size is the one checked against the limit (see call_function).
        self.measures_payload = self.target.kind in ("lambda", "invoke")

    def _limits(
        self,
        states: dict[str, JSON] | None,
        effective: JSON,
        ctx: JSON,
        frame: Frame,
        entered_id: int,
        rt: Runtime,
    ) -> tuple[int | None, int | None]:
        variables = frame.variables
        # Every *Path read comes before any expression runs: that order fixes which bad
        # value a state with several is reported for.
        timeout = self.timeout.from_path(effective, ctx, variables, self.name, entered_id)
        heartbeat = self.heartbeat.from_path(effective, ctx, variables, self.name, entered_id)
        if states is not None:
            timeout = self.timeout.from_jsonata(
                timeout, states, variables, self.name, entered_id, rt
            )
            heartbeat = self.heartbeat.from_jsonata(
                heartbeat, states, variables, self.name, entered_id, rt
            )
        return timeout, heartbeat

    def attempt(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int, retry: int) -> Outcome:
        token = None
        if self.target.wait_for_token:
            token = f"{rt.new_uuid()}-{rt.identity.execution_name}"
            rt.callbacks.issue(token)
        ctx = (
            self.context(rt, self.entered_time(rt), retry_count=retry, token=token)
            if self.uses_context
            else None
        )
        variables = frame.variables
        states: dict[str, JSON] | None = None
        if self.jsonata:
            states = {"input": raw}
            if ctx is not None:
                states["context"] = ctx
            payload = raw
            if self.arguments is not None:
                payload = self.arguments.evaluate(states, variables, rt)
                if not self.measures_payload:
                    check_size(payload, self.name)
            timeout, heartbeat = self._limits(states, raw, ctx, frame, entered_id, rt)
        else:
            effective = self.effective_input(raw, ctx, variables)
            payload = self.apply_parameters(
                effective, ctx, variables, rt, check=not self.measures_payload
            )
            timeout, heartbeat = self._limits(None, effective, ctx, frame, entered_id, rt)
        result = self.run_resource(rt, frame.cursor, payload, timeout, heartbeat, token)
        if states is not None:
            states["result"] = result
            output, assigned = self.finish_jsonata(states, variables, result, rt)
        else:
            output, assigned = self.finish_jsonpath(raw, result, ctx, variables, rt)
        return Outcome(output, self.next, assigned)

    # --- calling the resource --------------------------------------------------------

    def run_resource(
        self,
        rt: Runtime,
        cursor: Cursor,
        payload: JSON,
        timeout: int | None,
        heartbeat: int | None,
        token: str | None,
    ) -> JSON:
        target = self.target
        history = rt.history
        clock = rt.clock
        if target.kind == "lambda":
            details: dict[str, Any] = {"input": payload, "resource": target.arn}
            # LambdaFunctionScheduled has no heartbeat field, so not _add_limits.
            if timeout is not None:
                details["timeoutInSeconds"] = timeout
            history.record("LambdaFunctionScheduled", cursor, clock.now(), details)
            history.record("LambdaFunctionStarted", cursor, clock.now())
            prefix = "LambdaFunction"
        elif target.kind == "activity":
            details = {"input": payload, "resource": target.arn}
            _add_limits(details, timeout, heartbeat)
            history.record("ActivityScheduled", cursor, clock.now(), details)
            history.record(
                "ActivityStarted", cursor, clock.now(), {"workerName": "orderflow-local"}
            )
            prefix = "Activity"
        else:
            details = {
                "parameters": payload,
                "region": rt.identity.region,
                "resource": target.resource,
                "resourceType": target.resource_type,
            }
            _add_limits(details, timeout, heartbeat)
            history.record("TaskScheduled", cursor, clock.now(), details)
            history.record(
                "TaskStarted",
                cursor,
                clock.now(),
                {"resource": target.resource, "resourceType": target.resource_type},
            )
            prefix = "Task"
        tail: dict[str, Any] = (
            {}
            if target.kind in ("lambda", "activity")
            else {"resource": target.resource, "resourceType": target.resource_type}
        )
        started = clock.now()
        try:
            result, size = self._call(rt, cursor, payload, token, tail, timeout, heartbeat)
        except StateFailure as failure:
            if failure.event_recorded:
                raise
            if timeout is not None and (clock.now() - started).total_seconds() >= timeout:
                return self._timed_out(rt, cursor, prefix, tail)
            self._failed(rt, cursor, prefix, tail, failure)
            raise
        if timeout is not None and (clock.now() - started).total_seconds() >= timeout:
            return self._timed_out(rt, cursor, prefix, tail)
        try:
            if size > PAYLOAD_LIMIT:
                check_size(result, self._result_owner())
        except StateFailure as failure:
            self._failed(rt, cursor, prefix, tail, failure)
            raise
        history.record(f"{prefix}Succeeded", cursor, clock.now(), {"output": result, **tail})
        return result

    def _result_owner(self) -> str:
        """What AWS names in the cause of an oversized result: the function ARN for a
        plain Lambda resource, the resource type (``lambda``, ``sqs``…) for a service
        integration, the state for an activity (recordings in the conformance corpus)."""
        target = self.target
        if target.kind == "lambda":
            return target.arn
        if target.kind == "activity":
            return self.name
        return target.resource_type

    def _failed(
        self, rt: Runtime, cursor: Cursor, prefix: str, tail: dict[str, Any], failure: StateFailure
    ) -> None:
        rt.history.record(
            f"{prefix}Failed",
            cursor,
            rt.clock.now(),
            {"error": failure.error, "cause": failure.cause, **tail},
        )

    def _timed_out(
        self, rt: Runtime, cursor: Cursor, prefix: str, tail: dict[str, Any], error: str = TIMEOUT
    ) -> JSON:
        rt.history.record(f"{prefix}TimedOut", cursor, rt.clock.now(), {"error": error, **tail})
        failure = StateFailure(error, None)
        failure.event_recorded = True
        raise failure

    def _call(
        self,
        rt: Runtime,
        cursor: Cursor,
        payload: JSON,
        token: str | None,
        tail: dict[str, Any],
        timeout: int | None,
        heartbeat: int | None,
    ) -> tuple[JSON, int]:
        """The resource's result and its size in bytes (for the 256 KiB limit)."""
        target = self.target
        if target.kind in ("lambda", "invoke"):
            if rt.lambda_handler is None:
                raise ConfigurationError(
                    f"state {self.name!r} calls Lambda ({target.arn}) "
                    "but no lambda_handler was given"
                )
            if target.kind == "lambda":
                response = call_function(
                    rt.lambda_handler, target.arn, payload, rt, state=self.name
                )
                return response.payload, response.size
            if not isinstance(payload, dict) or "FunctionName" not in payload:
                raise StateFailure(
                    "States.Runtime",
                    f"The lambda:invoke parameters of state '{self.name}' have no FunctionName",
                )
            response = call_function(
                rt.lambda_handler,
                str(payload["FunctionName"]),
                payload.get("Payload"),
                rt,
                compact_errors=True,
                state=self.name,
            )
            wrapped = invoke_response(response, rt, payload)
            # The wrapper adds well under 2 KiB of metadata to the function's payload.
            if not target.wait_for_token:
                return wrapped, response.size + 2048
            return self._await_token(rt, cursor, token, wrapped, tail, timeout, heartbeat)
        handler = rt.handlers.get(target.arn) or rt.handlers.get(target.base)
        if handler is None:
            raise ConfigurationError(
                f"state {self.name!r} uses resource {target.arn!r} but no handler was given for it "
                "(pass handlers={resource_arn: callable}, or aws=LocalAws() from "
                "orderflow.testing to answer AWS service integrations in memory)"
            )
        try:
            result = handler(payload)
        except TaskFailure as exc:
            raise StateFailure(exc.error, exc.cause) from None
        except (ExecutionError, ConfigurationError):
            raise
        except Exception as exc:
            raise StateFailure(getattr(exc, "error_name", type(exc).__name__), str(exc)) from None
        if target.wait_for_token:
            return self._await_token(rt, cursor, token, result, tail, timeout, heartbeat)
        try:
            # A copy, as if it had crossed the wire: later changes by the handler do not
            # leak in.
            return wire.copy_with_size(result)
        except wire.NotJson as exc:
            raise ExecutionError(
                f"the handler for {target.arn!r} returned a value that is not JSON: {exc}"
            ) from None

    def _await_token(
        self,
        rt: Runtime,
        cursor: Cursor,
        token: str | None,
        submitted: JSON,
        tail: dict[str, Any],
        timeout: int | None,
        heartbeat: int | None,
    ) -> tuple[JSON, int]:
        """Wait for ``token``'s answer; time limits are checked on the execution's clock."""
        assert token is not None and rt.callbacks is not None
        started = rt.clock.now()
        rt.history.record("TaskSubmitted", cursor, started, {"output": submitted, **tail})
        rt.callbacks.expect(token, started, timeout, heartbeat, rt.deadline)
        answer = rt.callbacks.wait(token)
        arrived = answer.at or rt.clock.now()
        if timeout is not None and (arrived - started).total_seconds() > timeout:
            self._timed_out(rt, cursor, "Task", tail)
        if heartbeat is not None:
            beats = [started, *rt.callbacks.heartbeats(token), arrived]
            if any((b - a).total_seconds() > heartbeat for a, b in itertools.pairwise(beats)):
                self._timed_out(rt, cursor, "Task", tail, HEARTBEAT_TIMEOUT)
        if answer.failed:
            raise StateFailure(answer.error, answer.cause)
        return answer.output, 0


__all__ = ["Resource", "TaskState"]
