"""``TestState``: run one state on one input and show each step of its data flow.

The state is compiled by the executor (so it behaves exactly as it does in an execution)
and run once, without retrying: a failure a retrier would retry is reported as
``RETRIABLE`` (with the back-off it would wait), one a catcher handles as
``CAUGHT_ERROR`` (with the catcher's output and ``Next``), anything else as ``FAILED``.
``mock`` replaces the task's (or the whole Map's or Parallel's) result or error;
``stateConfiguration`` says how many retries already happened (``retrierRetryCount``),
how many Map iterations failed (``mapIterationFailureCount``) and which inner state a
mocked error comes from (``errorCausedByState``). At ``DEBUG`` and ``TRACE`` the response
carries ``inspectionData``: the input after ``InputPath``, ``Parameters``, the result,
after ``ResultSelector`` and ``ResultPath`` (``Arguments`` for JSONata states), as AWS
reports them.

A mocked task result is checked against the service API's output shape
(``fieldValidationMode``, see :mod:`orderflow.serve._mock_schema`). Not done: the HTTP
request and response of HTTP Task states at ``TRACE``.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from orderflow._errors import DefinitionError, ExecutionError, InvalidDefinition, TaskFailure
from orderflow.asl import JSON, as_definition
from orderflow.asl.expressions import StatesError
from orderflow.executor._callbacks import Callbacks
from orderflow.executor._clock import VirtualClock
from orderflow.executor._expr import result_path
from orderflow.executor._failure import StateFailure
from orderflow.executor._history import Cursor, History, to_json_text
from orderflow.executor._plan import compile_machine, plan_for
from orderflow.executor._retry import error_matches
from orderflow.executor._runtime import Frame, Identity, Runtime
from orderflow.executor._states._base import State, as_failure
from orderflow.executor._states._guarded import GuardedState
from orderflow.serve._machines import diagnose
from orderflow.serve._mock_schema import Mock
from orderflow.serve._protocol import ApiError, Service, operation
from orderflow.serve._test_state_checks import check_context, check_request

_LEVELS = ("INFO", "DEBUG", "TRACE")
_SINGLE_STATE_NAME = "StateName"  # what AWS calls a state tested on its own
_THRESHOLD = "States.ExceedToleratedFailureThreshold"
_PLAIN = frozenset(
    {"errorDetails", "maxConcurrency", "toleratedFailureCount", "toleratedFailurePercentage"}
)


def _json_member(request: dict[str, Any], key: str, default: JSON) -> JSON:
    text = request.get(key)
    if text is None:
        return default
    if not isinstance(text, str):
        raise ApiError("ValidationException", f"'{key}' must be a JSON string")
    try:
        value: JSON = json.loads(text)
    except ValueError as exc:
        raise ApiError("ValidationException", f"'{key}' is not valid JSON: {exc}") from None
    return value


def _targets(state: Mapping[str, Any]) -> Iterator[str]:
    """Every state name ``state`` may go to (Next, Default, Choices, Catch)."""
    for key in ("Next", "Default"):
        if isinstance(state.get(key), str):
            yield state[key]
    for rule in state.get("Choices") or ():
        if isinstance(rule, dict) and isinstance(rule.get("Next"), str):
            yield rule["Next"]
    for catcher in state.get("Catch") or ():
        if isinstance(catcher, dict) and isinstance(catcher.get("Next"), str):
            yield catcher["Next"]


def _find(states: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """``name`` among ``states``, or inside a Parallel branch or a Map's processor."""
    if isinstance(states.get(name), dict):
        found: dict[str, Any] = states[name]
        return found
    for state in states.values():
        if not isinstance(state, dict):
            continue
        inner = [*(state.get("Branches") or ())]
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                inner.append(state[key])
        for machine in inner:
            if isinstance(machine, dict) and isinstance(machine.get("States"), dict):
                nested = _find(machine["States"], name)
                if nested is not None:
                    return nested
    return None


def _state_under_test(request: dict[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    """The state's name, its definition and the machine's query language."""
    text = request.get("definition")
    if not isinstance(text, str):
        raise ApiError("ValidationException", "'definition' must be a JSON string")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise ApiError("InvalidDefinition", f"Invalid State Definition: '{exc}'") from None
    if not isinstance(document, dict):
        raise ApiError("InvalidDefinition", "Invalid State Definition: not a JSON object")
    name = request.get("stateName")
    if name is None:
        return _SINGLE_STATE_NAME, document, None
    diagnostics, failed = diagnose(text, "STANDARD")
    if failed:
        raise ApiError("InvalidDefinition", "; ".join(d["message"] for d in diagnostics))
    state = _find(document.get("States") or {}, str(name))
    if state is None:
        raise ApiError("ValidationException", "State not found in definition")
    language = document.get("QueryLanguage")
    return str(name), state, language if isinstance(language, str) else None


def _compile(name: str, state: dict[str, Any], language: str | None) -> State:
    if "Type" not in state:
        raise ApiError("InvalidDefinition", "Invalid State Definition: the state has no Type")
    body = {k: v for k, v in state.items() if k not in ("Next", "End")}
    if state.get("Type") not in ("Choice", "Succeed", "Fail"):
        if isinstance(state.get("Next"), str):
            body["Next"] = state["Next"]
        else:
            body["End"] = True
    machine: dict[str, Any] = {"StartAt": name, "States": {name: body}}
    for target in _targets(state):
        if target != name:
            machine["States"][target] = {"Type": "Succeed"}
    if language is not None:
        machine["QueryLanguage"] = language
    try:
        plan_for(as_definition(machine))  # validates (the cached plan is left untouched)
        # A private compilation: this one is adjusted below for TestState's reporting.
        plan = compile_machine(json.loads(json.dumps(machine)))
    except InvalidDefinition as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error"]
        detail = "; ".join(f"{d.message} at {d.pointer}" for d in errors) or str(exc)
        raise ApiError("InvalidDefinition", f"Invalid State Definition: {detail}") from None
    except DefinitionError as exc:
        raise ApiError("InvalidDefinition", f"Invalid State Definition: {exc}") from None
    compiled = plan.states[name]
    # $states.context is always there on AWS; the executor builds it only for states
    # whose text mentions it, which misses a bare "{% $states %}".
    compiled.uses_context = True
    return compiled


def _with_context(state: State, count: int, given: JSON) -> None:
    """Make every context object the state builds the one TestState reports.

    A ``context`` in the request is the whole context object, exactly as given (AWS
    adds nothing to it: an empty one stays empty). Otherwise the state's own, carrying
    the retry count it was told (``retrierRetryCount``) everywhere, catcher outputs
    included, where the executor itself adds it only while a task runs.
    """
    original = state.context

    def context(
        rt: Runtime, entered: str, *, retry_count: int | None = None, token: str | None = None
    ) -> dict[str, JSON]:
        if isinstance(given, dict):
            copied: dict[str, JSON] = json.loads(json.dumps(given))
            return copied
        return original(
            rt, entered, retry_count=count if retry_count is None else retry_count, token=token
        )

    state.context = context  # type: ignore[method-assign]


def _runtime(svc: Service, value: JSON, context: JSON, role: str | None) -> Runtime:
    identity = Identity(
        account=svc.account,
        region=svc.region,
        state_machine_name="TestStateMachine",
        execution_name=str(uuid.uuid4()),
        express=True,
    )
    binding = svc.runner.binding
    rt = Runtime(
        clock=VirtualClock(),
        history=History(enabled=False),
        rng=random.Random(0),
        identity=identity,
        lambda_handler=binding.lambda_handler_for(identity.execution_arn),
        handlers=binding.handlers,
        callbacks=Callbacks(),
    )
    rt.start(value)
    execution = rt.execution_context["Execution"]
    # TestState runs as an Express execution whose ARN, as AWS reports it, ends at the
    # execution name (no run id), under the role the request names.
    execution["Id"] = svc.arn("express", identity.state_machine_name, identity.execution_name)
    if role:
        execution["RoleArn"] = role
    if isinstance(context, dict):
        for part in ("Execution", "StateMachine", "Task"):
            if isinstance(context.get(part), dict):
                rt.execution_context[part] = context[part]
    return rt


class _Run:
    """One run of the state, collecting inspection data on the way."""

    def __init__(self, state: State, rt: Runtime, raw: JSON, variables: dict[str, JSON]) -> None:
        self.state = state
        self.rt = rt
        self.raw = raw
        self.frame = Frame(Cursor(0), variables)
        self.inspection: dict[str, JSON] = {"input": raw}

    def context(self) -> JSON:
        state = self.state
        return state.context(self.rt, state.entered_time(self.rt)) if state.uses_context else None

    def jsonpath_result(self, result_of: Any) -> tuple[JSON, str | None]:
        """InputPath → Parameters → result → ResultSelector → ResultPath → OutputPath."""
        state, rt, variables = self.state, self.rt, self.frame.variables
        ctx = self.context()
        effective = state.effective_input(self.raw, ctx, variables)
        if state.type_name != "Parallel":  # AWS shows no InputPath step for Parallel
            self.inspection["afterInputPath"] = effective
        params = state.apply_parameters(effective, ctx, variables, rt)
        result = result_of(effective, params, ctx)
        selected = result
        if state.result_selector is not None:
            selected = state.result_selector.render(result, ctx, variables, rt.rng)
        self.inspection["afterResultSelector"] = selected
        if state.assign_path is not None:
            self.frame.variables = {
                **variables,
                **state.assign_path.render(selected, ctx, variables, rt.rng),
            }
        combined = (
            selected
            if state.result_path == "$"
            else result_path(self.raw, state.result_path, selected)
        )
        self.inspection["afterResultPath"] = combined
        return state.apply_output_path(combined, ctx, variables), state.next

    def jsonata_result(self, result_of: Any) -> tuple[JSON, str | None]:
        """Arguments → result → Assign → Output."""
        state, rt, variables = self.state, self.rt, self.frame.variables
        states: dict[str, JSON] = {"input": self.raw}
        ctx = self.context()
        if ctx is not None:
            states["context"] = ctx
        arguments = (
            self.raw if state.arguments is None else state.arguments.evaluate(states, variables, rt)
        )
        if state.type_name == "Task":
            self.inspection["afterArguments"] = arguments
        result = result_of(self.raw, arguments, ctx)
        states["result"] = result
        output, assigned = state.finish_jsonata(states, variables, result, rt)
        if assigned:
            self.frame.variables = {**variables, **assigned}
        return output, state.next


def _map_settings(run: _Run) -> None:
    state: Any = run.state
    ctx = run.context()
    states: dict[str, JSON] = {"input": run.raw, "context": ctx}
    effective = run.raw if state.jsonata else state.effective_input(run.raw, ctx, {})
    variables = run.frame.variables
    for setting, key, kind in (
        (state.max_concurrency, "maxConcurrency", "integer"),
        (state.tolerated_count, "toleratedFailureCount", "integer"),
        (state.tolerated_percentage, "toleratedFailurePercentage", "number"),
    ):
        value = setting.value(effective, ctx, states, variables, state.name, 0, kind, run.rt)
        if value is not None:
            run.inspection[key] = int(value) if float(value).is_integer() else value
        elif key == "maxConcurrency":
            run.inspection[key] = 0


def _tolerance_exceeded(state: State, failures: int, total: int) -> bool:
    data = state.data
    count = data.get("ToleratedFailureCount")
    percentage = data.get("ToleratedFailurePercentage")
    # Without a tolerance AWS ignores mapIterationFailureCount (recorded: a Map with no
    # Tolerated* field and 2 failed iterations of 3 still succeeds).
    if failures <= 0 or (count is None and percentage is None):
        return False
    if isinstance(count, int) and failures <= count:
        return False
    within_percentage = (
        isinstance(percentage, (int, float)) and total and 100 * failures / total <= percentage
    )
    return not within_percentage


def _execute(run: _Run, mock: Mock, config: dict[str, Any]) -> tuple[JSON, str | None]:
    """The state's output and next state; raises StateFailure/StatesError on failure."""
    state, rt = run.state, run.rt
    kind = state.type_name
    if kind in ("Pass", "Choice", "Succeed", "Fail", "Wait"):
        # A Pass with a fixed Result reads nothing of its input: AWS shows no InputPath
        # or Parameters step for it, but the result.
        fixed = kind == "Pass" and "Result" in state.data
        if not state.jsonata and not fixed:
            run.inspection["afterInputPath"] = state.effective_input(
                run.raw, run.context(), run.frame.variables
            )
        if fixed and not state.jsonata:
            run.inspection["result"] = state.data["Result"]
        elif kind == "Pass" and not state.jsonata:
            ctx = run.context()
            params = state.apply_parameters(
                run.inspection["afterInputPath"], ctx, run.frame.variables, rt
            )
            run.inspection["afterParameters"] = params
        outcome = state.execute(rt, run.frame, run.raw, 0)
        if kind == "Pass" and not state.jsonata:
            run.inspection["afterResultSelector"] = (
                state.data["Result"] if fixed else run.inspection["afterParameters"]
            )
            run.inspection["afterResultPath"] = outcome.output
        if outcome.assigned:
            run.frame.variables = {**run.frame.variables, **outcome.assigned}
        return outcome.output, outcome.next

    def result_of(effective: JSON, arguments: JSON, ctx: JSON) -> JSON:
        if kind == "Task" and not state.jsonata:
            run.inspection["afterParameters"] = arguments
        if kind == "Map" and not state.jsonata:
            reader = getattr(state, "items_path", None)
            if reader is not None:
                run.inspection["afterItemsPath"] = reader.get(effective, ctx, run.frame.variables)
        if mock.given:
            result = mock.answer()
            if kind == "Map":
                failed = int(config.get("mapIterationFailureCount") or 0)
                total = len(result) if isinstance(result, list) else 0
                if _tolerance_exceeded(state, failed, total):
                    raise StateFailure(
                        _THRESHOLD, "The specified tolerated failure threshold was exceeded"
                    )
            if kind == "Task":
                run.inspection["result"] = result
            return result
        if kind == "Task":
            task: Any = state
            result = task.run_resource(rt, run.frame.cursor, arguments, None, None, None)
            run.inspection["result"] = result
            return result
        # Parallel or Map without a mock: run the branches or iterations for real.
        guarded: Any = state
        outcome = guarded.attempt(rt, Frame(Cursor(0), dict(run.frame.variables)), run.raw, 0, 0)
        raise _WholeOutcome(outcome.output, outcome.next)

    if kind == "Map":
        _map_settings(run)
    try:
        if state.jsonata:
            return run.jsonata_result(result_of)
        return run.jsonpath_result(result_of)
    except _WholeOutcome as whole:
        return whole.output, whole.next


class _WholeOutcome(Exception):
    """A Parallel or Map ran for real: its output is final."""

    def __init__(self, output: JSON, nxt: str | None) -> None:
        super().__init__()
        self.output = output
        self.next = nxt


def _handle_failure(
    run: _Run, failure: StateFailure, config: dict[str, Any], response: dict[str, Any]
) -> None:
    state = run.state
    response["error"] = failure.error
    if failure.cause is not None:
        response["cause"] = failure.cause
    details: dict[str, JSON] = {}
    if isinstance(state, GuardedState) and failure.error != "States.Runtime":
        handling = state.handling
        for index, retrier in enumerate(handling.retriers):
            if error_matches(retrier.errors, failure.error):
                details["retryIndex"] = index
                attempts = int(config.get("retrierRetryCount") or 0)
                if attempts < retrier.max_attempts:
                    delay = retrier.delay(attempts, run.rt.rng)
                    details["retryBackoffIntervalSeconds"] = int(delay)
                    response["status"] = "RETRIABLE"
                    response["inspectionData"]["errorDetails"] = details
                    return
                break
        catcher = handling.catcher_for(failure)
        if catcher is not None:
            details = {"catchIndex": handling.catchers.index(catcher)}
            outcome = state.caught(run.rt, run.frame, run.raw, catcher, failure)
            response["status"] = "CAUGHT_ERROR"
            response["output"] = outcome.output
            response["nextState"] = catcher.next
            response["inspectionData"]["errorDetails"] = details
            return
    response["status"] = "FAILED"
    if details:
        response["inspectionData"]["errorDetails"] = details


@operation("TestState")
def test_state(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    level = request.get("inspectionLevel") or "INFO"
    if level not in _LEVELS:
        raise ApiError("ValidationException", f"Invalid inspectionLevel: '{level}'")
    if request.get("revealSecrets") and level != "TRACE":
        raise ApiError(
            "ValidationException", "revealSecrets is only allowed at inspectionLevel TRACE"
        )
    name, definition, language = _state_under_test(request)
    state = _compile(name, definition, language)
    mock = Mock(request, state.type_name, state.data.get("Resource"))
    config = request.get("stateConfiguration") or {}
    if not isinstance(config, dict):
        raise ApiError("ValidationException", "'stateConfiguration' must be an object")
    value = _json_member(request, "input", {})
    variables = _json_member(request, "variables", {})
    if not isinstance(variables, dict):
        raise ApiError("ValidationException", "'variables' must be a JSON object")
    context = _json_member(request, "context", None)
    check_context(context, state)
    check_request(request, state, mock, config)
    retries = config.get("retrierRetryCount") or 0
    _with_context(state, retries if isinstance(retries, int) else 0, context)
    role = request.get("roleArn")
    rt = _runtime(svc, value, context, role if isinstance(role, str) else None)
    run = _Run(state, rt, value, dict(variables))
    response: dict[str, Any] = {"inspectionData": run.inspection}
    try:
        output, nxt = _execute(run, mock, config)
    except (StateFailure, StatesError) as exc:
        _handle_failure(run, as_failure(exc, name, 0, run.rt, run.frame), config, response)
    except (TaskFailure, ExecutionError) as exc:
        raise ApiError("ValidationException", str(exc)) from None
    else:
        response["status"] = "SUCCEEDED"
        response["output"] = output
        if nxt is not None:
            response["nextState"] = nxt
    if variables or run.frame.variables != variables:
        run.inspection["variables"] = run.frame.variables
    if "output" in response:
        response["output"] = to_json_text(response["output"])
    if level == "INFO":
        response.pop("inspectionData")
    else:
        # Payloads are JSON text, as AWS sends them; the settings are plain values.
        response["inspectionData"] = {
            key: value if key in _PLAIN else to_json_text(value)
            for key, value in run.inspection.items()
        }
    return response


__all__: list[str] = []
