"""One parser for Lambda function references, and every reader of them agreeing on it."""

from __future__ import annotations

from typing import Any

import pytest

from orderflow import asl
from orderflow._errors import DefinitionError
from orderflow.asl import (
    FunctionRef,
    LambdaNameError,
    is_lambda_function_arn,
    parse_function_name,
)
from orderflow.checker import ContractTable, function_base_name
from orderflow.deploy._stack import lambda_arns
from orderflow.executor import start_execution
from orderflow.executor._states._task import Resource
from orderflow.executor._trace import format_trace
from orderflow.orders import GetUserInput, User
from orderflow.orders.app import app
from orderflow.runtime import function_name, resolve_service

ARN = "arn:aws:lambda:us-west-2:123456789012:function:my-function"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Name, and name with a version or alias.
        ("my-function", FunctionRef("my-function")),
        ("my-function:v1", FunctionRef("my-function", "v1")),
        ("my-function:7", FunctionRef("my-function", "7")),
        ("my-function:$LATEST", FunctionRef("my-function", "$LATEST")),
        ("My_Function.2", FunctionRef("My_Function.2")),
        # Full ARN, with and without a qualifier, in another partition.
        (ARN, FunctionRef("my-function", None, "123456789012", "us-west-2", "aws")),
        (f"{ARN}:live", FunctionRef("my-function", "live", "123456789012", "us-west-2", "aws")),
        (
            "arn:aws-cn:lambda:cn-north-1:123456789012:function:f:$LATEST",
            FunctionRef("f", "$LATEST", "123456789012", "cn-north-1", "aws-cn"),
        ),
        # Placeholder region and account, and an empty account, as AWS's own examples have.
        (
            "arn:aws:lambda:your-region:your-account-id:function:hello",
            FunctionRef("hello", None, "your-account-id", "your-region", "aws"),
        ),
        (
            "arn:aws:lambda:us-east-1::function:OnFirstMatch",
            FunctionRef("OnFirstMatch", None, "", "us-east-1", "aws"),
        ),
        # Partial ARN, with and without a qualifier.
        ("123456789012:function:my-function", FunctionRef("my-function", None, "123456789012")),
        (
            "123456789012:function:my-function:v1",
            FunctionRef("my-function", "v1", "123456789012"),
        ),
    ],
)
def test_every_form_aws_accepts(text: str, expected: FunctionRef) -> None:
    assert parse_function_name(text) == expected
    assert is_lambda_function_arn(text) == text.startswith("arn:")


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "my function",
        "my-function:",
        "my-function:v1:v2",
        "my-function:v.1",
        ":function:f",
        "123456789012:function:",
        "123456789012:function:f:a:b",
        "arn:aws:states:us-east-1:123456789012:stateMachine:f",
        "arn:aws:states:::lambda:invoke",
        "arn:aws:lambda:us-east-1:123456789012:layer:f",
        "arn:aws:lambda:us-east-1:123456789012:function:",
        "arn:aws:lambda:us-east-1:123456789012:function:f:1:2",
        "arn::lambda:us-east-1:123456789012:function:f",
    ],
)
def test_garbage_is_refused_naming_it(text: str) -> None:
    with pytest.raises(LambdaNameError) as info:
        parse_function_name(text)
    assert isinstance(info.value, DefinitionError) and isinstance(info.value, ValueError)
    assert repr(text) in str(info.value)
    assert info.value.reference == text
    assert not is_lambda_function_arn(text)


def test_a_non_string_is_refused_not_crashed_on() -> None:
    with pytest.raises(LambdaNameError, match="must be a string, not dict"):
        parse_function_name({"Ref": "f"})  # type: ignore[arg-type]
    assert not is_lambda_function_arn(None)


def test_qualified_name() -> None:
    assert parse_function_name(f"{ARN}:live").qualified_name == "my-function:live"
    assert parse_function_name(ARN).qualified_name == "my-function"


def test_exported_from_the_asl_package() -> None:
    for name in ("FunctionRef", "LambdaNameError", "is_lambda_function_arn", "parse_function_name"):
        assert name in asl.__all__


# Every reader of a reference takes the same name out of it.
READERS = [
    "shop-get-user",
    "shop-get-user:live",
    "123456789012:function:shop-get-user",
    "123456789012:function:shop-get-user:7",
    "arn:aws:lambda:eu-west-1:123456789012:function:shop-get-user",
    "arn:aws:lambda:eu-west-1:123456789012:function:shop-get-user:live",
]


@pytest.mark.parametrize("reference", READERS)
def test_services_and_checker_agree_on_every_form(reference: str) -> None:
    assert function_name(reference) == function_base_name(reference) == "shop-get-user"
    assert resolve_service(reference, app.services).name == "get-user"
    table = ContractTable({"get-user": (GetUserInput, User)}, prefixes=["shop"])
    found = table.find(reference)
    assert found is not None and found.key == "get-user"


def test_the_checker_finds_no_contract_for_garbage_instead_of_failing() -> None:
    table = ContractTable({"get-user": (GetUserInput, User)})
    assert table.find("get user") is None
    with pytest.raises(ValueError, match="contract key 'get user'"):
        ContractTable({"get user": (GetUserInput, User)})


def test_executor_and_deploy_see_the_same_function_arns() -> None:
    qualified = "arn:aws:lambda:us-east-1:1:function:f:live"
    assert Resource(qualified).kind == "lambda"
    assert Resource("arn:aws:states:::lambda:invoke").kind == "invoke"
    definition = {
        "StartAt": "A",
        "States": {
            "A": {"Type": "Task", "Resource": qualified, "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True},
        },
    }
    assert lambda_arns(asl.as_definition(definition)) == {qualified: "A"}


def _trace_of(task: dict[str, Any]) -> str:
    definition = {"StartAt": "Call", "States": {"Call": {**task, "End": True}}}
    execution = start_execution(definition, {}, lambda_handler=lambda _name, _payload: {})
    assert execution.status == "SUCCEEDED", execution.cause
    return format_trace(execution)


def test_trace_names_a_qualified_function_not_its_alias() -> None:
    # Regression: the trace split on the last ':' and printed "live" for these.
    qualified = "arn:aws:lambda:us-east-1:123456789012:function:shop-get-user:live"
    assert "    call shop-get-user:live\n" in _trace_of({"Type": "Task", "Resource": qualified})
    invoke = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": "123456789012:function:shop-get-user:live"},
    }
    assert "call invoke shop-get-user:live\n" in _trace_of(invoke)
    plain = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:shop-get-user"}
    assert "    call shop-get-user\n" in _trace_of(plain)
