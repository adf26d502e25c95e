"""How validate() scales: time per state on generated machines of 1,000 to 4,000 states.

Run: ``.venv/bin/python benchmarks/bench_validation.py [--repeat N]``. The machines mix
every kind of check (Tasks with Retry/Catch and payload templates, Choices, Waits, Parallel
branches and Map bodies), grouped in blocks of 10 states. Linear validation shows a flat
time per state; the last column is the ratio to the smallest machine's time per state.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from orderflow.validation import has_errors, validate

LAMBDA = "arn:aws:states:::lambda:invoke"


def _block(i: int, next_name: str) -> dict[str, Any]:
    """Ten states, entered at f"Check{i}" and leaving to ``next_name``."""
    p = f"{i}"
    return {
        f"Check{p}": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.order.total", "NumericGreaterThan": 100, "Next": f"Charge{p}"},
                {
                    "And": [
                        {"Variable": "$.order.express", "BooleanEquals": True},
                        {"Variable": "$.order.country", "StringEquals": "FR"},
                    ],
                    "Next": f"Wait{p}",
                },
            ],
            "Default": f"Prepare{p}",
        },
        f"Prepare{p}": {
            "Type": "Pass",
            "Parameters": {"id.$": "$.order.id", "at.$": "$$.State.EnteredTime", "n": 1},
            "ResultPath": "$.prepared",
            "Next": f"Charge{p}",
        },
        f"Wait{p}": {"Type": "Wait", "SecondsPath": "$.delay", "Next": f"Charge{p}"},
        f"Charge{p}": {
            "Type": "Task",
            "Resource": LAMBDA,
            "Parameters": {
                "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:charge",
                "Payload": {
                    "order.$": "$.order",
                    "key.$": "States.Format('charge-{}', $.order.id)",
                },
            },
            "ResultSelector": {"receipt.$": "$.Payload.receipt"},
            "ResultPath": "$.charge",
            "TimeoutSeconds": 30,
            "Retry": [
                {
                    "ErrorEquals": ["Lambda.ServiceException"],
                    "IntervalSeconds": 2,
                    "MaxAttempts": 3,
                },
            ],
            "Catch": [
                {
                    "ErrorEquals": ["PaymentDeclined"],
                    "ResultPath": "$.error",
                    "Next": f"Declined{p}",
                }
            ],
            "Next": f"Fanout{p}",
        },
        f"Declined{p}": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "card declined"},
        f"Fanout{p}": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": f"Reserve{p}",
                    "States": {f"Reserve{p}": {"Type": "Pass", "End": True}},
                },
                {"StartAt": f"Notify{p}", "States": {f"Notify{p}": {"Type": "Pass", "End": True}}},
            ],
            "ResultPath": "$.fanout",
            "Next": f"Items{p}",
        },
        f"Items{p}": {
            "Type": "Map",
            "ItemsPath": "$.order.items",
            "ItemProcessor": {
                "StartAt": f"Item{p}",
                "States": {f"Item{p}": {"Type": "Pass", "End": True}},
            },
            "ResultPath": "$.items",
            "Next": next_name,
        },
    }


def generate(states: int) -> dict[str, Any]:
    """A valid machine with exactly ``states`` states (nested ones included)."""
    blocks = (states - 1) // 10  # each block has 7 top-level and 3 nested states
    pads = states - 1 - blocks * 10  # a Pass chain in front makes up the exact count
    machine: dict[str, Any] = {
        f"Pad{j}": {"Type": "Pass", "Next": f"Pad{j + 1}" if j + 1 < pads else "Check0"}
        for j in range(pads)
    }
    for i in range(blocks):
        machine.update(_block(i, f"Check{i + 1}" if i + 1 < blocks else "Done"))
    machine["Done"] = {"Type": "Succeed"}
    return {"StartAt": "Pad0" if pads else "Check0", "States": machine}


def time_validate(definition: dict[str, Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        diagnostics = validate(definition)
        best = min(best, time.perf_counter() - start)
    # Past ~6,000 states the generated text exceeds AWS's 1 MiB limit: expected, not a bug.
    unexpected = [d for d in diagnostics if d.code != "definition-too-large"]
    assert not has_errors(unexpected), unexpected[:3]
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 4000])
    args = parser.parse_args()
    # One untimed run first: imports, regex compilation and the path caches warm up.
    validate(generate(min(args.sizes)))
    base: float | None = None
    print(f"{'states':>8} {'seconds':>9} {'us/state':>9} {'ratio':>6}")
    for size in args.sizes:
        seconds = time_validate(generate(size), args.repeat)
        per_state = seconds / size
        base = base or per_state
        print(f"{size:>8} {seconds:>9.4f} {per_state * 1e6:>9.1f} {per_state / base:>6.2f}")


if __name__ == "__main__":
    main()
