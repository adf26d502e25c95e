"""Contract snapshots and compatibility modes, schema-registry style."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field

from orderflow.testing._contracts import (
    BreakingChange,
    ProviderViolation,
    breaking_changes,
    contract_schema,
    snapshot_text,
    verify_provider,
    verify_snapshot,
)


class V1(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    note: str | None = None
    kind: Literal["card", "bank"] = "card"


class AddRequired(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    note: str | None = None
    kind: Literal["card", "bank"] = "card"
    currency: str


class AddOptional(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    note: str | None = None
    kind: Literal["card", "bank"] = "card"
    currency: str = "EUR"


class NarrowType(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    note: str = ""
    kind: Literal["card", "bank"] = "card"


class DropEnumValue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    note: str | None = None
    kind: Literal["card"] = "card"


class TightenBound(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(gt=0)
    note: str | None = None
    kind: Literal["card", "bank"] = "card"


class RemoveField(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: str
    amount: int = Field(ge=0)
    kind: Literal["card", "bank"] = "card"


def _schema(model: type[BaseModel]) -> dict:  # type: ignore[type-arg]
    return contract_schema(model, "input")


@pytest.mark.parametrize(
    ("new", "backward", "forward"),
    [
        (V1, False, False),
        (AddRequired, True, True),  # and old readers (closed) reject the new field
        (AddOptional, False, True),  # old readers (closed) reject the new field
        (NarrowType, True, False),
        (DropEnumValue, True, False),
        (TightenBound, True, False),
        (RemoveField, True, False),  # old writers may still send 'note'
    ],
)
def test_modes(new: type[BaseModel], backward: bool, forward: bool) -> None:
    old = _schema(V1)
    assert bool(breaking_changes(old, _schema(new), "backward")) is backward
    assert bool(breaking_changes(old, _schema(new), "forward")) is forward
    assert bool(breaking_changes(old, _schema(new), "full")) is (backward or forward)


def test_auto_is_backward_for_inputs_and_forward_for_outputs() -> None:
    old, new = _schema(V1), _schema(AddOptional)
    assert breaking_changes(old, new, "auto", "input") == []
    assert breaking_changes(old, new, "auto", "output") != []


def test_messages_name_the_field() -> None:
    [change] = breaking_changes(_schema(V1), _schema(AddRequired), "backward")
    assert change.where == "$.currency" and "new required field 'currency'" in change.message


def test_snapshot_lifecycle(tmp_path: Path) -> None:
    with pytest.raises(BreakingChange, match="--orderflow-update-contracts"):
        verify_snapshot(tmp_path, "pay", "input", _schema(V1), mode="auto", update=False)
    assert verify_snapshot(
        tmp_path, "pay", "input", _schema(V1), mode="auto", update=True
    ).startswith("created")
    assert (tmp_path / "pay.input.json").read_text() == snapshot_text(_schema(V1))
    assert (
        verify_snapshot(tmp_path, "pay", "input", _schema(V1), mode="auto", update=False)
        == "unchanged"
    )
    assert "compatible change" in verify_snapshot(
        tmp_path, "pay", "input", _schema(AddOptional), mode="backward", update=False
    )
    with pytest.raises(BreakingChange, match="currency"):
        verify_snapshot(
            tmp_path, "pay", "input", _schema(AddRequired), mode="backward", update=False
        )
    assert verify_snapshot(
        tmp_path, "pay", "input", _schema(AddRequired), mode="none", update=False
    )
    assert verify_snapshot(
        tmp_path, "pay", "input", _schema(AddRequired), mode="backward", update=True
    ).startswith("updated")


class _Bad:
    """A service whose handler breaks its own contract for some inputs."""

    name = "bad"
    input_model = V1
    output_model = V1
    errors: tuple[type[BaseException], ...] = (LookupError,)

    def invoke_json(self, event: dict, deps: object) -> dict:  # type: ignore[type-arg]
        if event["amount"] > 3:
            return {"user_id": event["user_id"], "amount": -1}
        if event["amount"] == 3:
            raise KeyError("declared: a LookupError")
        return event


class _Crashes(_Bad):
    def invoke_json(self, event: dict, deps: object) -> dict:  # type: ignore[type-arg]
        raise RuntimeError("boom")


def test_provider_verification_catches_invalid_outputs() -> None:
    with pytest.raises(ProviderViolation, match="the output breaks V1"):
        verify_provider("bad", _Bad(), lambda: None, max_examples=50)


def test_provider_verification_catches_undeclared_errors() -> None:
    with pytest.raises(ProviderViolation, match="RuntimeError"):
        verify_provider("crashes", _Crashes(), lambda: None, max_examples=5)


def test_orderflow_services_keep_their_contracts() -> None:
    from orderflow.orders.app import app

    for name, service in app.services.items():
        verify_provider(name, service, app.deps, max_examples=10)
