"""How much work one ``check`` may do: the bounds that keep it finite on any definition.

``check`` runs in CI on definitions nobody has reviewed yet, so its cost must not depend on
how cleverly a file is built. Three bounds, each degrading to an ``unchecked`` warning
rather than an error or a hang:

* **Work** — every state transfer costs one unit plus the size of the shape it reads;
  past :data:`MAX_WORK` units the analysis stops and reports that the data flow was not
  checked (findings already made on stable shapes are kept).
* **Shape size** — a shape leaving a state with more than :data:`MAX_SHAPE_SIZE` nodes is
  replaced by "any value" (sound: widening can only hide findings, never invent them), so
  no single step touches more than a bounded amount of data.
* **Width** — an object with more than :data:`MAX_WIDTH` known properties keeps the most
  recently added half and becomes open (a read of a dropped one is no longer checked);
  a longer tuple becomes a list of the union of its elements. Every shape operation is
  linear in the shape, so this is what keeps a chain of states that each add a field
  (Choice diamonds, ResultPath merges) linear rather than quadratic.
* **Nesting** — Map and Parallel scopes nested deeper than :data:`MAX_SCOPE_DEPTH` are
  not followed (AWS itself accepts far less in practice; the bound keeps the checker's
  recursion well inside Python's stack).

The counters are also what the regression test reads: :class:`Counters` records scope
solves, transfers and object merges, which must grow linearly with the definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from orderflow.checker._shape import (
    ANY,
    ANY_ARRAY,
    ANY_OBJECT,
    AnyShape,
    Arr,
    Obj,
    Prop,
    Shape,
    Union,
    members,
    shape_stats,
    union,
)

MAX_WORK: Final = 20_000_000
"""Work units (transfers weighted by the size of their input shape) per ``check``."""

MAX_SHAPE_SIZE: Final = 20_000
"""Nodes a shape may have when it leaves a state before it is widened to any value."""

MAX_WIDTH: Final = 200
"""Properties one object (or elements one tuple) may have before the oldest are dropped."""

MAX_SCOPE_DEPTH: Final = 40
"""Map/Parallel scopes nested deeper than this are not followed."""


class OutOfBudget(Exception):  # internal control flow: analyze() catches it
    """The analysis spent its work budget; caught by the entry point, never raised further."""


@dataclass(slots=True)
class Counters:
    """What one analysis did (the operation counts the scaling test asserts on).

    Attributes:
        scope_solves: nested scopes (machine, branches, Map bodies) solved, per distinct
            entry shape; memoised, so a scope reached again with the same shape is free.
        transfers: state transfer functions run (fixpoint visits and reporting passes).
        work: transfers weighted by the size of the shape each reads.
    """

    scope_solves: int = 0
    transfers: int = 0
    work: int = 0

    def spend(self, units: int) -> None:
        """Count one transfer of ``units`` work; raise :class:`OutOfBudget` past the limit."""
        self.transfers += 1
        self.work += units
        if self.work > MAX_WORK:
            raise OutOfBudget


def bound_shape(shape: Shape) -> Shape | None:
    """The shape cut down to the size and width bounds, or None when it is within them.

    Widening only: the result admits every value ``shape`` does.
    """
    size, width, _ = shape_stats(shape)
    if size <= MAX_SHAPE_SIZE and width <= MAX_WIDTH:
        return None
    if size > MAX_SHAPE_SIZE:
        return _kind_top(shape)
    return _narrow(shape)


def _kind_top(shape: Shape) -> Shape:
    out: list[Shape] = []
    for m in members(shape):
        if isinstance(m, AnyShape):
            return ANY
        out.append(ANY_OBJECT if isinstance(m, Obj) else ANY_ARRAY if isinstance(m, Arr) else m)
    return union(*out)


def _narrow(shape: Shape) -> Shape:
    if shape_stats(shape)[1] <= MAX_WIDTH:
        return shape
    if isinstance(shape, Obj):
        props, closed = shape.props, shape.closed
        if len(props) > MAX_WIDTH:
            # The newest properties (ResultPath appends) are the likeliest to be read next.
            props, closed = props[-(MAX_WIDTH // 2) :], False
        return Obj(tuple(Prop(p.name, _narrow(p.shape), p.required) for p in props), closed)
    if isinstance(shape, Arr):
        tail = [] if shape.items is None else [shape.items]
        if len(shape.prefix) > MAX_WIDTH:
            return Arr((), _narrow(union(*shape.prefix, *tail)), shape.min_len)
        return Arr(
            tuple(_narrow(s) for s in shape.prefix),
            None if shape.items is None else _narrow(shape.items),
            shape.min_len,
        )
    if isinstance(shape, Union):
        return union(*(_narrow(m) for m in shape.members))
    return shape


__all__ = [
    "MAX_SCOPE_DEPTH",
    "MAX_SHAPE_SIZE",
    "MAX_WIDTH",
    "MAX_WORK",
    "Counters",
    "OutOfBudget",
    "bound_shape",
]
