"""DynamoDB attribute values from typed references, and typed values back from items.

DynamoDB speaks its own JSON (``{"S": "x"}``, ``{"N": "5"}``, ``{"BOOL": true}``); the
optimized integration sends and returns it as is. The DSL writes the conversions as
intrinsic functions, so users wire plain typed values:

=============================  =========================================  ==================
field type                     written as                                 read back with
=============================  =========================================  ==================
``str`` (Literal, str Enum)    ``{"S.$": "$.p"}``                          ``$.Item.f.S``
``int`` / ``float``            ``{"N.$": "States.JsonToString($.p)"}``    ``StringToJson(N)``
``bool``                       ``{"BOOL.$": "$.p"}``                       ``$.Item.f.BOOL``
anything else (model, list)    ``{"S.$": "States.JsonToString($.p)"}``    ``StringToJson(S)``
=============================  =========================================  ==================

A field that may be ``None`` cannot be written this way (DynamoDB has no typed null the
path could fill), so it is refused at build time.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._refs import Ref, model_of, strip_annotated, type_name, union_members
from orderflow.dsl._scope import Scope

Kind = Literal["S", "N", "BOOL", "JSON"]


def kind_of(annotation: Any, *, state: str, field: str) -> Kind:
    """How a value annotated ``annotation`` is stored in DynamoDB.

    Raises:
        WorkflowBuildError: the annotation admits ``None``.
    """
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    if members is not None:
        if type(None) in members:
            raise WorkflowBuildError(
                f"{field} is {type_name(annotation)}: a value that may be None cannot be "
                "stored as a DynamoDB attribute by the DSL; make the field required",
                state=state,
                field=field,
            )
        kinds = {kind_of(m, state=state, field=field) for m in members}
        return kinds.pop() if len(kinds) == 1 else "JSON"
    if get_origin(annotation) is Literal:
        kinds = {kind_of(type(v), state=state, field=field) for v in get_args(annotation)}
        return kinds.pop() if len(kinds) == 1 else "JSON"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            kinds = {kind_of(type(m.value), state=state, field=field) for m in annotation}
            return kinds.pop() if len(kinds) == 1 else "JSON"
        if issubclass(annotation, bool):
            return "BOOL"
        if issubclass(annotation, (str, dt.datetime, dt.date)):
            return "S"
        if issubclass(annotation, (int, float, Decimal)):
            return "N"
    return "JSON"


def attribute(scope: Scope, state: str, field: str, value: Any, annotation: Any) -> dict[str, Any]:
    """The AttributeValue template for ``value`` (a reference or a literal)."""
    if isinstance(value, Ref):
        kind = kind_of(value._of_annotation, state=state, field=field)
        path = scope.resolve(value, state)
        if kind == "S":
            return {"S.$": path}
        if kind == "BOOL":
            return {"BOOL.$": path}
        return {("N.$" if kind == "N" else "S.$"): f"States.JsonToString({path})"}
    if value is None:
        raise WorkflowBuildError(
            "None cannot be stored as a DynamoDB attribute", state=state, field=field
        )
    kind = kind_of(annotation if annotation is not None else type(value), state=state, field=field)
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if kind == "S":
        return {"S": value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value}
    if kind == "BOOL":
        return {"BOOL": value}
    if kind == "N":
        return {"N": str(value)}
    return {"S": json.dumps(value, separators=(",", ":"), sort_keys=True)}


def key_template(
    scope: Scope,
    state: str,
    key: Mapping[str, Any],
    model: type[BaseModel] | None,
    *,
    is_key: bool = True,
) -> dict[str, Any]:
    """A ``Key`` (or ``SET`` values) map: attribute name -> AttributeValue template.

    Key attributes must be strings or numbers (DynamoDB keys are S, N or B).

    Raises:
        WorkflowBuildError: the key is empty, or names a field ``model`` does not have,
            or a reference's type does not match the model's field.
    """
    if not isinstance(key, Mapping) or not key:
        raise WorkflowBuildError(
            "key must be a non-empty mapping attribute -> value", state=state, field="Key"
        )
    out: dict[str, Any] = {}
    for name, value in key.items():
        annotation = None
        if model is not None:
            info = model.model_fields.get(name)
            if info is None:
                raise WorkflowBuildError(
                    f"{model.__name__} has no field {name!r}; its fields: "
                    f"{', '.join(model.model_fields)}",
                    state=state,
                    field=name,
                )
            annotation = info.annotation
            if isinstance(value, Ref) and kind_of(
                value._of_annotation, state=state, field=name
            ) != kind_of(annotation, state=state, field=name):
                raise WorkflowBuildError(
                    f"{model.__name__}.{name} is {type_name(annotation)} but {value._of_path} "
                    f"is {type_name(value._of_annotation)}",
                    state=state,
                    field=name,
                )
        written = attribute(scope, state, name, value, annotation)
        if is_key and (
            set(written) - {"S", "S.$", "N", "N.$"}
            or any("JsonToString" in str(v) and k == "S.$" for k, v in written.items())
            or (isinstance(written.get("S"), str) and not isinstance(value, (str, enum.Enum)))
        ):
            raise WorkflowBuildError(
                f"key attribute {name!r} must be a string or a number, got "
                f"{type_name(value._of_annotation) if isinstance(value, Ref) else repr(value)}",
                state=state,
                field=name,
            )
        out[name] = written
    return out


def item_template(scope: Scope, state: str, item: Any) -> dict[str, Any]:
    """An ``Item`` from a reference to a model: one attribute per field."""
    if not isinstance(item, Ref) or model_of(item._of_annotation) is None:
        raise WorkflowBuildError(
            "item must be a reference to a model (a task result, flow.input or a field of "
            f"one that is a model), got {item!r}",
            state=state,
            field="Item",
        )
    model = model_of(item._of_annotation)
    assert model is not None
    return {
        name: attribute(scope, state, name, getattr(item, name), None)
        for name in model.model_fields
    }


def item_selector(model: type[BaseModel], source: str, state: str) -> dict[str, str]:
    """A ResultSelector turning the item at ``source`` (``$.Item``) into ``model``'s JSON."""
    selector: dict[str, str] = {}
    for name, info in model.model_fields.items():
        kind = kind_of(info.annotation, state=state, field=name)
        if not info.is_required():
            raise WorkflowBuildError(
                f"{model.__name__}.{name} has a default: a missing attribute would fail the "
                "state at run time, so every field of an item model must be required",
                state=state,
                field=name,
            )
        base = f"{source}.{name}"
        selector[f"{name}.$"] = {
            "S": f"{base}.S",
            "BOOL": f"{base}.BOOL",
            "N": f"States.StringToJson({base}.N)",
            "JSON": f"States.StringToJson({base}.S)",
        }[kind]
    return selector


__all__ = ["Kind", "attribute", "item_selector", "item_template", "key_template", "kind_of"]
