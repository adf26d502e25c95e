"""Query languages: the QueryLanguage field, and which fields belong to which language.

A machine is JSONPath unless its top level says JSONata; a state may switch itself to
JSONata, but inside a JSONata machine no state may go back to JSONPath (AWS: "'QueryLanguage'
can not be 'JSONPath' if set to 'JSONata' for whole state machine"). JSONPath states shape
data with InputPath/Parameters/ResultSelector/ResultPath/OutputPath; JSONata states with
Arguments/Output (and Items for Map), and AWS rejects the other language's fields.
"""

from __future__ import annotations

import re
from typing import Any

from orderflow.asl.expressions import is_jsonata
from orderflow.validation._diagnostic import Collector, pointer_join
from orderflow.validation._walk import JSONATA, JSONPATH, QUERY_LANGUAGES, StateRef

JSONPATH_ONLY_FIELDS = frozenset(
    {
        "InputPath",
        "OutputPath",
        "Parameters",
        "ResultSelector",
        "ResultPath",
        "Result",
        "ItemsPath",
        "SecondsPath",
        "TimestampPath",
        "TimeoutSecondsPath",
        "HeartbeatSecondsPath",
        "ErrorPath",
        "CausePath",
        "MaxConcurrencyPath",
        "ToleratedFailureCountPath",
        "ToleratedFailurePercentagePath",
    }
)
JSONATA_ONLY_FIELDS = frozenset({"Arguments", "Output", "Items"})
MAX_VARIABLE_NAME = 80
# A letter or underscore, then letters, digits or underscores (Unicode letters included):
# the name must read as one identifier after '$' in both JSONPath and JSONata.
_VARIABLE_NAME = re.compile(r"[^\W\d]\w*\Z")
# $states is JSONata's own variable ($states.input, $states.result…).
_RESERVED_VARIABLES = frozenset({"states"})
_REPLACEMENT = {
    "Parameters": "Arguments",
    "InputPath": "Arguments or Output with $states.input",
    "OutputPath": "Output",
    "ResultSelector": "Output with $states.result",
    "ResultPath": "Output or Assign",
    "Result": "Output",
    "ItemsPath": "Items",
    "Arguments": "Parameters",
    "Output": "OutputPath or ResultSelector",
    "Items": "ItemsPath",
}


def check_machine_language(data: dict[str, Any], out: Collector) -> None:
    if "QueryLanguage" in data and data["QueryLanguage"] not in QUERY_LANGUAGES:
        out.report(
            "invalid-value",
            "/QueryLanguage",
            f"QueryLanguage must be JSONPath or JSONata, not {data['QueryLanguage']!r}",
            field="QueryLanguage",
        )


def check_state_language(ref: StateRef, machine_language: str, out: Collector) -> None:
    """QueryLanguage of one state and the fields that belong to the other language."""
    state = ref.state
    own = state.get("QueryLanguage")
    if "QueryLanguage" in state:
        if own not in QUERY_LANGUAGES:
            out.report(
                "invalid-value",
                ref.at("QueryLanguage"),
                f"QueryLanguage must be JSONPath or JSONata, not {own!r}",
                state=ref.name,
                field="QueryLanguage",
            )
        elif own == JSONPATH and machine_language == JSONATA:
            out.report(
                "query-language-downgrade",
                ref.at("QueryLanguage"),
                f"state {ref.name!r} sets QueryLanguage JSONPath, but the machine is JSONata; "
                "a JSONata machine cannot contain JSONPath states — convert the state, or set "
                "the machine to JSONPath and mark its JSONata states one by one",
                state=ref.name,
                field="QueryLanguage",
            )
    forbidden = JSONPATH_ONLY_FIELDS if ref.language == JSONATA else JSONATA_ONLY_FIELDS
    code = "jsonpath-only-field" if ref.language == JSONATA else "jsonata-only-field"
    other = JSONPATH if ref.language == JSONATA else JSONATA
    for key in state:
        if key in forbidden:
            out.report(
                code,
                ref.at(key),
                f"{key} is a {other} field but state {ref.name!r} uses {ref.language}; use "
                f"{_REPLACEMENT.get(key, 'the ' + ref.language + ' equivalent')} instead",
                state=ref.name,
                field=key,
            )
    if ref.language == JSONATA:
        _jsonata_shapes(ref, out)
    _assign_names(ref, out)


def _assign_names(ref: StateRef, out: Collector) -> None:
    """Names assigned by the state, its catchers and its top-level choice rules."""
    holders: list[tuple[Any, str, str]] = [(ref.state.get("Assign"), ref.at("Assign"), "Assign")]
    for key in ("Catch", "Choices"):
        items = ref.state.get(key)
        if isinstance(items, list):
            holders.extend(
                (item.get("Assign"), ref.at(key, i, "Assign"), f"{key}[{i}].Assign")
                for i, item in enumerate(items)
                if isinstance(item, dict)
            )
    for assign, pointer, field in holders:
        if not isinstance(assign, dict):
            continue
        for key in assign:
            name = key[:-2] if ref.language == JSONPATH and key.endswith(".$") else key
            problem = variable_name_problem(name)
            if problem is not None:
                out.report(
                    "invalid-variable-name",
                    pointer_join(pointer, key),
                    f"{field} assigns {key!r}: {problem}",
                    state=ref.name,
                    field=f"{field}.{key}",
                )


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a workflow variable, or None when it can."""
    if name in _RESERVED_VARIABLES:
        return f"'{name}' is reserved ($states is the JSONata state context)"
    if len(name) > MAX_VARIABLE_NAME:
        return f"a variable name has at most {MAX_VARIABLE_NAME} characters"
    if not _VARIABLE_NAME.match(name):
        return (
            "a variable name starts with a letter or underscore and continues with "
            "letters, digits or underscores"
        )
    return None


def _jsonata_shapes(ref: StateRef, out: Collector) -> None:
    """JSONata fields whose value, when a string, must be a whole ``{% %}`` expression."""
    state = ref.state
    for key, shape in (("Arguments", "an object"), ("Items", "an array")):
        value = state.get(key)
        if isinstance(value, str) and not is_jsonata(value):
            out.report(
                "invalid-jsonata",
                ref.at(key),
                f"{key} must be {shape} or a JSONata expression wrapped in {{% %}}, not "
                f"the plain string {value!r}",
                state=ref.name,
                field=key,
            )


__all__ = [
    "JSONATA_ONLY_FIELDS",
    "JSONPATH_ONLY_FIELDS",
    "check_machine_language",
    "check_state_language",
    "variable_name_problem",
]
