"""Shapes of expressions: reference paths, ``.$`` templates, intrinsics, JSONata paths.

Each function takes the shapes an expression can read (a :class:`Scope`), reports reads
that cannot (error) or may not (warning) succeed, and returns the shape of the value the
expression produces. Parsing is the expression layer's (:mod:`orderflow.asl`); this module
only interprets the parsed form over shapes.

JSONata is followed as far as plain field paths go (``$states.input.order.id``,
``$states.result.Payload``, ``$name.field``): a path that cannot exist is an error, as AWS
fails the state with ``States.QueryEvaluationError`` when an expression yields nothing.
Any other JSONata expression yields an unknown value and an ``unchecked`` warning.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from orderflow.asl.expressions import (
    CompiledPath,
    ExpressionSyntaxError,
    IntrinsicCall,
    Literal,
    PathArg,
    StatesError,
    compile_jsonata,
    compile_path,
    parse_intrinsic,
)
from orderflow.checker._diagnostics import Reporter, pointer_join
from orderflow.checker._jsonata_reads import reads_of
from orderflow.checker._paths import describe_reasons, follow
from orderflow.checker._shape import (
    ANY,
    ANY_OBJECT,
    BOOLEAN,
    INTEGER,
    NEVER,
    NULL,
    NUMBER,
    STRING,
    AnyShape,
    Arr,
    Obj,
    Prop,
    Scalar,
    Shape,
    admits_kind,
    element_union,
    list_of,
    members,
    obj,
    shape_of,
    tuple_of,
    union,
)

# --- variables -------------------------------------------------------------------------

Vars = tuple[tuple[str, Shape, bool], ...]
"""Variables in scope: ``(name, shape, definitely assigned)``, sorted by name."""

NO_VARS: Final[Vars] = ()


def vars_assign(current: Vars, assigned: Mapping[str, Shape]) -> Vars:
    """Variables after an ``Assign``: new values replace old ones, all definite."""
    out = {name: (shape, definite) for name, shape, definite in current}
    for name, shape in assigned.items():
        out[name] = (shape, True)
    return tuple(sorted((n, s, d) for n, (s, d) in out.items()))


def vars_merge(a: Vars, b: Vars) -> Vars:
    """Variables where two paths meet: shapes unite, definite only if definite on both."""
    left = {n: (s, d) for n, s, d in a}
    right = {n: (s, d) for n, s, d in b}
    out: list[tuple[str, Shape, bool]] = []
    for name in sorted(left.keys() | right.keys()):
        ls, rs = left.get(name), right.get(name)
        if ls and rs:
            out.append((name, union(ls[0], rs[0]), ls[1] and rs[1]))
        else:
            only = ls or rs
            assert only is not None
            out.append((name, only[0], False))
    return tuple(out)


def vars_get(current: Vars, name: str) -> tuple[Shape, bool] | None:
    """A variable's ``(shape, definitely assigned)``, or None when never assigned."""
    for n, s, d in current:
        if n == name:
            return s, d
    return None


# --- the context object ----------------------------------------------------------------


def context_shape(
    execution_input: Shape,
    *,
    state_type: str = "",
    task_token: bool = False,
    map_item: Shape | None = None,
    map_item_known: bool = True,
) -> Shape:
    """The context object ``$$`` / ``$states.context`` as one state sees it.

    Its shape is fixed by AWS (documented, and seen in recorded runs), so it is closed:
    a read of a field it cannot have fails the state (``States.Runtime``, or
    ``States.QueryEvaluationError`` in JSONata) and is an error here.

    * ``Execution`` — ``Id``, ``Input``, ``Name``, ``RoleArn``, ``StartTime``; and
      ``RedriveCount`` (absent in Express executions) and ``RedriveTime`` (only after a
      redrive), hence optional.
    * ``State`` — ``EnteredTime``, ``Name``; ``RetryCount`` in Task states (optional in
      Parallel and Map, which may retry too; absent elsewhere, as recorded Pass runs show).
    * ``StateMachine`` — ``Id``, ``Name``.
    * ``Task`` — ``{Token}``, only in a ``.waitForTaskToken`` Task.
    * ``Map`` — ``{Item: {Index, Value}}``, only while a Map state builds an iteration's
      input (``ItemSelector``/``Parameters``); a Map with an ``ItemReader`` or
      ``ItemBatcher`` may add ``Key``/``Source`` and batch its values, so its item is
      left open. The iteration's own states have no ``Map``: AWS documents it for the
      Map state's ``ItemSelector``/``Parameters`` only, and the executor fails such a
      read like any missing context path, so a read there is an error.

    Args:
        execution_input: the shape of ``$$.Execution.Input``.
        state_type: the reading state's ``Type`` (``""`` when unknown).
        task_token: the state is a Task whose resource ends in ``.waitForTaskToken``.
        map_item: the item's shape while building an iteration's input, else None.
        map_item_known: False for Maps whose item may carry more (ItemReader, ItemBatcher).
    """
    execution = Obj(
        (
            Prop("Id", STRING),
            Prop("Input", execution_input),
            Prop("Name", STRING),
            Prop("RoleArn", union(STRING, NULL)),
            Prop("StartTime", STRING),
            Prop("RedriveCount", INTEGER, required=False),
            Prop("RedriveTime", STRING, required=False),
        ),
        closed=True,
    )
    state = [Prop("EnteredTime", STRING), Prop("Name", STRING)]
    if state_type == "Task":
        state.append(Prop("RetryCount", INTEGER))
    elif state_type in ("Parallel", "Map", ""):
        state.append(Prop("RetryCount", INTEGER, required=False))
    props = [
        Prop("Execution", execution),
        Prop("State", Obj(tuple(state), closed=True)),
        Prop("StateMachine", obj({"Id": STRING, "Name": STRING})),
    ]
    if task_token:
        props.append(Prop("Task", obj({"Token": STRING})))
    if map_item is not None:
        item = (
            obj({"Index": INTEGER, "Value": map_item})
            if map_item_known
            else obj({"Index": INTEGER, "Value": ANY}, closed=False)
        )
        props.append(Prop("Map", obj({"Item": item})))
    return Obj(tuple(props), closed=True)


# --- scope and site ---------------------------------------------------------------------


@dataclass(slots=True)
class Scope:
    """What an expression may read.

    Attributes:
        data: the value ``$`` stands for (JSONPath).
        context: the context object ``$$`` / ``$states.context``.
        variables: the variables in scope.
        states: JSONata's ``$states`` members (``input``, ``result``, ``errorOutput``).
        what: what ``$`` stands for, in messages (``state input``, ``task result``…).
    """

    data: Shape
    context: Shape
    variables: Vars
    states: dict[str, Shape] = field(default_factory=dict)
    what: str = "state input"


@dataclass(slots=True)
class Site:
    """Where findings go: the reporter, the state, and the JSON pointer of the state."""

    reporter: Reporter
    state: str
    pointer: str

    def report(self, code: str, field_name: str, message: str) -> None:
        tokens = [t for t in re.split(r"/", field_name) if t]
        self.reporter.report(
            code,
            pointer_join(self.pointer, *tokens),
            f"state {self.state!r}, {field_name}: {message}",
            state=self.state,
            field=field_name,
        )


# --- JSONPath --------------------------------------------------------------------------


def read_path(path: CompiledPath | str, scope: Scope, site: Site, field_name: str) -> Shape:
    """The shape a JSONPath selects; reports a path that cannot (or may not) exist."""
    if isinstance(path, str):
        try:
            path = compile_path(path)
        except ExpressionSyntaxError as exc:
            site.report("unchecked", field_name, f"cannot parse the path: {exc.reason}")
            return ANY
    if path.is_variable:
        name = path.variable or ""
        found = vars_get(scope.variables, name)
        if found is None:
            site.report(
                "path-cannot-exist",
                field_name,
                f"reads {path.text!r} but no state before it assigns the variable ${name}",
            )
            return NEVER
        root_shape, definite = found
        if not definite:
            site.report(
                "unassigned-variable",
                field_name,
                f"reads {path.text!r} but ${name} is assigned on some paths to this state only",
            )
        return _follow_reporting(root_shape, path, f"${name}", site, field_name, "variable")
    if path.is_context:
        return _follow_reporting(scope.context, path, "$$", site, field_name, "context object")
    return _follow_reporting(scope.data, path, "$", site, field_name, scope.what)


def context_hint(fields: list[str]) -> str:
    """Why a context-object field is missing, for the parts that exist only in some states."""
    if fields[:1] == ["Map"]:
        return (
            " ($$.Map exists only while a Map state builds an iteration's input, in its "
            "ItemSelector or Parameters)"
        )
    if fields[:1] == ["Task"]:
        return " ($$.Task.Token exists only in a Task whose Resource ends in .waitForTaskToken)"
    if fields[:2] == ["State", "RetryCount"]:
        return " ($$.State.RetryCount exists in Task states, and may in Parallel and Map)"
    return ""


def _follow_reporting(
    root: Shape, path: CompiledPath, root_text: str, site: Site, field_name: str, what: str
) -> Shape:
    reach = follow(root, path, root=root_text)
    hint = ""
    if root_text == "$$":
        hint = context_hint([str(step[1]) for step in path.steps if step[0] == "field"])
    if reach.status == "never":
        site.report(
            "path-cannot-exist",
            field_name,
            f"reads {path.text!r}, which cannot exist in the {what}: "
            f"{describe_reasons(reach)}{hint}",
        )
    elif reach.status == "maybe":
        site.report(
            "path-may-be-missing",
            field_name,
            f"reads {path.text!r}, which exists only for some data: {describe_reasons(reach)}",
        )
    return reach.shape


def payload_shape(template: Any, scope: Scope, site: Site, field_name: str) -> Shape:
    """The shape a whole payload template (``Parameters``, ``ResultSelector``…) builds.

    AWS refuses to apply any input path to a null input, even ``$``
    ("Unable to apply Path transformation to null or empty input"), so a template that
    reads ``$`` fails outright when the data is null.
    """
    if _reads_input(template):
        kinds = members(scope.data)
        nulls = [m for m in kinds if isinstance(m, Scalar) and m.kind == "null"]
        if kinds and len(nulls) == len(kinds):
            site.report(
                "path-cannot-exist",
                field_name,
                f"reads the {scope.what}, which is null: AWS applies no path to a null input",
            )
        elif nulls:
            site.report(
                "path-may-be-missing",
                field_name,
                f"reads the {scope.what}, which may be null: AWS applies no path to a null input",
            )
    return template_shape(template, scope, site, field_name)


def _reads_input(template: Any) -> bool:
    if isinstance(template, dict):
        for key, value in template.items():
            if isinstance(key, str) and key.endswith(".$") and isinstance(value, str):
                if _expression_reads_input(value.strip()):
                    return True
            elif _reads_input(value):
                return True
        return False
    if isinstance(template, list):
        return any(_reads_input(v) for v in template)
    return False


def _expression_reads_input(text: str) -> bool:
    try:
        if text.startswith("$"):
            return compile_path(text).root == "input"
        return any(path.root == "input" for path in parse_intrinsic(text).paths())
    except ExpressionSyntaxError:
        return False


def template_shape(template: Any, scope: Scope, site: Site, field_name: str) -> Shape:
    """The shape a payload template (or a part of one) builds."""
    if isinstance(template, dict):
        props: list[Prop] = []
        for key, value in template.items():
            where = f"{field_name}/{key}"
            if isinstance(key, str) and key.endswith(".$"):
                props.append(Prop(key[:-2], dynamic_value(value, scope, site, where)))
            else:
                props.append(Prop(str(key), template_shape(value, scope, site, where)))
        return Obj(tuple(props), closed=True)
    if isinstance(template, list):
        return tuple_of(
            template_shape(v, scope, site, f"{field_name}/{i}") for i, v in enumerate(template)
        )
    return shape_of(template)


def dynamic_value(text: Any, scope: Scope, site: Site, field_name: str) -> Shape:
    """The value of a ``.$`` key: a JSONPath or an intrinsic call."""
    if not isinstance(text, str):
        site.report("unchecked", field_name, "the value of a '.$' key must be a string")
        return ANY
    stripped = text.strip()
    if stripped.startswith("$"):
        return read_path(stripped, scope, site, field_name)
    try:
        call = parse_intrinsic(stripped)
    except ExpressionSyntaxError as exc:
        site.report("unchecked", field_name, f"cannot parse {text!r}: {exc.reason}")
        return ANY
    return intrinsic_shape(call, scope, site, field_name)


# --- intrinsic functions ---------------------------------------------------------------

# The JSON kinds each argument must have (None: any). AWS fails the call with
# States.IntrinsicFailure otherwise.
_ARG_KINDS: Final[dict[str, tuple[tuple[str, ...] | None, ...]]] = {
    "States.Format": (("string",),),
    "States.StringToJson": (("string",),),
    "States.ArrayPartition": (("array",), ("number",)),
    "States.ArrayContains": (("array",), None),
    "States.ArrayRange": (("number",), ("number",), ("number",)),
    "States.ArrayGetItem": (("array",), ("number",)),
    "States.ArrayLength": (("array",),),
    "States.ArrayUnique": (("array",),),
    "States.Base64Encode": (("string",),),
    "States.Base64Decode": (("string",),),
    "States.Hash": (None, ("string",)),
    "States.JsonMerge": (("object",), ("object",), ("boolean",)),
    "States.MathRandom": (("number",), ("number",), ("number",)),
    "States.MathAdd": (("number",), ("number",)),
    "States.StringSplit": (("string",), ("string",)),
}


def intrinsic_shape(call: IntrinsicCall, scope: Scope, site: Site, field_name: str) -> Shape:
    """The result shape of an intrinsic call; reports bad path reads and argument types."""
    args: list[Shape] = []
    for arg in call.args:
        if isinstance(arg, Literal):
            args.append(shape_of(arg.value))
        elif isinstance(arg, PathArg):
            args.append(read_path(arg.path, scope, site, field_name))
        else:
            args.append(intrinsic_shape(arg, scope, site, field_name))
    kinds = _ARG_KINDS.get(call.name, ())
    for i, (arg_shape, wanted) in enumerate(zip(args, kinds, strict=False)):
        if wanted is None or _is_never(arg_shape):
            continue
        ok = [m for m in members(arg_shape) if any(admits_kind(m, k) for k in wanted)]
        if not ok:
            site.report(
                "type-mismatch",
                field_name,
                f"{call.name} argument {i + 1} must be {' or '.join(wanted)}, "
                f"but it is {arg_shape.describe()}",
            )
        elif len(ok) < len(members(arg_shape)):
            site.report(
                "type-may-mismatch",
                field_name,
                f"{call.name} argument {i + 1} must be {' or '.join(wanted)}, "
                f"but it may be {arg_shape.describe()}",
            )
    return _intrinsic_result(call.name, args)


def _is_never(shape: Shape) -> bool:
    return not members(shape)


def _intrinsic_result(name: str, args: list[Shape]) -> Shape:
    if name in (
        "States.Format",
        "States.JsonToString",
        "States.Base64Encode",
        "States.Base64Decode",
        "States.Hash",
        "States.UUID",
    ):
        return STRING
    if name in ("States.MathRandom", "States.MathAdd", "States.ArrayLength"):
        return INTEGER
    if name == "States.ArrayContains":
        return BOOLEAN
    if name == "States.ArrayRange":
        return list_of(INTEGER)
    if name == "States.StringSplit":
        return list_of(STRING)
    if name == "States.Array":
        return tuple_of(args)
    arrays = [m for m in members(args[0]) if isinstance(m, Arr)] if args else []
    if name == "States.ArrayPartition":
        items = union(*(element_union(a) for a in arrays)) if arrays else ANY
        return list_of(list_of(items))
    if name == "States.ArrayGetItem":
        return union(*(element_union(a) for a in arrays)) if arrays else ANY
    if name == "States.ArrayUnique":
        return list_of(union(*(element_union(a) for a in arrays))) if arrays else list_of(ANY)
    if name == "States.JsonMerge" and len(args) >= 2:
        return _shallow_merge(args[0], args[1])
    return ANY


def _shallow_merge(left: Shape, right: Shape) -> Shape:
    lefts = [m for m in members(left) if isinstance(m, Obj)]
    rights = [m for m in members(right) if isinstance(m, Obj)]
    if len(lefts) != 1 or len(rights) != 1:
        return ANY_OBJECT
    a, b = lefts[0], rights[0]
    props = {p.name: p for p in a.props}
    for p in b.props:
        props[p.name] = p
    return Obj(tuple(props.values()), closed=a.closed and b.closed)


# --- JSONata ---------------------------------------------------------------------------

_JSONATA: Final = re.compile(r"\A\{%(.*)%\}\Z", re.DOTALL)
_NAME: Final = r"(?:[A-Za-z_][A-Za-z0-9_]*|`[^`]+`)"
_PLAIN_PATH: Final = re.compile(
    rf"\A\s*\$(?P<root>states\.(?:input|result|errorOutput|context)|[A-Za-z_][A-Za-z0-9_]*)"
    rf"(?P<rest>(?:\s*\.\s*{_NAME})*)\s*\Z"
)
_STEP: Final = re.compile(rf"\.\s*({_NAME})")
_LITERAL: Final = re.compile(
    r"\A\s*(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|'[^']*'|\"[^\"]*\")\s*\Z"
)


def is_jsonata(value: Any) -> bool:
    """Whether ``value`` is a JSONata expression string (``{% ... %}``)."""
    return isinstance(value, str) and _JSONATA.match(value.strip()) is not None


def jsonata_value(value: Any, scope: Scope, site: Site, field_name: str) -> Shape:
    """The shape of a JSONata-state field value (``Arguments``, ``Output``, ``Assign``…).

    Strings wrapped in ``{% %}`` are expressions; objects and arrays are templates whose
    leaves may be expressions; everything else is a literal.
    """
    if isinstance(value, dict):
        return Obj(
            tuple(
                Prop(str(k), jsonata_value(v, scope, site, f"{field_name}/{k}"))
                for k, v in value.items()
            ),
            closed=True,
        )
    if isinstance(value, list):
        return tuple_of(
            jsonata_value(v, scope, site, f"{field_name}/{i}") for i, v in enumerate(value)
        )
    if isinstance(value, str):
        m = _JSONATA.match(value.strip())
        if m:
            return jsonata_expression(m.group(1), scope, site, field_name)
    return shape_of(value)


def jsonata_expression(text: str, scope: Scope, site: Site, field_name: str) -> Shape:
    """The shape of one JSONata expression (the text between ``{%`` and ``%}``)."""
    if _LITERAL.match(text):
        literal = text.strip()
        if literal[0] in "'\"":
            return STRING
        if literal in ("true", "false"):
            return BOOLEAN
        if literal == "null":
            return NULL
        return shape_of(float(literal))
    if "$" not in text:
        # No reference to anything: a constant (array or object literal, arithmetic).
        try:
            return shape_of(compile_jsonata(text.strip()).evaluate({}))
        except (ExpressionSyntaxError, StatesError):
            pass  # reported below as unchecked; the validator names syntax errors
    m = _PLAIN_PATH.match(text)
    if m is None:
        return _compound(text, scope, site, field_name)
    root = m.group("root")
    names = [n.strip("`") for n in _STEP.findall(m.group("rest"))]
    if root.startswith("states."):
        member = root.split(".", 1)[1]
        if member == "context":
            base: Shape | None = scope.context
        else:
            base = scope.states.get(member)
        shown = f"$states.{member}"
        if base is None:
            site.report(
                "path-cannot-exist",
                field_name,
                f"{text.strip()!r} reads {shown}, which is not available here",
            )
            return NEVER
    else:
        found = vars_get(scope.variables, root)
        shown = f"${root}"
        if found is None:
            if not names and root in _JSONATA_FUNCTIONS:
                return ANY
            site.report(
                "path-cannot-exist",
                field_name,
                f"{text.strip()!r} reads ${root}, but no state before it assigns that variable",
            )
            return NEVER
        base, definite = found
        if not definite:
            site.report(
                "unassigned-variable",
                field_name,
                f"{text.strip()!r} reads ${root}, which is assigned on some paths only",
            )
    return _jsonata_fields(base, names, shown, text.strip(), site, field_name)


class _Collecting(Reporter):
    """A reporter that only remembers which codes it was given (a trial read)."""

    __slots__ = ("codes",)

    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []

    def report(
        self, code: str, pointer: str, message: str, *, state: str | None, field: str | None
    ) -> None:
        self.codes.append(code)


_KINDS: Final[dict[str | None, Shape]] = {"string": STRING, "number": NUMBER, "boolean": BOOLEAN}
_IDENTIFIER: Final = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")


def _compound(text: str, scope: Scope, site: Site, field_name: str) -> Shape:
    """A JSONata expression that is not a plain path: checked when every path it reads is
    one the checker confirms (see ``_jsonata_reads``), else reported as unchecked."""
    reads = reads_of(text.strip())
    if reads is not None and all("`" not in n for _, names in reads.paths for n in names):
        trial = Site(_Collecting(), site.state, site.pointer)
        for variable, names in reads.paths:
            steps = "".join(f".{n}" if _IDENTIFIER.match(n) else f".`{n}`" for n in names)
            jsonata_expression(f"${variable}{steps}", scope, trial, field_name)
        assert isinstance(trial.reporter, _Collecting)
        if not trial.reporter.codes:
            return _KINDS.get(reads.kind, ANY)
    site.report(
        "unchecked",
        field_name,
        f"the JSONata expression {text.strip()!r} is not a plain field path; "
        "its value is not checked",
    )
    return ANY


# Built-in functions named without a call (``$now``) are function values, not variables.
_JSONATA_FUNCTIONS: Final = frozenset(
    {"now", "millis", "random", "uuid", "sum", "count", "string", "number", "keys"}
)


def _jsonata_fields(
    base: Shape, names: list[str], shown: str, text: str, site: Site, field_name: str
) -> Shape:
    current = base
    at = shown
    maybe: list[str] = []
    for name in names:
        found: list[Shape] = []
        never: list[str] = []
        for m in members(current):
            if isinstance(m, AnyShape):
                found.append(ANY)
            elif isinstance(m, Arr):
                # JSONata maps a field step over an array's elements; not followed.
                found.append(ANY)
            elif isinstance(m, Obj):
                prop = m.get(name)
                if prop is None:
                    if m.closed:
                        never.append(f"{at} has no {name!r}: it is {m.describe()}")
                    else:
                        found.append(ANY)
                else:
                    if not prop.required:
                        maybe.append(f"{at}.{name} is optional")
                    found.append(prop.shape)
            elif isinstance(m, Scalar):
                never.append(f"{at} is {m.describe()}, not an object")
        if not found:
            hint = context_hint(names) if shown == "$states.context" else ""
            site.report(
                "path-cannot-exist",
                field_name,
                f"{text!r} yields nothing (States.QueryEvaluationError): "
                + "; ".join(never)
                + hint,
            )
            return NEVER
        if never:
            maybe.extend(never)
        current = union(*found)
        at = f"{at}.{name}"
    if maybe:
        site.report(
            "path-may-be-missing",
            field_name,
            f"{text!r} yields a value only for some data: " + "; ".join(dict.fromkeys(maybe)),
        )
    return current


__all__ = [
    "NO_VARS",
    "Scope",
    "Site",
    "Vars",
    "context_hint",
    "context_shape",
    "dynamic_value",
    "intrinsic_shape",
    "is_jsonata",
    "jsonata_expression",
    "jsonata_value",
    "payload_shape",
    "read_path",
    "template_shape",
    "vars_assign",
    "vars_get",
    "vars_merge",
]
