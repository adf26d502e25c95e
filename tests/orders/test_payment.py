from __future__ import annotations

import pytest

from orderflow.orders import (
    AuthorizePaymentInput,
    Payment,
    PaymentConflict,
    PaymentDeclined,
    PaymentGatewayTimeout,
    authorize_payment,
)
from orderflow.orders.app import app
from orderflow.runtime import ServiceDeps


def _pay(key: str = "k-1", amount: int = 5000, score: int = 720) -> AuthorizePaymentInput:
    return AuthorizePaymentInput(
        idempotency_key=key, user_id="u-100", amount_cents=amount, credit_score=score
    )


def test_authorizes(deps: ServiceDeps) -> None:
    payment = authorize_payment(_pay(), deps)
    assert payment.status == "authorized"
    assert payment.method == "card"
    assert payment.amount_cents == 5000
    assert (
        Payment.model_validate(deps.store.table("payments").get(payment.transaction_id)) == payment
    )


@pytest.mark.parametrize(
    ("amount", "score", "declined"),
    [
        (100_000, 300, False),  # exactly $1,000.00 is not "over"
        (100_001, 649, True),
        (100_001, 650, False),
        (5_000_000, 849, False),
        (250_000, 600, True),
    ],
)
def test_decline_rule(deps: ServiceDeps, amount: int, score: int, declined: bool) -> None:
    if declined:
        with pytest.raises(PaymentDeclined, match=r"\$1,000\.00"):
            authorize_payment(_pay(amount=amount, score=score), deps)
        assert len(deps.store.table("payments").scan()) == 0
    else:
        assert authorize_payment(_pay(amount=amount, score=score), deps).amount_cents == amount


def test_declined_is_not_retryable() -> None:
    assert PaymentDeclined in authorize_payment.errors
    assert PaymentDeclined not in authorize_payment.retryable
    assert authorize_payment.retryable == (PaymentGatewayTimeout,)


def test_same_key_returns_recorded_payment(deps: ServiceDeps) -> None:
    first = authorize_payment(_pay(), deps)
    second = authorize_payment(_pay(), deps)
    assert second == first
    assert len(deps.store.table("payments").scan()) == 1


def test_same_key_other_amount_conflicts(deps: ServiceDeps) -> None:
    authorize_payment(_pay(), deps)
    with pytest.raises(PaymentConflict):
        authorize_payment(_pay(amount=5001), deps)


def test_timeouts_follow_rate_and_seed() -> None:
    def outcomes(seed: int) -> list[str]:
        deps = app.deps(seed=seed, failure_rates={"authorize-payment": 0.3})
        result = []
        for i in range(200):
            try:
                authorize_payment(_pay(key=f"k-{i}"), deps)
                result.append("ok")
            except PaymentGatewayTimeout:
                result.append("timeout")
        return result

    first = outcomes(7)
    assert first == outcomes(7)  # reproducible for a seed
    assert first != outcomes(8)
    assert 30 <= first.count("timeout") <= 90  # around 0.3 * 200


def test_no_timeouts_at_rate_zero_and_always_at_one() -> None:
    calm = app.deps(seed=1)
    for i in range(50):
        authorize_payment(_pay(key=f"k-{i}"), calm)
    stormy = app.deps(seed=1, failure_rates={"authorize-payment": 1.0})
    for i in range(20):
        with pytest.raises(PaymentGatewayTimeout):
            authorize_payment(_pay(key=f"k-{i}"), stormy)


def test_timeout_after_charge_is_safe_to_retry() -> None:
    # Find, for this seed, a call whose timeout happened after the charge was recorded.
    deps = app.deps(seed=3, failure_rates={"authorize-payment": 1.0})
    payments = deps.store.table("payments")
    for i in range(50):
        key = f"k-{i}"
        with pytest.raises(PaymentGatewayTimeout) as info:
            authorize_payment(_pay(key=key), deps)
        if "after" in str(info.value):
            break
    else:
        pytest.fail("rate 1.0 never timed out after the charge in 50 tries")
    recorded = payments.scan()
    assert len(recorded) == 1  # the charge happened once
    # The retry (even while the gateway still misbehaves) returns that same charge.
    retried = authorize_payment(_pay(key=key), deps)
    assert retried.model_dump() == recorded[0]
    assert len(payments.scan()) == 1


def test_timeout_before_charge_records_nothing() -> None:
    deps = app.deps(seed=3, failure_rates={"authorize-payment": 1.0})
    for i in range(50):
        before = len(deps.store.table("payments").scan())
        with pytest.raises(PaymentGatewayTimeout) as info:
            authorize_payment(_pay(key=f"k-{i}"), deps)
        if "before" in str(info.value):
            assert len(deps.store.table("payments").scan()) == before
            return
    pytest.fail("rate 1.0 never timed out before the charge in 50 tries")
