"""What the optional SDK costs at import: ``import orderflow`` with and without the extra.

Run with each interpreter: ``.venv/bin/python benchmarks/bench_import.py`` (no extra) and
``<venv with orderflow[sdk]>/bin/python benchmarks/bench_import.py``. Every figure is the
median of ``--repeat`` fresh interpreters (a module is imported once per process, so a warm
measurement would say nothing), measured inside the child with ``time.perf_counter`` around
the statement, so interpreter start-up is excluded. Ratios are to ``import orderflow`` in
the same run.

With the extra installed, ``import orderflow`` must stay where it is without it (the SDK is
imported on first use only); the first ``to_sdk`` call is where the SDK's cost appears.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys

TINY = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'

CASES: list[tuple[str, str, str]] = [
    # (label, setup, statement timed)
    ("import orderflow", "", "import orderflow"),
    ("import orderflow.sdk", "", "import orderflow.sdk"),
    ("import orderflow.cli", "", "import orderflow.cli"),
    (
        "first to_sdk() call",
        "from orderflow.sdk import to_sdk",
        f"to_sdk({TINY!r})",
    ),
    ("import stepfunctions (direct)", "", "import stepfunctions"),
]
SDK_ONLY = {"first to_sdk() call", "import stepfunctions (direct)"}


def _child(setup: str, statement: str) -> str:
    return (
        "import json, sys, time\n"
        f"{setup}\n"
        "start = time.perf_counter()\n"
        f"{statement}\n"
        "elapsed = time.perf_counter() - start\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('stepfunctions', 'sagemaker'))\n"  # noqa: E501
        "sys.stderr.flush()\n"
        "print('\\nRESULT=' + json.dumps({'seconds': elapsed, 'sdk_loaded': bool(heavy)}))\n"
    )


def measure(setup: str, statement: str) -> tuple[float, bool]:
    done = subprocess.run(
        [sys.executable, "-c", _child(setup, statement)],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    result = json.loads(done.stdout.rsplit("RESULT=", 1)[1])
    return float(result["seconds"]), bool(result["sdk_loaded"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="fresh interpreters per case")
    args = parser.parse_args()
    installed = importlib.util.find_spec("stepfunctions") is not None
    print(f"python: {sys.executable}")
    print(f"sdk extra installed: {'yes' if installed else 'no'}")
    print(f"{'case':34} {'median ms':>10} {'min ms':>9} {'ratio':>7}  sdk imported")
    baseline: float | None = None
    for label, setup, statement in CASES:
        if label in SDK_ONLY and not installed:
            print(f"{label:34} {'-':>10} {'-':>9} {'-':>7}  (extra not installed)")
            continue
        runs = [measure(setup, statement) for _ in range(args.repeat)]
        times = [seconds for seconds, _ in runs]
        median = statistics.median(times)
        if baseline is None:
            baseline = median
        loaded = "yes" if any(flag for _, flag in runs) else "no"
        print(
            f"{label:34} {median * 1000:10.1f} {min(times) * 1000:9.1f} "
            f"{median / baseline:7.2f}  {loaded}"
        )


if __name__ == "__main__":
    main()
