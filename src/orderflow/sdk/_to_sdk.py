"""orderflow's ASL document -> the stepfunctions SDK's objects, with identical JSON.

Every state becomes the SDK's own class when the SDK can express all its fields, and the
completed subclass from :mod:`orderflow.sdk._fields` when it cannot; transitions become the
SDK's object links (``next``, ``add_choice``, ``Catch(next_step=...)``), so the result is a
graph an SDK user can keep editing. The conversion ends by comparing the SDK's JSON with the
definition: any difference is an error naming where, never a silently changed workflow.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from orderflow._errors import SdkInteropError
from orderflow.asl import JSON, Definition, pointer_join
from orderflow.sdk import _fields
from orderflow.sdk._import import require_sdk

_sdk = require_sdk()
_steps = _sdk.steps
_to_pascalcase = _sdk.steps.states.to_pascalcase

# ASL fields handled as graph structure rather than passed to a constructor.
_STRUCTURAL = frozenset(
    {"Type", "Next", "End", "Retry", "Catch", "Choices", "Default", "Branches", "Iterator"}
    | {"ItemProcessor"}
)
# Fields the SDK writes even when None (it treats null as meaningful only for these).
_SDK_NULLABLE = frozenset({"ResultPath", "InputPath", "OutputPath"})
_COMPARISONS = re.compile(
    r"^(String|Numeric|Boolean|Timestamp)\w*$|^Is(Null|Present|Numeric|String|Boolean|Timestamp)$"
)
_BODY_KEYS = frozenset({"StartAt", "States"})
_GRAPH_FIELDS = frozenset({"Comment", "TimeoutSeconds", "Version", "QueryLanguage"})


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


_SDK_CLASSES: dict[str, Any] = {
    **{kind: classes[0] for kind, classes in _fields.STATE_CLASSES.items()},
    "Retry": _steps.Retry,
    "Catch": _steps.Catch,
    "Graph": _steps.Graph,
}


@functools.cache
def _sdk_fields(kind: str) -> frozenset[str]:
    """The ASL names of the fields the SDK's own class accepts."""
    # allowed_fields() reads nothing from the instance; calling it unbound avoids building
    # a throwaway state just to ask.
    fields = _SDK_CLASSES[kind].allowed_fields(None)
    return frozenset(_to_pascalcase(field.value) for field in fields)


@functools.cache
def _extra_fields(kind: str) -> frozenset[str]:
    return frozenset(_to_pascalcase(field.value) for field in _fields.EXTRA_FIELDS[kind])


class _Builder:
    """Builds one definition; keeps the JSON pointer so errors say where."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition

    def error(self, message: str, *, pointer: str, state: str | None = None) -> SdkInteropError:
        return SdkInteropError(message, file=self.definition.file, state=state, pointer=pointer)

    # -- fields ----------------------------------------------------------------------------

    def kwargs(
        self, kind: str, data: Mapping[str, JSON], *, pointer: str, state: str | None
    ) -> tuple[dict[str, Any], bool]:
        """Constructor keyword arguments, and whether the completed subclass is needed."""
        sdk_names = _sdk_fields(kind)
        extra_names = _extra_fields(kind)
        kwargs: dict[str, Any] = {}
        needs_subclass = False
        for name, value in data.items():
            if name in _STRUCTURAL or (kind == "Graph" and name in _BODY_KEYS):
                continue
            if name not in sdk_names and name not in extra_names:
                raise self.error(
                    f"{name} is not a {kind} field the stepfunctions SDK or orderflow.sdk "
                    "can carry; remove it or report it as a new ASL field",
                    pointer=pointer_join(pointer, name),
                    state=state,
                )
            key = _snake(name)
            if _to_pascalcase(key) != name:
                raise self.error(
                    f"field name {name!r} has no SDK spelling",
                    pointer=pointer_join(pointer, name),
                    state=state,
                )
            if name in extra_names or (value is None and name not in _SDK_NULLABLE):
                needs_subclass = True
            kwargs[key] = value
        return kwargs, needs_subclass

    # -- states ----------------------------------------------------------------------------

    def scope(self, scope: Mapping[str, JSON], pointer: str) -> Any:
        """Build every state of one scope (top level, branch, Map body); return the start."""
        states = scope.get("States")
        start = scope.get("StartAt")
        if not isinstance(states, Mapping) or not states:
            raise self.error("States must be a non-empty object", pointer=f"{pointer}/States")
        if not isinstance(start, str) or start not in states:
            raise self.error(
                f"StartAt {start!r} names no state in this scope", pointer=f"{pointer}/StartAt"
            )
        objects: dict[str, Any] = {}
        for name, state in states.items():
            here = pointer_join(pointer, "States", name)
            if not isinstance(state, Mapping):
                raise self.error("a state must be an object", pointer=here, state=name)
            objects[name] = self.state(name, state, here)
        for name, state in states.items():
            self.wire(name, state, objects, pointer_join(pointer, "States", name))
        unreachable = sorted(set(states) - _reachable(start, states))
        if unreachable:
            raise self.error(
                f"states {unreachable} cannot be reached from StartAt {start!r}; the SDK's "
                "Graph holds only reachable states, so they would be dropped",
                pointer=f"{pointer}/States",
            )
        return objects[start]

    def state(self, name: str, state: Mapping[str, JSON], pointer: str) -> Any:
        kind = state.get("Type")
        if not isinstance(kind, str) or kind not in _fields.STATE_CLASSES:
            raise self.error(f"unknown state Type {kind!r}", pointer=f"{pointer}/Type", state=name)
        kwargs, use_subclass = self.kwargs(kind, state, pointer=pointer, state=name)
        for field in ("Retry", "Catch"):
            if state.get(field) == []:
                kwargs[field.lower()] = []
                use_subclass = True
        if kind == "Map":
            if "ItemProcessor" in state and "Iterator" in state:
                raise self.error(
                    "a Map state has either ItemProcessor or the legacy Iterator, not both",
                    pointer=f"{pointer}/Iterator",
                    state=name,
                )
            body_key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            body = state.get(body_key)
            if not isinstance(body, Mapping):
                raise self.error(
                    "a Map state needs an ItemProcessor (or Iterator) object",
                    pointer=f"{pointer}/{body_key}",
                    state=name,
                )
            extra = set(body) - _BODY_KEYS - {"ProcessorConfig"}
            if extra:
                raise self.error(
                    f"{body_key} fields {sorted(extra)} cannot be carried",
                    pointer=f"{pointer}/{body_key}",
                    state=name,
                )
            first = self.scope(body, f"{pointer}/{body_key}")
            if use_subclass or body_key == "ItemProcessor" or "ProcessorConfig" in body:
                processor_config = body.get("ProcessorConfig")
                if body_key == "ItemProcessor":
                    kwargs["item_processor"] = first
                else:
                    kwargs["iterator"] = first
                obj = self.sdk_call(
                    name, pointer, _fields.Map, name, processor_config=processor_config, **kwargs
                )
            else:
                obj = self.sdk_call(name, pointer, _steps.Map, name, iterator=first, **kwargs)
        else:
            cls = _fields.STATE_CLASSES[kind][1 if use_subclass else 0]
            obj = self.sdk_call(name, pointer, cls, name, **kwargs)
        if kind == "Parallel":
            for i, branch in enumerate(_list(state.get("Branches"))):
                here = f"{pointer}/Branches/{i}"
                if not isinstance(branch, Mapping) or set(branch) - _BODY_KEYS:
                    raise self.error(
                        "a branch must be an object with only StartAt and States",
                        pointer=here,
                        state=name,
                    )
                obj.add_branch(self.scope(branch, here))
        for i, retrier in enumerate(_list(state.get("Retry"))):
            here = f"{pointer}/Retry/{i}"
            self.sdk_call(name, here, obj.add_retry, self.retrier(retrier, name, here))
        return obj

    def retrier(self, data: JSON, state: str, pointer: str) -> Any:
        if not isinstance(data, Mapping):
            raise self.error("a retrier must be an object", pointer=pointer, state=state)
        kwargs, use_subclass = self.kwargs("Retry", data, pointer=pointer, state=state)
        return self.sdk_call(
            state, pointer, _fields.Retry if use_subclass else _steps.Retry, **kwargs
        )

    def wire(
        self, name: str, state: Mapping[str, JSON], objects: dict[str, Any], pointer: str
    ) -> None:
        obj = objects[name]

        def target(value: JSON, field_pointer: str) -> Any:
            if not isinstance(value, str) or value not in objects:
                raise self.error(
                    f"transition to {value!r}, which is not a state in this scope",
                    pointer=field_pointer,
                    state=name,
                )
            return objects[value]

        kind = state["Type"]
        if kind == "Choice":
            for i, choice in enumerate(_list(state.get("Choices"))):
                here = f"{pointer}/Choices/{i}"
                if not isinstance(choice, Mapping):
                    raise self.error("a choice rule must be an object", pointer=here, state=name)
                rule = {k: v for k, v in choice.items() if k != "Next"}
                obj.add_choice(_rule(rule), target(choice.get("Next"), f"{here}/Next"))
            if "Default" in state:
                obj.default_choice(target(state["Default"], f"{pointer}/Default"))
        elif "Next" in state:
            here = f"{pointer}/Next"
            self.sdk_call(name, here, obj.next, target(state["Next"], here))
        elif kind not in ("Succeed", "Fail") and state.get("End") is not True:
            raise self.error(
                "the state has neither Next nor End: true; the SDK would add End: true",
                pointer=pointer,
                state=name,
            )
        for i, catcher in enumerate(_list(state.get("Catch"))):
            here = f"{pointer}/Catch/{i}"
            if not isinstance(catcher, Mapping):
                raise self.error("a catcher must be an object", pointer=here, state=name)
            kwargs, use_subclass = self.kwargs("Catch", catcher, pointer=here, state=name)
            cls = _fields.Catch if use_subclass else _steps.Catch
            next_step = target(catcher.get("Next"), f"{here}/Next")
            catcher_obj = self.sdk_call(name, here, cls, next_step=next_step, **kwargs)
            self.sdk_call(name, here, obj.add_catch, catcher_obj)

    def sdk_call(
        self, state: str | None, pointer: str, call: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """Call into the SDK; its TypeError/ValueError become an error naming where."""
        try:
            return call(*args, **kwargs)
        except (TypeError, ValueError) as exc:
            raise self.error(
                f"the SDK's {call.__qualname__} refused it: {exc}", pointer=pointer, state=state
            ) from exc


def _rule(data: Mapping[str, JSON]) -> Any:
    """An SDK rule whose ``to_dict()`` equals ``data``; :class:`RawRule` when none does."""
    rule: Any = None
    keys = set(data)
    try:
        if keys in ({"And"}, {"Or"}) and isinstance(data[next(iter(keys))], list):
            operator = next(iter(keys))
            members = data[operator]
            if all(isinstance(member, Mapping) for member in members):
                rule = _steps.choice_rule.CompoundRule(operator, [_rule(m) for m in members])
        elif keys == {"Not"} and isinstance(data["Not"], Mapping):
            rule = _steps.choice_rule.NotRule(_rule(data["Not"]))
        elif len(keys) == 2 and "Variable" in keys and isinstance(data["Variable"], str):
            (operator,) = keys - {"Variable"}
            if _COMPARISONS.match(operator):
                rule = _steps.choice_rule.Rule(data["Variable"], operator, data[operator])
    except (TypeError, ValueError, AttributeError):
        rule = None
    if rule is None or rule.to_dict() != dict(data):
        return _fields.RawRule(dict(data))
    return rule


def _reachable(start: str, states: Mapping[str, JSON]) -> set[str]:
    seen: set[str] = set()
    todo = [start]
    while todo:
        name = todo.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        if not isinstance(state, Mapping):
            continue
        todo.extend(str(state[k]) for k in ("Next", "Default") if k in state)
        for item in (*_list(state.get("Choices")), *_list(state.get("Catch"))):
            if isinstance(item, Mapping) and "Next" in item:
                todo.append(str(item["Next"]))
    return seen


def _list(value: JSON) -> list[JSON]:
    return value if isinstance(value, list) else []


def _first_difference(expected: JSON, actual: JSON, pointer: str = "") -> str | None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in [*expected, *(k for k in actual if k not in expected)]:
            if key not in actual or key not in expected:
                return pointer_join(pointer, key)
            found = _first_difference(expected[key], actual[key], pointer_join(pointer, key))
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual, strict=True)):
            found = _first_difference(e, a, f"{pointer}/{i}")
            if found is not None:
                return found
        return None
    same = expected == actual and type(expected) is type(actual)
    return None if same else pointer or "/"


def definition_to_graph(definition: Definition) -> Any:
    """Build the SDK ``Graph`` for ``definition``; its JSON equals the definition's.

    Raises:
        SdkInteropError: the definition has something the SDK objects cannot carry (an
            unreachable state, an unknown field, a value the SDK's constructors refuse); the
            error names the state, field and JSON pointer.
    """
    builder = _Builder(definition)
    data = definition.data
    start = builder.scope(data, "")
    unknown = set(data) - _BODY_KEYS - _GRAPH_FIELDS
    if unknown:
        raise builder.error(
            f"top-level fields {sorted(unknown)} cannot be carried", pointer=f"/{min(unknown)}"
        )
    kwargs, use_subclass = builder.kwargs("Graph", data, pointer="", state=None)
    graph = builder.sdk_call(
        None, "", _fields.Graph if use_subclass else _steps.Graph, start, **kwargs
    )
    try:
        produced = json.loads(graph.to_json())
    except (TypeError, ValueError) as exc:
        raise builder.error(f"the SDK could not serialise the graph: {exc}", pointer="") from exc
    where = _first_difference(json.loads(json.dumps(data)), produced)
    if where is not None:
        raise builder.error(
            "the SDK's JSON differs from the definition here; refusing to return a changed "
            "workflow",
            pointer=where,
        )
    return graph


__all__ = ["definition_to_graph"]
