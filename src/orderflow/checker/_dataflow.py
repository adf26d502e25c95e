"""The fixpoint: propagate shapes through a state graph until nothing changes.

A forward data-flow analysis per scope (the machine, each Parallel branch, each Map body).
A state's entry shape is the union of everything that reaches it (Next, Choice branches,
Catchers, loops), so convergence points see every alternative. A worklist visits a state
again only when its entry grew; shapes live in a finite lattice (property names come from
the definition and the contracts, and :func:`~orderflow.checker._shape.union` widens deep
shapes), so the loop ends, typically after one or two visits per state.

Findings are made in one last pass over the stable solution, never while shapes are still
growing, so a loop's first, partial round cannot produce a false alarm. At a convergence
point that pass judges the union (a read failing along some edges only is a warning naming
them) and each edge alone, so that a catcher whose ``{Error, Cause}`` always breaks the
handler's reads is still an error.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from typing import Any, Final

from orderflow.checker._budget import (
    MAX_SCOPE_DEPTH,
    MAX_SHAPE_SIZE,
    MAX_WIDTH,
    Counters,
    bound_shape,
)
from orderflow.checker._contracts import ContractTable
from orderflow.checker._diagnostics import Diagnostic, Reporter
from orderflow.checker._expr import NO_VARS, vars_merge
from orderflow.checker._shape import ANY, Shape, union
from orderflow.checker._state import Flow
from orderflow.checker._transfer import transfer

# A state whose entry keeps growing past this many visits is given an unknown entry: a
# safety net against pathological definitions, never reached by the widening in practice.
_MAX_VISITS: Final = 40


@dataclass(frozen=True, slots=True)
class _Solved:
    """One scope solved for one entry: its output and what its stable pass found."""

    output: Flow | None
    diagnostics: tuple[Diagnostic, ...]
    payloads: tuple[tuple[str, Shape], ...]


def _join(a: Flow, b: Flow) -> Flow:
    return _bounded(Flow(union(a.data, b.data), vars_merge(a.variables, b.variables)))[0]


def _bounded(flow: Flow) -> tuple[Flow, bool]:
    """The flow cut to the checker's shape bounds, and whether anything was cut.

    Where many edges meet (a Choice with thousands of rules, catchers from every state)
    their union can grow one property per edge; cutting it here keeps each join linear.
    """
    data = bound_shape(flow.data)
    variables = []
    cut = data is not None
    for name, shape, definite in flow.variables:
        smaller = bound_shape(shape)
        cut = cut or smaller is not None
        variables.append((name, shape if smaller is None else smaller, definite))
    if not cut:
        return flow, False
    return Flow(flow.data if data is None else data, tuple(variables)), True


def _top(flow: Flow) -> Flow:
    return Flow(ANY, tuple((n, ANY, False) for n, _, _ in flow.variables))


class Analysis:
    """Runs the fixpoint over a definition and its nested scopes.

    Attributes:
        reporter: where findings go.
        payloads: the payload shape each Lambda task sends, by state name.
        contracts: the Lambda contracts, when given.
        execution_input: the shape of the execution input (``$$.Execution.Input``).
        counters: the work done so far, bounded by :mod:`orderflow.checker._budget`.

    A scope (the machine, a branch, a Map body) is solved once per distinct entry flow:
    a Map state is transferred several times (fixpoint visits, the reporting pass, once
    per converging edge), and re-solving its body each time made nesting exponential.
    The memo keeps the body's output with what its own reporting pass found, and hands
    the findings on only when the caller is itself reporting a stable solution.
    """

    def __init__(
        self, *, contracts: ContractTable | None, execution_input: Shape, reporter: Reporter
    ) -> None:
        self.reporter = reporter
        self.contracts = contracts
        self.execution_input = execution_input
        self.payloads: dict[str, Shape] = {}
        self.counters = Counters()
        self._solved: dict[tuple[str, Flow, str], _Solved] = {}
        self._depth = 0

    def record_payload(self, state: str, payload: Shape) -> None:
        """Remember what a Lambda task sends, from the final (stable) pass only."""
        if self.reporter.active:
            old = self.payloads.get(state)
            self.payloads[state] = payload if old is None else union(old, payload)

    def run(self, definition: dict[str, Any]) -> Flow | None:
        """Analyse the whole machine; returns the shape of its output (None: never ends)."""
        language = definition.get("QueryLanguage", "JSONPath")
        entry = Flow(self.execution_input, NO_VARS)
        return self.run_scope(
            definition, entry, "", language if isinstance(language, str) else "JSONPath"
        )

    def run_scope(
        self, scope: dict[str, Any], entry: Flow, pointer: str, query_language: str
    ) -> Flow | None:
        """Analyse one scope (``StartAt`` + ``States``) entered with ``entry``."""
        key = (pointer, entry, query_language)
        solved = self._solved.get(key)
        if solved is None:
            solved = self._solve_scope(scope, entry, pointer, query_language)
            self._solved[key] = solved
        if self.reporter.active:
            for diagnostic in solved.diagnostics:
                self.reporter.add(diagnostic)
            for state, payload in solved.payloads:
                self.record_payload(state, payload)
        return solved.output

    def _solve_scope(
        self, scope: dict[str, Any], entry: Flow, pointer: str, query_language: str
    ) -> _Solved:
        if self._depth >= MAX_SCOPE_DEPTH:
            message = (
                f"this scope is nested more than {MAX_SCOPE_DEPTH} Map/Parallel levels deep;"
                " its data flow is not checked"
            )
            found = Diagnostic("warning", "unchecked", None, None, pointer or "/", message)
            return _Solved(Flow(ANY, entry.variables), (found,), ())
        self.counters.scope_solves += 1
        outer_reporter, outer_payloads = self.reporter, self.payloads
        self.reporter, self.payloads = Reporter(), {}
        self._depth += 1
        try:
            output = self._scope_flow(scope, entry, pointer, query_language)
            return _Solved(output, tuple(self.reporter.diagnostics), tuple(self.payloads.items()))
        finally:
            self._depth -= 1
            self.reporter, self.payloads = outer_reporter, outer_payloads

    def _scope_flow(
        self, scope: dict[str, Any], entry: Flow, pointer: str, query_language: str
    ) -> Flow | None:
        states = scope.get("States")
        start = scope.get("StartAt")
        if not isinstance(states, dict) or not isinstance(start, str) or start not in states:
            return None
        self.reporter.active = False
        incoming = self._solve(states, start, entry, pointer, query_language)
        self.reporter.active = True
        # The stable solution: one more pass, this time reporting, collecting the output.
        outputs: list[Flow] = []
        for name, state in states.items():
            flows = incoming.get(name)
            if not flows or not isinstance(state, dict):
                continue
            outputs.extend(self._report_state(name, state, pointer, flows, query_language))
        return _join_all(outputs)[0] if outputs else None

    def _report_state(
        self,
        name: str,
        state: dict[str, Any],
        pointer: str,
        flows: dict[str, Flow],
        query_language: str,
    ) -> list[Flow]:
        """Report one state of the stable solution; returns the flows leaving its scope.

        Where several predecessors converge, the state is judged on the union of what they
        deliver: a read that fails for what arrives along some edges only is a warning
        (``path-may-be-missing``…) naming those edges, and an error only when it fails
        along every one. Catch edges are the exception: a read that always fails when a
        catcher delivers ``{Error, Cause}`` is an error (naming the catcher), since the
        handler then crashes whenever it is used, whatever the data.
        """
        merged, cut = _join_all(list(flows.values()))
        if cut:
            self.reporter.report(
                "unchecked",
                _pointer(pointer, name),
                f"state {name!r}: what reaches it along its {len(flows)} incoming edges grew "
                f"past the checker's bounds (the checker keeps {MAX_SHAPE_SIZE:,} nodes and "
                f"{MAX_WIDTH} properties in one object); it is widened, so reads of what was "
                "dropped are not checked",
                state=name,
                field=None,
            )
        distinct: dict[Flow, list[str]] = {}
        for source, flow in flows.items():
            distinct.setdefault(flow, []).append(source)
        if len(distinct) == 1 or not self.reporter.active:
            return [
                out
                for target, out, _ in transfer(
                    name, state, _pointer(pointer, name), merged, self, query_language
                )
                if target is None
            ]
        outer = self.reporter
        try:
            union_found, outputs = self._isolated(name, state, pointer, merged, query_language)
            per_edge = [
                (sources, self._isolated(name, state, pointer, flow, query_language)[0])
                for flow, sources in distinct.items()
            ]
        finally:
            self.reporter = outer
        # Which predecessors make each finding's read fail outright.
        failing: dict[str, list[str]] = {}
        for sources, found in per_edge:
            for d in found:
                if d.severity == "error":
                    failing.setdefault(d.pointer, []).extend(s for s in sources if s)
        union_errors = {d.pointer for d in union_found if d.severity == "error"}
        union_pointers = {d.pointer for d in union_found}
        for d in union_found:
            culprits = list(dict.fromkeys(failing.get(d.pointer, [])))
            if d.severity == "error" or not culprits:
                outer.add(d)
            elif not all(_is_catch(s) for s in culprits):
                outer.add(
                    replace(
                        d, message=f"{d.message} (fails when entered from {', '.join(culprits)})"
                    )
                )
        for sources, found in per_edge:
            catchers = [s for s in sources if _is_catch(s)]
            for d in found:
                if d.severity != "error" or d.pointer in union_errors:
                    continue
                if catchers:
                    entered = ", ".join(catchers)
                elif d.pointer not in union_pointers:
                    # The union hides this edge's failure entirely (no "maybe" to report
                    # it by): keep the edge's finding rather than lose it.
                    entered = ", ".join(s for s in sources if s)
                else:
                    continue
                suffix = f" (when entered from {entered})" if entered else " (on entry)"
                outer.add(replace(d, message=d.message + suffix))
        return outputs

    def _isolated(
        self, name: str, state: dict[str, Any], pointer: str, flow: Flow, query_language: str
    ) -> tuple[list[Diagnostic], list[Flow]]:
        """Run one state on ``flow`` with a fresh reporter: its findings and scope exits."""
        self.reporter = Reporter()
        self.reporter.active = True
        outputs = [
            out
            for target, out, _ in transfer(
                name, state, _pointer(pointer, name), flow, self, query_language
            )
            if target is None
        ]
        return self.reporter.diagnostics, outputs

    def _solve(
        self,
        states: dict[str, Any],
        start: str,
        entry: Flow,
        pointer: str,
        query_language: str,
    ) -> dict[str, dict[str, Flow]]:
        """Incoming flows per state and per predecessor ("" for the scope's entry)."""
        incoming: dict[str, dict[str, Flow]] = {start: {"": entry}}
        inputs: dict[str, Flow] = {start: entry}
        visits: dict[str, int] = {}
        work: deque[str] = deque([start])
        queued = {start}
        while work:
            name = work.popleft()
            queued.discard(name)
            state = states.get(name)
            if not isinstance(state, dict):
                continue
            visits[name] = visits.get(name, 0) + 1
            edges = transfer(
                name, state, _pointer(pointer, name), inputs[name], self, query_language
            )
            arrivals: dict[str, list[Flow]] = {}
            for target, flow, label in edges:
                if target is None or target not in states:
                    continue
                per_source = incoming.setdefault(target, {})
                source = f"{name!r} via {label}" if label else repr(name)
                previous = per_source.get(source)
                per_source[source] = flow if previous is None else _join(previous, flow)
                arrivals.setdefault(target, []).append(flow)
            # Everything one visit sends a target is united in one keyed merge: a Choice
            # with thousands of rules into one state costs their size, not its square.
            for target, flows in arrivals.items():
                old = inputs.get(target)
                new = _join_all(flows if old is None else [old, *flows])[0]
                if visits.get(target, 0) >= _MAX_VISITS:
                    new = _top(new)
                    per_source = incoming[target]
                    per_source.clear()
                    per_source["…"] = new
                if new != old:
                    inputs[target] = new
                    if target not in queued:
                        queued.add(target)
                        work.append(target)
        return incoming


def _join_all(flows: list[Flow]) -> tuple[Flow, bool]:
    """All flows united at once (one keyed merge), cut to the bounds; and whether it was."""
    variables = flows[0].variables
    for flow in flows[1:]:
        variables = vars_merge(variables, flow.variables)
    return _bounded(Flow(union(*(f.data for f in flows)), variables))


def _is_catch(source: str) -> bool:
    return " via Catch/" in source


def _pointer(base: str, name: str) -> str:
    return f"{base}/States/{name.replace('~', '~0').replace('/', '~1')}"


__all__ = ["Analysis"]
