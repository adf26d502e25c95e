"""Which contract a Task's function reference finds (ContractTable.find), both directions."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from orderflow.checker import ContractTable, check_dataflow


class UIn(BaseModel):
    name: str


class UOut(BaseModel):
    ok: bool


class GIn(BaseModel):
    user_id: str


def _invoke(function: str) -> dict[str, Any]:
    task = {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName": function, "Payload": {"id": "1"}},
        "End": True,
    }
    return {"StartAt": "A", "States": {"A": task}}


def _key(table: ContractTable, reference: str) -> str | None:
    found = table.find(reference)
    return None if found is None else found.key


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("get-user", "get-user"),
        ("get-user:live", "get-user"),
        ("arn:aws:lambda:us-east-1:123456789012:function:get-user", "get-user"),
        ("arn:aws:lambda:us-east-1:123456789012:function:get-user:7", "get-user"),
        ("123456789012:function:get-user", "get-user"),
        # The DSL's default deployment prefix.
        ("orderflow-get-user", "get-user"),
        ("arn:aws:lambda:us-east-1:123456789012:function:orderflow-get-user:live", "get-user"),
        ("orderflow-user", "user"),
        # A dash-separated name is not a prefixed key: "get" is no deployment prefix.
        ("user-get", None),
        ("admin-get-user", None),
        ("orderflowget-user", None),
        ("other", None),
    ],
)
def test_find_matches_whole_names_and_declared_prefixes(reference: str, key: str | None) -> None:
    table = ContractTable({"get-user": (GIn, UOut), "user": (UIn, UOut)})
    assert _key(table, reference) == key


def test_a_longer_name_never_borrows_a_shorter_key() -> None:
    table = ContractTable({"user": (UIn, UOut)})
    assert _key(table, "get-user") is None
    assert _key(table, "arn:aws:lambda:us-east-1:1:function:get-user") is None


def test_the_exact_name_wins_over_a_prefixed_match() -> None:
    table = ContractTable({"orderflow-get-user": (UIn, UOut), "get-user": (GIn, UOut)})
    assert _key(table, "orderflow-get-user") == "orderflow-get-user"
    assert _key(table, "get-user") == "get-user"


def test_arn_keys_match_names_with_or_without_qualifier() -> None:
    table = ContractTable({"arn:aws:lambda:eu-west-1:1:function:shop-pay:live": (UIn, UOut)})
    assert _key(table, "shop-pay") == "arn:aws:lambda:eu-west-1:1:function:shop-pay:live"
    assert _key(table, "shop-pay:3") == "arn:aws:lambda:eu-west-1:1:function:shop-pay:live"


def test_declared_prefixes_longest_first() -> None:
    table = ContractTable(
        {"get-user": (GIn, UOut), "eu-get-user": (UIn, UOut)}, prefixes=["shop", "shop-eu"]
    )
    assert _key(table, "shop-get-user") == "get-user"
    assert _key(table, "shop-eu-get-user") == "get-user"
    assert _key(table, "orderflow-get-user") is None  # the default is replaced, not extended


def test_no_false_alarm_from_a_suffix_key() -> None:
    # get-user has no contract: a warning that it is unchecked, never user's contract.
    found = check_dataflow(_invoke("get-user"), contracts={"user": (UIn, UOut)})
    assert [(d.severity, d.code) for d in found] == [("warning", "no-contract")]
    assert "'get-user'" in found[0].message


def test_a_rendered_name_is_checked_against_its_base_key() -> None:
    [d] = check_dataflow(_invoke("orderflow-get-user"), contracts={"get-user": (GIn, UOut)})
    assert (d.severity, d.code) == ("error", "contract-missing-field")
    assert "sent to 'get-user'" in d.message and "user_id" in d.message
