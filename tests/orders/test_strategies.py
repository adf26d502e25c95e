from __future__ import annotations

from typing import Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field

from orderflow.orders import Notification, Order
from orderflow.orders.app import app
from orderflow.testing._strategies import UnsupportedSchema, from_model, json_from_model


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int = Field(gt=2, lt=6, description="n")


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["a", "b"] = Field(description="k")
    code: str = Field(pattern=r"^[A-Z]{3}$", description="c")
    inner: list[_Inner] = Field(min_length=2, max_length=3, description="i")
    maybe: int | None = Field(default=None, description="m")


@settings(max_examples=80, deadline=None)
@given(json_from_model(_Outer))
def test_generated_json_satisfies_constraints(payload: dict[str, Any]) -> None:
    model = _Outer.model_validate(payload)
    assert model.kind in {"a", "b"}
    assert len(model.code) == 3 and model.code.isupper()
    assert 2 <= len(model.inner) <= 3 and all(3 <= i.n <= 5 for i in model.inner)


@pytest.mark.parametrize(
    "model", [Order, Notification, *(s.output_model for s in app.services.values())]
)
def test_every_contract_is_generatable(model: type[BaseModel]) -> None:
    @settings(max_examples=20, deadline=None)
    @given(from_model(model))
    def check(instance: BaseModel) -> None:
        assert isinstance(instance, model)
        assert model.model_validate_json(instance.model_dump_json()) == instance

    check()


@settings(max_examples=30, deadline=None)
@given(json_from_model(_Outer, {"n": st.just(4)}))
def test_overrides_apply_at_depth(payload: dict[str, Any]) -> None:
    assert all(i["n"] == 4 for i in payload["inner"])


def test_unsupported_schema_is_reported() -> None:
    class Odd(BaseModel):
        url: str = Field(json_schema_extra={"format": "uri"}, description="u")

    with pytest.raises(UnsupportedSchema, match="uri"):
        json_from_model(Odd).example()
