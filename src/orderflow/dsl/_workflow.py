"""A workflow: a name, an input model and the function that builds its states.

The build function runs lazily (on the first render, compile or check) and its graph is
cached, so importing a module that defines a wrongly wired workflow does not fail; rendering
it raises :class:`~orderflow.WorkflowBuildError` naming the state and field.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._flow import Flow
from orderflow.dsl._refs import Ref
from orderflow.dsl._scope import Builder, Scope
from orderflow.dsl._wiring import input_key

if TYPE_CHECKING:
    from orderflow.asl import Definition

In = TypeVar("In", bound=BaseModel)
QueryLanguage = Literal["JSONPath", "JSONata"]

WorkflowType = Literal["STANDARD", "EXPRESS"]
"""The state machine type a workflow is deployed as."""


class Workflow(Generic[In]):
    """A typed workflow.

    Attributes:
        name: the workflow's name (the state machine is named after it at deploy time).
        input_model: the model the execution input must satisfy; ``flow.input`` has its type.
        comment: the definition's top-level Comment.
        timeout_seconds: the definition's TimeoutSeconds.
        query_language: ``JSONPath`` (the default) or ``JSONata``: the same workflow, the
            same data between states, written with ``Arguments``/``Output``/``Condition``
            instead of ``Parameters``/``ResultSelector``/``ResultPath``.
        type: the state machine type it is deployed (and checked) as: ``STANDARD`` or
            ``EXPRESS``.

    Example:
        >>> order_workflow = Workflow("order", OrderRequest, build_order)
    """

    def __init__(
        self,
        name: str,
        input_model: type[In],
        build: Callable[[Flow[In]], None],
        *,
        comment: str | None = None,
        timeout_seconds: int | None = None,
        query_language: QueryLanguage = "JSONPath",
        type: WorkflowType = "STANDARD",
    ) -> None:
        if query_language not in ("JSONPath", "JSONata"):
            raise WorkflowBuildError(
                f"workflow {name!r}: query_language must be JSONPath or JSONata, not "
                f"{query_language!r}",
                field="QueryLanguage",
            )
        if type not in get_args(WorkflowType):
            raise WorkflowBuildError(
                f"workflow {name!r}: type must be STANDARD or EXPRESS, not {type!r}"
            )
        if not (isinstance(input_model, builtins.type) and issubclass(input_model, BaseModel)):
            raise WorkflowBuildError(
                f"workflow {name!r}: input_model must be a Pydantic model class, "
                f"got {input_model!r}"
            )
        self.name = name
        self.input_model = input_model
        self.comment = comment
        self.timeout_seconds = timeout_seconds
        self.query_language: QueryLanguage = query_language
        self.type: WorkflowType = type
        self._build = build
        self._graph: Scope | None = None

    def graph(self) -> Scope:
        """Run the build function once and return the root scope (internal graph)."""
        if self._graph is None:
            builder = Builder(self.name, jsonata=self.query_language == "JSONata")
            root = Scope(builder, "root", None, f"workflow {self.name!r}")
            for name, field in self.input_model.model_fields.items():
                root.keys.update({name, input_key(name, field)})
            input_ref = Ref(root, "$", self.input_model, "<input>")
            self._build(Flow(root, input_ref))
            builder.check_finished()
            if not root.steps:
                raise WorkflowBuildError(f"workflow {self.name!r} has no states")
            self._graph = root
        return self._graph

    def to_definition(self) -> Definition:
        """The ASL definition with the default account, region and prefix (see ``render``)."""
        from orderflow.dsl._render import render

        return render(self)

    def __repr__(self) -> str:
        return f"Workflow({self.name!r}, input_model={self.input_model.__name__})"


def workflow(
    name: str,
    *,
    input_model: type[In],
    comment: str | None = None,
    timeout_seconds: int | None = None,
    query_language: QueryLanguage = "JSONPath",
    type: WorkflowType = "STANDARD",
) -> Callable[[Callable[[Flow[In]], None]], Workflow[In]]:
    """Decorator form of :class:`Workflow`: the decorated build function becomes the workflow.

    Example:
        >>> @workflow("order", input_model=OrderRequest)
        ... def order_workflow(flow: Flow[OrderRequest]) -> None:
        ...     flow.task("Validate", validate_order).call_with(flow.input)
    """

    def decorate(build: Callable[[Flow[In]], None]) -> Workflow[In]:
        return Workflow(
            name,
            input_model,
            build,
            comment=comment,
            timeout_seconds=timeout_seconds,
            query_language=query_language,
            type=type,
        )

    return decorate


__all__ = ["QueryLanguage", "Workflow", "WorkflowType", "workflow"]
