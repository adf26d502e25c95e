"""Choice states: which rules read what, and what each branch may assume.

Rules are evaluated in order, so rule *k* sees the input narrowed by the failure of rules
0..k-1. Branches narrow only where AWS's semantics allow it: ``IsPresent`` and the type
tests (``IsString``…), and a matched comparison (``StringEquals`` implies a string).
Reads inside compound rules (``And``, ``Or``, ``Not``) depend on which operands AWS
evaluates, so a missing path there is a warning, never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from orderflow.asl.expressions import ExpressionSyntaxError, compile_path
from orderflow.checker._expr import (
    Scope,
    Site,
    is_jsonata,
    jsonata_value,
    read_path,
)
from orderflow.checker._shape import (
    ANY,
    NEVER,
    AnyShape,
    Obj,
    Prop,
    Shape,
    members,
    only_kinds,
    union,
    without_kinds,
)
from orderflow.checker._state import (
    Edge,
    Flow,
    StateView,
    assign_jsonata,
    assign_path,
    input_path,
    output_path,
)

# --- Choice ----------------------------------------------------------------------------

_TYPE_TESTS: Final = {
    "IsString": ("string",),
    "IsNumeric": ("number",),
    "IsBoolean": ("boolean",),
    "IsNull": ("null",),
    "IsTimestamp": ("string",),
}
_COMPARISON_KINDS: Final = (
    ("String", ("string",)),
    ("Numeric", ("number",)),
    ("Boolean", ("boolean",)),
    ("Timestamp", ("string",)),
)


def choice(st: StateView, entry: Flow) -> list[Edge]:
    """A Choice state: each rule's reads, and the narrowed input each branch receives."""
    raw, variables = entry.data, entry.variables
    choices = st.data.get("Choices")
    rules = choices if isinstance(choices, list) else []
    edges: list[Edge] = []
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        for n, rule in enumerate(rules):
            if not isinstance(rule, dict):
                continue
            condition = rule.get("Condition")
            if is_jsonata(condition):
                jsonata_value(condition, scope, st.site, f"Choices/{n}/Condition")
            target = rule.get("Next")
            if isinstance(target, str):
                new_vars = assign_jsonata(st, rule, scope, f"Choices/{n}/Assign")
                out = (
                    jsonata_value(rule["Output"], scope, st.site, f"Choices/{n}/Output")
                    if "Output" in rule
                    else raw
                )
                edges.append((target, Flow(out, new_vars), f"Choices/{n}"))
        default = st.data.get("Default")
        if isinstance(default, str):
            new_vars = assign_jsonata(st, st.data, scope, "Assign")
            out = (
                jsonata_value(st.data["Output"], scope, st.site, "Output")
                if "Output" in st.data
                else raw
            )
            edges.append((default, Flow(out, new_vars), "Default"))
        return edges
    effective = input_path(st, raw, variables)
    remaining = effective
    for n, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        scope = Scope(remaining, st.context(), variables)
        _rule_reads(st, rule, scope, f"Choices/{n}", soft=False)
        matched = _narrow(rule, remaining, positive=True)
        remaining = _narrow(rule, remaining, positive=False)
        target = rule.get("Next")
        if isinstance(target, str) and members(matched):
            new_vars = assign_path(
                st, rule, matched, variables, f"Choices/{n}/Assign", what="state input"
            )
            edges.append(
                (target, Flow(output_path(st, matched, variables), new_vars), f"Choices/{n}")
            )
    default = st.data.get("Default")
    if isinstance(default, str) and members(remaining):
        new_vars = assign_path(st, st.data, remaining, variables, "Assign", what="state input")
        edges.append((default, Flow(output_path(st, remaining, variables), new_vars), "Default"))
    return edges


def _rule_reads(
    st: StateView, rule: dict[str, Any], scope: Scope, field: str, *, soft: bool
) -> None:
    for op in ("And", "Or"):
        children = rule.get(op)
        if isinstance(children, list):
            for i, child in enumerate(children):
                if isinstance(child, dict):
                    # Which operands AWS evaluates inside a compound rule depends on the data,
                    # so a missing path there is reported as a warning only.
                    _rule_reads(st, child, scope, f"{field}/{op}/{i}", soft=True)
            return
    child = rule.get("Not")
    if isinstance(child, dict):
        _rule_reads(st, child, scope, f"{field}/Not", soft=True)
        return
    site = _SoftSite(st.site) if soft else st.site
    variable = rule.get("Variable")
    if isinstance(variable, str) and "IsPresent" not in rule:
        read_path(variable, scope, site, f"{field}/Variable")
    for key, value in rule.items():
        if key.endswith("Path") and isinstance(value, str):
            read_path(value, scope, site, f"{field}/{key}")


class _SoftSite(Site):
    """A site that reports would-be errors as warnings."""

    def __init__(self, inner: Site) -> None:
        super().__init__(inner.reporter, inner.state, inner.pointer)

    def report(self, code: str, field_name: str, message: str) -> None:
        softened = {
            "path-cannot-exist": "path-may-be-missing",
            "type-mismatch": "type-may-mismatch",
        }
        super().report(softened.get(code, code), field_name, message)


def _narrow(rule: dict[str, Any], shape: Shape, *, positive: bool) -> Shape:
    """The input shape given that ``rule`` matched (positive) or did not."""
    variable = rule.get("Variable")
    if not isinstance(variable, str):
        return shape
    try:
        path = compile_path(variable)
    except ExpressionSyntaxError:
        return shape
    keys = path.field_names()
    if path.root != "input" or keys is None or not all(isinstance(k, str) for k in keys):
        return shape
    names = [str(k) for k in keys]
    if "IsPresent" in rule:
        present = rule["IsPresent"] is True
        if present == positive:
            return _refine(shape, names, lambda s: s)
        return _refine_absent(shape, names)
    for test, kinds in _TYPE_TESTS.items():
        if test in rule:
            expect = rule[test] is True
            if expect == positive:
                return _refine(shape, names, lambda s, k=kinds: only_kinds(s, k))  # type: ignore[misc]
            return _refine(shape, names, lambda s, k=kinds: without_kinds(s, k))  # type: ignore[misc]
    if positive:
        for prefix, kinds in _COMPARISON_KINDS:
            if any(key.startswith(prefix) for key in rule):
                return _refine(shape, names, lambda s, k=kinds: only_kinds(s, k))  # type: ignore[misc]
    return shape


def _refine(shape: Shape, names: list[str], leaf: Callable[[Shape], Shape]) -> Shape:
    """Keep the values in which ``names`` is present and its value passes ``leaf``."""
    if not names:
        return leaf(shape)
    head, rest = names[0], names[1:]
    out: list[Shape] = []
    for m in members(shape):
        if isinstance(m, AnyShape):
            out.append(Obj((Prop(head, _refine(ANY, rest, leaf)),), closed=False))
        elif isinstance(m, Obj):
            prop = m.get(head)
            if prop is None:
                if not m.closed:
                    child = _refine(ANY, rest, leaf)
                    out.append(Obj((*m.props, Prop(head, child)), closed=False))
                continue
            child = _refine(prop.shape, rest, leaf)
            if not members(child):
                continue
            props = tuple(Prop(p.name, child) if p.name == head else p for p in m.props)
            out.append(Obj(props, m.closed))
    return union(*out) if out else NEVER


def _refine_absent(shape: Shape, names: list[str]) -> Shape:
    """Keep the values in which ``names`` is absent (a failed or negative IsPresent)."""
    if len(names) != 1:
        return shape  # absence of a nested field says little about its parents
    out: list[Shape] = []
    for m in members(shape):
        if isinstance(m, Obj):
            prop = m.get(names[0])
            if prop is not None and prop.required:
                continue
            out.append(Obj(tuple(p for p in m.props if p.name != names[0]), m.closed))
        else:
            out.append(m)
    return union(*out) if out else NEVER


__all__ = ["choice"]
