"""Applying a JSONPath to a shape: what the path yields, or why it cannot exist.

The path is parsed by :func:`orderflow.asl._jsonpath.compile_path` (one parser for the
whole project); this module walks its steps over a :class:`~orderflow.checker._shape.Shape`
following Jayway's rules as AWS applies them:

* a *definite* path (fields, indexes, a trailing function) selecting nothing fails the
  state with ``States.Runtime`` — missing property, field of a non-object, index of a
  non-array, index past the end;
* an *indefinite* path (wildcards, filters, slices, unions, ``..``) never fails; it yields a
  list of whatever it selected.

The answer is three-valued: the path exists for every value of the shape (``ok``), for
some (``maybe``: an optional property, a union member without it, an index into a list of
unknown length) or for none (``never``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

from orderflow.asl.expressions import CompiledPath
from orderflow.checker._shape import (
    ANY,
    INTEGER,
    NEVER,
    NUMBER,
    STRING,
    AnyShape,
    Arr,
    Obj,
    Scalar,
    Shape,
    admits_kind,
    list_of,
    members,
    union,
)

Status = Literal["ok", "maybe", "never"]

Step = tuple[Any, ...]
"""One parsed JSONPath step as the expression layer represents it: ``("field", name)``,
``("index", i)``, ``("func", name)``, and for indefinite paths wildcards, slices, filters,
unions and ``..`` (which this module never walks: such paths cannot fail)."""

_NUMERIC_FUNCTIONS: Final = frozenset({"min", "max", "avg", "sum", "stddev"})


@dataclass(slots=True)
class Reach:
    """Where a path leads within a shape.

    Attributes:
        shape: what the path yields where it exists (``NEVER`` when it exists nowhere).
        status: ``ok``, ``maybe`` or ``never`` (see the module docstring).
        reasons: why it may not (``maybe``) or cannot (``never``) exist, one per
            alternative that fails, worded for a message.
    """

    shape: Shape
    status: Status
    reasons: list[str] = field(default_factory=list)


def step_text(steps: tuple[Step, ...], upto: int) -> str:
    """The path prefix ``$.a.b[0]`` made of the first ``upto`` steps (for messages)."""
    out = "$"
    for step in steps[:upto]:
        if step[0] == "field":
            name = step[1]
            out += f".{name}" if name.replace("_", "a").isalnum() else f"['{name}']"
        elif step[0] == "index":
            out += f"[{step[1]}]"
        else:
            out += "[…]"
    return out


def follow(shape: Shape, path: CompiledPath, *, root: str = "$") -> Reach:
    """Apply ``path``'s steps to ``shape`` (the value its root stands for).

    Args:
        shape: the shape of the root value (state input, context object or a variable).
        path: the compiled path.
        root: how the root is written in messages (``$``, ``$$`` or ``$name``).
    """
    steps = path.steps
    if not path.is_definite:
        # Jayway never fails an indefinite path: it returns what it found, maybe nothing.
        return Reach(list_of(ANY), "ok")
    found: list[Shape] = []
    maybe: list[str] = []
    never: list[str] = []
    _walk(shape, steps, 0, found, maybe, never, root)
    if not found:
        return Reach(NEVER, "never", never or maybe)
    if never or maybe:
        return Reach(union(*found), "maybe", maybe + never)
    return Reach(union(*found), "ok")


def _where(steps: tuple[Step, ...], i: int, root: str) -> str:
    return root + step_text(steps, i)[1:]


def _walk(
    shape: Shape,
    steps: tuple[Step, ...],
    i: int,
    found: list[Shape],
    maybe: list[str],
    never: list[str],
    root: str,
) -> None:
    if i == len(steps):
        found.append(shape)
        return
    step = steps[i]
    kind = step[0]
    at = _where(steps, i, root)
    for m in members(shape):
        if isinstance(m, AnyShape):
            found.append(_any_result(steps, i))
            continue
        if kind == "func":
            _function(m, step[1], at, found, never)
            continue
        if kind == "field":
            name = step[1]
            if isinstance(m, Obj):
                prop = m.get(name)
                if prop is None:
                    if m.closed:
                        never.append(f"{at} has no property {name!r}: it is {m.describe()}")
                    else:
                        found.append(_any_result(steps, i + 1))
                    continue
                if not prop.required:
                    maybe.append(f"{at}.{name} is optional")
                _walk(prop.shape, steps, i + 1, found, maybe, never, root)
            else:
                never.append(f"{at} is {m.describe()}, not an object, so it has no {name!r}")
            continue
        if kind == "index":
            n = step[1]
            if not isinstance(m, Arr):
                never.append(f"{at} is {m.describe()}, not an array, so it has no [{n}]")
                continue
            _index(m, n, steps, i, found, maybe, never, root, at)
            continue
        found.append(_any_result(steps, i))  # pragma: no cover - definite paths only


def _index(
    array: Arr,
    n: int,
    steps: tuple[Step, ...],
    i: int,
    found: list[Shape],
    maybe: list[str],
    never: list[str],
    root: str,
    at: str,
) -> None:
    prefix = array.prefix
    if n < 0:
        if array.items is None:
            if -n <= len(prefix):
                _walk(prefix[n], steps, i + 1, found, maybe, never, root)
            else:
                never.append(f"{at} is {array.describe()}, so [{n}] is out of range")
            return
        # Counting from the end of a list of unknown length: any element may be picked.
        maybe.append(f"{at}[{n}] exists only if the array is long enough")
        candidates = [*prefix, array.items]
        _walk(union(*candidates), steps, i + 1, found, maybe, never, root)
        return
    if n < len(prefix):
        if n >= array.min_len:
            maybe.append(f"{at}[{n}] exists only if the array is long enough")
        _walk(prefix[n], steps, i + 1, found, maybe, never, root)
        return
    if array.items is None:
        never.append(f"{at} is {array.describe()}, so [{n}] is out of range")
        return
    if n >= array.min_len:
        maybe.append(f"{at}[{n}] exists only if the array has more than {n} element(s)")
    _walk(array.items, steps, i + 1, found, maybe, never, root)


def _function(m: Shape, name: str, at: str, found: list[Shape], never: list[str]) -> None:
    if name in ("length", "size"):
        if isinstance(m, (Arr, Obj)) or (isinstance(m, Scalar) and m.kind == "string"):
            found.append(INTEGER)
            return
    elif name == "keys":
        if isinstance(m, Obj):
            found.append(list_of(STRING))
            return
    elif isinstance(m, Arr):
        found.append(NUMBER)
        return
    never.append(f"{at}.{name}() cannot be applied to {m.describe()}")


def _any_result(steps: tuple[Step, ...], i: int) -> Shape:
    # From an unknown value, the rest of the path yields an unknown value, except that a
    # trailing function fixes the result's type.
    if steps and steps[-1][0] == "func" and i < len(steps):
        name = steps[-1][1]
        if name in ("length", "size"):
            return INTEGER
        if name == "keys":
            return list_of(STRING)
        if name in _NUMERIC_FUNCTIONS:
            return NUMBER
    return ANY


def describe_reasons(reach: Reach, limit: int = 3) -> str:
    """Join a reach's reasons for a message (deduplicated, at most ``limit``)."""
    seen: list[str] = []
    for reason in reach.reasons:
        if reason not in seen:
            seen.append(reason)
    text = "; ".join(seen[:limit])
    return text + ("; …" if len(seen) > limit else "")


def can_be(shape: Shape, kinds: tuple[str, ...]) -> bool:
    """Whether some value of ``shape`` has one of the JSON kinds."""
    return any(admits_kind(shape, k) for k in kinds)


__all__ = ["Reach", "Status", "can_be", "describe_reasons", "follow", "step_text"]
