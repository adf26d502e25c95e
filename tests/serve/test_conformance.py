"""AWS's recorded executions replayed through the HTTP API (not in-process).

Every in-scope case of ``../shared/conformance/executions`` becomes a state machine on a
served endpoint; STANDARD cases run with ``StartExecution`` (durably, on the scaled real
clock), EXPRESS ones with ``StartSyncExecution``; the outcome read back with
``DescribeExecution`` is compared with AWS's by the executor's conformance harness. The
pass count must match the in-process executor's on the same cases.
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from orderflow.executor._conformance import (
    Case,
    Result,
    _compare,
    corpus_root,
    denormalise,
    load_cases,
    run_case,
)
from orderflow.executor._timestamps import parse_timestamp

from ._server import ServerProcess, poll

pytestmark = pytest.mark.conformance

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")


def _waits_until_far_future(case: Case) -> bool:
    """Whether the case waits for a moment years ahead of today.

    On the real clock such a case would wait for years (or, past AWS's limit of 2^31 s
    from now, fail): its recorded outcome depends on the day it was recorded, so it cannot
    be replayed on a real clock. The in-process executor runs it on a virtual clock.
    """
    text = json.dumps([case.data["definition"], case.data.get("input")])
    now = datetime.now(UTC)
    return any(
        (moment := parse_timestamp(found)) is not None and moment - now > timedelta(days=1)
        for found in _ISO.findall(text)
    )


def _outcome(described: dict[str, Any]) -> tuple[str, Any, str | None, str | None]:
    output = described.get("output")
    return (
        described["status"],
        json.loads(output) if output is not None else None,
        described.get("error"),
        described.get("cause"),
    )


def test_recorded_executions_through_http_keep_the_executor_pass_rate(tmp_path: Path) -> None:
    if not (corpus_root() / "executions").is_dir():
        pytest.skip("conformance corpus not found next to the repository")
    every = load_cases()
    # The replay app finds a case by its index in load_cases(): keep those indexes.
    indexed = [(i, case) for i, case in enumerate(every) if not _waits_until_far_future(case)]
    cases = [case for _, case in indexed]
    server = ServerProcess(
        tmp_path / "corpus.db", time_scale=1e-5, extra=["--app", "_replay_app:app"]
    ).start()
    pool = ThreadPoolExecutor(max_workers=16)
    try:
        client = server.client()

        def launch(item: tuple[int, Case]) -> tuple[str, Any]:
            i, case = item
            data = case.data
            kind = data.get("state_machine_type", "STANDARD")
            machine = client.create_state_machine(
                name=f"m-{i}",
                definition=json.dumps(denormalise(data["definition"])),
                roleArn="arn:aws:iam::111111111111:role/sfn",
                type=kind,
            )["stateMachineArn"]
            text = json.dumps(data.get("input"))
            if kind == "EXPRESS":
                return "sync", client.start_sync_execution(
                    stateMachineArn=machine, name=f"case-{i}", input=text
                )
            return "async", client.start_execution(
                stateMachineArn=machine, name=f"case-{i}", input=text
            )["executionArn"]

        launched = list(pool.map(launch, indexed))

        def finish(item: tuple[str, Any]) -> dict[str, Any]:
            how, value = item
            if how == "sync":
                return dict(value)

            def ended() -> dict[str, Any] | None:
                described: dict[str, Any] = client.describe_execution(executionArn=value)
                return described if described["status"] != "RUNNING" else None

            result: dict[str, Any] = poll(ended, deadline=600, every=0.2)
            return result

        outcomes = list(pool.map(finish, launched))
    finally:
        pool.shutdown()
        server.stop()
    over_http = [_compare(case, *_outcome(o)) for case, o in zip(cases, outcomes, strict=True)]
    in_process = [run_case(case) for case in cases]
    passed_http = sum(r.passed for r in over_http)
    passed_local = sum(r.passed for r in in_process)
    print(
        f"\nrecorded executions through HTTP: {passed_http}/{len(cases)} passed "
        f"(in-process executor on the same cases: {passed_local}/{len(cases)}; "
        f"{len(every) - len(cases)} case(s) waiting years ahead left out)"
    )
    lost = _names(over_http, in_process)
    assert passed_http >= passed_local and not lost, lost


def _names(http: list[Result], local: list[Result]) -> list[str]:
    return [
        f"{h.case.category}/{h.case.name}: {h.detail}"
        for h, lo in zip(http, local, strict=True)
        if lo.passed and not h.passed
    ]
