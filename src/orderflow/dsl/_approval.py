"""Human approval: a step that waits for a person's decision when a condition holds.

:func:`require_approval` adds two states: a Choice that lets the execution through at once
when ``when`` does not hold, and an SNS publish with ``.waitForTaskToken`` to the approvals
topic when it does. The message carries the task token (under ``task_token``); the approver
answers with ``orderflow approve TOKEN`` (``SendTaskSuccess``) or ``orderflow reject TOKEN
--reason TEXT`` (``SendTaskFailure`` with error ``Rejected``). Nobody answering within
``timeout_seconds`` (or a worker that stops sending heartbeats within
``heartbeat_seconds``) is an automatic rejection: ``States.Timeout`` /
``States.HeartbeatTimeout``. Every rejection, explicit or automatic, goes to ``on_reject``
with the error at ``$.<error_key>``.

Place the approval before the steps that have side effects (create, pay, reserve), so a
rejection has nothing to undo; placed after them, route ``on_reject`` into the workflow's
compensation path.

Example:
    >>> require_approval(
    ...     flow, "ApproveOrder",
    ...     when=gt(validated.total_cents, 100_000),
    ...     topic="{prefix}-approvals",
    ...     message={"order": validated.request_id, "total_cents": validated.total_cents},
    ...     timeout_seconds=86_400, heartbeat_seconds=3_600,
    ...     on_reject=lambda f, error: f.fail("NotApproved", error=error.Error, cause=error.Cause),
    ... )  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from pydantic import BaseModel, ConfigDict

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._conditions import ChoiceDefault, Condition
from orderflow.dsl._flow import Flow
from orderflow.dsl._retry import STATES_HEARTBEAT_TIMEOUT, STATES_TIMEOUT, Catch, CatchHandler

APPROVAL_REJECTED: Final = "Rejected"
"""The error an approver's ``SendTaskFailure`` carries (``orderflow reject``'s default)."""

REJECTIONS: Final = (APPROVAL_REJECTED, STATES_TIMEOUT, STATES_HEARTBEAT_TIMEOUT)
"""Every error that means "not approved": an explicit rejection, and both timeouts."""


class ApprovalDecision(BaseModel):
    """What an approver sends back with ``SendTaskSuccess``.

    ``orderflow approve TOKEN`` sends ``{}``; an approver may say who approved and why.
    Extra fields are kept, since the decision comes from outside the workflow.
    """

    model_config = ConfigDict(extra="allow")

    approved_by: str | None = None
    note: str | None = None


def require_approval(
    flow: Flow[Any],
    name: str,
    *,
    when: Condition,
    topic: str,
    message: Mapping[str, object],
    timeout_seconds: int,
    on_reject: CatchHandler | str,
    heartbeat_seconds: int | None = None,
    rejected_errors: tuple[str, ...] = (APPROVAL_REJECTED,),
    error_key: str = "approval_error",
) -> None:
    """Wait for a human decision when ``when`` holds; go straight on otherwise.

    Adds a Choice ``{name}Needed`` and, on its branch, the callback task ``name``.
    References made before stay readable after it; the decision itself is not kept (an
    approval only lets the execution go on).

    Args:
        flow: the flow to add the states to.
        name: the callback task's state name (the Choice is ``{name}Needed``).
        when: the condition under which a person must decide (e.g.
            ``gt(order.total_cents, 100_000)``).
        topic: the SNS topic the approval request goes to (a name or an ARN; ``{prefix}``
            stands for the deploy prefix, e.g. ``"{prefix}-approvals"``).
        message: the request: field -> literal or reference; the token is added as
            ``task_token``.
        timeout_seconds: how long to wait for a decision before rejecting automatically.
        on_reject: what runs on a rejection or a timeout (a handler ``f(flow, error)`` or
            the name of a state in the same scope as the task).
        heartbeat_seconds: if given, the approver's tooling must send a heartbeat at least
            this often, or the request is rejected automatically.
        rejected_errors: the error names an approver's ``SendTaskFailure`` may carry.
        error_key: where the rejection's ``{Error, Cause}`` goes for ``on_reject``.

    Raises:
        WorkflowBuildError: a bad timeout, a heartbeat not shorter than the timeout, no
            rejection error, or the usual wiring errors of the states it adds.
    """
    if isinstance(timeout_seconds, bool) or not isinstance(timeout_seconds, int):
        raise WorkflowBuildError(
            f"timeout_seconds must be an int, got {timeout_seconds!r}",
            state=name,
            field="TimeoutSeconds",
        )
    if timeout_seconds <= 0:
        raise WorkflowBuildError(
            "timeout_seconds must be positive", state=name, field="TimeoutSeconds"
        )
    if heartbeat_seconds is not None and not 0 < heartbeat_seconds < timeout_seconds:
        raise WorkflowBuildError(
            f"heartbeat_seconds must be positive and below timeout_seconds "
            f"({timeout_seconds}), got {heartbeat_seconds!r}",
            state=name,
            field="HeartbeatSeconds",
        )
    if not rejected_errors:
        raise WorkflowBuildError(
            "rejected_errors needs at least one error name (what the approver's "
            "SendTaskFailure carries)",
            state=name,
            field="Catch",
        )
    errors = list(dict.fromkeys([*rejected_errors, STATES_TIMEOUT, STATES_HEARTBEAT_TIMEOUT]))

    def ask(branch: Flow[Any]) -> None:
        branch.callback.sns(
            name,
            topic=topic,
            message=message,
            result=ApprovalDecision,
            timeout_seconds=timeout_seconds,
            heartbeat_seconds=heartbeat_seconds,
            catch=[Catch(errors, then=on_reject, result_key=error_key)],
            comment="Waits for orderflow approve/reject on the task token.",
        )

    flow.choice(f"{name}Needed", [(when, ask)], otherwise=ChoiceDefault.CONTINUE)


__all__ = ["APPROVAL_REJECTED", "REJECTIONS", "ApprovalDecision", "require_approval"]
