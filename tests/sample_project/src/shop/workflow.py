"""The checkout workflow, in orderflow's typed DSL."""

from __future__ import annotations

from orderflow.dsl import Flow, workflow
from shop.services import Basket, ChargeRequest, charge, quote


@workflow("checkout", input_model=Basket)
def checkout(flow: Flow[Basket]) -> None:
    priced = flow.task("Quote", quote).call_with(flow.input)
    flow.task("Charge", charge).call(
        ChargeRequest, customer=priced.customer, amount_cents=priced.total_cents
    )
