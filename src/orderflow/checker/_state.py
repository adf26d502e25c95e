"""What every state shares: the flow along edges, and AWS's processing pipeline.

:class:`Flow` is what moves along an edge (the data's shape and the variables in scope);
:class:`StateView` is one state under analysis. The functions here are the steps of AWS's
JSONPath pipeline (InputPath, Parameters-style templates, ResultSelector, ResultPath,
OutputPath, Assign), the JSONata equivalents (Output, Assign), and Catchers, which every
state-type transfer in :mod:`orderflow.checker._transfer` composes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Protocol

from orderflow.asl.expressions import ExpressionSyntaxError, compile_path
from orderflow.checker._budget import Counters
from orderflow.checker._contracts import ContractTable
from orderflow.checker._diagnostics import Reporter
from orderflow.checker._expr import (
    Scope,
    Site,
    Vars,
    context_shape,
    dynamic_value,
    is_jsonata,
    jsonata_value,
    payload_shape,
    read_path,
    template_shape,
    vars_assign,
)
from orderflow.checker._shape import (
    ANY,
    NEVER,
    STRING,
    AnyShape,
    Arr,
    Obj,
    Prop,
    Shape,
    members,
    obj,
    only_kinds,
    union,
)

ERROR_OUTPUT: Final[Shape] = obj({"Error": STRING, "Cause": STRING})
"""What a Catcher receives: the error name and its cause."""


@dataclass(frozen=True, slots=True)
class Flow:
    """What flows along an edge: the data's shape and the variables in scope."""

    data: Shape
    variables: Vars


Edge = tuple[str | None, Flow, str]
"""A successor state name (None: the scope ends here, End/Succeed), what reaches it, and
which transition it is (``""`` for Next/End, ``"Catch/0"``, ``"Choices/1"``, ``"Default"``)."""


class Engine(Protocol):
    """What transfer functions need from the analysis driving them."""

    reporter: Reporter
    contracts: ContractTable | None
    execution_input: Shape
    counters: Counters

    def record_payload(self, state: str, payload: Shape) -> None:
        """Note what a Lambda task sends (used by the contract-test plugin)."""
        ...

    def run_scope(
        self, scope: dict[str, Any], entry: Flow, pointer: str, query_language: str
    ) -> Flow | None:
        """Analyse a nested scope (branch, Map body); its output, or None if it never ends."""
        ...


@dataclass(slots=True)
class StateView:
    """One state being analysed: its definition, where it is, and the engine."""

    name: str
    data: dict[str, Any]
    site: Site
    engine: Engine
    query_language: str
    pointer: str

    @property
    def jsonata(self) -> bool:
        return self.query_language == "JSONata"

    def context(self, map_item: Shape | None = None) -> Shape:
        """The context object here; ``map_item`` while building a Map iteration's input."""
        kind = self.data.get("Type")
        resource = self.data.get("Resource")
        return context_shape(
            self.engine.execution_input,
            state_type=kind if isinstance(kind, str) else "",
            task_token=isinstance(resource, str) and resource.endswith(".waitForTaskToken"),
            map_item=map_item,
            map_item_known="ItemReader" not in self.data and "ItemBatcher" not in self.data,
        )


# --- JSONPath building blocks ----------------------------------------------------------


def input_path(st: StateView, raw: Shape, variables: Vars) -> Shape:
    """The effective input: ``InputPath`` applied to the raw input (``null``: ``{}``)."""
    if "InputPath" not in st.data:
        return raw
    path = st.data["InputPath"]
    if path is None:
        return obj({})
    scope = Scope(raw, st.context(), variables)
    return read_path(path, scope, st.site, "InputPath") if isinstance(path, str) else ANY


def output_path(st: StateView, value: Shape, variables: Vars) -> Shape:
    """``OutputPath`` applied to the state's output (``null``: ``{}``)."""
    if "OutputPath" not in st.data:
        return value
    path = st.data["OutputPath"]
    if path is None:
        return obj({})
    scope = Scope(value, st.context(), variables, what="state output (after ResultPath)")
    return read_path(path, scope, st.site, "OutputPath") if isinstance(path, str) else ANY


def result_path(
    st: StateView, spec: dict[str, Any], raw: Shape, result: Shape, field: str
) -> Shape:
    """Place ``result`` in ``raw`` as ``ResultPath`` says; reports paths through scalars."""
    if "ResultPath" not in spec:
        return result
    path = spec["ResultPath"]
    if path is None:
        return raw
    if not isinstance(path, str):
        return ANY
    try:
        compiled = compile_path(path)
    except ExpressionSyntaxError:
        st.site.report("unchecked", field, f"cannot parse ResultPath {path!r}")
        return ANY
    keys = compiled.field_names()
    if keys is None or compiled.root != "input":
        st.site.report("unchecked", field, f"ResultPath {path!r} is not a Reference Path")
        return ANY
    problems: list[str] = []
    merged = _merge_at(raw, keys, 0, result, "$", problems)
    if problems:
        may = bool(members(merged))
        st.site.report(
            "result-path-may-conflict" if may else "result-path-conflict",
            field,
            f"ResultPath {path!r} "
            + ("may not be applicable" if may else "cannot be applied")
            + " (States.ResultPathMatchFailure): "
            + "; ".join(dict.fromkeys(problems)),
        )
    return merged


def _merge_at(
    node: Shape,
    keys: tuple[str | int, ...],
    i: int,
    value: Shape,
    at: str,
    problems: list[str],
) -> Shape:
    if i == len(keys):
        return value
    key = keys[i]
    out: list[Shape] = []
    for m in members(node):
        if isinstance(key, str):
            if isinstance(m, AnyShape):
                # If the merge succeeds the value was an object; its other fields are unknown.
                child = _merge_at(ANY, keys, i + 1, value, f"{at}.{key}", problems)
                out.append(Obj((Prop(key, child),), closed=False))
            elif isinstance(m, Obj):
                existing = m.get(key)
                base = existing.shape if existing is not None else obj({})
                child = _merge_at(base, keys, i + 1, value, f"{at}.{key}", problems)
                if not members(child):
                    continue
                props = [p for p in m.props if p.name != key]
                props.append(Prop(key, child))
                out.append(Obj(tuple(props), m.closed))
            else:
                problems.append(f"{at} is {m.describe()}, so {key!r} cannot be set in it")
        else:
            if isinstance(m, AnyShape):
                out.append(ANY)
            elif isinstance(m, Arr) and (key < len(m.prefix) or m.items is not None):
                out.append(
                    Arr(
                        tuple(
                            _merge_at(s, keys, i + 1, value, f"{at}[{key}]", problems)
                            if n == key
                            else s
                            for n, s in enumerate(m.prefix)
                        ),
                        m.items if key < len(m.prefix) else union(m.items or NEVER, ANY),
                        m.min_len,
                    )
                )
            else:
                problems.append(f"{at} is {m.describe()}, so [{key}] cannot be set in it")
    return union(*out) if out else NEVER


def template(
    st: StateView,
    field: str,
    data: Shape,
    variables: Vars,
    *,
    map_item: Shape | None = None,
    what: str = "effective input (after InputPath)",
) -> Shape | None:
    """The shape built by a payload template field of the state, or None if absent."""
    if field not in st.data:
        return None
    scope = Scope(data, st.context(map_item), variables, what=what)
    return payload_shape(st.data[field], scope, st.site, field)


def assign_path(
    st: StateView,
    spec: dict[str, Any],
    data: Shape,
    variables: Vars,
    field: str,
    *,
    what: str = "result",
) -> Vars:
    """Variables after a JSONPath ``Assign`` whose ``$`` is ``data`` (named ``what``)."""
    assign = spec.get("Assign")
    if not isinstance(assign, dict):
        return variables
    scope = Scope(data, st.context(), variables, what=what)
    values: dict[str, Shape] = {}
    for key, value in assign.items():
        where = f"{field}/{key}"
        if key.endswith(".$"):
            values[key[:-2]] = dynamic_value(value, scope, st.site, where)
        else:
            values[key] = template_shape(value, scope, st.site, where)
    return vars_assign(variables, values)


def assign_jsonata(st: StateView, spec: dict[str, Any], scope: Scope, field: str) -> Vars:
    """Variables after a JSONata ``Assign`` evaluated in ``scope``."""
    assign = spec.get("Assign")
    if not isinstance(assign, dict):
        return scope.variables
    values = {
        str(key): jsonata_value(value, scope, st.site, f"{field}/{key}")
        for key, value in assign.items()
    }
    return vars_assign(scope.variables, values)


# --- catchers --------------------------------------------------------------------------


def catch_edges(st: StateView, raw: Shape, variables: Vars) -> list[Edge]:
    """One edge per Catcher: ``{Error, Cause}`` placed by its ResultPath or Output."""
    catchers = st.data.get("Catch")
    if not isinstance(catchers, list):
        return []
    edges: list[Edge] = []
    for n, catcher in enumerate(catchers):
        if not isinstance(catcher, dict) or not isinstance(catcher.get("Next"), str):
            continue
        field = f"Catch/{n}"
        language = catcher.get("QueryLanguage", st.query_language)
        if language == "JSONata" or st.jsonata:
            scope = Scope(ANY, st.context(), variables, {"input": raw, "errorOutput": ERROR_OUTPUT})
            new_vars = assign_jsonata(st, catcher, scope, f"{field}/Assign")
            if "Output" in catcher:
                out = jsonata_value(catcher["Output"], scope, st.site, f"{field}/Output")
            else:
                out = ERROR_OUTPUT
        else:
            new_vars = assign_path(
                st, catcher, ERROR_OUTPUT, variables, f"{field}/Assign", what="error output"
            )
            out = result_path(st, catcher, raw, ERROR_OUTPUT, f"{field}/ResultPath")
        edges.append((catcher["Next"], Flow(out, new_vars), field))
    return edges


def next_edges(st: StateView, flow: Flow) -> list[Edge]:
    """The normal transition: ``Next``, or the end of the scope."""
    target = st.data.get("Next")
    if isinstance(target, str):
        return [(target, flow, "")]
    return [(None, flow, "")]


def jsonpath_finish(st: StateView, raw: Shape, result: Shape, variables: Vars) -> list[Edge]:
    """``ResultSelector`` -> ``Assign`` -> ``ResultPath`` -> ``OutputPath`` -> Next."""
    selected = template(st, "ResultSelector", result, variables, what="result")
    if selected is not None:
        result = selected
    new_vars = assign_path(st, st.data, result, variables, "Assign")
    combined = result_path(st, st.data, raw, result, "ResultPath")
    out = output_path(st, combined, variables)
    return next_edges(st, Flow(out, new_vars))


def jsonata_finish(st: StateView, raw: Shape, result: Shape | None, variables: Vars) -> list[Edge]:
    """JSONata ``Assign`` and ``Output`` (default: the result, or the input) -> Next."""
    states = {"input": raw} if result is None else {"input": raw, "result": result}
    scope = Scope(ANY, st.context(), variables, states)
    new_vars = assign_jsonata(st, st.data, scope, "Assign")
    if "Output" in st.data:
        out = jsonata_value(st.data["Output"], scope, st.site, "Output")
    else:
        out = raw if result is None else result
    return next_edges(st, Flow(out, new_vars))


MAP_NUMBER_PATHS: Final = (
    "MaxConcurrencyPath",
    "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath",
)
MAP_NUMBERS_JSONATA: Final = (
    "MaxConcurrency",
    "ToleratedFailureCount",
    "ToleratedFailurePercentage",
)


def number_paths(st: StateView, effective: Shape, variables: Vars, fields: tuple[str, ...]) -> None:
    """Check ``*Path`` fields that must select a number (or a numeric string)."""
    scope = Scope(effective, st.context(), variables, what="effective input (after InputPath)")
    for field in fields:
        path = st.data.get(field)
        if isinstance(path, str):
            # AWS parses numeric strings here ("10"), so a string is not a mismatch.
            expect_kind(st, read_path(path, scope, st.site, field), ("number", "string"), field)


def jsonata_fields(st: StateView, scope: Scope, fields: tuple[str, ...]) -> None:
    """Follow the JSONata expressions of plain value fields (``TimeoutSeconds``…)."""
    for field in fields:
        value = st.data.get(field)
        if is_jsonata(value):
            jsonata_value(value, scope, st.site, field)


def expect_kind(st: StateView, shape: Shape, kinds: tuple[str, ...], field: str) -> None:
    """Report a selected value that never (error) or not always (warning) has a kind."""
    if not members(shape):
        return
    narrowed = only_kinds(shape, kinds)
    if not members(narrowed):
        st.site.report(
            "type-mismatch",
            field,
            f"must select {' or '.join(kinds)}, but selects {shape.describe()}",
        )
    elif narrowed != shape and not isinstance(shape, AnyShape):
        st.site.report(
            "type-may-mismatch",
            field,
            f"must select {' or '.join(kinds)}, but may select {shape.describe()}",
        )


__all__ = [
    "ERROR_OUTPUT",
    "MAP_NUMBERS_JSONATA",
    "MAP_NUMBER_PATHS",
    "Edge",
    "Engine",
    "Flow",
    "StateView",
    "assign_jsonata",
    "assign_path",
    "catch_edges",
    "expect_kind",
    "input_path",
    "jsonata_fields",
    "jsonata_finish",
    "jsonpath_finish",
    "next_edges",
    "number_paths",
    "output_path",
    "result_path",
    "template",
]
