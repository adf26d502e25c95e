"""AWS's data-processing rules, one machine per rule: what is reported, and what is not."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from orderflow.checker import ContractTable, check_dataflow, output_shape
from orderflow.checker._shape import ANY, BOOLEAN, INTEGER, NUMBER, STRING, list_of, obj
from orderflow.validation import Diagnostic

ARN = "arn:aws:lambda:us-east-1:123456789012:function:pricing"


def machine(*states: tuple[str, dict[str, Any]], **top: Any) -> dict[str, Any]:
    """A linear machine: each state's Next is the following one, the last one Ends."""
    named = dict(states)
    names = list(named)
    for here, there in zip(names, [*names[1:], None], strict=True):
        state = named[here]
        if state["Type"] not in ("Choice", "Succeed", "Fail") and "Next" not in state:
            if there is None:
                state["End"] = True
            else:
                state["Next"] = there
    return {"StartAt": names[0], "States": named, **top}


def found(diagnostics: list[Diagnostic]) -> list[tuple[str, str, str | None]]:
    return [(d.severity, d.code, d.state) for d in diagnostics]


def read(path: str) -> tuple[str, dict[str, Any]]:
    return ("Read", {"Type": "Pass", "Parameters": {"value.$": path}})


# --- what the definition alone fixes ---------------------------------------------------


def test_unknown_input_reports_nothing() -> None:
    assert check_dataflow(machine(read("$.anything.at.all"))) == []


def test_pass_result_is_known_exactly() -> None:
    m = machine(("Set", {"Type": "Pass", "Result": {"a": 1}}), read("$.b"))
    [d] = check_dataflow(m)
    assert (d.severity, d.code, d.state, d.field) == (
        "error",
        "path-cannot-exist",
        "Read",
        "Parameters/value.$",
    )
    assert "'$.b'" in d.message and "{a}" in d.message
    assert d.pointer == "/States/Read/Parameters/value.$"


def test_result_path_merges_into_the_input() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"a": 1}}),
        ("Add", {"Type": "Pass", "Result": "x", "ResultPath": "$.extra.deep"}),
        read("$.extra.deep"),
        ("Read2", {"Type": "Pass", "Parameters": {"v.$": "$.value", "gone.$": "$.a"}}),
    )
    [d] = check_dataflow(m)
    assert (d.code, d.state, d.field) == ("path-cannot-exist", "Read2", "Parameters/gone.$")


def test_result_path_null_keeps_the_input() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"a": 1}}),
        ("Discard", {"Type": "Pass", "Result": {"z": 1}, "ResultPath": None}),
        read("$.a"),
    )
    assert check_dataflow(m) == []


def test_result_path_through_a_scalar_is_reported() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"a": 1}}),
        ("Bad", {"Type": "Pass", "Result": 2, "ResultPath": "$.a.b"}),
    )
    assert found(check_dataflow(m)) == [("error", "result-path-conflict", "Bad")]


def test_input_path_and_output_path() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"a": {"b": 1}}}),
        ("Narrow", {"Type": "Pass", "InputPath": "$.a", "OutputPath": "$.b"}),
        read("$.b"),
    )
    [d] = check_dataflow(m)
    assert d.state == "Read" and "an integer" in d.message


def test_input_path_null_gives_an_empty_object() -> None:
    m = machine(("Empty", {"Type": "Pass", "InputPath": None}), read("$.x"))
    assert found(check_dataflow(m)) == [("error", "path-cannot-exist", "Read")]


def test_parallel_output_is_an_array_in_branch_order() -> None:
    branch = lambda v: {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": v, "End": True}}}  # noqa: E731
    m = machine(
        ("Both", {"Type": "Parallel", "Branches": [branch({"a": 1}), branch({"b": "x"})]}),
        ("Ok", {"Type": "Pass", "Parameters": {"a.$": "$[0].a", "b.$": "$[1].b"}}),
    )
    assert check_dataflow(m) == []
    assert output_shape(m) == obj({"a": INTEGER, "b": STRING})
    bad = machine(("Both", {"Type": "Parallel", "Branches": [branch({"a": 1})]}), read("$.a"))
    [d] = check_dataflow(bad)
    assert "an array of exactly 1 element(s), not an object" in d.message
    assert found(
        check_dataflow(
            machine(("Both", {"Type": "Parallel", "Branches": [branch({"a": 1})]}), read("$[1]"))
        )
    ) == [("error", "path-cannot-exist", "Read")]


def test_map_output_is_a_list_of_iteration_outputs() -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "Result": {"v": 1}, "End": True}}}
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"items": [1, 2]}}),
        ("Each", {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": body}),
        ("First", {"Type": "Pass", "Parameters": {"v.$": "$[0].v"}}),
        read("$.w"),
    )
    assert found(check_dataflow(m)) == [
        ("warning", "path-may-be-missing", "First"),
        ("error", "path-cannot-exist", "Read"),
    ]


def test_map_items_must_be_an_array() -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"items": {"a": 1}}}),
        ("Each", {"Type": "Map", "ItemsPath": "$.items", "ItemProcessor": body}),
    )
    assert found(check_dataflow(m)) == [("error", "type-mismatch", "Each")]


def test_map_item_selector_sees_the_item_in_the_context_object() -> None:
    body = {
        "StartAt": "I",
        "States": {
            "I": {"Type": "Pass", "Parameters": {"n.$": "$.name", "bad.$": "$.nope"}, "End": True}
        },
    }
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"items": [{"name": "a"}]}}),
        (
            "Each",
            {
                "Type": "Map",
                "ItemsPath": "$.items",
                "ItemSelector": {"name.$": "$$.Map.Item.Value.name", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": body,
            },
        ),
    )
    assert found(check_dataflow(m)) == [("error", "path-cannot-exist", "I")]


def test_catch_without_result_path_replaces_the_input() -> None:
    m = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Result": {"order": 1}, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
                "ResultPath": None,
                "Next": "Handle",
            },
            "Handle": {"Type": "Pass", "Parameters": {"o.$": "$.order"}, "End": True},
        },
    }
    [d] = check_dataflow(m)
    assert (d.severity, d.code, d.state) == ("error", "path-cannot-exist", "Handle")
    assert "{Error, Cause}" in d.message and "when entered from 'Work' via Catch/0" in d.message


def test_catch_with_result_path_merges_the_error() -> None:
    m = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Result": {"order": 1}, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Handle"}],
                "End": True,
            },
            "Handle": {
                "Type": "Pass",
                "Parameters": {"o.$": "$.order", "e.$": "$.err.Cause"},
                "End": True,
            },
        },
    }
    assert check_dataflow(m) == []


def test_states_converging_see_the_union() -> None:
    m = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.k", "StringEquals": "a", "Next": "A"}],
                "Default": "B",
            },
            "A": {"Type": "Pass", "Result": {"x": 1, "y": 1}, "Next": "Join"},
            "B": {"Type": "Pass", "Result": {"x": 2}, "Next": "Join"},
            "Join": {"Type": "Pass", "Parameters": {"x.$": "$.x", "y.$": "$.y"}, "End": True},
        },
    }
    [d] = check_dataflow(m)
    # The issue: "at every state that converges from several predecessors, the shape is
    # the union", and what may fail depending on data is a warning. Entered from B the
    # read of $.y fails, and the message says so.
    assert (d.severity, d.code, d.state) == ("warning", "path-may-be-missing", "Join")
    assert "fails when entered from 'B'" in d.message


def _skip_or_set(read_path: str) -> dict[str, Any]:
    """A Choice whose Default skips the state that sets $.x, then a state reading it."""
    return {
        "StartAt": "C",
        "States": {
            "C": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "S"}],
                "Default": "R",
            },
            "S": {"Type": "Pass", "Result": 1, "ResultPath": "$.x", "Next": "R"},
            "R": {"Type": "Pass", "Parameters": {"x.$": read_path}, "End": True},
        },
    }


def test_a_read_failing_along_one_converging_edge_is_a_warning() -> None:
    class In(BaseModel):
        model_config = ConfigDict(extra="forbid")
        n: int

    [d] = check_dataflow(_skip_or_set("$.x"), input_model=In)
    assert (d.severity, d.code, d.state, d.field) == (
        "warning",
        "path-may-be-missing",
        "R",
        "Parameters/x.$",
    )
    assert "'$.x'" in d.message and "(fails when entered from 'C' via Default)" in d.message


def test_a_read_failing_along_every_converging_edge_is_an_error() -> None:
    class In(BaseModel):
        model_config = ConfigDict(extra="forbid")
        n: int

    [d] = check_dataflow(_skip_or_set("$.y"), input_model=In)
    assert (d.severity, d.code, d.state) == ("error", "path-cannot-exist", "R")
    assert "when entered from" not in d.message


def test_a_catcher_that_always_breaks_its_handler_stays_an_error_at_a_join() -> None:
    # Handle is reached normally (input kept) and from a catcher without ResultPath: the
    # handler always crashes when the catcher fires, whatever the data.
    m = {
        "StartAt": "Set",
        "States": {
            "Set": {"Type": "Pass", "Result": {"order": 1}, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handle"}],
                "ResultPath": None,
                "Next": "Handle",
            },
            "Handle": {"Type": "Pass", "Parameters": {"o.$": "$.order"}, "End": True},
        },
    }
    [d] = check_dataflow(m)
    assert (d.severity, d.code) == ("error", "path-cannot-exist")
    assert "(when entered from 'Work' via Catch/0)" in d.message


def test_choice_is_present_narrows_the_branches() -> None:
    class In(BaseModel):
        model_config = ConfigDict(extra="forbid")
        coupon: str | None = None

    m = {
        "StartAt": "Has",
        "States": {
            "Has": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.coupon", "IsPresent": True, "Next": "Use"}],
                "Default": "Skip",
            },
            "Use": {"Type": "Pass", "Parameters": {"c.$": "$.coupon"}, "End": True},
            "Skip": {"Type": "Pass", "Parameters": {"c.$": "$.coupon"}, "End": True},
        },
    }
    assert found(check_dataflow(m, input_model=In)) == [("error", "path-cannot-exist", "Skip")]


def test_choice_comparison_does_not_narrow_presence() -> None:
    class In(BaseModel):
        coupon: str | None = None

    m = {
        "StartAt": "Has",
        "States": {
            "Has": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.coupon", "StringEquals": "x", "Next": "Done"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }
    assert found(check_dataflow(m, input_model=In)) == [("warning", "path-may-be-missing", "Has")]


# --- tasks and contracts ----------------------------------------------------------------


class PriceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str
    quantity: int


class PriceOut(BaseModel):
    total_cents: int
    currency: str


CONTRACTS = {"pricing": (PriceIn, PriceOut)}


def test_lambda_invoke_wraps_the_result_in_payload() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": ARN, "Payload": {"sku": "a", "quantity": 1}},
    }
    ok = machine(("Price", dict(task)), read("$.Payload.total_cents"))
    assert check_dataflow(ok, contracts=CONTRACTS) == []
    bare = machine(("Price", dict(task)), read("$.total_cents"))
    [d] = check_dataflow(bare, contracts=CONTRACTS)
    assert d.state == "Read" and "Payload" in d.message and "StatusCode" in d.message


def test_lambda_invoke_without_a_contract_still_knows_the_wrapper() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "f", "Payload.$": "$"},
    }
    assert found(check_dataflow(machine(("T", task), read("$.total")))) == [
        ("error", "path-cannot-exist", "Read")
    ]
    assert check_dataflow(machine(("T", dict(task)), read("$.Payload.anything"))) == []


def test_direct_function_arn_returns_the_bare_output() -> None:
    task = {"Type": "Task", "Resource": ARN, "Parameters": {"sku": "a", "quantity": 2}}
    assert check_dataflow(machine(("T", task), read("$.total_cents")), contracts=CONTRACTS) == []
    [d] = check_dataflow(machine(("T", dict(task)), read("$.Payload")), contracts=CONTRACTS)
    assert d.code == "path-cannot-exist"


def test_result_selector_reads_the_raw_result() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "pricing", "Payload": {"sku": "a", "quantity": 1}},
        "ResultSelector": {"total.$": "$.Payload.total_cents", "oops.$": "$.Payload.price"},
        "ResultPath": "$.price",
    }
    [d] = check_dataflow(machine(("T", task)), contracts=CONTRACTS)
    assert (d.code, d.field) == ("path-cannot-exist", "ResultSelector/oops.$")
    assert "total_cents, currency" in d.message


@pytest.mark.parametrize(
    ("payload", "code", "field"),
    [
        ({"sku": "a"}, "contract-missing-field", "Parameters/quantity"),
        ({"sku": "a", "quantity": "2"}, "type-mismatch", "Parameters/quantity"),
        ({"sku": "a", "quantity": 2, "coupon": "x"}, "contract-extra-field", "Parameters/coupon"),
        ({"sku": ["a"], "quantity": 2}, "type-mismatch", "Parameters/sku"),
    ],
)
def test_payload_must_fit_the_input_contract(
    payload: dict[str, Any], code: str, field: str
) -> None:
    task = {"Type": "Task", "Resource": ARN, "Parameters": payload}
    [d] = check_dataflow(machine(("T", task)), contracts=CONTRACTS)
    assert (d.severity, d.code, d.field) == ("error", code, field)
    assert "PriceIn" in d.message


def test_payload_from_an_optional_input_field_is_a_warning() -> None:
    class In(BaseModel):
        sku: str
        quantity: int | None = None

    task = {
        "Type": "Task",
        "Resource": ARN,
        "Parameters": {"sku.$": "$.sku", "quantity.$": "$.quantity"},
    }
    assert found(check_dataflow(machine(("T", task)), contracts=CONTRACTS, input_model=In)) == [
        ("warning", "path-may-be-missing", "T"),
        ("warning", "type-may-mismatch", "T"),
    ]


def test_unknown_function_with_contracts_is_a_warning() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:other", "End": True}
    assert found(check_dataflow({"StartAt": "T", "States": {"T": task}}, contracts=CONTRACTS)) == [
        ("warning", "no-contract", "T")
    ]


def test_contract_keys_match_prefixed_names_arns_and_qualifiers() -> None:
    task = {"Type": "Task", "Resource": "arn:aws:lambda:eu-west-1:9:function:shop-pricing:live"}
    m = machine(("T", task), read("$.currency"))
    # "shop" is a deployment prefix only when the table is told so (see test_contracts.py).
    assert check_dataflow(m, contracts=ContractTable(CONTRACTS, prefixes=["shop"])) == []


# --- intrinsics, context, variables ----------------------------------------------------


def test_intrinsic_results_have_types() -> None:
    make = (
        "Make",
        {
            "Type": "Pass",
            "Parameters": {
                "s.$": "States.Format('{}', $$.Execution.Id)",
                "parts.$": "States.StringSplit('a,b', ',')",
                "n.$": "States.ArrayLength(States.Array(1, 2))",
            },
        },
    )
    assert output_shape(machine(make)) == obj({"s": STRING, "parts": list_of(STRING), "n": INTEGER})
    use = ("Use", {"Type": "Pass", "Parameters": {"bad.$": "$.s.x", "ok.$": "$.parts[0]"}})
    assert found(check_dataflow(machine(make, use))) == [
        ("error", "path-cannot-exist", "Use"),
        ("warning", "path-may-be-missing", "Use"),
    ]


def test_intrinsic_argument_of_the_wrong_type() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Result": {"s": "text"}}),
        ("Len", {"Type": "Pass", "Parameters": {"n.$": "States.ArrayLength($.s)"}}),
    )
    assert found(check_dataflow(m)) == [("error", "type-mismatch", "Len")]


def test_variables_are_visible_after_assign_and_checked() -> None:
    m = machine(
        ("Keep", {"Type": "Pass", "Result": {"id": "x"}, "Assign": {"order.$": "$"}}),
        ("Forget", {"Type": "Pass", "Result": 1}),
        ("Use", {"Type": "Pass", "Parameters": {"id.$": "$order.id", "bad.$": "$order.total"}}),
    )
    assert found(check_dataflow(m)) == [("error", "path-cannot-exist", "Use")]


def test_unassigned_variable_is_an_error() -> None:
    m = machine(("Use", {"Type": "Pass", "Parameters": {"id.$": "$nothing"}}))
    assert found(check_dataflow(m)) == [("error", "path-cannot-exist", "Use")]


def test_branch_variables_do_not_leak_out_of_a_parallel() -> None:
    branch = {
        "StartAt": "B",
        "States": {"B": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}},
    }
    m = machine(
        ("Outer", {"Type": "Pass", "Assign": {"outer": 1}}),
        ("Both", {"Type": "Parallel", "Branches": [branch]}),
        ("Use", {"Type": "Pass", "Parameters": {"a.$": "$outer", "b.$": "$inner"}}),
    )
    [d] = check_dataflow(m)
    assert d.state == "Use" and "$inner" in d.message


# --- JSONata ---------------------------------------------------------------------------


def test_jsonata_plain_paths_are_followed() -> None:
    m = machine(
        ("Set", {"Type": "Pass", "Output": {"a": {"b": 1}}}),
        (
            "Use",
            {
                "Type": "Pass",
                "Output": {"ok": "{% $states.input.a.b %}", "bad": "{% $states.input.c %}"},
            },
        ),
        QueryLanguage="JSONata",
    )
    [d] = check_dataflow(m)
    assert (d.code, d.state, d.field) == ("path-cannot-exist", "Use", "Output/bad")


def test_jsonata_result_of_lambda_invoke() -> None:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "pricing", "Payload": {"sku": "a", "quantity": 1}},
        "Output": "{% $states.result.Payload %}",
    }
    m = machine(
        ("T", task),
        ("Use", {"Type": "Pass", "Output": "{% $states.input.currency %}"}),
        QueryLanguage="JSONata",
    )
    assert check_dataflow(m, contracts=CONTRACTS) == []
    task2 = dict(task, Output="{% $states.result.currency %}")
    m2 = machine(("T", task2), QueryLanguage="JSONata")
    assert found(check_dataflow(m2, contracts=CONTRACTS)) == [("error", "path-cannot-exist", "T")]


@pytest.mark.parametrize(
    "expression",
    [
        "$states.input.xs[0]",  # a predicate
        "$states.input.xs[$ > 1]",  # a filter
        "$map($states.input.xs, function($x) { $x * 2 })",  # a function definition
        "$states.input.xs ~> $sum()",  # a chain
    ],
)
def test_jsonata_expressions_it_cannot_follow_are_reported_unchecked(expression: str) -> None:
    m = machine(
        ("Use", {"Type": "Pass", "Output": "{% " + expression + " %}"}), QueryLanguage="JSONata"
    )
    assert found(check_dataflow(m)) == [("warning", "unchecked", "Use")]


class Counts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    xs: list[int]
    label: str


def _output(expression: str) -> dict[str, Any]:
    return machine(
        ("Use", {"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}}),
        ("Read", {"Type": "Pass", "Output": "{% $states.input.v %}"}),
        QueryLanguage="JSONata",
    )


@pytest.mark.parametrize(
    ("expression", "shape"),
    [
        ("$sum($states.input.xs)", NUMBER),
        ("$string($count($states.input.xs) + 1)", STRING),
        ("$states.input.label & '!'", STRING),
        ("( $n := $count($states.input.xs); $n > 2 )", BOOLEAN),
        ("$exists($states.input.label) ? 'yes' : 'no'", STRING),
        # A binding inside an object constructor is local there too.
        ('{"n": ($x := $count($states.input.xs); $x + 1)}', ANY),
    ],
)
def test_compound_jsonata_whose_reads_all_exist_is_checked_and_typed(
    expression: str, shape: Any
) -> None:
    definition = _output(expression)
    assert check_dataflow(definition, input_model=Counts) == []
    assert output_shape(definition, input_model=Counts) == shape


def test_compound_jsonata_reading_a_missing_field_stays_unchecked_not_an_error() -> None:
    # Inside an expression a missing path may be deliberate ($exists, a default): the
    # checker does not call it an error, it just cannot vouch for the value.
    definition = _output("$exists($states.input.nope) ? $states.input.nope : 0")
    assert found(check_dataflow(definition, input_model=Counts)) == [
        ("warning", "unchecked", "Use")
    ]


def test_any_input_shape_is_unknown() -> None:
    assert output_shape(machine(("P", {"Type": "Pass"}))) == ANY


def test_jsonata_constants_are_evaluated() -> None:
    body = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
    ok = machine(
        ("Each", {"Type": "Map", "Items": "{% [1, 2] %}", "ItemProcessor": body}),
        QueryLanguage="JSONata",
    )
    assert check_dataflow(ok) == []
    bad = machine(
        ("Each", {"Type": "Map", "Items": "{% {'a': 1} %}", "ItemProcessor": body}),
        QueryLanguage="JSONata",
    )
    assert found(check_dataflow(bad)) == [("error", "type-mismatch", "Each")]


def test_null_input_refuses_every_input_path() -> None:
    m = machine(
        ("Null", {"Type": "Pass", "Result": None}),
        ("Read", {"Type": "Pass", "Parameters": {"all.$": "$"}}),
    )
    [d] = check_dataflow(m)
    assert (d.code, d.state) == ("path-cannot-exist", "Read") and "null" in d.message


def test_a_result_path_through_a_scalar_on_one_converging_edge_is_a_warning() -> None:
    m = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.k", "StringEquals": "a", "Next": "A"}],
                "Default": "B",
            },
            "A": {"Type": "Pass", "Result": {"x": 1}, "Next": "Join"},
            "B": {"Type": "Pass", "Result": {"x": {}}, "Next": "Join"},
            "Join": {"Type": "Pass", "Result": 2, "ResultPath": "$.x.y", "End": True},
        },
    }
    [d] = check_dataflow(m)
    assert (d.severity, d.code, d.state) == ("warning", "result-path-may-conflict", "Join")
    assert "(fails when entered from 'A')" in d.message
