"""``orderflow run --approve / --reject REASON``: a high-value order waits for a decision;
without either, it waits out its timeout on the virtual clock and is rejected."""

from __future__ import annotations

import json

import pytest

from orderflow.cli import main

BIG = json.dumps(
    {
        "request_id": "req-big",
        "user_id": "u-100",
        "items": [{"product_id": "p-1", "quantity": 300, "unit_price_cents": 1999}],
    }
)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["run", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_approve_lets_the_order_through(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--input", BIG, "--approve")
    assert code == 0, err
    assert json.loads(out)["send_notification"]["status"] == "sent"
    assert "approved (--approve)" in err


def test_reject_ends_in_order_not_approved(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--input", BIG, "--reject", "over budget", "--trace")
    assert code == 1
    assert "execution FAILED: Rejected" in err and "cause: over budget" in err
    assert "> OrderNotApproved (Fail)" in err
    assert "CreateOrder" not in err  # rejected before anything was created


def test_no_answer_times_out_on_the_virtual_clock(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "--input", BIG)
    assert code == 1
    assert "nobody answered; the task timed out" in err
    assert "execution FAILED: States.Timeout" in err


def test_the_sample_order_needs_no_decision(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--reject", "unused")
    assert code == 0, err
    assert "task token" not in err and json.loads(out)["send_notification"]["status"] == "sent"


def test_approve_and_reject_together_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _out, err = run(capsys, "--approve", "--reject", "x")
    assert code == 2 and "exclusive" in err
