"""Answering task tokens: what a human approver (or a worker) sends back.

A ``.waitForTaskToken`` task waits until someone calls ``SendTaskSuccess`` or
``SendTaskFailure`` with its token; ``orderflow approve`` and ``orderflow reject`` are
these two calls, against AWS or any endpoint that speaks its API (``orderflow serve``).
"""

from __future__ import annotations

import json

from orderflow.asl import JSON
from orderflow.deploy._aws import Aws, calling


def _short(token: str) -> str:
    return token if len(token) <= 40 else token[:37] + "..."


def send_task_success(aws: Aws, token: str, output: JSON) -> None:
    """``SendTaskSuccess``: the task waiting on ``token`` succeeds with ``output``.

    Raises:
        DeployError: AWS refused (unknown or malformed token, task already over...).
    """
    with calling(f"task token {_short(token)}", "states:SendTaskSuccess"):
        aws.client("stepfunctions").send_task_success(taskToken=token, output=json.dumps(output))


def send_task_failure(aws: Aws, token: str, *, error: str, cause: str) -> None:
    """``SendTaskFailure``: the task waiting on ``token`` fails with ``error`` and ``cause``.

    Raises:
        DeployError: AWS refused (unknown or malformed token, task already over...).
    """
    with calling(f"task token {_short(token)}", "states:SendTaskFailure"):
        aws.client("stepfunctions").send_task_failure(taskToken=token, error=error, cause=cause)


__all__ = ["send_task_failure", "send_task_success"]
