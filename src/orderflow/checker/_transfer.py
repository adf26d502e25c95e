"""Per-state transfer functions: the shape leaving a state, given the shape entering it.

Each function follows AWS's data-processing order for its query language.

JSONPath (Task, Pass, Parallel, Map)::

    raw input -> InputPath -> Parameters -> result -> ResultSelector
              -> ResultPath (null: keep the raw input; $: replace; $.a.b: merge into raw)
              -> OutputPath -> next state

``Assign`` reads the variables as they were on entry and ``$`` as the state's result (after
``ResultSelector``; the effective input for Choice and Wait), and its values take effect in
the next state. A Catcher's target receives ``{Error, Cause}`` placed by the catcher's own
``ResultPath`` (default ``$``: the whole input is replaced).

JSONata: ``$states.input`` is the raw input, ``Arguments`` builds the task payload,
``$states.result`` is the result, ``Output`` (default: the result, or the input for Pass,
Choice and Wait) builds what moves on; catchers see ``$states.errorOutput``.

Task states are in :mod:`orderflow.checker._tasks` (results, Lambda contracts), Choice in
:mod:`orderflow.checker._choice` (rule reads, narrowing), the steps every state shares in
:mod:`orderflow.checker._state`; this module dispatches on the state type and holds the
others (Pass, Wait, Succeed, Fail, Parallel, Map).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from orderflow.checker._budget import MAX_SHAPE_SIZE, MAX_WIDTH, bound_shape
from orderflow.checker._choice import choice
from orderflow.checker._expr import (
    Scope,
    Site,
    dynamic_value,
    is_jsonata,
    jsonata_value,
    read_path,
)
from orderflow.checker._shape import (
    ANY,
    NEVER,
    AnyShape,
    Arr,
    Obj,
    Scalar,
    Shape,
    element_union,
    list_of,
    members,
    obj,
    shape_of,
    shape_stats,
    tuple_of,
    union,
)
from orderflow.checker._state import (
    MAP_NUMBER_PATHS,
    MAP_NUMBERS_JSONATA,
    Edge,
    Engine,
    Flow,
    StateView,
    assign_path,
    catch_edges,
    expect_kind,
    input_path,
    jsonata_fields,
    jsonata_finish,
    jsonpath_finish,
    next_edges,
    number_paths,
    output_path,
    result_path,
    template,
)
from orderflow.checker._tasks import task


def transfer(
    name: str,
    state: dict[str, Any],
    pointer: str,
    entry: Flow,
    engine: Engine,
    query_language: str,
) -> list[Edge]:
    """The edges leaving ``state`` when ``entry`` reaches it."""
    language = state.get("QueryLanguage", query_language)
    st = StateView(
        name,
        state,
        Site(engine.reporter, name, pointer),
        engine,
        language if isinstance(language, str) else "JSONPath",
        pointer,
    )
    kind = state.get("Type")
    handler = _HANDLERS.get(kind if isinstance(kind, str) else "")
    if handler is None:
        return []
    edges = [_bounded(st, edge) for edge in handler(st, entry)]
    # A transfer costs what it reads and what it builds (a Choice with thousands of rules
    # builds thousands of edges from one small input).
    built = sum(shape_stats(flow.data)[0] for _, flow, _ in edges)
    engine.counters.spend(1 + shape_stats(entry.data)[0] + built)
    return edges


def _bounded(st: StateView, edge: Edge) -> Edge:
    """The edge with its shapes cut to the checker's bounds, reporting every cut."""
    target, flow, label = edge
    data = _cut(st, flow.data, "its output" + (f" ({label})" if label else ""))
    variables = tuple((n, _cut(st, s, f"variable ${n}"), d) for n, s, d in flow.variables)
    if data is flow.data and all(
        new is old for (_, new, _), (_, old, _) in zip(variables, flow.variables, strict=True)
    ):
        return edge
    return target, Flow(data, variables), label


def _cut(st: StateView, shape: Shape, what: str) -> Shape:
    smaller = bound_shape(shape)
    if smaller is None:
        return shape
    size, width, _ = shape_stats(shape)
    reason = (
        f"has {size:,} nodes (the checker follows at most {MAX_SHAPE_SIZE:,})"
        if size > MAX_SHAPE_SIZE
        else f"has an object or tuple of {width:,} entries (the checker keeps {MAX_WIDTH})"
    )
    st.site.reporter.report(
        "unchecked",
        st.pointer,
        f"state {st.name!r}: {what} {reason}; it is widened to {smaller.describe()}, so "
        "later reads of what was dropped are not checked",
        state=st.name,
        field=None,
    )
    return smaller


# --- Pass, Wait, Succeed, Fail ---------------------------------------------------------


def _pass(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        return jsonata_finish(st, raw, None, variables)
    if "Result" in st.data:
        # A fixed Result makes InputPath and Parameters moot; they are not evaluated (as
        # the executor, faithful to recorded AWS runs, does), so their reads cannot fail.
        result = shape_of(st.data["Result"])
    else:
        effective = input_path(st, raw, variables)
        params = template(st, "Parameters", effective, variables)
        result = params if params is not None else effective
    new_vars = assign_path(st, st.data, result, variables, "Assign")
    combined = result_path(st, st.data, raw, result, "ResultPath")
    return next_edges(st, Flow(output_path(st, combined, variables), new_vars))


def _wait(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        for field in ("Seconds", "Timestamp"):
            value = st.data.get(field)
            if is_jsonata(value):
                jsonata_value(value, scope, st.site, field)
        return jsonata_finish(st, raw, None, variables)
    effective = input_path(st, raw, variables)
    scope = Scope(effective, st.context(), variables)
    for field, kinds in (("SecondsPath", ("number", "string")), ("TimestampPath", ("string",))):
        path = st.data.get(field)
        if isinstance(path, str):
            expect_kind(st, read_path(path, scope, st.site, field), kinds, field)
    new_vars = assign_path(st, st.data, effective, variables, "Assign", what="state input")
    return next_edges(st, Flow(output_path(st, effective, variables), new_vars))


def _succeed(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        out = (
            jsonata_value(st.data["Output"], scope, st.site, "Output")
            if "Output" in st.data
            else raw
        )
        return [(None, Flow(out, variables), "")]
    effective = input_path(st, raw, variables)
    return [(None, Flow(output_path(st, effective, variables), variables), "")]


def _fail(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        for field in ("Error", "Cause"):
            if is_jsonata(st.data.get(field)):
                jsonata_value(st.data[field], scope, st.site, field)
        return []
    scope = Scope(raw, st.context(), variables)
    for field in ("ErrorPath", "CausePath"):
        value = st.data.get(field)
        if isinstance(value, str):
            expect_kind(st, dynamic_value(value, scope, st.site, field), ("string",), field)
    return []


# --- Parallel and Map ------------------------------------------------------------------


def _parallel(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        branch_input = (
            jsonata_value(st.data["Arguments"], scope, st.site, "Arguments")
            if "Arguments" in st.data
            else raw
        )
    else:
        effective = input_path(st, raw, variables)
        params = template(st, "Parameters", effective, variables)
        branch_input = params if params is not None else effective
    outputs: list[Shape] = []
    ends = True
    branches = st.data.get("Branches")
    for i, branch in enumerate(branches if isinstance(branches, list) else []):
        if not isinstance(branch, dict):
            continue
        out = st.engine.run_scope(
            branch, Flow(branch_input, variables), f"{st.pointer}/Branches/{i}", st.query_language
        )
        if out is None:
            ends = False
        else:
            outputs.append(out.data)
    catches = catch_edges(st, raw, variables)
    if not ends:
        return catches  # some branch always fails, so the Parallel always fails
    result = tuple_of(outputs)
    if st.jsonata:
        return jsonata_finish(st, raw, result, variables) + catches
    return jsonpath_finish(st, raw, result, variables) + catches


def _map(st: StateView, entry: Flow) -> list[Edge]:
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        if "Items" in st.data:
            items_source = jsonata_value(st.data["Items"], scope, st.site, "Items")
        else:
            items_source = raw
        effective = raw
        jsonata_fields(st, scope, MAP_NUMBERS_JSONATA)
    else:
        effective = input_path(st, raw, variables)
        number_paths(st, effective, variables, MAP_NUMBER_PATHS)
        # With an ItemReader, ItemsPath selects within what the reader read, not the input.
        path = "$" if "ItemReader" in st.data else st.data.get("ItemsPath", "$")
        items_scope = Scope(effective, st.context(), variables)
        items_source = (
            read_path(path, items_scope, st.site, "ItemsPath") if isinstance(path, str) else ANY
        )
    items_field = "Items" if st.jsonata else "ItemsPath"
    if "ItemReader" in st.data:
        item: Shape = ANY
    else:
        item = _items_of(st, items_source, items_field)
    selector_field = "ItemSelector" if "ItemSelector" in st.data else "Parameters"
    if selector_field in st.data:
        if st.jsonata:
            context = st.context(item)
            scope = Scope(ANY, context, variables, {"input": raw, "context": context})
            iteration = jsonata_value(st.data[selector_field], scope, st.site, selector_field)
        else:
            selected = template(st, selector_field, effective, variables, map_item=item)
            iteration = selected if selected is not None else item
    else:
        iteration = item
    if "ItemBatcher" in st.data:
        iteration = obj({"Items": list_of(iteration)}, closed=False)
    body = st.data.get("ItemProcessor", st.data.get("Iterator"))
    key = "ItemProcessor" if "ItemProcessor" in st.data else "Iterator"
    catches = catch_edges(st, raw, variables)
    if not isinstance(body, dict):
        return catches
    out = st.engine.run_scope(
        body, Flow(iteration, variables), f"{st.pointer}/{key}", st.query_language
    )
    if "ResultWriter" in st.data:
        result: Shape = ANY
    elif out is None:
        # Every iteration fails; only an empty item list lets the Map succeed.
        result = Arr((), None, 0)
    else:
        result = list_of(out.data)
    if st.jsonata:
        return jsonata_finish(st, raw, result, variables) + catches
    return jsonpath_finish(st, raw, result, variables) + catches


def _items_of(st: StateView, source: Shape, field: str) -> Shape:
    arrays = [m for m in members(source) if isinstance(m, Arr)]
    unknown = any(isinstance(m, AnyShape) for m in members(source))
    others = [m for m in members(source) if isinstance(m, (Obj, Scalar))]
    if not members(source):
        return NEVER
    if not arrays and not unknown:
        st.site.report(
            "type-mismatch",
            field,
            f"the Map iterates over {source.describe()}, but it must be an array",
        )
        return NEVER
    if others and not unknown:
        st.site.report(
            "type-may-mismatch",
            field,
            f"the Map iterates over {source.describe()}, which is not always an array",
        )
    items = [element_union(a) for a in arrays]
    return union(*items, *([ANY] if unknown else []))


_HANDLERS: Final[dict[str, Callable[[StateView, Flow], list[Edge]]]] = {
    "Task": task,
    "Pass": _pass,
    "Wait": _wait,
    "Succeed": _succeed,
    "Fail": _fail,
    "Choice": choice,
    "Parallel": _parallel,
    "Map": _map,
}


__all__ = ["transfer"]
