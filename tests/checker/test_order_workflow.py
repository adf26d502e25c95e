"""The order workflow checks clean; each deliberately broken copy is caught precisely.

The broken copies are edits of the rendered ASL (what a hand edit or a DSL bug would
produce), checked with the workflow's own contracts and input model. Each is also run by
the executor with the real services, which must fail where the checker said.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orderflow.checker import check_dataflow
from orderflow.dsl import contracts_for, render
from orderflow.orders import OrderRequest
from orderflow.orders.app import app
from orderflow.orders.workflow import SAMPLE_ORDER, order_workflow
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import Diagnostic


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return render(order_workflow).to_dict()


@pytest.fixture(scope="module")
def contracts() -> dict[str, Any]:
    return contracts_for(order_workflow)


def _check(definition: dict[str, Any], contracts: dict[str, Any]) -> list[Diagnostic]:
    return check_dataflow(definition, contracts=contracts, input_model=OrderRequest)


def _run(definition: dict[str, Any]) -> Any:
    aws = LocalAws()
    aws.tables_for(definition)
    return run_asl(definition, SAMPLE_ORDER, lambda_handler=app.local_handler(app.deps()), aws=aws)


def _branch_state(definition: dict[str, Any], branch: int, name: str) -> dict[str, Any]:
    state: dict[str, Any] = definition["States"]["ProcessOrder"]["Branches"][branch]["States"][name]
    return state


def test_the_order_workflow_checks_clean(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    # The payment breaker's JSONata arithmetic included: every path it reads is known.
    assert _check(definition, contracts) == []
    assert check_dataflow(definition) == []


def test_reading_a_parallel_output_as_an_object(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    payload = broken["States"]["SendNotification"]["Parameters"]["Payload"]
    payload["order_id.$"] = "$.process_order.order_id"
    [d] = _check(broken, contracts)
    assert (d.severity, d.code, d.state, d.field) == (
        "error",
        "path-cannot-exist",
        "SendNotification",
        "Parameters/Payload/order_id.$",
    )
    assert "'$.process_order.order_id'" in d.message
    assert "$.process_order is an array of exactly 3 element(s), not an object" in d.message


def test_reading_payload_fields_the_producer_contract_lacks(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    broken["States"]["GetUser"]["ResultSelector"]["email.$"] = "$.Payload.email_address"
    [d] = _check(broken, contracts)
    assert (d.severity, d.code, d.state, d.field) == (
        "error",
        "path-cannot-exist",
        "GetUser",
        "ResultSelector/email.$",
    )
    assert "'$.Payload.email_address'" in d.message
    assert "user_id, email, status, credit_score" in d.message


def test_payment_without_the_order_total(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    del _branch_state(broken, 1, "AuthorizePayment")["Parameters"]["Payload"]["amount_cents.$"]
    [d] = _check(broken, contracts)
    assert (d.severity, d.code, d.state, d.field) == (
        "error",
        "contract-missing-field",
        "AuthorizePayment",
        "Parameters/Payload/amount_cents",
    )
    assert "AuthorizePaymentInput" in d.message and "'amount_cents'" in d.message


def test_payment_receiving_a_string_for_the_total(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    payload = _branch_state(broken, 1, "AuthorizePayment")["Parameters"]["Payload"]
    payload["amount_cents.$"] = "$.validate_order.request_id"
    [d] = _check(broken, contracts)
    assert (d.code, d.field) == ("type-mismatch", "Parameters/Payload/amount_cents")
    assert "is a string, but the contract wants an integer" in d.message


def test_catch_without_result_path_then_reading_the_original_input(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    del broken["States"]["ProcessOrder"]["Catch"][0]["ResultPath"]
    broken["States"]["ProcessOrder"]["Catch"][0]["Next"] = "ApologiseToUser"
    broken["States"]["ApologiseToUser"] = {
        "Type": "Pass",
        "Parameters": {"user.$": "$.validate_order.user_id", "reason.$": "$.Cause"},
        "Next": "OrderRejected",
    }
    found = [(d.severity, d.code, d.state, d.field) for d in _check(broken, contracts)]
    assert ("error", "path-cannot-exist", "ApologiseToUser", "Parameters/user.$") in found
    [d] = [d for d in _check(broken, contracts) if d.state == "ApologiseToUser"]
    assert "'$.validate_order.user_id'" in d.message and "{Error, Cause}" in d.message


def test_catch_without_result_path_into_the_shared_fail_state(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    del broken["States"]["GetUser"]["Catch"][0]["ResultPath"]
    found = _check(broken, contracts)
    assert {(d.code, d.state, d.field) for d in found} == {
        ("path-cannot-exist", "OrderRejected", "ErrorPath"),
        ("path-cannot-exist", "OrderRejected", "CausePath"),
    }
    assert all("when entered from 'GetUser' via Catch/0" in d.message for d in found)


def test_the_executor_agrees_with_the_parallel_finding(
    definition: dict[str, Any], contracts: dict[str, Any]
) -> None:
    broken = copy.deepcopy(definition)
    payload = broken["States"]["SendNotification"]["Parameters"]["Payload"]
    payload["order_id.$"] = "$.process_order.order_id"
    execution = _run(broken)
    assert (execution.status, execution.error) == ("FAILED", "States.Runtime")
    assert "'SendNotification'" in (execution.cause or "")
    fixed = _run(definition)
    assert fixed.status == "SUCCEEDED", fixed.cause
