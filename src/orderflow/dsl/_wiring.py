"""Wiring checks: a payload built from references must satisfy the input model.

mypy checks the same thing statically (the pydantic plugin types each model's ``__init__``);
these checks repeat it at build time so that code mypy never saw, or code that silenced it
with ``# type: ignore``, still fails loudly, naming the state and the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref, compatible, model_of, type_name
from orderflow.dsl._scope import Scope


def input_key(name: str, field: FieldInfo) -> str:
    """The JSON key a model reads a field from (its alias when it has one)."""
    return (
        field.validation_alias if isinstance(field.validation_alias, str) else (field.alias or name)
    )


def payload_template(
    scope: Scope, state: str, model: Any, fields: dict[str, Any], *, args: tuple[Any, ...] = ()
) -> dict[str, Any]:
    """An ASL payload template (``{"user_id.$": "$.validated.user_id", "n": 3}``) for ``model``.

    Raises:
        WorkflowBuildError: positional arguments, an unknown field, a missing required field,
            a reference whose annotation does not fit the field, or a literal the field's
            type rejects.
    """
    target = _model_class(model, state)
    if args:
        raise WorkflowBuildError(
            f"{target.__name__} takes keyword arguments only (field=value)", state=state
        )
    known = target.model_fields
    for name in fields:
        if name not in known:
            raise WorkflowBuildError(
                f"{target.__name__} has no field {name!r}; its fields: {', '.join(known)}",
                state=state,
                field=name,
            )
    for name, info in known.items():
        if name not in fields and info.is_required():
            raise WorkflowBuildError(
                f"{target.__name__} requires {name!r} ({type_name(info.annotation)}) but the "
                "payload does not set it",
                state=state,
                field=name,
            )
    template: dict[str, Any] = {}
    for name, value in fields.items():
        info = known[name]
        key = input_key(name, info)
        if isinstance(value, Ref):
            if not compatible(value._of_annotation, info.annotation):
                raise WorkflowBuildError(
                    f"{target.__name__}.{name} expects {type_name(info.annotation)} but "
                    f"{value._of_path} is {type_name(value._of_annotation)}",
                    state=state,
                    field=name,
                )
            template[f"{key}.$"] = scope.resolve(value, state)
        else:
            template[key] = literal(state, name, info, value)
    return template


def whole_payload(scope: Scope, state: str, model: type[BaseModel], value: Any) -> str:
    """The path of a reference used as a whole payload, checked against ``model``."""
    if not isinstance(value, Ref):
        raise WorkflowBuildError(
            "call_with() takes a reference (flow.input or a task result); to pass literal "
            "values use call(Model, field=value, ...)",
            state=state,
        )
    if not compatible(value._of_annotation, model):
        raise WorkflowBuildError(
            f"the payload must be a {model.__name__} but {value._of_path} is "
            f"{type_name(value._of_annotation)}",
            state=state,
            field="Payload",
        )
    return scope.resolve(value, state)


def literal(state: str, name: str, info: FieldInfo, value: Any) -> Any:
    """A literal payload value, validated against the field and dumped as JSON."""
    if _contains_ref(value):
        raise WorkflowBuildError(
            "a reference nested inside a literal (list, dict or model) cannot be wired; pass "
            "the reference as the field's whole value, or shape it first with flow.pass_",
            state=state,
            field=name,
        )
    # The field's constraints (min_length, ge...) live in its metadata; check them too.
    annotation: Any = Any if info.annotation is None else info.annotation
    if info.metadata:
        annotation = Annotated[annotation, *info.metadata]
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)
    try:
        validated = adapter.validate_python(value)
    except ValidationError as exc:
        problem = exc.errors()[0]["msg"] if exc.errors() else str(exc)
        raise WorkflowBuildError(
            f"literal {value!r} does not fit {type_name(info.annotation)}: {problem}",
            state=state,
            field=name,
        ) from None
    return adapter.dump_python(validated, mode="json")


def result_selector(model: type[BaseModel]) -> dict[str, str]:
    """Unwraps ``lambda:invoke``'s ``Payload``: one entry per output field."""
    return {f"{name}.$": f"$.Payload.{name}" for name in model.model_fields}


def snake_case(name: str) -> str:
    """``GetUser`` -> ``get_user``; ``Reserve Inventory`` -> ``reserve_inventory``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", spaced)
    key = re.sub(r"[^A-Za-z0-9]+", "_", spaced).strip("_").lower()
    return key if key and not key[0].isdigit() else f"s_{key}"


def _model_class(model: Any, state: str) -> type[BaseModel]:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model
    found = model_of(model)
    if found is None:
        raise WorkflowBuildError(
            f"expected a Pydantic model class for the payload, got {model!r}", state=state
        )
    return found


def _contains_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, dict):
        return any(_contains_ref(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(_contains_ref(v) for v in value)
    if isinstance(value, BaseModel):
        return any(_contains_ref(v) for v in value.__dict__.values())
    return False


__all__ = [
    "input_key",
    "literal",
    "payload_template",
    "result_selector",
    "snake_case",
    "whole_payload",
]
