"""The order workflow's payment breaker: a gateway storm opens it, later orders fail fast
without calling the gateway (and are compensated), a probe after the cooldown closes it.

Every execution shares one in-memory AWS (the breaker's table), one store (the app's
tables) and one virtual clock, as executions of one deployed stack share DynamoDB and time.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from orderflow import TaskFailure
from orderflow.asl import Definition
from orderflow.checker import check_dataflow
from orderflow.dsl import render
from orderflow.executor import Execution, VirtualClock
from orderflow.orders import OrderRequest
from orderflow.orders.app import app
from orderflow.orders.workflow import PAYMENT_BREAKER, SAMPLE_ORDER, order_workflow
from orderflow.testing import LocalAws, run_asl
from orderflow.validation import validate

BRANCH = 1  # ProcessOrder's branches: create, pay, reserve


def _pay_branch(definition: Definition) -> dict[str, Any]:
    branch: dict[str, Any] = definition.states["ProcessOrder"]["Branches"][BRANCH]
    return branch


def test_the_payment_branch_reads_the_breaker_of_its_own_stack() -> None:
    definition = render(order_workflow, prefix="shop")
    branch = _pay_branch(definition)
    assert branch["StartAt"] == "PaymentBreaker: Read"
    states = branch["States"]
    assert states["PaymentBreaker: Read"]["Arguments"]["TableName"] == "shop-breakers"
    assert states["PaymentBreaker: Read"]["Arguments"]["Key"] == {
        "breaker": {"S": PAYMENT_BREAKER.name}
    }
    catch = states["AuthorizePayment"]["Catch"][0]
    assert catch["ErrorEquals"] == ["PaymentGatewayTimeout", "States.Timeout"]
    assert catch["Next"] == "PaymentBreaker: Record failure"
    assert states["PaymentBreaker failed: PaymentUnavailable"]["Type"] == "Fail"
    # Validation as AWS does it and the data-flow check hold with the breaker in place.
    assert [d for d in validate(definition) if d.severity == "error"] == []
    errors = check_dataflow(definition, input_model=OrderRequest)
    assert [d for d in errors if d.severity == "error"] == []


class Stack:
    """One deployed order stack, locally: shared tables, breaker item and clock."""

    def __init__(self) -> None:
        self.definition = render(order_workflow)
        self.aws = LocalAws()
        self.aws.tables_for(self.definition)
        self.clock = VirtualClock()
        self.deps = app.deps(seed=0)
        self.calls: Counter[str] = Counter()
        self.orders = 0

    def run(self, *, gateway_down: bool) -> Execution:
        """One order; while ``gateway_down`` every payment call times out before charging."""
        invoke = app.local_handler(self.deps)

        def gateway(function: str, payload: Any) -> Any:
            service = function.rsplit(":", 1)[-1].removeprefix(f"{app.name}-")
            self.calls[service] += 1
            if gateway_down and service == "authorize-payment":
                raise TaskFailure("PaymentGatewayTimeout", "card gateway timed out")
            return invoke(function, payload)

        self.orders += 1
        order = {**SAMPLE_ORDER, "request_id": f"req-{self.orders:04d}"}
        execution = run_asl(
            self.definition, order, lambda_handler=gateway, aws=self.aws, clock=self.clock
        )
        self.clock.advance(5)
        return execution

    def breaker(self) -> dict[str, Any]:
        (item,) = self.aws.tables[PAYMENT_BREAKER.table.replace("{prefix}", app.name)].items
        return {name: int(value["N"]) for name, value in item.items() if "N" in value}

    def consistent(self) -> None:
        """No order left created without payment and stock, no charge or stock held for a
        rejected order."""
        store = self.deps.store
        created = {o["order_id"] for o in store.table("orders").scan() if o["status"] == "created"}
        held = [r for r in store.table("reservations").scan() if r["status"] == "reserved"]
        charged = [p for p in store.table("payments").scan() if p["status"] == "authorized"]
        assert len(created) == len(held) == len(charged)


def _entered(execution: Execution) -> list[str]:
    return [
        event["stateEnteredEventDetails"]["name"]
        for event in execution.history
        if "stateEnteredEventDetails" in event
    ]


def test_a_gateway_storm_opens_the_breaker_and_a_probe_closes_it() -> None:
    stack = Stack()
    assert stack.run(gateway_down=False).status == "SUCCEEDED"

    # Orders exhaust their retries against a dead gateway: each is rejected and
    # compensated, and the threshold-th within the window opens the breaker.
    threshold = PAYMENT_BREAKER.failure_threshold
    storm = [stack.run(gateway_down=True) for _ in range(threshold)]
    assert {(e.status, e.error) for e in storm} == {("FAILED", "PaymentUnavailable")}
    assert all("Compensate ProcessOrder" in _entered(e) for e in storm)
    assert stack.breaker()["failures"] == threshold and stack.breaker()["opened_at"] > 0
    calls_in_storm = stack.calls["authorize-payment"]
    assert calls_in_storm > 1 + threshold  # each order retried the gateway

    # Open: orders fail fast, the gateway is not called, the saga still undoes the
    # order and the reservation made by the other branches.
    fast = [stack.run(gateway_down=True) for _ in range(3)]
    assert {(e.status, e.error) for e in fast} == {("FAILED", "PaymentUnavailable")}
    assert stack.calls["authorize-payment"] == calls_in_storm
    assert all("AuthorizePayment" not in _entered(e) for e in fast)
    assert all("PaymentBreaker open: PaymentUnavailable" in _entered(e) for e in fast)
    stack.consistent()

    # After the cooldown, the gateway being back, one order probes it and closes it.
    stack.clock.advance(PAYMENT_BREAKER.cooldown_seconds)
    probe = stack.run(gateway_down=False)
    assert probe.status == "SUCCEEDED"
    assert "PaymentBreaker: Close" in _entered(probe)
    assert stack.breaker() == {"failures": 0, "window_start": 0, "opened_at": 0}
    after = stack.run(gateway_down=False)
    assert after.status == "SUCCEEDED" and "PaymentBreaker: Close" not in _entered(after)
    stack.consistent()


def test_a_declined_payment_does_not_count_against_the_gateway() -> None:
    stack = Stack()
    declined = {
        **SAMPLE_ORDER,
        "user_id": "u-200",  # credit score 600: over $1,000.00 is declined
        "items": [{"product_id": "p-1", "quantity": 3, "unit_price_cents": 50_000}],
    }
    for number in range(PAYMENT_BREAKER.failure_threshold + 1):
        execution = run_asl(
            stack.definition,
            {**declined, "request_id": f"req-d{number}"},
            lambda_handler=app.local_handler(stack.deps),
            aws=stack.aws,
            clock=stack.clock,
        )
        assert (execution.status, execution.error) == ("FAILED", "PaymentDeclined")
    table = stack.aws.tables[PAYMENT_BREAKER.table.replace("{prefix}", app.name)]
    assert table.items == []  # never written: the breaker stays closed
