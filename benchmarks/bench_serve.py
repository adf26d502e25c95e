"""``orderflow serve`` under load: 1,000 concurrent executions with waits and callbacks.

Not a test: run ``python benchmarks/bench_serve.py [--count N] [--time-scale S]`` and read
the figures. A real server runs in a subprocess on a free 127.0.0.1 port with its own
SQLite database; every execution waits (up to ``--longest-wait`` simulated seconds), then
waits for a task token that the driver reads from the history and answers with
``SendTaskSuccess``, then waits again and ends. Printed: how fast executions start, how
long until all have ended, end-to-end throughput, and the in-process executor running the
same machine in this process (the baseline) with the ratio.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.serve._load import LOAD_MACHINE, Load, load_input
from tests.serve._server import ServerProcess

from orderflow.executor import start_execution


def in_process_baseline(count: int, longest_wait: int) -> float:
    """Executions per second of the same machine in-process (virtual clock, tokens
    answered as soon as they are issued)."""
    started = time.perf_counter()
    for i in range(count):
        execution = start_execution(
            LOAD_MACHINE,
            load_input(i, longest_wait),
            handlers={"arn:aws:states:::sqs:sendMessage": lambda payload: {}},
        )
        token = execution.waiting_token
        assert token is not None
        execution.send_task_success(token, {"by": i})
        assert execution.status == "SUCCEEDED", execution
    return count / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--time-scale", type=float, default=0.001)
    parser.add_argument("--longest-wait", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(
            Path(tmp) / "bench.db", time_scale=args.time_scale, workers=args.workers
        ).start()
        try:
            load = Load(server.client(), args.count, longest_wait=args.longest_wait)
            load.create()
            began = time.perf_counter()
            load.start_all()
            started = time.perf_counter() - began
            load.drive_to_end()
            total = time.perf_counter() - began
            problems = load.check_each_ended_once()
            load.close()
        finally:
            server.stop()
    assert not problems, problems[:3]
    served = args.count / total
    baseline = in_process_baseline(args.count, args.longest_wait)
    print(
        f"executions: {args.count}, each: wait <= {args.longest_wait} s simulated, a callback, "
        f"wait 3 s (time scale {args.time_scale}, {args.workers} workers)"
    )
    print(f"StartExecution calls          {args.count / started:>10,.0f} /s")
    print(f"all ended after               {total:>10.2f} s  (every one SUCCEEDED exactly once)")
    print(f"served throughput             {served:>10,.1f} executions/s end to end")
    print(f"in-process executor baseline  {baseline:>10,.1f} executions/s (virtual clock)")
    print(f"ratio served / in-process     {served / baseline:>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
