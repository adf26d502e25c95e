"""What one execution shares across its states: clock, history, services, randomness.

:class:`Runtime` is created once per execution; :class:`Frame` once per thread of
execution (the main flow, each Parallel branch, each Map iteration) and holds that
thread's variables and history cursor.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from orderflow.asl import JSON
from orderflow.executor._clock import Clock, iso_timestamp
from orderflow.executor._history import Cursor, History
from orderflow.executor._scheduler import Scheduler, Unit

LambdaHandler = Callable[[str, JSON], Any]
"""``lambda_handler(function_name_or_arn, payload)`` returns the function's result (a JSON
value, or ``bytes`` as the raw response payload) or raises."""

TaskHandler = Callable[[JSON], Any]
"""A handler for another service integration: receives the task's parameters, returns the
service's result or raises."""


# What UUID(version=4) does to the bits: variant 10xx, version 0100.
_UUID4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64))
_UUID4_SET = (0x8000 << 48) | (4 << 76)


def uuid4_text(rng: random.Random) -> str:
    """``str(uuid.UUID(int=rng.getrandbits(128), version=4))``, without the UUID object.

    Several ids are drawn per Lambda call; building the text directly is a few times
    faster and yields the same string for the same draw.
    """
    h = "%032x" % ((rng.getrandbits(128) & _UUID4_CLEAR) | _UUID4_SET)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True)
class Identity:
    """The names and ARNs the context object and Lambda wrappers report."""

    account: str = "123456789012"
    region: str = "us-east-1"
    partition: str = "aws"
    state_machine_name: str = "StateMachine"
    execution_name: str = ""
    role_arn: str = ""
    express: bool = False
    run_id: str = "00000000-0000-4000-8000-000000000000"

    @property
    def state_machine_arn(self) -> str:
        return (
            f"arn:{self.partition}:states:{self.region}:{self.account}:"
            f"stateMachine:{self.state_machine_name}"
        )

    @property
    def execution_arn(self) -> str:
        if self.express:
            # Express execution ARNs carry a run id after the name.
            return (
                f"arn:{self.partition}:states:{self.region}:{self.account}:"
                f"express:{self.state_machine_name}:{self.execution_name}:{self.run_id}"
            )
        return (
            f"arn:{self.partition}:states:{self.region}:{self.account}:"
            f"execution:{self.state_machine_name}:{self.execution_name}"
        )

    @property
    def role(self) -> str:
        return self.role_arn or f"arn:{self.partition}:iam::{self.account}:role/orderflow-local"


@dataclass
class Runtime:
    """Everything an execution's states share.

    Attributes:
        clock: virtual or real time.
        history: the event log.
        rng: the seeded source of every random choice (jitter, UUIDs, ``$random``).
        identity: account, region and names for ARNs and the context object.
        lambda_handler: answers Lambda tasks.
        handlers: answer other resources, keyed by resource ARN.
        deadline: when the execution times out (``TimeoutSeconds``), if it does.
        execution_context: the ``Execution`` and ``StateMachine`` parts of the context
            object, built once.
        scheduler: simulates Parallel branches and Map iterations side by side (shared
            by copies of the runtime, such as a distributed Map's).
    """

    clock: Clock
    history: History
    rng: random.Random
    identity: Identity
    lambda_handler: LambdaHandler | None = None
    handlers: Mapping[str, TaskHandler] = field(default_factory=dict)
    deadline: datetime | None = None
    execution_context: dict[str, Any] = field(default_factory=dict)
    callbacks: Any = None
    scheduler: Scheduler = field(default_factory=Scheduler)

    def start(self, execution_input: JSON) -> None:
        """Fix the execution's start time and the static parts of the context object."""
        execution: dict[str, Any] = {
            "Id": self.identity.execution_arn,
            "Input": execution_input,
            "StartTime": iso_timestamp(self.clock.now()),
            "Name": self.identity.execution_name,
            "RoleArn": self.identity.role,
        }
        if not self.identity.express:
            # Express executions cannot be redriven and have no count.
            execution["RedriveCount"] = 0
        self.execution_context = {
            "Execution": execution,
            "StateMachine": {
                "Id": self.identity.state_machine_arn,
                "Name": self.identity.state_machine_name,
            },
        }

    def new_uuid(self) -> str:
        """A UUID4 drawn from the execution's seeded generator."""
        return uuid4_text(self.rng)

    def timed_out(self) -> bool:
        """Whether the execution's ``TimeoutSeconds`` has passed."""
        return self.deadline is not None and self.clock.now() >= self.deadline


class Frame:
    """One thread of execution: its variables and where its history continues.

    Attributes:
        cursor: the last history event of this thread.
        variables: the variables visible here (a Map iteration or Parallel branch starts
            with a copy of the outer values as they were when the state was entered).
        unit: the simulated branch or iteration this thread is (``None`` for the main
            flow and for branches run one at a time), see ``orderflow.executor._scheduler``.

    A Map iteration's frame carries no ``$$.Map.Item``: AWS puts it in the context object
    only while the Map state builds the iteration's input (see ``MapState``).
    """

    __slots__ = ("cursor", "unit", "variables")

    def __init__(
        self,
        cursor: Cursor,
        variables: dict[str, JSON] | None = None,
        unit: Unit | None = None,
    ) -> None:
        self.cursor = cursor
        self.variables: dict[str, JSON] = variables if variables is not None else {}
        self.unit = unit


__all__ = ["Frame", "Identity", "LambdaHandler", "Runtime", "TaskHandler", "uuid4_text"]
