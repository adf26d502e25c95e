"""JSONata output: a compiled JSONPath definition rewritten state by state.

``Workflow(..., query_language="JSONata")`` compiles the workflow as usual, then rewrites
each state the DSL emitted into its JSONata form, keeping the data that flows between
states identical, so both modes give the same outputs and the same state sequences:

==========================================  ===================================================
JSONPath (as the DSL emits it)              JSONata
==========================================  ===================================================
``Parameters`` / ``ItemSelector``           ``Arguments`` / ``ItemSelector`` with ``{% %}``
``"x.$": "$.a.b"``                          ``"x": "{% $states.input.a.b %}"``
``$$.Task.Token``, ``$$.Map.Item.Value``    ``$states.context.Task.Token``, ``…Map.Item.Value``
``States.JsonToString`` / ``StringToJson``  ``$string`` / ``$parse``
``ResultSelector`` + ``ResultPath`` (+      one ``Output``: ``$merge([$states.input,
``OutputPath``)                             {"key": <selected result>}])``, then the path
``ItemsPath``                               ``Items``
``SecondsPath`` / ``TimestampPath``         ``Seconds`` / ``Timestamp``
``ErrorPath`` / ``CausePath``               ``Error`` / ``Cause``
Choice rules                                ``Condition`` (type-checked like JSONPath rules)
Catch ``ResultPath``                        Catch ``Output`` merging ``$states.errorOutput``
==========================================  ===================================================

Each result is also assigned to a variable named after its key (``Assign``), and later
states of the same scope read it from there (``$get_user.email``); references into an outer
scope or the input stay ``$states.input`` paths. Raw states are the user's own and are left
exactly as written (in a JSONata workflow write them in JSONata).
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from typing import Any

from orderflow._errors import WorkflowBuildError

_VARIABLE_PATH = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['((?:[^'\\]|\\.)*)'\]|\[(\d+)\]")
_INTRINSIC = re.compile(r"States\.(JsonToString|StringToJson)\((.*)\)\Z")
# JSONata's and AWS's functions: a variable of the same name would hide the function.
_FUNCTIONS = frozenset(
    {
        "string",
        "length",
        "substring",
        "substringBefore",
        "substringAfter",
        "uppercase",
        "lowercase",
        "trim",
        "pad",
        "contains",
        "split",
        "join",
        "match",
        "replace",
        "eval",
        "base64encode",
        "base64decode",
        "encodeUrlComponent",
        "encodeUrl",
        "decodeUrlComponent",
        "decodeUrl",
        "formatNumber",
        "formatBase",
        "formatInteger",
        "parseInteger",
        "number",
        "abs",
        "floor",
        "ceil",
        "round",
        "power",
        "sqrt",
        "random",
        "sum",
        "max",
        "min",
        "average",
        "boolean",
        "not",
        "exists",
        "count",
        "append",
        "sort",
        "reverse",
        "shuffle",
        "distinct",
        "zip",
        "keys",
        "lookup",
        "spread",
        "merge",
        "sift",
        "each",
        "error",
        "assert",
        "type",
        "map",
        "filter",
        "single",
        "reduce",
        "now",
        "millis",
        "fromMillis",
        "toMillis",
        "partition",
        "range",
        "hash",
        "uuid",
        "parse",
        "states",
    }
)
# The result keys of the machine being rewritten that are also variables (see _machine).
_VARIABLES: ContextVar[frozenset[str]] = ContextVar("_VARIABLES", default=frozenset())
_TYPES = {"String": "string", "Numeric": "number", "Boolean": "boolean", "Timestamp": "string"}
_OPS = {
    "Equals": "=",
    "GreaterThan": ">",
    "GreaterThanEquals": ">=",
    "LessThan": "<",
    "LessThanEquals": "<=",
}


def path(text: str, base: str, state: str) -> str:
    """A JSONPath reference path (``$.a['b c'][0]``, ``$$.Map.Item.Value``) in JSONata."""
    variable = _VARIABLE_PATH.match(text)
    if text.startswith("$$"):
        base, rest = "$states.context", text[2:]
    elif variable is not None:
        # A variable (``$name.field``), written the same way in JSONata.
        base, rest = f"${variable.group(1)}", text[variable.end() :]
    elif text.startswith("$"):
        rest = text[1:]
    else:
        raise WorkflowBuildError(f"cannot express {text!r} in JSONata", state=state)
    out = base
    position = 0
    first = _TOKEN.match(rest)
    if base == "$states.input" and first is not None and first.group(1) in _VARIABLES.get():
        # An earlier state of this machine assigned the value to a variable of its key.
        out, position = f"${first.group(1)}", first.end()
    while position < len(rest):
        match = _TOKEN.match(rest, position)
        if match is None:
            raise WorkflowBuildError(f"cannot express the path {text!r} in JSONata", state=state)
        name, quoted, index = match.groups()
        if name is not None:
            out += f".{name}"
        elif quoted is not None:
            out += ".`" + quoted.replace("\\'", "'").replace("`", "\\`") + "`"
        else:
            out += f"[{index}]"
        position = match.end()
    return out


def value(text: str, base: str, state: str) -> str:
    """A ``.$`` value (a path or one of the intrinsics the DSL writes) in JSONata."""
    match = _INTRINSIC.match(text)
    if match is None:
        return path(text, base, state)
    inner = value(match.group(2), base, state)
    return f"$string({inner})" if match.group(1) == "JsonToString" else f"$parse({inner})"


def expression(template: Any, base: str, state: str) -> str:
    """A JSONPath payload template as one JSONata expression (object constructor)."""
    if isinstance(template, dict):
        parts = []
        for key, item in template.items():
            if key.endswith(".$"):
                parts.append(f"{json.dumps(key[:-2])}: {value(str(item), base, state)}")
            else:
                parts.append(f"{json.dumps(key)}: {expression(item, base, state)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(template, list):
        return "[" + ", ".join(expression(item, base, state) for item in template) + "]"
    return json.dumps(template)


def arguments(template: Any, base: str, state: str) -> Any:
    """A JSONPath payload template as a JSONata JSON template (``{% %}`` values)."""
    if isinstance(template, dict):
        out: dict[str, Any] = {}
        for key, item in template.items():
            if key.endswith(".$"):
                out[key[:-2]] = "{% " + value(str(item), base, state) + " %}"
            else:
                out[key] = arguments(item, base, state)
        return out
    if isinstance(template, list):
        return [arguments(item, base, state) for item in template]
    return template


def _output(
    result: str | None, result_path: Any, output_path: Any, state: str, *, has_result: bool
) -> str | None:
    """The Output expression: merge the result as ResultPath says, then apply OutputPath."""
    merged = "$states.input"
    if has_result and result_path is not None:
        if result_path == "$":
            merged = result or "$states.result"
        else:
            match = re.fullmatch(r"\$\.([A-Za-z_][A-Za-z0-9_]*)", str(result_path))
            if match is None:
                raise WorkflowBuildError(
                    f"ResultPath {result_path!r} has no JSONata form here", state=state
                )
            merged = (
                f"$merge([$states.input, {{{json.dumps(match.group(1))}: "
                f"{result or '$states.result'}}}])"
            )
    if output_path not in (None, "$"):
        merged = f"( $m := {merged}; {path(str(output_path), '$m', state)} )"
    if merged == "$states.input" and not (has_result and result_path is None):
        return None  # a state without a result passes its input on by itself
    # ``ResultPath: null`` keeps the input, but a JSONata state's default output is its
    # result: say so explicitly (a saga's compensations rely on it to keep the error).
    return "{% " + merged + " %}"


def condition(rule: dict[str, Any], state: str) -> str:
    """A Choice rule (the forms the DSL writes) as a JSONata boolean expression."""
    if "And" in rule or "Or" in rule:
        word = "and" if "And" in rule else "or"
        return (
            "(" + f" {word} ".join(condition(r, state) for r in rule.get("And") or rule["Or"]) + ")"
        )
    if "Not" in rule:
        return f"$not({condition(rule['Not'], state)})"
    subject = path(str(rule["Variable"]), "$states.input", state)
    for key, operand in rule.items():
        if key in ("Variable", "Next"):
            continue
        if key == "IsPresent":
            return f"{'' if operand else '$not'}($exists({subject}))"
        if key == "IsNull":
            test = f"($exists({subject}) and {subject} = null)"
            return test if operand else f"$not{test}"
        if key == "StringMatches":
            pattern = re.escape(str(operand)).replace(r"\*", ".*")
            return f'($type({subject}) = "string" and $contains({subject}, /^{pattern}$/))'
        is_path = key.endswith("Path")
        core = key.removesuffix("Path")
        for kind, json_type in _TYPES.items():
            if core.startswith(kind) and core[len(kind) :] in _OPS:
                op = _OPS[core[len(kind) :]]
                other = (
                    path(str(operand), "$states.input", state) if is_path else json.dumps(operand)
                )
                left, right = subject, other
                if kind == "Timestamp":
                    left, right = f"$toMillis({subject})", f"$toMillis({other})"
                guard = f'$type({subject}) = "{json_type}"'
                if is_path:
                    guard += f' and $type({other}) = "{json_type}"'
                return f"({guard} and {left} {op} {right})"
    raise WorkflowBuildError(f"a Choice rule {rule!r} has no JSONata form here", state=state)


def to_jsonata(data: dict[str, Any], raw: set[str]) -> dict[str, Any]:
    """The JSONata form of a compiled definition (top-level ``QueryLanguage`` set)."""
    out = _machine(data, raw)
    return {"QueryLanguage": "JSONata", **out}


def _machine(machine: dict[str, Any], raw: set[str]) -> dict[str, Any]:
    # Each result is also assigned to a variable named after its key, and later states of
    # the same machine read it from there; nested machines (branches, Map bodies) start
    # with their own set, as variables of a scope are not assigned from inside another.
    keys: set[str] = set()
    for name, state in machine["States"].items():
        if name in raw:
            continue
        for result_path in [
            state.get("ResultPath"),
            *(c.get("ResultPath") for c in state.get("Catch", [])),
        ]:
            key = _key(result_path)
            if key is not None and key not in _FUNCTIONS:
                keys.add(key)
    token = _VARIABLES.set(frozenset(keys))
    try:
        out = dict(machine)
        out["States"] = {
            name: (dict(state) if name in raw else _state(name, state, raw))
            for name, state in machine["States"].items()
        }
    finally:
        _VARIABLES.reset(token)
    return out


def _key(result_path: Any) -> str | None:
    match = re.fullmatch(r"\$\.([A-Za-z_][A-Za-z0-9_]*)", str(result_path))
    return match.group(1) if match and result_path is not None else None


def _assign(key: str | None, value: str) -> dict[str, str] | None:
    if key is None or key not in _VARIABLES.get():
        return None
    return {key: "{% " + value + " %}"}


def _catchers(catch: list[dict[str, Any]], state: str) -> list[dict[str, Any]]:
    converted = []
    for catcher in catch:
        new = {k: v for k, v in catcher.items() if k != "ResultPath"}
        result_path = catcher.get("ResultPath", "$")
        output = _output("$states.errorOutput", result_path, None, state, has_result=True)
        if output is not None:
            new["Output"] = output
        assign = _assign(_key(result_path), "$states.errorOutput")
        if assign is not None:
            new["Assign"] = assign
        converted.append(new)
    return converted


def _state(name: str, state: dict[str, Any], raw: set[str]) -> dict[str, Any]:
    kind = state["Type"]
    out = {
        k: v
        for k, v in state.items()
        if k
        not in (
            "Parameters",
            "ResultSelector",
            "ResultPath",
            "OutputPath",
            "ItemsPath",
            "ItemSelector",
            "SecondsPath",
            "TimestampPath",
            "ErrorPath",
            "CausePath",
            "Catch",
            "Choices",
            "Branches",
            "ItemProcessor",
            "ItemReader",
            "ItemBatcher",
        )
    }
    if "InputPath" in state:
        raise WorkflowBuildError("InputPath has no JSONata form here", state=name)
    result: str | None = None
    has_result = kind in ("Task", "Pass", "Parallel", "Map")
    if "ResultSelector" in state:
        result = expression(state["ResultSelector"], "$states.result", name)
    if kind == "Task" and "Parameters" in state:
        out["Arguments"] = arguments(state["Parameters"], "$states.input", name)
    if kind == "Pass":
        if "Parameters" in state:
            result = expression(state["Parameters"], "$states.input", name)
        elif "Result" in state:
            out.pop("Result")
            result = json.dumps(state["Result"])
        else:
            result = "$states.input"
    if kind == "Parallel":
        out["Branches"] = [_machine(branch, raw) for branch in state["Branches"]]
    if kind == "Map":
        if "ItemsPath" in state:
            out["Items"] = "{% " + path(str(state["ItemsPath"]), "$states.input", name) + " %}"
        if "ItemSelector" in state:
            out["ItemSelector"] = arguments(state["ItemSelector"], "$states.input", name)
        if "ItemReader" in state:
            reader = {k: v for k, v in state["ItemReader"].items() if k != "Parameters"}
            reader["Arguments"] = arguments(
                state["ItemReader"].get("Parameters", {}), "$states.input", name
            )
            out["ItemReader"] = reader
        if "ItemBatcher" in state:
            batcher = dict(state["ItemBatcher"])
            if "BatchInput" in batcher:
                batcher["BatchInput"] = arguments(batcher["BatchInput"], "$states.input", name)
            out["ItemBatcher"] = batcher
        if "ResultWriter" in state:
            writer = {k: v for k, v in state["ResultWriter"].items() if k != "Parameters"}
            writer["Arguments"] = state["ResultWriter"].get("Parameters", {})
            out["ResultWriter"] = writer
        out["ItemProcessor"] = _machine(state["ItemProcessor"], raw)
    if kind == "Choice":
        out["Choices"] = [
            {"Condition": "{% " + condition(rule, name) + " %}", "Next": rule["Next"]}
            for rule in state["Choices"]
        ]
    if kind == "Wait":
        for field in ("Seconds", "Timestamp"):
            if f"{field}Path" in state:
                out[field] = "{% " + path(str(state[f"{field}Path"]), "$states.input", name) + " %}"
    if kind == "Fail":
        for field in ("Error", "Cause"):
            if f"{field}Path" in state:
                out[field] = "{% " + path(str(state[f"{field}Path"]), "$states.input", name) + " %}"
    if "Catch" in state:
        out["Catch"] = _catchers(state["Catch"], name)
    if kind not in ("Choice", "Fail"):
        output = _output(
            result,
            state.get("ResultPath", "$"),
            state.get("OutputPath"),
            name,
            has_result=has_result,
        )
        if output is not None:
            out["Output"] = output
        if has_result:
            assign = _assign(_key(state.get("ResultPath", "$")), result or "$states.result")
            if assign is not None:
                out["Assign"] = assign
    return _ordered(out)


def _ordered(out: dict[str, Any]) -> dict[str, Any]:
    """Keep ``Type`` first and ``Next``/``End`` last, as the JSONPath form has them."""
    head: dict[str, Any] = {k: out[k] for k in ("Comment", "Type") if k in out}
    tail: dict[str, Any] = {k: out[k] for k in ("Next", "End") if k in out}
    body = {k: v for k, v in out.items() if k not in head and k not in tail}
    return {**head, **body, **tail}


__all__ = ["arguments", "condition", "expression", "path", "to_jsonata", "value"]
