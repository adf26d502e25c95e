"""Executor speed: executions and transitions per second, against moto's interpreter.

Not a test: run ``python benchmarks/bench_executor.py [--quick]`` and read the figures.

* the order workflow (rendered from the DSL) with the services in-process;
* a 1,000-state Pass chain and a Map over 10,000 items (state transitions per second);
* the same order workflow on moto's Step Functions interpreter (``execute_state_machine``
  on, Lambda answered in-process by patching moto's Lambda client), and the ratio;
* memory over many sequential executions (tracemalloc), which must stay flat.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import logging
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any
from unittest import mock

from orderflow.dsl import render
from orderflow.executor import start_execution
from orderflow.orders.app import app
from orderflow.orders.workflow import SAMPLE_ORDER, order_workflow


def rate(label: str, count: int, seconds: float, unit: str) -> float:
    per_second = count / seconds
    print(f"{label:<48} {per_second:>12,.0f} {unit}/s  ({count:,} in {seconds:.2f}s)")
    return per_second


def timed(fn: Callable[[], Any], repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return time.perf_counter() - started


def bench_order_workflow(n: int) -> float:
    definition = render(order_workflow)
    handler = app.local_handler(app.deps(seed=1))

    def once() -> None:
        execution = start_execution(definition, SAMPLE_ORDER, lambda_handler=handler)
        assert execution.status == "SUCCEEDED", execution.cause

    once()
    return rate("order workflow (orderflow, in-process services)", n, timed(once, n), "executions")


def pass_chain(length: int) -> dict[str, Any]:
    states = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(length - 1)}
    states[f"S{length - 1}"] = {"Type": "Pass", "End": True}
    return {"StartAt": "S0", "States": states}


def bench_pass_chain(repeat: int) -> None:
    machine = pass_chain(1000)
    start_execution(machine, {"a": 1})
    seconds = timed(lambda: start_execution(machine, {"a": 1}), repeat)
    rate("1,000-state Pass chain", 1000 * repeat, seconds, "transitions")


def bench_map(items: int) -> None:
    machine = {
        "StartAt": "M",
        "States": {
            "M": {
                "Type": "Map",
                "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                "End": True,
            }
        },
    }
    data = list(range(items))
    seconds = timed(lambda: start_execution(machine, data), 1)
    rate(f"Map over {items:,} items", items + 1, seconds, "transitions")


class _FakeLambda:
    """Stands in for boto3's Lambda client inside moto's interpreter."""

    def __init__(self) -> None:
        self.handler = app.local_handler(app.deps(seed=1))

    def invoke(self, **params: Any) -> dict[str, Any]:
        payload = params.get("Payload") or b"{}"
        event = json.loads(payload if isinstance(payload, (bytes, str)) else json.dumps(payload))
        try:
            result = self.handler(params["FunctionName"], event)
        except Exception as exc:
            body = json.dumps({"errorMessage": str(exc), "errorType": type(exc).__name__})
            return {
                "StatusCode": 200,
                "FunctionError": "Unhandled",
                "Payload": io.BytesIO(body.encode()),
            }
        return {
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
            "Payload": io.BytesIO(json.dumps(result).encode()),
        }


def bench_moto(n: int) -> float | None:
    try:
        import boto3
        from moto import mock_aws
        from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    except ImportError as exc:
        print(f"moto not available: {exc}")
        return None
    # moto logs every failed state at ERROR with its whole parse tree; the outcome counts
    # below say how its runs ended.
    logging.getLogger("moto").setLevel(logging.CRITICAL)
    definition = render(order_workflow).to_json(indent=None)
    fake = _FakeLambda()
    with (
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        mock.patch.object(lambda_eval_utils, "boto_client_for", lambda **_: fake),
    ):
        client = boto3.client("stepfunctions", region_name="us-east-1")
        arn = client.create_state_machine(
            name="order", definition=definition, roleArn="arn:aws:iam::123456789012:role/sfn"
        )["stateMachineArn"]

        outcomes: dict[str, int] = {}

        def once() -> None:
            number = sum(outcomes.values())
            execution = client.start_execution(
                stateMachineArn=arn, name=f"run-{number}", input=json.dumps(SAMPLE_ORDER)
            )
            while True:
                status = client.describe_execution(executionArn=execution["executionArn"])
                if status["status"] != "RUNNING":
                    break
                time.sleep(0.0005)
            key = f"{status['status']} {status.get('error', '')}".strip()
            outcomes[key] = outcomes.get(key, 0) + 1

        once()
        per_second = rate("order workflow (moto interpreter)", n, timed(once, n), "executions")
        # moto runs every state of the workflow but ends differently from AWS: its JSONPath
        # returns `$.process_order[0].order_id` as a one-element list, so the last task's
        # contract rejects the payload. We report how its runs ended.
        print(f"    moto outcomes: {outcomes}")
        return per_second


def bench_memory(n: int) -> None:
    definition = render(order_workflow)
    handler = app.local_handler(app.deps(seed=1))
    gc.collect()
    tracemalloc.start()
    checkpoints: list[tuple[int, int]] = []
    step = max(n // 5, 1)
    print(f"memory over {n:,} sequential executions (traced bytes after gc):", flush=True)
    for i in range(1, n + 1):
        start_execution(definition, SAMPLE_ORDER, lambda_handler=handler)
        if i % step == 0:
            gc.collect()
            size = tracemalloc.get_traced_memory()[0]
            checkpoints.append((i, size))
            print(f"    after {i:>7,}: {size / 1024:>10,.1f} KiB", flush=True)
    tracemalloc.stop()
    growth = checkpoints[-1][1] - checkpoints[0][1]
    print(f"    growth from first to last checkpoint: {growth / 1024:,.1f} KiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--memory", type=int, default=None, help="executions for the memory check")
    args = parser.parse_args(argv)
    quick = args.quick
    ours = bench_order_workflow(200 if quick else 2000)
    bench_pass_chain(5 if quick else 30)
    bench_map(10_000)
    theirs = bench_moto(5 if quick else 30)
    if theirs:
        print(f"{'speed-up over moto on the order workflow':<48} {ours / theirs:>12,.0f}x")
    bench_memory(args.memory if args.memory is not None else (2_000 if quick else 100_000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
