"""Typed references: build-time stand-ins for values that exist only at run time.

A task call returns a :class:`Ref` that mypy believes *is* the service's output model
(``User``), so ``user.email`` type-checks as ``str`` and wiring it into another service's
input is checked against the real Pydantic annotation. At run time the object records only
where the value will live in the state's JSON (``$.get_user.email``), its annotation, and the
scope it was produced in, which the builder uses to reject references that cannot exist where
they are read.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from collections.abc import Sequence as AbcSequence
from typing import TYPE_CHECKING, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError

if TYPE_CHECKING:
    from orderflow.dsl._scope import Scope


class Ref:
    """A reference to a value in the state data at run time.

    Attribute access walks the model's fields (``user.email``); indexing walks a list
    (``items[0]``). Every internal attribute starts with ``_of_`` so model fields named
    ``path`` or ``items`` stay reachable.
    """

    __slots__ = ("_of_annotation", "_of_epoch", "_of_path", "_of_scope", "_of_state")

    _of_scope: Scope
    _of_path: str
    _of_annotation: Any
    _of_state: str
    _of_epoch: int

    def __init__(
        self, scope: Scope, path: str, annotation: Any, state: str, epoch: int | None = None
    ) -> None:
        object.__setattr__(self, "_of_scope", scope)
        object.__setattr__(self, "_of_path", path)
        object.__setattr__(self, "_of_annotation", annotation)
        object.__setattr__(self, "_of_state", state)
        # How many states the workflow had when the value was made: a raw state added
        # later that replaces the data makes it unreadable (see Scope.resolve).
        object.__setattr__(self, "_of_epoch", scope.builder.epoch if epoch is None else epoch)

    def __getattr__(self, name: str) -> Ref:
        if name.startswith("__") or name.startswith("_of_"):
            raise AttributeError(name)
        model = model_of(self._of_annotation)
        if model is None:
            raise WorkflowBuildError(
                f"{self._of_path} is a {type_name(self._of_annotation)}, it has no field {name!r}",
                state=self._of_state,
                field=name,
            )
        field = model.model_fields.get(name)
        if field is None:
            known = ", ".join(model.model_fields) or "none"
            raise WorkflowBuildError(
                f"{model.__name__} (at {self._of_path}) has no field {name!r}; its fields: {known}",
                state=self._of_state,
                field=name,
            )
        return Ref(
            self._of_scope,
            join_path(self._of_path, name),
            field.annotation,
            self._of_state,
            self._of_epoch,
        )

    def __getitem__(self, index: int) -> Ref:
        element = list_element(self._of_annotation)
        if element is None or not isinstance(index, int) or isinstance(index, bool):
            raise WorkflowBuildError(
                f"{self._of_path} is a {type_name(self._of_annotation)}; only a list can be "
                "indexed, and only with an int",
                state=self._of_state,
            )
        if index < 0:
            raise WorkflowBuildError(
                f"{self._of_path}[{index}]: JSONPath references need a non-negative index",
                state=self._of_state,
            )
        return Ref(
            self._of_scope, f"{self._of_path}[{index}]", element, self._of_state, self._of_epoch
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise WorkflowBuildError(
            f"cannot assign {name!r} on a reference ({self._of_path}): references are read-only; "
            "build a new value with a Pass state (flow.pass_)",
            state=self._of_state,
        )

    def __bool__(self) -> bool:
        # `if user.status == "active":` would silently pick one branch at build time.
        raise WorkflowBuildError(
            f"{self._of_path} has no value while the workflow is being built; branch on it "
            "with flow.choice(...) and a condition such as eq(ref, value)",
            state=self._of_state,
        )

    def __iter__(self) -> Iterator[Any]:
        raise WorkflowBuildError(
            f"{self._of_path} cannot be iterated while the workflow is being built; "
            "use flow.map(...) to process each element",
            state=self._of_state,
        )

    def __repr__(self) -> str:
        return f"Ref({self._of_path}: {type_name(self._of_annotation)})"


def is_ref(value: object) -> bool:
    """Whether ``value`` is a build-time reference (mypy sees it as a model or a field)."""
    return isinstance(value, Ref)


def as_ref(value: object, *, state: str, what: str) -> Ref:
    """``value`` as a :class:`Ref`, or a :class:`WorkflowBuildError` naming ``what``."""
    if isinstance(value, Ref):
        return value
    raise WorkflowBuildError(
        f"{what} must be a reference produced by the workflow (a task result, flow.input, "
        f"or a field of one), got {type(value).__name__}",
        state=state,
    )


def join_path(path: str, name: str) -> str:
    """``$`` + ``a`` -> ``$.a``; names that are not plain identifiers use bracket notation."""
    if name.isidentifier():
        return f"$.{name}" if path == "$" else f"{path}.{name}"
    escaped = name.replace("'", "\\'")
    return f"{path}['{escaped}']"


class ParallelResult(tuple[Any, ...]):
    """The tuple a Parallel returns; an index out of range is a build error, not IndexError."""

    state: str = ""

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, int) and not -len(self) <= index < len(self):
            raise WorkflowBuildError(
                f"the Parallel has {len(self)} branch(es); there is no branch output [{index}]",
                state=self.state,
            )
        return super().__getitem__(index)


def parallel_result(state: str, refs: list[Ref]) -> ParallelResult:
    result = ParallelResult(refs)
    result.state = state
    return result


# --- annotations -----------------------------------------------------------------------------

_NONE = type(None)


def strip_annotated(annotation: Any) -> Any:
    while get_origin(annotation) is typing.Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def union_members(annotation: Any) -> tuple[Any, ...] | None:
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return get_args(annotation)
    return None


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The Pydantic model an annotation denotes (``X`` or ``X | None``), if any."""
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    if members is not None:
        models = [m for m in (model_of(a) for a in members if a is not _NONE) if m is not None]
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def list_element(annotation: Any) -> Any | None:
    """The element annotation of ``list[X]`` / ``Sequence[X]`` / ``tuple[X, ...]``, else None."""
    annotation = strip_annotated(annotation)
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin in (list, AbcSequence) and args:
        return args[0]
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def type_name(annotation: Any) -> str:
    """A short readable name: ``str``, ``list[OrderItem]``, ``User | None``."""
    annotation = strip_annotated(annotation)
    if annotation is _NONE:
        return "None"
    if annotation is Any:
        return "Any"
    members = union_members(annotation)
    if members is not None:
        return " | ".join(type_name(m) for m in members)
    origin = get_origin(annotation)
    if origin is Literal:
        return "Literal[" + ", ".join(repr(a) for a in get_args(annotation)) + "]"
    if origin is not None:
        inner = ", ".join("..." if a is Ellipsis else type_name(a) for a in get_args(annotation))
        return f"{getattr(origin, '__name__', str(origin))}[{inner}]"
    return getattr(annotation, "__name__", str(annotation))


def _base_type(annotation: Any) -> Any:
    """Literal["a"] -> str, an Enum member type stays itself, others unchanged."""
    if get_origin(annotation) is Literal:
        values = get_args(annotation)
        kinds = {type(v) for v in values}
        return kinds.pop() if len(kinds) == 1 else object
    return annotation


def compatible(source: Any, target: Any) -> bool:
    """Whether a value annotated ``source`` may be wired where ``target`` is expected.

    Deliberately close to what mypy accepts (int where float is expected, a subclass where
    its base is expected, ``X`` where ``X | None`` is expected); constraints such as
    ``ge=1`` are left to the contract's validation at run time.
    """
    source, target = strip_annotated(source), strip_annotated(target)
    if target is Any or target is object or source is Any:
        return True
    if source == target:
        return True
    target_members = union_members(target)
    source_members = union_members(source)
    if source_members is not None:
        return all(compatible(member, target) for member in source_members)
    if target_members is not None:
        return any(compatible(source, member) for member in target_members)
    if get_origin(target) is Literal:
        if get_origin(source) is Literal:
            return set(get_args(source)) <= set(get_args(target))
        return False
    source_element, target_element = list_element(source), list_element(target)
    if target_element is not None:
        return source_element is not None and compatible(source_element, target_element)
    if source_element is not None:
        return False
    source, target = _base_type(source), _base_type(target)
    if isinstance(source, type) and isinstance(target, type):
        if issubclass(source, bool) != issubclass(target, bool):
            return False
        if target is float and issubclass(source, int):
            return True
        return issubclass(source, target)
    return bool(source == target)


__all__ = [
    "ParallelResult",
    "Ref",
    "as_ref",
    "compatible",
    "is_ref",
    "join_path",
    "list_element",
    "model_of",
    "parallel_result",
    "strip_annotated",
    "type_name",
    "union_members",
]
