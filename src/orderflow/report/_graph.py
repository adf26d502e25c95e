"""An ASL document as a drawable graph: nodes, clusters and typed edges.

Built from the ASL document only (never the DSL), so a raw file exported from the console
gets the same picture as a DSL workflow. Each state is one node, except Parallel and Map
states, which become a cluster holding a header node (where control enters), their branches
or item body as nested clusters, and a join node (where control leaves: the state's Next and
Catch edges start there). Retriers are annotated on the state's node rather than drawn as
self-loops, which would clutter a layered layout; Catch edges are dashed and labelled with
the error names they catch.

A *handler* is a state reached only through Catch edges: the error path. A Task, Parallel
or Map on that path is drawn as a *compensation* (undoing work, notifying, cleaning up);
ASL has no compensation keyword, so this is the structural reading of the usual pattern
``Catch -> Refund -> Fail``.

The graph tolerates malformed documents (missing fields, wrong types, dangling Next): what
cannot be drawn is skipped, so ``render --format html`` works on any parseable ASL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from orderflow.asl._document import JSON, Definition, dumps
from orderflow.asl._mermaid import _resource_label, rule_label

_LABEL_LIMIT = 60
_CONTAINERS = ("Parallel", "Map")


@dataclass(frozen=True)
class StateInfo:
    """One state of the document.

    Attributes:
        index: position in document order (outer states first, then nested), the state's
            id in the HTML.
        name: the state's name.
        kind: its ``Type`` (``"?"`` when missing).
        scope: the ``/``-joined path of the Parallel/Map states around it.
        comment: its ``Comment``.
        retry: one short line per Retrier.
        role: ``"main"``, ``"handler"`` (only reached through a Catch) or
            ``"compensation"`` (a handler that does work: Task, Parallel or Map).
        asl: the state's ASL as indented JSON, with nested branches and item bodies
            elided (they are drawn as their own states).
    """

    index: int
    name: str
    kind: str
    scope: str
    comment: str
    retry: tuple[str, ...]
    role: str
    asl: str


@dataclass(frozen=True)
class Node:
    """A box in the drawing; ``state`` is the index of the state it shows, if any."""

    key: str
    lines: tuple[str, ...]
    shape: str
    cluster: str | None
    state: int | None
    part: str = "state"  # "state", "header" or "join" (of a Parallel/Map), "start", "end"


@dataclass(frozen=True)
class Cluster:
    """A Parallel, one of its branches, or a Map's item body."""

    key: str
    label: str
    parent: str | None
    state: int


@dataclass(frozen=True)
class Edge:
    """A transition: ``kind`` is start, next, choice, default, catch, end, branch or join.

    ``source``/``target`` are state indexes (``None`` for the start and end markers), so
    an execution overlay can mark the transitions it saw.
    """

    key: str
    tail: str
    head: str
    kind: str
    label: str
    source: int | None
    target: int | None


@dataclass
class Graph:
    """Everything needed to lay out and draw one state machine."""

    comment: str = ""
    states: list[StateInfo] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    _by_name: dict[str, int] = field(default_factory=dict, repr=False)
    _indexed: int = field(default=-1, repr=False)

    def state_index(self, name: str) -> int | None:
        """The first state called ``name`` (names are unique in a valid document)."""
        if self._indexed != len(self.states):
            self._by_name = {}
            for state in reversed(self.states):
                self._by_name[state.name] = state.index
            self._indexed = len(self.states)
        return self._by_name.get(name)


def build_graph(definition: Definition) -> Graph:
    """The drawable graph of ``definition`` (deterministic: document order throughout)."""
    builder = _Builder()
    data = definition.data
    builder.graph.comment = str(data.get("Comment", "") or "")
    builder.scope(data, scope="", cluster=None, top=True)
    builder.link()
    return builder.graph


def _short(text: str, limit: int = _LABEL_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _errors(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else ["?"]


def _retry_line(retrier: Mapping[str, Any]) -> str:
    errors = _errors(retrier.get("ErrorEquals"))
    shown = errors[0] if len(errors) == 1 else f"{errors[0]} +{len(errors) - 1}"
    attempts = retrier.get("MaxAttempts", 3)
    return _short(f"↻ retry {shown} x{attempts}", 48)


def _subtitle(state: Mapping[str, Any]) -> str:
    kind = state.get("Type")
    if kind == "Task":
        resource = _resource_label(state)
        return f"Task · {resource}" if resource else "Task"
    if kind == "Wait":
        for key in ("Seconds", "SecondsPath", "Timestamp", "TimestampPath"):
            if key in state:
                return f"Wait {key} {state[key]}"
        return "Wait"
    if kind == "Map":
        items = state.get("ItemsPath", state.get("Items", "$"))
        shown = items if isinstance(items, str) else "items"
        limit = state.get("MaxConcurrency")
        return f"Map over {shown}" + (f" (max {limit})" if isinstance(limit, int) else "")
    if kind == "Fail":
        error = state.get("Error") or state.get("ErrorPath")
        return f"Fail · {error}" if error else "Fail"
    return str(kind) if isinstance(kind, str) else "?"


_SHAPES = {
    "Choice": "diamond",
    "Succeed": "terminal",
    "Fail": "terminal",
    "Pass": "parallelogram",
    "Wait": "hexagon",
}


class _Builder:
    def __init__(self) -> None:
        self.graph = Graph()
        # (scope, name) -> state index; for transitions, resolved after every scope is seen
        self.by_scope: dict[tuple[str, str], int] = {}
        # state index -> (entry node key, exit node key)
        self.ends: dict[int, tuple[str, str]] = {}
        self.pending: list[tuple[int, str, dict[str, Any], bool]] = []
        self.scope_starts: dict[str, str] = {}

    def node(self, node: Node) -> str:
        self.graph.nodes.append(node)
        return node.key

    def scope(
        self, machine: Mapping[str, Any], *, scope: str, cluster: str | None, top: bool
    ) -> None:
        states = machine.get("States")
        if not isinstance(states, dict):
            return
        start = machine.get("StartAt")
        if isinstance(start, str):
            self.scope_starts[scope] = start
        handlers = _handlers(states, start if isinstance(start, str) else None)
        for name, state in states.items():
            if isinstance(state, dict):
                self.state(
                    str(name), state, scope=scope, cluster=cluster, top=top, handlers=handlers
                )

    def state(
        self,
        name: str,
        state: dict[str, Any],
        *,
        scope: str,
        cluster: str | None,
        top: bool,
        handlers: set[str],
    ) -> None:
        index = len(self.graph.states)
        kind = state.get("Type") if isinstance(state.get("Type"), str) else "?"
        role = "main"
        if name in handlers:
            role = "compensation" if kind in ("Task", *_CONTAINERS) else "handler"
        retry = tuple(_retry_line(r) for r in _list(state.get("Retry")) if isinstance(r, dict))
        comment = state.get("Comment")
        self.graph.states.append(
            StateInfo(
                index=index,
                name=name,
                kind=str(kind),
                scope=scope,
                comment=comment if isinstance(comment, str) else "",
                retry=retry,
                role=role,
                asl=dumps({k: _elide(k, v) for k, v in state.items()}),
            )
        )
        self.by_scope.setdefault((scope, name), index)
        lines = (_short(name), _short(_subtitle(state)), *retry)
        key = f"n{index}"
        if kind in _CONTAINERS:
            box = f"c{index}"
            self.graph.clusters.append(Cluster(box, _short(name), cluster, index))
            self.node(Node(key, lines, "header", box, index, part="header"))
            join = self.node(Node(f"{key}j", (), "join", box, index, part="join"))
            self.ends[index] = (key, join)
            self.children(name, state, key, join, box, scope, index)
        else:
            self.node(Node(key, lines, _SHAPES.get(str(kind), "box"), cluster, index))
            self.ends[index] = (key, key)
        self.pending.append((index, scope, state, top))

    def children(
        self,
        name: str,
        state: Mapping[str, Any],
        header: str,
        join: str,
        box: str,
        scope: str,
        index: int,
    ) -> None:
        if state.get("Type") == "Parallel":
            bodies = [b for b in _list(state.get("Branches")) if isinstance(b, dict)]
        else:
            body = state.get("ItemProcessor") or state.get("Iterator")
            bodies = [body] if isinstance(body, dict) else []
        for i, body in enumerate(bodies):
            inner = f"{scope}/{name}" + (f"/{i}" if state.get("Type") == "Parallel" else "")
            sub = f"{box}b{i}"
            title = f"branch {i + 1}" if state.get("Type") == "Parallel" else "each item"
            self.graph.clusters.append(Cluster(sub, title, box, index))
            self.scope(body, scope=inner, cluster=sub, top=False)
            start = body.get("StartAt")
            first = self.by_scope.get((inner, start)) if isinstance(start, str) else None
            if first is not None:
                self.edge(header, self.ends[first][0], "branch", "", index, first)
            for (where, _), member in list(self.by_scope.items()):
                if where != inner:
                    continue
                member_state = _state_of(body, self.graph.states[member].name)
                if member_state is not None and _ends_ok(member_state):
                    self.edge(self.ends[member][1], join, "join", "", member, index)

    def edge(
        self, tail: str, head: str, kind: str, label: str, source: int | None, target: int | None
    ) -> None:
        key = f"e{len(self.graph.edges)}"
        self.graph.edges.append(Edge(key, tail, head, kind, _short(label), source, target))

    def link(self) -> None:
        """Transitions, once every state has a node (a Next may point forward)."""
        self.node(Node("start", ("start",), "marker", None, None, part="start"))
        self.node(Node("end", ("end",), "marker", None, None, part="end"))
        first = self.by_scope.get(("", self.scope_starts.get("", "")))
        if first is not None:
            self.edge("start", self.ends[first][0], "start", "", None, first)
        for index, scope, state, top in self.pending:
            out = self.ends[index][1]

            def to(
                name: JSON, kind: str, label: str, *, scope: str = scope, out: str = out
            ) -> None:
                target = self.by_scope.get((scope, name)) if isinstance(name, str) else None
                if target is not None:
                    self.edge(out, self.ends[target][0], kind, label, index, target)  # noqa: B023

            for rule in _list(state.get("Choices")):
                if isinstance(rule, dict):
                    condition = rule.get("Condition")
                    label = condition if isinstance(condition, str) else rule_label(rule)
                    to(rule.get("Next"), "choice", label)
            to(state.get("Default"), "default", "default")
            to(state.get("Next"), "next", "")
            for catcher in _list(state.get("Catch")):
                if isinstance(catcher, dict):
                    to(catcher.get("Next"), "catch", ", ".join(_errors(catcher.get("ErrorEquals"))))
            if top and _ends_ok(state):
                self.edge(out, "end", "end", "", index, None)


def _elide(key: str, value: JSON) -> JSON:
    if key in ("Branches", "ItemProcessor", "Iterator"):
        return "… (drawn inside the state)"
    return value


def _ends_ok(state: Mapping[str, Any]) -> bool:
    """Whether the state ends its scope successfully (End, or a Succeed state)."""
    return state.get("End") is True or state.get("Type") == "Succeed"


def _state_of(machine: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    states = machine.get("States")
    found = states.get(name) if isinstance(states, dict) else None
    return found if isinstance(found, dict) else None


def _successors(state: Mapping[str, Any], *, catches: bool) -> list[str]:
    names = [state.get("Next"), state.get("Default")]
    names += [r.get("Next") for r in _list(state.get("Choices")) if isinstance(r, dict)]
    if catches:
        names += [c.get("Next") for c in _list(state.get("Catch")) if isinstance(c, dict)]
    return [n for n in names if isinstance(n, str)]


def _reach(states: Mapping[str, Any], roots: list[str], *, catches: bool) -> set[str]:
    seen: set[str] = set()
    todo = [r for r in roots if r in states]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        state = states.get(name)
        if isinstance(state, dict):
            todo.extend(n for n in _successors(state, catches=catches) if n in states)
    return seen


def _handlers(states: Mapping[str, Any], start: str | None) -> set[str]:
    """States of one scope reached only through a Catch (the error path)."""
    if start is None:
        return set()
    normal = _reach(states, [start], catches=False)
    return _reach(states, [start], catches=True) - normal


__all__ = ["Cluster", "Edge", "Graph", "Node", "StateInfo", "build_graph"]
