"""Injected dependencies refuse bad configuration with orderflow errors naming the value."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from orderflow._errors import ContractError
from orderflow.orders import TABLES
from orderflow.orders.app import app
from orderflow.runtime import FixedClock, ServiceDeps, SteppingClock, Store

NAIVE = datetime(2026, 3, 1, 12, 0)


def test_clocks_read_as_configured() -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    assert FixedClock(when)() == FixedClock(when)() == when
    clock = SteppingClock(when, timedelta(minutes=1))
    assert [clock(), clock()] == [when, when + timedelta(minutes=1)]


@pytest.mark.parametrize("make", [FixedClock, SteppingClock])
def test_a_naive_datetime_is_refused_naming_it(make: Any) -> None:
    with pytest.raises(ContractError, match=r"naive 2026-03-01T12:00:00; give it a tzinfo"):
        make(NAIVE)
    with pytest.raises(ValueError):  # ContractError is a ValueError: old handlers still work
        make(NAIVE)


@pytest.mark.parametrize(
    ("rate", "message"),
    [
        (1.5, r"'authorize-payment' must be in \[0, 1\], not 1.5"),
        (-0.1, r"must be in \[0, 1\], not -0.1"),
        (float("nan"), r"must be in \[0, 1\], not nan"),
        ("0.5", r"must be a number in \[0, 1\], not '0.5'"),
        (True, r"must be a number in \[0, 1\], not True"),
    ],
)
def test_a_bad_failure_rate_is_refused_naming_it(rate: Any, message: str) -> None:
    with pytest.raises(ContractError, match=message):
        ServiceDeps(
            store=Store.in_memory(TABLES),
            clock=SteppingClock(),
            rng=random.Random(0),
            failure_rates={"authorize-payment": rate},
        )


def test_failure_rates_at_the_bounds_are_accepted() -> None:
    deps = app.deps(failure_rates={"authorize-payment": 1, "get-user": 0.0})
    assert deps.failure_rate("authorize-payment") == 1
    assert deps.failure_rate("cancel-order") == 0.0
