"""The overall deadline of a deploy command (``--timeout-total``), and the waits under it.

Without a deadline a frozen endpoint (one that accepts connections and never answers)
holds a command for botocore's 60 s read timeout times its retry attempts, silently. A
:class:`Deadline` bounds the whole command instead:

* every client gets connect and read timeouts scaled to the deadline
  (:meth:`Deadline.timeouts`), so one attempt can never take most of it;
* before each call, and before each retry botocore would make, the time left is compared
  with what one more attempt (plus botocore's longest back-off) can take; when it does not
  fit, :class:`DeadlineExceeded` is raised at once, naming the endpoint, the API operation
  and the last network error (the resource is added by :func:`~orderflow.deploy._aws.calling`);
* every poll (a table becoming ACTIVE, a function settling, IAM propagating, an execution
  running) goes through :class:`Waiting`, which checks the same deadline before sleeping and
  shows ``waiting for DynamoDB table shop-orders to become ACTIVE (12 s)`` on stderr:
  redrawn in place on a terminal (:class:`orderflow._progress.Progress`), a single plain
  line otherwise, so logs and tests see stable output.

Errors::

    DeployError (RuntimeError)
    └── DeadlineExceeded          --timeout-total ran out (the CLI exits 1)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from botocore.exceptions import (  # type: ignore[import-untyped]
    ConnectionError as BotoConnectionError,
)
from botocore.exceptions import HTTPClientError
from botocore.retries.standard import (  # type: ignore[import-untyped]
    RetryEventAdapter,
    StandardRetryConditions,
)

from orderflow._errors import DeployError
from orderflow._progress import Progress

DEFAULT_TIMEOUT_TOTAL = 900.0
"""The CLI's default ``--timeout-total`` in seconds: a whole stack on real AWS (IAM
propagation, tables becoming ACTIVE, functions settling) takes a few minutes."""

MAX_READ_TIMEOUT = 30.0
"""Longest wait for an answer to one HTTP attempt (botocore's own default is 60 s)."""

MAX_CONNECT_TIMEOUT = 10.0
"""Longest wait for a connection to open."""

MAX_BACKOFF = 20.0
"""botocore's standard retry mode never waits longer than this between attempts."""

Clock = Callable[[], float]
"""A monotonic clock in seconds (a parameter so tests control time)."""


class DeadlineExceeded(DeployError):
    """``--timeout-total`` ran out: the message says what was being done and by whom.

    Attributes:
        timeout: the overall deadline in seconds.
        resource: the resource being worked on, once known.
    """

    def __init__(self, message: str, *, timeout: float, resource: str | None = None) -> None:
        super().__init__(message)
        self.timeout = timeout
        self.resource = resource


class Deadline:
    """A point in time after which no call or wait is started.

    Args:
        seconds: how long from now; ``None`` for no deadline (only botocore's own limits).
        clock: a monotonic clock (default ``time.monotonic``).
    """

    def __init__(self, seconds: float | None, *, clock: Clock = time.monotonic) -> None:
        if seconds is not None and not seconds > 0:
            raise DeployError(f"--timeout-total must be a positive number of seconds: {seconds}")
        self.seconds = seconds
        self._clock = clock
        self._start = clock()

    def elapsed(self) -> float:
        """Seconds since the deadline was set."""
        return self._clock() - self._start

    def remaining(self) -> float:
        """Seconds left (infinite without a deadline)."""
        if self.seconds is None:
            return float("inf")
        return self.seconds - self.elapsed()

    def timeouts(self) -> tuple[float, float]:
        """``(connect, read)`` timeouts for one HTTP attempt: a tenth and a fifth of the
        deadline, at most :data:`MAX_CONNECT_TIMEOUT` and :data:`MAX_READ_TIMEOUT`."""
        if self.seconds is None:
            return MAX_CONNECT_TIMEOUT, 60.0
        return min(MAX_CONNECT_TIMEOUT, self.seconds / 10), min(MAX_READ_TIMEOUT, self.seconds / 5)

    @property
    def attempt(self) -> float:
        """The longest one HTTP attempt can take."""
        connect, read = self.timeouts()
        return connect + read

    def describe(self) -> str:
        """``--timeout-total 900 s``."""
        return f"--timeout-total {self.seconds:g} s"

    def install(self, client: Any, max_attempts: int, notify: Callable[[str], None]) -> None:
        """Enforce the deadline on every call ``client`` makes, retries included.

        Args:
            client: a boto3 client.
            max_attempts: the attempts botocore's retry configuration allows.
            notify: receives a line when a call is retried after a network error.
        """
        if self.seconds is None:
            return
        guard = _CallGuard(self, max_attempts, notify)
        events = client.meta.events
        service = client.meta.service_model.service_id.hyphenize()
        events.register(f"before-call.{service}", guard.before_call)
        # First on the event botocore's own retry handler listens to, so the deadline is
        # decided before that handler picks a back-off and botocore sleeps it.
        events.register_first(f"needs-retry.{service}", guard.needs_retry)


def _endpoint_of(kwargs: dict[str, Any]) -> str:
    endpoint = kwargs.get("endpoint")
    host = getattr(endpoint, "host", None)
    return str(host) if host else "the endpoint"


def _operation(model: Any) -> str:
    return f"{model.service_model.endpoint_prefix}:{model.name}"


class _CallGuard:
    """The botocore event handlers that hold every call to the deadline."""

    def __init__(self, deadline: Deadline, max_attempts: int, notify: Callable[[str], None]):
        self._deadline = deadline
        self._conditions = StandardRetryConditions(max_attempts=max_attempts)
        self._adapter = RetryEventAdapter()
        self._max_attempts = max_attempts
        self._notify = notify

    def before_call(self, model: Any, **_: Any) -> None:
        deadline = self._deadline
        if deadline.remaining() < deadline.attempt:
            raise DeadlineExceeded(
                f"{deadline.describe()} ran out before {_operation(model)} "
                f"({deadline.elapsed():.0f} s elapsed)",
                timeout=float(deadline.seconds or 0),
            )

    def needs_retry(self, **kwargs: Any) -> Any:
        caught = kwargs.get("caught_exception")
        if isinstance(caught, DeadlineExceeded):
            return False  # never retry our own verdict; botocore raises it
        context = self._adapter.create_retry_context(**kwargs)
        if not self._conditions.is_retryable(context):
            return None  # botocore's handler decides (and will not retry either)
        attempts = int(kwargs.get("attempts", 1))
        backoff = min(MAX_BACKOFF, 2.0 ** (attempts - 1))
        deadline = self._deadline
        endpoint = _endpoint_of(kwargs)
        operation = _operation(kwargs["operation"])
        if isinstance(caught, BotoConnectionError | HTTPClientError):
            problem = f"no answer from {endpoint} ({caught})"
        elif caught is not None:
            problem = f"{endpoint} failed: {caught}"
        else:
            problem = f"{endpoint} answered {context.get_error_code() or 'an error'}"
        if deadline.remaining() < backoff + deadline.attempt:
            raise DeadlineExceeded(
                f"{operation}: {problem}; {deadline.describe()} leaves no time to retry "
                f"({deadline.elapsed():.0f} s elapsed)",
                timeout=float(deadline.seconds or 0),
            )
        if caught is not None:
            self._notify(
                f"{problem}; retrying {operation} (attempt {attempts + 1} of {self._max_attempts})"
            )
        return None  # botocore's handler retries with its own back-off


class _WaitLine(Progress):
    """A :class:`Progress` counting seconds waited rather than steps."""

    def line(self) -> str:
        return f"{self.label} ({self.done} s)"


class Waiting:
    """One poll loop: checks the deadline before each wait and shows what is awaited.

    Use as a context manager and call it with each delay::

        with aws.waiting("DynamoDB table shop-orders to become ACTIVE") as wait:
            while not active():
                wait(2.0)

    Args:
        what: what is awaited (``DynamoDB table shop-orders to become ACTIVE``).
        deadline: the command's deadline.
        sleep: how to wait.
        stream: where the line goes (default ``sys.stderr``, looked up when first shown).
    """

    def __init__(
        self,
        what: str,
        deadline: Deadline,
        sleep: Callable[[float], None],
        stream: TextIO | None = None,
    ) -> None:
        self.what = what
        self.waited = 0.0
        self._deadline = deadline
        self._sleep = sleep
        self._stream = stream
        self._line: _WaitLine | None = None

    def __call__(self, seconds: float) -> None:
        """Wait ``seconds``, or raise when the deadline does not leave that plus one call.

        Raises:
            DeadlineExceeded: the wait and the next poll would end past the deadline.
        """
        deadline = self._deadline
        if deadline.remaining() < seconds + deadline.attempt:
            raise DeadlineExceeded(
                f"gave up waiting for {self.what} after {self.waited:.0f} s: "
                f"{deadline.describe()} reached ({deadline.elapsed():.0f} s elapsed)",
                timeout=float(deadline.seconds or 0),
            )
        if self._line is None:
            stream = self._stream if self._stream is not None else sys.stderr
            self._line = _WaitLine(f"waiting for {self.what}", stream=stream, interval=0.0)
            if not self._line.enabled:
                # Not a terminal: one plain line per wait, the same on every run.
                print(f"waiting for {self.what}", file=stream, flush=True)
        self._sleep(seconds)
        self.waited += seconds
        self._line.advance(round(self.waited) - self._line.done)

    def __enter__(self) -> Waiting:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._line is not None:
            self._line.close()
            self._line = None


__all__ = [
    "DEFAULT_TIMEOUT_TOTAL",
    "MAX_BACKOFF",
    "MAX_CONNECT_TIMEOUT",
    "MAX_READ_TIMEOUT",
    "Clock",
    "Deadline",
    "DeadlineExceeded",
    "Waiting",
]
