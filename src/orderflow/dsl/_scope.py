"""Scopes and steps: the builder's intermediate graph between the DSL calls and ASL.

A scope is one sequence of states: the workflow itself, a Parallel branch, a Map body, a
Choice branch or a Catch handler. Scopes decide which references are readable where:

- a reference is readable in the scope it was made in and in every scope nested inside;
- a Choice branch, Parallel branch, Map body or Catch handler does not leak: after it, the
  values it produced may not exist (the branch may not have run, or ran on a copy);
- a Map body runs on its own input (the ItemSelector), so an outer reference read inside it
  is *imported*: the ItemSelector copies the outer value under a key and the body reads it
  there. Users never see this; they just use the outer reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref
from orderflow.runtime._service import Service

ScopeKind = Literal["root", "branch", "map", "choice", "catch"]


@dataclass
class CatchSpec:
    errors: list[str]
    target: str
    result_path: str


@dataclass
class TaskStep:
    name: str
    service: Service[Any, Any]
    payload: dict[str, Any] | str
    result_selector: dict[str, str]
    result_path: str | None
    retry: list[dict[str, Any]]
    catch: list[CatchSpec]
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    comment: str | None = None
    discard_result: bool = False
    """``ResultPath: null``: keep the input (a saga's compensation keeps the caught error)."""


@dataclass
class ServiceStep:
    """A Task calling an optimized service integration (DynamoDB, SNS, SQS, ...).

    ``parameters`` is called with the compile target (account, region) so names become
    ARNs and queue URLs for the environment the workflow is rendered for.
    """

    name: str
    resource: str
    parameters: Callable[[Any], dict[str, Any]]
    result_selector: dict[str, str] | None
    result_path: str | None
    retry: list[dict[str, Any]]
    catch: list[CatchSpec]
    timeout_seconds: int | None = None
    heartbeat_seconds: int | None = None
    comment: str | None = None
    service: Service[Any, Any] | None = None
    """The Lambda service a callback invokes (deploy creates its function)."""


@dataclass
class PassStep:
    name: str
    parameters: dict[str, Any] | None
    result_path: str | None
    comment: str | None = None


@dataclass
class ParallelStep:
    name: str
    branches: list[Scope]
    result_path: str | None
    retry: list[dict[str, Any]]
    catch: list[CatchSpec]
    comment: str | None = None
    discard_result: bool = False
    """``ResultPath: null``: keep the input (a saga's compensation keeps the caught error)."""


@dataclass
class MapStep:
    name: str
    items_path: str
    body: Scope
    result_path: str | None
    max_concurrency: int | None
    retry: list[dict[str, Any]]
    catch: list[CatchSpec]
    comment: str | None = None
    distributed: Any = None
    """DistributedOptions for a Distributed Map (``flow.distributed_map``)."""


@dataclass
class ChoiceStep:
    name: str
    rules: list[tuple[dict[str, Any], Scope]]
    default: Scope | None
    comment: str | None = None


@dataclass
class WaitStep:
    name: str
    fields: dict[str, Any]
    comment: str | None = None


@dataclass
class SucceedStep:
    name: str
    output_path: str | None
    comment: str | None = None


@dataclass
class FailStep:
    name: str
    fields: dict[str, Any]
    comment: str | None = None


@dataclass
class RawStep:
    name: str
    state: dict[str, Any]
    terminal: bool
    table: str | None = None
    """A DynamoDB table the state names in its ``TableName``; ``{prefix}`` in it becomes the
    render prefix, as in every resource the app deploys (a circuit breaker's table)."""


Step = (
    TaskStep
    | ServiceStep
    | PassStep
    | ParallelStep
    | MapStep
    | ChoiceStep
    | WaitStep
    | SucceedStep
    | FailStep
    | RawStep
)
TERMINAL_STEPS = (SucceedStep, FailStep)


@dataclass
class Builder:
    """What one workflow build shares across scopes: the state names in use."""

    workflow: str
    state_names: set[str] = field(default_factory=set)
    jsonata: bool = False
    """Whether the workflow's states are JSONata (raw states then read as JSONata)."""
    epoch: int = 0
    """How many states have been added so far (references remember it when made)."""
    labels: set[str] = field(default_factory=set)
    """Labels given to ``Flow.scoped`` (each made unique with a number)."""
    unfinished: dict[int, str] = field(default_factory=dict)
    """Task/Pass calls started but never given a payload (keyed by id of the call)."""

    def check_finished(self) -> None:
        for name in self.unfinished.values():
            raise WorkflowBuildError(
                "the state was started but never added: finish it with .call(Model, ...) "
                "or .call_with(reference)",
                state=name,
            )

    def claim_name(self, name: str) -> None:
        if not isinstance(name, str) or not name or len(name) > 80:
            raise WorkflowBuildError(
                f"state names must be 1-80 characters, got {name!r}", state=str(name)
            )
        if name in self.state_names:
            raise WorkflowBuildError(
                "a state with this name already exists; state names must be unique in the "
                "whole workflow, nested branches included",
                state=name,
            )
        self.state_names.add(name)


class Scope:
    """One sequence of states and the bookkeeping that keeps its references honest."""

    def __init__(
        self,
        builder: Builder,
        kind: ScopeKind,
        parent: Scope | None,
        label: str,
        *,
        keys: set[str] | None = None,
    ) -> None:
        self.builder = builder
        self.kind: ScopeKind = kind
        self.parent = parent
        self.label = label
        self.steps: list[Step] = []
        self.handlers: list[Scope] = []
        self.handler_targets: dict[tuple[int, str], str] = {}
        # Result keys share one registry per data object: a Map body starts a new object.
        if keys is not None:
            self.keys, self.error_keys = keys, set[str]()
        elif parent is not None:
            self.keys, self.error_keys = parent.keys, parent.error_keys
        else:
            self.keys, self.error_keys = set(), set()
        self.imports: dict[str, str] = {}
        self.output_path: str | None = None
        self.import_prefix = "$."
        """Where imported outer values sit in a Map body's input (``$.BatchInput.`` when
        items come in batches)."""
        self.barriers: list[Barrier] = []
        """Raw states in this sequence that replace the whole state data."""
        self.saga: Any = None
        """The saga's compensation chain (a ``SagaFrame``) when this sequence has one."""
        self.pending_compensations: list[tuple[str, Any]] = []
        """In a Parallel branch: (step, Compensation) pairs the enclosing saga takes over."""
        self.continues_to: str | None = None
        """For a handler that does not end the execution: the state its last state goes to
        (a saga's compensation goes on to the next older one)."""

    # --- sequence ---------------------------------------------------------------------------

    @property
    def terminal(self) -> bool:
        if not self.steps:
            return False
        last = self.steps[-1]
        return isinstance(last, TERMINAL_STEPS) or (isinstance(last, RawStep) and last.terminal)

    def add(self, step: Step) -> None:
        if self.terminal:
            raise WorkflowBuildError(
                f"unreachable: it comes after {self.steps[-1].name!r}, which ends {self.label}",
                state=step.name,
            )
        self.steps.append(step)
        self.builder.epoch += 1
        sequence: Scope | None = self
        # A Choice branch's states sit in the same state machine as the sequence around it,
        # so they can catch into that sequence's saga too.
        while sequence is not None and sequence.kind == "choice":
            sequence = sequence.parent
        if sequence is not None and sequence.saga is not None:
            sequence.saga.attach(step)

    def add_barrier(self, state: str, declared: bool) -> None:
        """Record that ``state`` (just added) replaces the data: older values are gone."""
        self.barriers.append(Barrier(self.builder.epoch, state, declared))

    def child(self, kind: ScopeKind, label: str) -> Scope:
        if kind == "map":
            return Scope(self.builder, kind, self, label, keys={"item"})
        return Scope(self.builder, kind, self, label)

    # --- data -------------------------------------------------------------------------------

    def claim_key(self, key: str, state: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise WorkflowBuildError(
                f"result_key {key!r} must be an identifier (letters, digits, underscore)",
                state=state,
                field="ResultPath",
            )
        if key in self.keys:
            raise WorkflowBuildError(
                f"result key {key!r} is already used (by the workflow input or an earlier "
                "state); pass result_key=... to choose another",
                state=state,
                field="ResultPath",
            )
        self.keys.add(key)
        return key

    def resolve(self, ref: Ref, state: str) -> str:
        """The JSONPath at which ``ref`` is found in this scope's state data."""
        owner = ref._of_scope
        if owner.builder is not self.builder:
            raise WorkflowBuildError(
                f"{ref._of_path} belongs to another workflow ({owner.builder.workflow!r})",
                state=state,
            )
        chain: list[Scope] = []
        scope: Scope | None = self
        while scope is not None and scope is not owner:
            chain.append(scope)
            scope = scope.parent
        if scope is None:
            raise WorkflowBuildError(_not_visible(ref, self), state=state)
        for crossed in (*chain, owner):
            for barrier in crossed.barriers:
                if barrier.epoch > ref._of_epoch:
                    raise WorkflowBuildError(_through_barrier(ref, barrier), state=state)
        # Cross Map bodies from the outside in: each one imports the outer value.
        path = ref._of_path
        for crossing in reversed(chain):
            if crossing.kind == "map":
                path = crossing.import_path(path)
        return path

    def import_path(self, outer_path: str) -> str:
        for key, path in self.imports.items():
            if path == outer_path:
                return f"{self.import_prefix}{key}"
        base = re.sub(r"[^A-Za-z0-9_]+", "_", outer_path.removeprefix("$")).strip("_") or "input"
        key = f"outer_{base}"
        suffix = 2
        while key in self.keys:
            key = f"outer_{base}_{suffix}"
            suffix += 1
        self.keys.add(key)
        self.imports[key] = outer_path
        return f"{self.import_prefix}{key}"


@dataclass(frozen=True)
class Barrier:
    """A raw state that replaces the state data; values made before it cannot be read after."""

    epoch: int
    state: str
    declared: bool


def _through_barrier(ref: Ref, barrier: Barrier) -> str:
    made_by = "the workflow input" if ref._of_state == "<input>" else f"state {ref._of_state!r}"
    if barrier.declared:
        why = (
            f"raw state {barrier.state!r} replaces the whole state data with its declared "
            "output, so the value is gone; read it from that output, or give the raw state a "
            "ResultPath such as '$.key' to keep its input"
        )
    else:
        why = (
            f"raw state {barrier.state!r} is opaque: it replaces the state data (no ResultPath, "
            "or an InputPath/OutputPath) and declares no output shape; give it a ResultPath "
            "such as '$.key' or null to keep its input, or output=Model to declare what it "
            "produces"
        )
    return f"{ref._of_path}, made by {made_by}, flows through {why}"


def _not_visible(ref: Ref, reader: Scope) -> str:
    readers = set()
    scope: Scope | None = reader
    while scope is not None:
        readers.add(id(scope))
        scope = scope.parent
    boundary = ref._of_scope
    while boundary.parent is not None and id(boundary.parent) not in readers:
        boundary = boundary.parent
    why = {
        "choice": "that branch may not have run",
        "branch": "a Parallel branch runs on its own copy of the data; return the value "
        "from the branch function to use it after the Parallel",
        "map": "a Map body runs once per item; return the value from the body function "
        "to get the list of results",
        "catch": "the handler runs only when the error happened",
        "root": "",
    }[boundary.kind]
    return (
        f"{ref._of_path} was produced inside {boundary.label} and cannot be read outside it: {why}"
    )


__all__ = [
    "TERMINAL_STEPS",
    "Barrier",
    "Builder",
    "CatchSpec",
    "ChoiceStep",
    "FailStep",
    "MapStep",
    "ParallelStep",
    "PassStep",
    "RawStep",
    "Scope",
    "ScopeKind",
    "ServiceStep",
    "Step",
    "SucceedStep",
    "TaskStep",
    "WaitStep",
]
