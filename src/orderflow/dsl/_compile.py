"""Compilation: the builder's scopes and steps -> an ASL :class:`~orderflow.asl.Definition`.

Every Task calls ``arn:aws:states:::lambda:invoke`` with a ``FunctionName`` resolved from the
service name, an account, a region and a prefix, so one workflow renders for any
environment. The compiled result also keeps, per Task state, the service (its contract),
which the data-flow checker and deploy read without touching DSL objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.asl import Definition
from orderflow.dsl._jsonata import path as jsonata_path
from orderflow.dsl._jsonata import to_jsonata
from orderflow.dsl._scope import (
    ChoiceStep,
    FailStep,
    MapStep,
    ParallelStep,
    PassStep,
    RawStep,
    Scope,
    ServiceStep,
    Step,
    SucceedStep,
    TaskStep,
    WaitStep,
)
from orderflow.dsl._workflow import Workflow
from orderflow.runtime._service import Service

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


_ACCOUNT = re.compile(r"[0-9]{12}\Z")
# Partition prefix (us, eu, cn, eusc…), an optional qualifier (gov, iso, isob, de…), a
# direction (east, central, southeast…) and a number: every published region has this shape.
_REGION = re.compile(r"[a-z]{2,4}(?:-[a-z]+){1,2}-[0-9]{1,2}\Z")
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")
MAX_FUNCTION_NAME = 64

PREFIX_PLACEHOLDER = "{prefix}"
"""Stands for the deploy prefix in a resource name the Target makes an ARN of."""


@dataclass(frozen=True)
class Target:
    """Where Lambda functions live.

    The ARN is ``arn:aws:lambda:{region}:{account}:function:{prefix}-{service.name}``.

    Raises:
        WorkflowBuildError: the account is not 12 digits, the region is not shaped like an
            AWS region, or the prefix has characters a Lambda function name cannot hold.
    """

    account: str = "123456789012"
    region: str = "us-east-1"
    prefix: str = "orderflow"

    def __post_init__(self) -> None:
        # A bad value would still make ARN-shaped text that AWS rejects only at deploy time
        # (or, in a rendered file, never): refuse it where it enters.
        if not isinstance(self.account, str) or not _ACCOUNT.match(self.account):
            raise WorkflowBuildError(
                f"account must be a 12-digit AWS account id, not {self.account!r}",
                field="account",
            )
        if not isinstance(self.region, str) or not _REGION.match(self.region):
            raise WorkflowBuildError(
                f"region must be an AWS region such as us-east-1 or eu-west-2, not {self.region!r}",
                field="region",
            )
        if not isinstance(self.prefix, str) or (
            self.prefix and not _FUNCTION_NAME.match(self.prefix)
        ):
            raise WorkflowBuildError(
                f"prefix {self.prefix!r} can hold only letters, digits, '-' and '_' (it "
                "starts each Lambda function name)",
                field="prefix",
            )

    def function_name(self, service: Service[Any, Any]) -> str:
        """``{prefix}-{service.name}``, checked against Lambda's function-name rules."""
        name = f"{self.prefix}-{service.name}" if self.prefix else service.name
        if not _FUNCTION_NAME.match(name) or len(name) > MAX_FUNCTION_NAME:
            raise WorkflowBuildError(
                f"Lambda function name {name!r} is not valid: it must be 1 to "
                f"{MAX_FUNCTION_NAME} letters, digits, '-' or '_' (it has {len(name)} "
                "characters); shorten the prefix or the service name",
                field="prefix",
            )
        return name

    @property
    def partition(self) -> str:
        """``aws``, ``aws-cn`` or ``aws-us-gov``, from the region."""
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """``arn:{partition}:{service}:{region}:{account}:{resource}``; an ARN passes through.

        ``{prefix}`` in ``resource`` becomes the prefix, so a resource the app deploys (an
        approvals topic ``"{prefix}-approvals"``) is named per stack like its functions.
        """
        resource = resource.replace(PREFIX_PLACEHOLDER, self.prefix)
        if resource.startswith("arn:"):
            return resource
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    def queue_url(self, queue: str) -> str:
        """The SQS queue URL of ``queue`` (a name); a URL passes through."""
        if queue.startswith("https://"):
            return queue
        return f"https://sqs.{self.region}.amazonaws.com/{self.account}/{queue}"

    def function_arn(self, service: Service[Any, Any]) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account}:function:{self.function_name(service)}"


@dataclass(frozen=True)
class CompiledWorkflow:
    """A rendered workflow and what it was made from.

    Attributes:
        name: the workflow's name.
        definition: the ASL definition.
        tasks: Task state name -> the service it calls (nested states included).
        target: the account, region and prefix the ARNs were filled with.
        input_model: the execution input's model.
    """

    name: str
    definition: Definition
    tasks: dict[str, Service[Any, Any]]
    target: Target
    input_model: type[BaseModel]

    def functions(self) -> list[Service[Any, Any]]:
        """The distinct services the workflow calls, in order of first use."""
        seen: dict[str, Service[Any, Any]] = {}
        for service in self.tasks.values():
            seen.setdefault(service.name, service)
        return list(seen.values())


def compile_workflow(
    workflow: Workflow[Any],
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = "orderflow",
) -> CompiledWorkflow:
    """Compile ``workflow`` to ASL, filling Lambda ARNs from ``account``/``region``/``prefix``.

    Raises:
        WorkflowBuildError: the workflow is wired wrongly (raised while building it).
    """
    if not isinstance(workflow, Workflow):
        raise WorkflowBuildError(f"expected a Workflow, got {type(workflow).__name__}")
    target = Target(account, region, prefix)
    root = workflow.graph()
    compiler = _Compiler(target)
    data: dict[str, Any] = {}
    if workflow.comment:
        data["Comment"] = workflow.comment
    data.update(compiler.machine(root, end_output=None))
    if workflow.timeout_seconds is not None:
        data["TimeoutSeconds"] = workflow.timeout_seconds
    if workflow.query_language == "JSONata":
        data = to_jsonata(data, compiler.raw)
    return CompiledWorkflow(
        workflow.name, Definition(data), compiler.tasks, target, workflow.input_model
    )


class _Compiler:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.tasks: dict[str, Service[Any, Any]] = {}
        self.raw: set[str] = set()
        """Names of raw states (left as the user wrote them in JSONata output)."""

    def machine(self, scope: Scope, end_output: str | None) -> dict[str, Any]:
        """``{"StartAt", "States"}`` for a scope that is a whole state machine or branch."""
        states: dict[str, Any] = {}
        start = self.sequence(scope, states, next_after=None, end_output=end_output)
        assert start is not None  # scopes that become machines are never empty
        for name, state in states.items():
            for catcher in state.get("Catch", []):
                if catcher["Next"] not in states:
                    raise WorkflowBuildError(
                        f"Catch target {catcher['Next']!r} is not a state of the same "
                        "workflow or branch",
                        state=name,
                        field="Catch",
                    )
        return {"StartAt": start, "States": states}

    def sequence(
        self,
        scope: Scope,
        states: dict[str, Any],
        *,
        next_after: str | None,
        end_output: str | None,
    ) -> str | None:
        """Emit the scope's states into ``states``; returns its first state name."""
        steps = scope.steps
        for i, step in enumerate(steps):
            following = steps[i + 1].name if i + 1 < len(steps) else next_after
            state = self.state(step, states, following, end_output)
            states[step.name] = state
            if isinstance(step, ChoiceStep):
                self.choice_branches(step, states, following, end_output)
            elif not isinstance(step, (SucceedStep, FailStep)) and not (
                isinstance(step, RawStep) and step.terminal
            ):
                if following is not None:
                    state["Next"] = following
                else:
                    if end_output is not None:
                        _end_with(state, end_output, step.name)
                    state["End"] = True
        for handler in scope.handlers:
            self.sequence(handler, states, next_after=handler.continues_to, end_output=None)
        return steps[0].name if steps else next_after

    def choice_branches(
        self,
        step: ChoiceStep,
        states: dict[str, Any],
        following: str | None,
        end_output: str | None,
    ) -> None:
        choice = states[step.name]
        rules: list[dict[str, Any]] = []
        branches = [branch for _, branch in step.rules]
        if step.default is not None:
            branches.append(step.default)
        joins: str | None = following
        if following is None and any(not b.steps for b in branches):
            # An empty branch with nothing after the Choice still needs a state to end in.
            joins = f"{step.name} Done"
            if joins in states:
                raise WorkflowBuildError(f"state name {joins!r} is taken", state=step.name)
            done: dict[str, Any] = {"Type": "Pass"}
            if end_output is not None:
                done["OutputPath"] = end_output
            done["End"] = True
            states[joins] = done
        for rule, branch in step.rules:
            first = self.sequence(branch, states, next_after=following, end_output=end_output)
            rules.append({**rule, "Next": first or joins})
        choice["Choices"] = rules
        if step.default is not None:
            first = self.sequence(step.default, states, next_after=following, end_output=end_output)
            choice["Default"] = first or joins

    def state(
        self,
        step: Step,
        states: dict[str, Any],
        following: str | None,
        end_output: str | None,
    ) -> dict[str, Any]:
        state: dict[str, Any]
        if isinstance(step, TaskStep):
            self.tasks[step.name] = step.service
            try:
                arn = self.target.function_arn(step.service)
            except WorkflowBuildError as exc:
                raise WorkflowBuildError(exc.message, state=step.name, field=exc.field) from None
            parameters: dict[str, Any] = {"FunctionName": arn}
            if isinstance(step.payload, str):
                parameters["Payload.$"] = step.payload
            else:
                parameters["Payload"] = step.payload
            state = _task(LAMBDA_INVOKE, parameters, step)
        elif isinstance(step, ServiceStep):
            if step.service is not None:
                self.tasks[step.name] = step.service
            try:
                parameters = step.parameters(self.target)
            except WorkflowBuildError as exc:
                raise WorkflowBuildError(exc.message, state=step.name, field=exc.field) from None
            state = _task(f"arn:{self.target.partition}:states:::{step.resource}", parameters, step)
        elif isinstance(step, PassStep):
            state = {"Type": "Pass"}
            if step.parameters is not None:
                state["Parameters"] = step.parameters
            if step.result_path is not None:
                state["ResultPath"] = step.result_path
        elif isinstance(step, ParallelStep):
            state = {
                "Type": "Parallel",
                "Branches": [self.machine(b, end_output=b.output_path) for b in step.branches],
            }
            if step.discard_result:
                state["ResultPath"] = None
            elif step.result_path is not None:
                state["ResultPath"] = step.result_path
            _retry_catch(state, step.retry, step.catch)
        elif isinstance(step, MapStep):
            selector = {"item.$": "$$.Map.Item.Value"}
            selector.update({f"{key}.$": path for key, path in step.body.imports.items()})
            config: dict[str, Any] = {"Mode": "INLINE"}
            options = step.distributed
            if options is not None:
                config = {"Mode": "DISTRIBUTED", "ExecutionType": options.execution_type}
            processor: dict[str, Any] = {"ProcessorConfig": config}
            processor.update(self.machine(step.body, end_output=step.body.output_path))
            state = {"Type": "Map"}
            if options is None or options.reader is None:
                state["ItemsPath"] = step.items_path
            if options is None or options.batch is None:
                state["ItemSelector"] = selector
            if options is not None:
                state.update(options.fields(self.target.partition, step.body.imports))
            if step.max_concurrency is not None:
                state["MaxConcurrency"] = step.max_concurrency
            state["ItemProcessor"] = processor
            if step.result_path is not None:
                state["ResultPath"] = step.result_path
            _retry_catch(state, step.retry, step.catch)
        elif isinstance(step, ChoiceStep):
            state = {"Type": "Choice"}
        elif isinstance(step, WaitStep):
            state = {"Type": "Wait", **step.fields}
        elif isinstance(step, SucceedStep):
            state = {"Type": "Succeed"}
            if step.output_path is not None:
                state["OutputPath"] = step.output_path
        elif isinstance(step, FailStep):
            state = {"Type": "Fail", **step.fields}
        else:
            self.raw.add(step.name)
            state = dict(step.state)
            if step.table is not None:
                state = _with_table(
                    state, step.table.replace(PREFIX_PLACEHOLDER, self.target.prefix)
                )
        comment = getattr(step, "comment", None)
        if comment:
            state = {"Comment": comment, **state}
        return state


def _end_with(state: dict[str, Any], output: str, name: str) -> None:
    """Make ``state``, the last of a branch or body, output the JSONPath ``output``: an
    ``OutputPath``, or for a JSONata state (a circuit breaker's) the same as ``Output``."""
    if state.get("QueryLanguage") == "JSONata":
        state["Output"] = "{% " + jsonata_path(output, "$states.input", name) + " %}"
    else:
        state["OutputPath"] = output


def _with_table(state: dict[str, Any], table: str) -> dict[str, Any]:
    """``state`` with the ``TableName`` of its arguments (or parameters) set to ``table``."""
    for field in ("Arguments", "Parameters"):
        if field in state:
            return {**state, field: {**state[field], "TableName": table}}
    return state


def _task(
    resource: str, parameters: dict[str, Any], step: TaskStep | ServiceStep
) -> dict[str, Any]:
    """A Task state: the resource and its parameters, then the step's result handling."""
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "Parameters": parameters}
    if isinstance(step, TaskStep) and step.discard_result:
        state["ResultPath"] = None
    else:
        if step.result_selector is not None:
            state["ResultSelector"] = dict(step.result_selector)
        if step.result_path is not None:
            state["ResultPath"] = step.result_path
    if step.timeout_seconds is not None:
        state["TimeoutSeconds"] = step.timeout_seconds
    if step.heartbeat_seconds is not None:
        state["HeartbeatSeconds"] = step.heartbeat_seconds
    _retry_catch(state, step.retry, step.catch)
    return state


def _retry_catch(state: dict[str, Any], retry: list[dict[str, Any]], catch: list[Any]) -> None:
    if retry:
        state["Retry"] = [dict(r) for r in retry]
    if catch:
        state["Catch"] = [
            {"ErrorEquals": list(c.errors), "ResultPath": c.result_path, "Next": c.target}
            for c in catch
        ]


__all__ = ["LAMBDA_INVOKE", "CompiledWorkflow", "Target", "compile_workflow"]
