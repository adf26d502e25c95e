"""The stepfunctions SDK's objects -> orderflow's ASL document.

What "resolved placeholders" means here. The SDK's ``ExecutionInput``/``StepInput``
placeholders are references into data that exists only at run time; the SDK turns them into
JSONPath when it writes JSON, but only in some places (values in ``parameters`` become
``"key.$": "$$.Execution.Input['key']"``, a Choice rule's ``Variable`` becomes its path).
Anywhere else its ``to_dict()`` leaves the Python object in the output, and ``to_json()``
then fails or, worse, a hand-rolled serializer writes something meaningless.

``from_sdk`` finishes that job where ASL gives the placeholder exactly one meaning:

- a value of a payload template (``Parameters``, ``ResultSelector``, ``ItemSelector``):
  ``"key": placeholder`` becomes ``"key.$": "<path>"``, as the SDK does for Parameters;
- a field whose value is a path (``InputPath``, ``ItemsPath``, ``SecondsPath``... and the
  ``*Path`` comparisons of a Choice rule, which the SDK accepts and then forgets to convert):
  the placeholder becomes its path;
- a Choice rule's ``Variable``.

Everywhere else (a Pass ``Result``, a ``Resource``, an element of a list, ``Assign`` and the
JSONata fields) a placeholder has no ASL meaning, and converting it is an error that names
the state, field and JSON pointer instead of a definition that fails at deploy time. The
resolved paths (``$$.Execution.Input['order_id']``) are ordinary ASL, so the local executor
reads them from the execution input like AWS does.
"""

from __future__ import annotations

from typing import Any

from orderflow._errors import SdkInteropError
from orderflow.asl import JSON, Definition, pointer_join
from orderflow.sdk._import import require_sdk

_sdk = require_sdk()
_steps = _sdk.steps
_Placeholder = _sdk.inputs.Placeholder
_TEMPLATES = frozenset({"Parameters", "ResultSelector", "ItemSelector"})
_NESTED_SCOPES = frozenset({"Branches", "Iterator", "ItemProcessor"})


def _graph_of(source: Any) -> Any:
    if isinstance(source, _sdk.workflow.Workflow):
        return source.definition
    if isinstance(source, _steps.Graph):
        return source
    if isinstance(source, (_steps.states.State, _steps.Chain)):
        try:
            return _steps.Graph(source)
        except ValueError as exc:
            raise SdkInteropError(f"the SDK cannot build a graph from it: {exc}") from exc
    raise SdkInteropError(
        "expected a stepfunctions Workflow, Graph, Chain or State, "
        f"got {type(source).__module__}.{type(source).__name__}"
    )


class _Resolver:
    """Walks the SDK's ``to_dict()`` output, resolving placeholders and checking JSON types."""

    def scope(self, scope: dict[str, Any], pointer: str) -> dict[str, JSON]:
        out: dict[str, JSON] = {}
        for key, value in scope.items():
            here = pointer_join(pointer, str(key))
            if key == "States" and isinstance(value, dict):
                out[key] = {
                    name: self.state(str(name), state, pointer_join(here, str(name)))
                    for name, state in value.items()
                }
            else:
                out[self.key(key, here, None)] = self.value(value, here, None, str(key), key)
        return out

    def state(self, name: str, state: Any, pointer: str) -> JSON:
        if not isinstance(state, dict):
            return self.value(state, pointer, name, None, None)
        out: dict[str, JSON] = {}
        for field, value in state.items():
            here = pointer_join(pointer, str(field))
            if field in _NESTED_SCOPES:
                out[field] = self.nested(value, here)
            elif field in _TEMPLATES and isinstance(value, dict):
                out[field] = self.template(value, here, name, field)
            else:
                out[self.key(field, here, name)] = self.value(value, here, name, field, field)
        return out

    def nested(self, value: Any, pointer: str) -> JSON:
        if isinstance(value, list):
            return [
                self.scope(item, f"{pointer}/{i}") if isinstance(item, dict) else item
                for i, item in enumerate(value)
            ]
        return self.scope(value, pointer) if isinstance(value, dict) else value

    def template(self, value: dict[Any, Any], pointer: str, state: str, field: str) -> JSON:
        out: dict[str, JSON] = {}
        for key, item in value.items():
            name = self.key(key, pointer_join(pointer, str(key)), state)
            if isinstance(item, _Placeholder) and not name.endswith(".$"):
                out[f"{name}.$"] = item.to_jsonpath()
            elif isinstance(item, dict):
                out[name] = self.template(item, pointer_join(pointer, name), state, field)
            else:
                out[name] = self.value(item, pointer_join(pointer, name), state, field, name)
        return out

    def key(self, key: Any, pointer: str, state: str | None) -> str:
        if not isinstance(key, str):
            raise SdkInteropError(
                f"object key {key!r} is a {type(key).__name__}; JSON keys are strings",
                state=state,
                pointer=pointer,
            )
        return key

    def value(
        self, value: Any, pointer: str, state: str | None, field: str | None, key: Any
    ) -> JSON:
        if isinstance(value, _Placeholder):
            if isinstance(key, str) and (key.endswith("Path") or key == "Variable"):
                return str(value.to_jsonpath())
            raise self.unresolved(value, pointer, state, field, key)
        if isinstance(value, dict):
            return {
                self.key(k, pointer_join(pointer, str(k)), state): self.value(
                    v, pointer_join(pointer, str(k)), state, field, k
                )
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            return [
                self.value(item, f"{pointer}/{i}", state, field, i) for i, item in enumerate(value)
            ]
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        raise SdkInteropError(
            f"{type(value).__module__}.{type(value).__name__} is not a JSON value",
            state=state,
            field=field,
            pointer=pointer,
        )

    def unresolved(
        self, value: Any, pointer: str, state: str | None, field: str | None, key: Any
    ) -> SdkInteropError:
        path = value.to_jsonpath()
        if isinstance(key, int):
            hint = (
                "ASL cannot put a path inside a list; build the list with an intrinsic in a "
                f"'key.$' field, e.g. {{'items.$': \"States.Array({path})\"}}"
            )
        elif field == "Result":
            hint = "a Pass Result is a literal; pass the value through parameters={...} instead"
        else:
            hint = (
                "placeholders become paths only as values in parameters, result_selector or "
                "item_selector, in a *_path field, or as a Choice rule's variable"
            )
        return SdkInteropError(
            f"placeholder {path} cannot be resolved here: {hint}",
            state=state,
            field=field,
            pointer=pointer,
        )


def graph_to_definition(source: Any) -> Definition:
    """The ASL :class:`Definition` of an SDK Workflow, Graph, Chain or State.

    Raises:
        SdkInteropError: the object is not an SDK workflow, the SDK cannot serialise it, or a
            placeholder sits where ASL gives it no meaning (names state, field and pointer).
    """
    graph = _graph_of(source)
    try:
        data = graph.to_dict()
    except (TypeError, ValueError, AttributeError) as exc:
        raise SdkInteropError(f"the SDK could not write the workflow: {exc}") from exc
    if not isinstance(data, dict):
        raise SdkInteropError(f"the SDK produced a {type(data).__name__}, not an ASL object")
    return Definition(_Resolver().scope(data, ""))


__all__ = ["graph_to_definition"]
