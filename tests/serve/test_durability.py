"""1,000 concurrent executions with waits and callbacks; ``kill -9`` in the middle.

After the restart every execution resumes where it stood (waits continue, tokens stay
answerable, answers acknowledged before the kill are kept) and ends exactly once.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from ._load import Load
from ._server import ServerProcess

COUNT = 1000


def test_kill_9_in_the_middle_of_1000_executions_loses_none(tmp_path: Path) -> None:
    db = tmp_path / "flows.db"
    # At scale 0.01 the first Waits last 10 ms to 30 s of real time: however slow the
    # machine, many are still waiting when the kill comes.
    first = ServerProcess(db, time_scale=0.01).start()
    try:
        load = Load(first.client(), COUNT, longest_wait=3000)
        load.create()
        load.start_all()
        waiting = load.waiting_tokens()
        answered_before = load.answer(waiting, limit=len(waiting) // 2)
    finally:
        first.kill9()
    still_in_wait = COUNT - len(waiting)
    # The kill hit executions in every phase: in a Wait, waiting for a token, finishing.
    assert still_in_wait > 0 and answered_before > 0 and len(waiting) > answered_before

    second = ServerProcess(db, time_scale=0.01).start()
    try:
        load.client = second.client()
        early = next(iter(load.answered))
        load.drive_to_end()
        problems = load.check_each_ended_once()
        assert not problems, problems[:5]
        # An answer acknowledged before the kill was kept: the token is spent.
        token = load.client.get_execution_history(executionArn=early)["events"]
        assert token
        with pytest.raises(ClientError) as spent:
            from ._server import tokens_of

            load.client.send_task_success(taskToken=tokens_of(load.client, early)[0], output="{}")
        assert spent.value.response["Error"]["Code"] == "TaskTimedOut"
        load.close()
    finally:
        second.stop()
    assert "resumed" in second.log.read_text()
