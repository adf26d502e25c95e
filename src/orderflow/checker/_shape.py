"""A small shape algebra: what the checker knows about a JSON value at one point.

A shape over-approximates the set of values that can be there. The checker reports an
error only when *no* value the shape admits could satisfy a read, so every widening step
(union, open objects, ``ANY``) can only turn errors into warnings or silence, never invent
errors. Shapes are immutable and hashable, so the fixpoint can compare them cheaply.

Kinds:

* :data:`ANY` — nothing is known (the execution input without an input model, a task result
  without a contract).
* :class:`Scalar` — ``string``, ``number``, ``integer``, ``boolean`` or ``null``
  (``integer`` is a subset of ``number``).
* :class:`Obj` — known properties, each required or optional; a *closed* object has no
  other properties, an *open* one may have any others (of unknown shape).
* :class:`Arr` — a tuple prefix (``prefixItems``: Parallel output), then ``items`` for the
  rest (``None``: nothing after the prefix), and the minimum length.
* :class:`Union` — one of several shapes; :func:`union` keeps at most one object and one
  array member (merging them), so shapes stay small however many branches meet.
* :data:`NEVER` — no value (an empty union): unreachable.

:func:`from_json_schema` turns a JSON Schema (from Pydantic's ``model_json_schema``, with
``$ref`` resolution) into a shape; :func:`shape_of` gives the exact shape of a literal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

ScalarKind = Literal["string", "number", "integer", "boolean", "null"]
_SCALARS: Final = ("string", "number", "integer", "boolean", "null")


@dataclass(frozen=True, slots=True)
class AnyShape:
    """Nothing is known about the value."""

    def describe(self) -> str:
        return "any value"


@dataclass(frozen=True, slots=True)
class Scalar:
    """A JSON scalar of one kind."""

    kind: ScalarKind

    def describe(self) -> str:
        return "an integer" if self.kind == "integer" else _ARTICLE[self.kind]


_ARTICLE: Final = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "a boolean",
    "null": "null",
}


@dataclass(frozen=True, slots=True)
class Prop:
    """One known property of an object shape."""

    name: str
    shape: Shape
    required: bool = True


@dataclass(frozen=True, slots=True)
class Obj:
    """An object: known properties, and whether others may appear (``closed``)."""

    props: tuple[Prop, ...] = ()
    closed: bool = False
    # Built on first lookup: a linear scan per read made merging wide objects quadratic.
    _index: dict[str, Prop] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )
    # Shapes share structure (a Parallel's tuple holds its input twice), so a tree walk per
    # hash could be exponential in the nesting; each node remembers its hash and size.
    _hash: int | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _stats: tuple[int, int, int] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __hash__(self) -> int:
        return _cached_hash(self, (self.props, self.closed))

    def stats(self) -> tuple[int, int, int]:
        """``(nodes, width, height)`` as :func:`shape_stats` gives them, cached."""
        if self._stats is None:
            object.__setattr__(
                self, "_stats", _combine(len(self.props), [p.shape for p in self.props])
            )
        assert self._stats is not None
        return self._stats

    def get(self, name: str) -> Prop | None:
        index = self._index
        if index is None:
            index = {p.name: p for p in self.props}
            object.__setattr__(self, "_index", index)
        return index.get(name)

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.props)

    def describe(self) -> str:
        if not self.props:
            return "an empty object" if self.closed else "an object"
        names = ", ".join(p.name if p.required else p.name + "?" for p in self.props[:12])
        more = ", …" if len(self.props) > 12 else ""
        tail = "" if self.closed else ", …"
        return f"an object {{{names}{more}{tail}}}"


@dataclass(frozen=True, slots=True)
class Arr:
    """An array: a tuple prefix, then ``items`` (None: nothing after the prefix)."""

    prefix: tuple[Shape, ...] = ()
    items: Shape | None = None
    min_len: int = 0
    # Cached as in Obj.
    _hash: int | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _stats: tuple[int, int, int] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __hash__(self) -> int:
        return _cached_hash(self, (self.prefix, self.items, self.min_len))

    def stats(self) -> tuple[int, int, int]:
        """``(nodes, width, height)`` as :func:`shape_stats` gives them, cached."""
        if self._stats is None:
            children = [*self.prefix, *([] if self.items is None else [self.items])]
            object.__setattr__(self, "_stats", _combine(len(self.prefix), children))
        assert self._stats is not None
        return self._stats

    def describe(self) -> str:
        if self.items is None:
            return f"an array of exactly {len(self.prefix)} element(s)"
        if not self.prefix:
            return "an array"
        return f"an array of at least {self.min_len} element(s)"


@dataclass(frozen=True, slots=True)
class Union:
    """One of several shapes (never nested, never containing ANY)."""

    members: tuple[Shape, ...]
    # Cached as in Obj.
    _hash: int | None = field(default=None, init=False, repr=False, compare=False, hash=False)
    _stats: tuple[int, int, int] | None = field(
        default=None, init=False, repr=False, compare=False, hash=False
    )

    def __hash__(self) -> int:
        return _cached_hash(self, self.members)

    def stats(self) -> tuple[int, int, int]:
        """``(nodes, width, height)`` as :func:`shape_stats` gives them, cached."""
        if self._stats is None:
            object.__setattr__(self, "_stats", _combine(0, list(self.members), step=0))
        assert self._stats is not None
        return self._stats

    def describe(self) -> str:
        if not self.members:
            return "no value (unreachable)"
        return " or ".join(m.describe() for m in self.members)


Shape: TypeAlias = AnyShape | Scalar | Obj | Arr | Union


def _cached_hash(node: Obj | Arr | Union, fields: object) -> int:
    found = node._hash
    if found is None:
        found = hash(fields)
        object.__setattr__(node, "_hash", found)
    return found


def shape_stats(shape: Shape) -> tuple[int, int, int]:
    """``(nodes, width, height)``: how many nodes the shape's tree has (1 for ANY and
    scalars), the most properties (objects) or tuple elements (arrays) any one node has,
    and how many object/array levels it nests (0 for ANY and scalars; a union adds none).

    Computed once per node, so asking again is free; the checker bounds the first two,
    and :func:`union` uses the height to leave shallow shapes untouched.
    """
    return shape.stats() if isinstance(shape, (Obj, Arr, Union)) else (1, 0, 0)


def _combine(width: int, children: list[Shape], *, step: int = 1) -> tuple[int, int, int]:
    size, height = 1, 0
    for child in children:
        if isinstance(child, (Obj, Arr, Union)):
            child_size, child_width, child_height = child.stats()
            size += child_size
            width = max(width, child_width)
            height = max(height, child_height)
        else:
            size += 1  # a scalar or ANY; most properties are, so no call for them
    return size, width, height + step


ANY: Final[Shape] = AnyShape()
NEVER: Final[Shape] = Union(())
STRING: Final[Shape] = Scalar("string")
NUMBER: Final[Shape] = Scalar("number")
INTEGER: Final[Shape] = Scalar("integer")
BOOLEAN: Final[Shape] = Scalar("boolean")
NULL: Final[Shape] = Scalar("null")
ANY_OBJECT: Final[Shape] = Obj()
ANY_ARRAY: Final[Shape] = Arr(items=ANY)

# Past this many merges of the same object the property shapes are widened to ANY, which
# bounds the lattice height and so the number of fixpoint rounds.
_MAX_DEPTH: Final = 12


def members(shape: Shape) -> tuple[Shape, ...]:
    """The alternatives of a shape (a non-union is its own single member)."""
    return shape.members if isinstance(shape, Union) else (shape,)


def is_never(shape: Shape) -> bool:
    """Whether the shape admits no value at all."""
    return isinstance(shape, Union) and not shape.members


def obj(props: Mapping[str, Shape] | Iterable[Prop], *, closed: bool = True) -> Obj:
    """Build an object shape: a mapping gives required properties."""
    if isinstance(props, Mapping):
        return Obj(tuple(Prop(k, v) for k, v in props.items()), closed)
    return Obj(tuple(props), closed)


def union(*shapes: Shape) -> Shape:
    """The least shape admitting every value of ``shapes`` (within this algebra)."""
    scalars: set[str] = set()
    objects: list[Obj] = []
    arrays: list[Arr] = []
    for shape in shapes:
        for m in members(shape):
            if isinstance(m, AnyShape):
                return ANY
            if isinstance(m, Scalar):
                scalars.add(m.kind)
            elif isinstance(m, Obj):
                objects.append(m)
            elif isinstance(m, Arr):
                arrays.append(m)
    if "number" in scalars:
        scalars.discard("integer")
    out: list[Shape] = [Scalar(k) for k in _SCALARS if k in scalars]
    if objects:
        out.append(_merge_objects(objects))
    if arrays:
        out.append(_merge_arrays(arrays))
    return out[0] if len(out) == 1 else Union(tuple(out))


def _merge_objects(objects: list[Obj]) -> Obj:
    first = objects[0]
    if all(o == first for o in objects):
        return first
    # Keyed by name, one pass over every member's properties: merging k objects costs their
    # total size, not (names x members) as scanning each member for each name did.
    by_name: dict[str, list[Prop]] = {}
    open_having: dict[str, int] = {}
    for o in objects:
        for p in o.props:
            by_name.setdefault(p.name, []).append(p)
            if not o.closed:
                open_having[p.name] = open_having.get(p.name, 0) + 1
    count = len(objects)
    open_count = sum(1 for o in objects if not o.closed)
    props: list[Prop] = []
    for name, found in by_name.items():
        shared = found[0]
        complete = len(found) == count
        if complete and all(p is shared for p in found):
            # Shared unchanged (ResultPath copies the other properties): nothing to merge.
            props.append(shared)
            continue
        # A property absent from an open member may still be there, with any value.
        if open_count > open_having.get(name, 0):
            shape: Shape = ANY
        else:
            shape = _widen(union(*(p.shape for p in found)))
        merged = Prop(name, shape, complete and all(p.required for p in found))
        # Reuse an equal member property: identical objects make later merges trivial.
        props.append(next((p for p in found if p == merged), merged))
    return Obj(tuple(props), open_count == 0)


def _merge_arrays(arrays: list[Arr]) -> Arr:
    first = arrays[0]
    if all(a == first for a in arrays):
        return first
    width = max(len(a.prefix) for a in arrays)
    prefix: list[Shape] = []
    for i in range(width):
        prefix.append(_widen(union(*(_element(a, i) for a in arrays))))
    tails = [a.items for a in arrays if a.items is not None]
    # Shorter tuples end earlier: past their end the merged array may just stop.
    items = _widen(union(*tails)) if tails else None
    return Arr(tuple(prefix), items, min(a.min_len for a in arrays))


def _element(array: Arr, i: int) -> Shape:
    if i < len(array.prefix):
        return array.prefix[i]
    return array.items if array.items is not None else NEVER


def _widen(shape: Shape, depth: int = 0) -> Shape:
    """Cut shapes deeper than ``_MAX_DEPTH`` to ANY so loops reach a fixpoint."""
    if depth >= _MAX_DEPTH:
        return ANY
    if depth + shape_stats(shape)[2] < _MAX_DEPTH:
        return shape  # nothing to cut: keep the very object (and its cached hash)
    if isinstance(shape, Obj):
        return Obj(
            tuple(Prop(p.name, _widen(p.shape, depth + 1), p.required) for p in shape.props),
            shape.closed,
        )
    if isinstance(shape, Arr):
        return Arr(
            tuple(_widen(s, depth + 1) for s in shape.prefix),
            None if shape.items is None else _widen(shape.items, depth + 1),
            shape.min_len,
        )
    if isinstance(shape, Union):
        return Union(tuple(_widen(m, depth) for m in shape.members))
    return shape


def element_union(array: Arr) -> Shape:
    """Any element of the array."""
    return union(*array.prefix, *([array.items] if array.items is not None else []))


def list_of(items: Shape) -> Arr:
    """An array of any length whose elements all have shape ``items``."""
    return Arr((), items, 0)


def tuple_of(elements: Iterable[Shape]) -> Arr:
    """An array of exactly these elements."""
    prefix = tuple(elements)
    return Arr(prefix, None, len(prefix))


# --- literals --------------------------------------------------------------------------


def shape_of(value: Any) -> Shape:
    """The exact shape of a JSON literal (closed objects, fixed-length arrays)."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return INTEGER if value.is_integer() else NUMBER
    if isinstance(value, str):
        return STRING
    if isinstance(value, list):
        return tuple_of(shape_of(v) for v in value)
    if isinstance(value, dict):
        return obj({str(k): shape_of(v) for k, v in value.items()})
    return ANY


def admits_kind(shape: Shape, kind: str) -> bool:
    """Whether some value of ``shape`` is of JSON kind ``kind`` (object, array or scalar)."""
    for m in members(shape):
        if isinstance(m, AnyShape):
            return True
        if kind == "object" and isinstance(m, Obj):
            return True
        if kind == "array" and isinstance(m, Arr):
            return True
        if isinstance(m, Scalar) and (
            m.kind == kind
            or (kind == "number" and m.kind == "integer")
            or (kind == "integer" and m.kind == "number")
        ):
            return True
    return False


def only_kinds(shape: Shape, kinds: Iterable[str]) -> Shape:
    """Narrow ``shape`` to the values of the given JSON kinds (a Choice type test)."""
    wanted = set(kinds)
    out: list[Shape] = []
    for m in members(shape):
        if isinstance(m, AnyShape):
            out.extend(_kind_shape(k) for k in wanted)
        elif isinstance(m, Obj):
            if "object" in wanted:
                out.append(m)
        elif isinstance(m, Arr):
            if "array" in wanted:
                out.append(m)
        elif not isinstance(m, Scalar):
            continue
        elif m.kind in wanted or (m.kind == "integer" and "number" in wanted):
            out.append(m)
        elif m.kind == "number" and "integer" in wanted:
            out.append(INTEGER)
    return union(*out) if out else NEVER


def without_kinds(shape: Shape, kinds: Iterable[str]) -> Shape:
    """Remove the values of the given JSON kinds from ``shape`` (a failed type test)."""
    drop = set(kinds)
    out: list[Shape] = []
    for m in members(shape):
        if isinstance(m, AnyShape):
            return ANY  # "anything but a string" is not expressible; stay sound.
        if isinstance(m, Obj):
            if "object" not in drop:
                out.append(m)
        elif isinstance(m, Arr):
            if "array" not in drop:
                out.append(m)
        elif isinstance(m, Scalar) and not (
            m.kind in drop or (m.kind == "integer" and "number" in drop)
        ):
            out.append(m)
    return union(*out) if out else NEVER


def _kind_shape(kind: str) -> Shape:
    if kind == "object":
        return ANY_OBJECT
    if kind == "array":
        return ANY_ARRAY
    return Scalar(kind)  # type: ignore[arg-type]


# --- JSON Schema -----------------------------------------------------------------------

_TYPE_NAMES: Final = frozenset({"string", "number", "integer", "boolean", "null"})


def from_json_schema(
    schema: Mapping[str, Any], *, all_required: bool = False, closed: bool = False
) -> Shape:
    """Turn a JSON Schema (as Pydantic writes it) into a shape.

    Args:
        schema: the schema; ``$ref`` into its ``$defs`` (or ``definitions``) is resolved.
        all_required: read the schema as a Pydantic *output*: every declared property is
            present and objects without ``additionalProperties`` are closed, because
            ``model_dump`` writes exactly the declared fields, defaults included.
        closed: treat objects without ``additionalProperties`` as closed (how the
            execution input model is read: a field it does not declare is not expected).

    Keywords the algebra cannot express (patterns, bounds, enums) are dropped, which only
    widens the shape.
    """
    defs: dict[str, Any] = {}
    for key in ("$defs", "definitions"):
        found = schema.get(key)
        if isinstance(found, Mapping):
            defs.update(found)
    return _schema(schema, defs, all_required or closed, frozenset(), required_all=all_required)


def _schema(
    node: Any,
    defs: Mapping[str, Any],
    close: bool,
    seen: frozenset[str],
    *,
    required_all: bool = False,
) -> Shape:
    if node is True or not isinstance(node, Mapping):
        return ANY if node is not False else NEVER
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen or name not in defs:
            return ANY  # recursive models: one level of knowledge is enough
        return _schema(defs[name], defs, close, seen | {name}, required_all=required_all)
    for key in ("anyOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list) and options:
            return union(
                *(_schema(o, defs, close, seen, required_all=required_all) for o in options)
            )
    all_of = node.get("allOf")
    if isinstance(all_of, list) and len(all_of) == 1:
        return _schema(all_of[0], defs, close, seen, required_all=required_all)
    if "const" in node:
        return shape_of(node["const"])
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return union(*(shape_of(v) for v in enum))
    kind = node.get("type")
    if isinstance(kind, list):
        return union(
            *(
                _schema({**node, "type": k}, defs, close, seen, required_all=required_all)
                for k in kind
            )
        )
    if kind == "object" or (kind is None and "properties" in node):
        props = node.get("properties") or {}
        required = set(node.get("required") or ())
        extra = node.get("additionalProperties")
        # model_dump writes declared fields only, unless the model allows extras.
        closed = extra is False or (close and extra is None)
        return Obj(
            tuple(
                Prop(
                    str(name),
                    _schema(sub, defs, close, seen, required_all=required_all),
                    required_all or name in required,
                )
                for name, sub in props.items()
            ),
            closed=closed,
        )
    if kind == "array":
        prefix = tuple(
            _schema(s, defs, close, seen, required_all=required_all)
            for s in node.get("prefixItems") or ()
        )
        items_node = node.get("items", True)
        items = (
            None
            if items_node is False
            else _schema(items_node, defs, close, seen, required_all=required_all)
        )
        min_items = node.get("minItems", 0)
        return Arr(prefix, items, min_items if isinstance(min_items, int) else 0)
    if kind in _TYPE_NAMES:
        return Scalar(kind)
    return ANY


def model_shape(model: type[Any], *, output: bool, closed: bool = False) -> Shape:
    """The shape of a Pydantic model's JSON: its input (validation) or output side.

    Output shapes come from the serialization schema with every field present and no
    others (what ``model_dump`` writes); input shapes from the validation schema (optional
    fields may be left out; undeclared ones are accepted unless ``extra="forbid"``, or
    ``closed`` asks to expect none).
    """
    schema = model.model_json_schema(mode="serialization" if output else "validation")
    return from_json_schema(schema, all_required=output, closed=closed)


__all__ = [
    "ANY",
    "ANY_ARRAY",
    "ANY_OBJECT",
    "BOOLEAN",
    "INTEGER",
    "NEVER",
    "NULL",
    "NUMBER",
    "STRING",
    "AnyShape",
    "Arr",
    "Obj",
    "Prop",
    "Scalar",
    "ScalarKind",
    "Shape",
    "Union",
    "admits_kind",
    "element_union",
    "from_json_schema",
    "is_never",
    "list_of",
    "members",
    "model_shape",
    "obj",
    "only_kinds",
    "shape_of",
    "shape_stats",
    "tuple_of",
    "union",
    "without_kinds",
]
