"""The shop's services and their contracts (Pydantic models)."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from orderflow import ServiceError
from orderflow.runtime import Service


class Basket(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str = Field(min_length=1)
    skus: list[str] = Field(min_length=1, max_length=10)


class Quote(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str
    total_cents: int = Field(gt=0)


class ChargeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer: str
    amount_cents: int = Field(gt=0)


class Receipt(BaseModel):
    model_config = ConfigDict(extra="forbid")
    receipt_id: str
    amount_cents: int = Field(gt=0)


class CardDeclined(ServiceError):
    """The card was declined (a business error: never retried)."""


@dataclass
class Deps:
    """What the services need: a price list and a spending limit."""

    price_cents: int = 250
    limit_cents: int = 2_000


def make_deps() -> Deps:
    return Deps()


def _quote(request: Basket, deps: Deps) -> Quote:
    return Quote(customer=request.customer, total_cents=deps.price_cents * len(request.skus))


def _charge(request: ChargeRequest, deps: Deps) -> Receipt:
    if request.amount_cents > deps.limit_cents:
        raise CardDeclined(f"{request.amount_cents} cents is over the limit")
    return Receipt(receipt_id=f"r-{request.customer}", amount_cents=request.amount_cents)


quote = Service("quote", _quote, Basket, Quote, description="Price a basket.")
charge = Service(
    "charge", _charge, ChargeRequest, Receipt, errors=(CardDeclined,), description="Charge."
)
SERVICES = {service.name: service for service in (quote, charge)}
