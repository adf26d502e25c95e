"""The pytest plugin end to end, run in a sandbox project through ``pytester``.

The plugin is loaded by its ``pytest11`` entry point when the installed package declares
one, else explicitly with ``-p`` (so these tests run before and after the entry point is
added to pyproject.toml).
"""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from orderflow.orders.app import app as order_app

pytest_plugins = ["pytester"]

# The order app's services: an input and an output contract, and a provider test, each.
SERVICES = len(order_app.services)

_REGISTERED = any(ep.value == "orderflow.testing.plugin" for ep in entry_points(group="pytest11"))
PLUGIN_ARGS: list[str] = [] if _REGISTERED else ["-p", "orderflow.testing.plugin"]


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN_ARGS, "-p", "no:cacheprovider", *args)


def test_inert_without_configuration(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    _run(pytester).assert_outcomes(passed=1)


def test_requested_cases_without_configuration_cover_the_app(
    pytester: pytest.Pytester,
) -> None:
    # Found as the CLI finds it: nothing configured here, so the bundled order app.
    pytester.makepyfile(test_cases="def test_edge(orderflow_edge):\n    orderflow_edge.verify()\n")
    result = _run(pytester, "--collect-only", "-q")
    assert any("test_edge[order:ValidateOrder->GetUser]" in line for line in result.outlines)


MINI_APP = """
from orderflow import App
from orderflow.dsl import Flow, workflow
from orderflow.orders import GetUserInput, get_user


@workflow("lookup", input_model=GetUserInput)
def lookup(flow: Flow[GetUserInput]) -> None:
    flow.task("GetUser", get_user).call_with(flow.input)


app = App("mini", services=[get_user], workflows=[lookup], tables={"users": "user_id"})
"""


def test_the_app_comes_from_the_nearest_pyproject(pytester: pytest.Pytester) -> None:
    # A module name no other test uses: pytester runs in this process, sharing sys.modules.
    pytester.makepyprojecttoml('[tool.orderflow]\napp = "plugin_mini_app:app"\n')
    pytester.makepyfile(plugin_mini_app=MINI_APP)
    pytester.makepyfile(
        test_cases=(
            "def test_workflow(orderflow_workflow):\n    orderflow_workflow.verify()\n"
            "def test_provider(orderflow_provider):\n    orderflow_provider.verify()\n"
        )
    )
    result = _run(pytester, "-v")
    result.assert_outcomes(passed=2)
    text = "\n".join(result.outlines)
    assert "test_workflow[lookup] PASSED" in text and "test_provider[get-user] PASSED" in text


ORDER_MODULE = """
import pytest

pytestmark = pytest.mark.orderflow(
    workflows=["orderflow.orders.workflow:order_workflow"],
    services="orderflow.orders.app:app.services",
    contracts_dir="{contracts}",
    max_examples=5,
)

def test_workflow(orderflow_workflow):
    orderflow_workflow.verify()

def test_edge(orderflow_edge):
    orderflow_edge.verify()

def test_contract(orderflow_contract):
    orderflow_contract.verify()

def test_provider(orderflow_provider):
    orderflow_provider.verify()
"""


def test_generates_one_test_per_workflow_edge_contract_and_service(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_order=ORDER_MODULE.format(contracts=tmp_path / "contracts"))
    result = _run(pytester, "--collect-only", "-q")
    ids = [line for line in result.outlines if "::" in line]
    assert "test_order.py::test_workflow[order]" in ids
    assert "test_order.py::test_edge[order:ValidateOrder->AuthorizePayment]" in ids
    assert "test_order.py::test_edge[order:GetUser->SendNotification]" in ids
    assert "test_order.py::test_contract[get-user.input]" in ids
    assert "test_order.py::test_contract[get-user.output]" in ids
    assert "test_order.py::test_provider[authorize-payment]" in ids
    assert sum("test_contract[" in i for i in ids) == 2 * SERVICES
    assert sum("test_provider[" in i for i in ids) == SERVICES


def test_snapshots_are_written_on_request_then_compared(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    contracts = tmp_path / "contracts"
    pytester.makepyfile(test_order=ORDER_MODULE.format(contracts=contracts))
    contract_tests = 2 * SERVICES
    _run(pytester, "-k", "test_contract").assert_outcomes(failed=contract_tests)
    updated = _run(pytester, "-k", "test_contract", "--orderflow-update-contracts")
    updated.assert_outcomes(passed=contract_tests)
    assert len(list(contracts.glob("*.json"))) == contract_tests
    _run(pytester, "-k", "test_contract").assert_outcomes(passed=contract_tests)
    # Simulate an older contract that did not require 'credit_score': requiring it now
    # breaks callers that still send the old payload.
    path = contracts / "authorize-payment.input.json"
    schema = json.loads(path.read_text())
    schema["required"].remove("credit_score")
    path.write_text(json.dumps(schema))
    result = _run(pytester, "-k", "test_contract")
    result.assert_outcomes(passed=contract_tests - 1, failed=1)
    result.stdout.fnmatch_lines(["*credit_score*required*"])


def test_workflow_and_provider_tests_pass_on_orderflows_own_code(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_order=ORDER_MODULE.format(contracts=tmp_path / "c"))
    # The one workflow named in the marker, and every service.
    _run(pytester, "-k", "test_workflow or test_provider").assert_outcomes(passed=1 + SERVICES)


def test_edge_failures_are_real_contract_rejections(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    pytester.makepyfile(test_order=ORDER_MODULE.format(contracts=tmp_path / "c"))
    result = _run(pytester, "-k", "test_edge")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) == 11  # 3 compensations
    failed = outcomes.get("failed", 0)
    raised = [line for line in result.outlines if line.endswith(": EdgeContractError")]
    assert len(raised) == failed
    assert sum("received a payload its input model" in line for line in result.outlines) >= failed


def test_every_edge_of_the_order_workflow_holds(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(test_order=ORDER_MODULE.format(contracts=tmp_path / "c"))
    _run(pytester, "-k", "test_edge").assert_outcomes(passed=11)


def test_a_broken_raw_asl_workflow_fails_its_workflow_and_edge_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        shop="""
from pydantic import BaseModel, ConfigDict
from orderflow.testing.plugin import WorkflowSpec

class Req(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku: str

class Price(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cents: int

class ChargeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: int

class Receipt(BaseModel):
    ok: bool

def machine(read):
    return {
        "StartAt": "Price",
        "States": {
            "Price": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                      "Parameters": {"FunctionName": "price", "Payload.$": "$"},
                      "ResultSelector": {"cents.$": "$.Payload.cents"}, "ResultPath": "$.price",
                      "Next": "Charge"},
            "Charge": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                       "Parameters": {"FunctionName": "charge", "Payload": {"amount.$": read}},
                       "End": True},
        },
    }

CONTRACTS = {"price": (Req, Price), "charge": (ChargeIn, Receipt)}
GOOD = WorkflowSpec("good", machine("$.price.cents"), CONTRACTS, Req)
BAD = WorkflowSpec("bad", machine("$.sku"), CONTRACTS, Req)
"""
    )
    pytester.makepyfile(
        test_shop="""
import pytest
pytestmark = pytest.mark.orderflow(workflows=["shop:GOOD", "shop:BAD"], max_examples=5)

def test_workflow(orderflow_workflow):
    orderflow_workflow.verify()

def test_edge(orderflow_edge):
    orderflow_edge.verify()
"""
    )
    pytester.syspathinsert()
    result = _run(pytester, "-v")
    result.stdout.fnmatch_lines(
        [
            "*test_workflow?good? PASSED*",
            "*test_workflow?bad? FAILED*",
            "*test_edge?good:Price->Charge? PASSED*",
        ]
    )
    result.stdout.fnmatch_lines(["*the payload sent to 'charge' does not fit ChargeIn*"])
