"""The AWS connection: the one place boto3 sessions and clients are built.

Every client deploy, destroy and the execution commands use comes from :class:`Aws`, so the
region, the endpoint (``--endpoint-url``, e.g. a local moto server) and the credentials are
decided once. AWS failures are turned into :class:`~orderflow.DeployError` naming the
resource and quoting AWS's own message, so the CLI never shows a traceback.

Errors::

    OrderflowError
    ├── ConnectionOptionError (ValueError)   a bad --region, --endpoint-url or --profile
    │                                        (found before any call; the CLI exits 2)
    └── DeployError (RuntimeError)           an AWS call failed, or the endpoint's answer
        │                                    was not an AWS answer (the CLI exits 1)
        └── DeadlineExceeded                 --timeout-total ran out (``_deadline``)
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

import boto3  # type: ignore[import-untyped]  # boto3 ships no type information
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import (  # type: ignore[import-untyped]
    BotoCoreError,
    ClientError,
    InvalidRegionError,
    ProfileNotFound,
    UnknownRegionError,
)
from botocore.parsers import ResponseParserError  # type: ignore[import-untyped]
from botocore.utils import (  # type: ignore[import-untyped]
    is_valid_endpoint_url,
    is_valid_ipv6_endpoint_url,
    validate_region_name,
)

from orderflow._errors import DeployError, OrderflowError
from orderflow.deploy._deadline import Clock, Deadline, DeadlineExceeded, Waiting

Sleep = Callable[[float], None]
"""Waits this many seconds; injected so tests never sleep for real."""


class ConnectionOptionError(OrderflowError, ValueError):
    """A connection option is unusable: an unknown region or profile, or a malformed
    endpoint URL. Found before any AWS call; a usage error, not an AWS failure.

    Attributes:
        option: the CLI option at fault (``--region``, ``--endpoint-url``, ``--profile``).
    """

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message, field=option)
        self.option = option

    def __str__(self) -> str:
        return self.message


def default_sleep(seconds: float) -> None:
    """The wait an :class:`Aws` uses when none is given (``time.sleep``)."""
    time.sleep(seconds)


class Aws:
    """A boto3 session plus the clients built from it.

    Args:
        region: the AWS region; by default the session's configured region, else
            ``AWS_REGION``.
        endpoint_url: send every call here instead of AWS (a moto server, LocalStack).
        profile: a named profile from the AWS config files.
        session: a ready boto3 session (overrides ``profile``).
        sleep: how to wait between polls (IAM propagation, function activation,
            executions); by default :func:`default_sleep`, looked up when the ``Aws`` is made.
        max_attempts: attempts per API call, botocore's own retries of throttling and
            transient network errors included.
        timeout_total: an overall deadline in seconds, counted from now, for every call,
            retry and wait made through this connection (``--timeout-total``); the
            per-attempt connect and read timeouts shrink with it. ``None``: no deadline.
        clock: the monotonic clock the deadline is measured with.
        stream: where waits and retries are reported (default: ``sys.stderr``).

    Raises:
        DeployError: no region is configured.
        ConnectionOptionError: the region, endpoint URL or profile cannot be used.
    """

    def __init__(
        self,
        region: str | None = None,
        *,
        endpoint_url: str | None = None,
        profile: str | None = None,
        session: boto3.Session | None = None,
        sleep: Sleep | None = None,
        max_attempts: int = 5,
        timeout_total: float | None = None,
        clock: Clock = time.monotonic,
        stream: TextIO | None = None,
    ) -> None:
        if endpoint_url is not None and not (
            is_valid_endpoint_url(endpoint_url) or is_valid_ipv6_endpoint_url(endpoint_url)
        ):
            raise ConnectionOptionError(
                "--endpoint-url",
                f"endpoint URL {endpoint_url!r} is not a URL: use http(s)://host[:port]",
            )
        try:
            self.session = session or boto3.Session(profile_name=profile, region_name=region)
        except ProfileNotFound:
            raise ConnectionOptionError(
                "--profile", f"AWS profile {profile!r} is not in the AWS config files"
            ) from None
        # botocore reads AWS_DEFAULT_REGION; the CLI and most AWS tools also honour AWS_REGION.
        resolved = region or self.session.region_name or os.environ.get("AWS_REGION")
        if not resolved:
            raise DeployError("no AWS region: pass --region or set AWS_REGION")
        self.region: str = resolved
        self.partition: str = _partition(self.session, resolved)
        self.endpoint_url = endpoint_url
        self.sleep: Sleep = sleep if sleep is not None else default_sleep
        self.deadline = Deadline(timeout_total, clock=clock)
        self.stream = stream
        self._max_attempts = max_attempts
        connect, read = self.deadline.timeouts()
        self._config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts},
            connect_timeout=connect,
            read_timeout=read,
            # botocore sends StartSyncExecution to a "sync-" prefixed host; an emulator at an
            # --endpoint-url (moto, orderflow serve) has no such host name, so the prefix is
            # only added when talking to AWS's own endpoints.
            inject_host_prefix=endpoint_url is None,
        )
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    def client(self, service: str) -> Any:
        """The (cached) boto3 client for ``service`` in this region and endpoint."""
        if service not in self._clients:
            try:
                self._clients[service] = self.session.client(
                    service,
                    region_name=self.region,
                    endpoint_url=self.endpoint_url,
                    config=self._config,
                )
            except (BotoCoreError, ValueError) as exc:
                # The options were checked when the Aws was made; what is left is the
                # environment (a broken AWS config file, a credential process).
                raise DeployError(f"{service} client: cannot be created: {exc}") from None
            # botocore's ``max_attempts`` counts retries, not the first attempt.
            self.deadline.install(self._clients[service], self._max_attempts + 1, self.report)
        return self._clients[service]

    def report(self, line: str) -> None:
        """Write a progress line (a retry, a wait) to :attr:`stream`."""
        print(line, file=self.stream if self.stream is not None else sys.stderr, flush=True)

    def waiting(self, what: str) -> Waiting:
        """A poll loop's waits: held to the deadline, shown on stderr while they last.

        Args:
            what: what is awaited (``DynamoDB table shop-orders to become ACTIVE``).
        """
        return Waiting(what, self.deadline, self.sleep, self.stream)

    @property
    def endpoints(self) -> dict[str, str]:
        """Service name -> the endpoint URL each built client talks to."""
        return {name: client.meta.endpoint_url for name, client in self._clients.items()}

    @property
    def account(self) -> str:
        """The account id of the caller (STS GetCallerIdentity, asked once)."""
        if self._account is None:
            with calling("caller identity", "sts:GetCallerIdentity"):
                self._account = str(self.client("sts").get_caller_identity()["Account"])
        return self._account


def _partition(session: Any, region: str) -> str:
    """The ARN partition of ``region`` (``aws``, ``aws-cn``, ``aws-us-gov``).

    Raises:
        ConnectionOptionError: the region is malformed or in no known partition.
    """
    try:
        validate_region_name(region)
        return str(session.get_partition_for_region(region))
    except (InvalidRegionError, UnknownRegionError):
        raise ConnectionOptionError(
            "--region", f"region {region!r} is not an AWS region (e.g. us-east-1, eu-west-1)"
        ) from None


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ``ClientError`` (``""`` for anything else)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code", ""))
    return ""


def error_message(exc: BaseException) -> str:
    """AWS's own message for a failed call, else the exception text."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code", "")
        message = error.get("Message", "") or str(exc)
        return f"{code}: {message}" if code else message
    return str(exc)


@contextmanager
def calling(resource: str, action: str) -> Iterator[None]:
    """Turn a failed AWS call inside the block into a ``DeployError`` naming ``resource``.

    Args:
        resource: what the call is about (``Lambda function shop-get-user``).
        action: the API action (``lambda:CreateFunction``).
    """
    try:
        yield
    except DeadlineExceeded as exc:
        if exc.resource is not None:
            raise
        raise DeadlineExceeded(
            f"{resource}: {exc}", timeout=exc.timeout, resource=resource
        ) from exc
    except ClientError as exc:
        raise DeployError(f"{resource}: {action} failed: {error_message(exc)}") from exc
    except BotoCoreError as exc:
        raise DeployError(f"{resource}: {action} failed: {exc}") from exc
    except ResponseParserError as exc:
        raise DeployError(f"{resource}: {action} failed: {_not_aws(exc)}") from exc
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        # botocore's parsers raise plain KeyErrors and the like on a well-formed answer of
        # the wrong shape (an HTML page from a server that is not AWS). Only those are AWS
        # failures; the same error from orderflow's own code is a bug and goes on.
        if not _raised_in_botocore_parser(exc):
            raise
        raise DeployError(f"{resource}: {action} failed: {_not_aws(exc)}") from exc


def _not_aws(exc: Exception) -> str:
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (
        f"the endpoint's answer is not an AWS answer ({type(exc).__name__}: {detail}); "
        "is --endpoint-url an AWS API?"
    )


def _raised_in_botocore_parser(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return any(
        frame.filename.replace("\\", "/").endswith("botocore/parsers.py") for frame in frames
    )


def retry_while(
    aws: Aws,
    call: Callable[[], Any],
    *,
    retryable: Callable[[ClientError], bool],
    attempts: int = 12,
    delay: float = 5.0,
    waiting_for: str = "AWS to accept the call",
) -> Any:
    """Call ``call``, retrying while AWS answers with an error ``retryable`` accepts.

    Used for IAM propagation: a role that was just created may not be assumable by Lambda or
    Step Functions for some seconds, and AWS answers with a specific error meanwhile.
    ``waiting_for`` is shown while waiting (``IAM to propagate role shop-get-user``).
    """
    with aws.waiting(waiting_for) as wait:
        for attempt in range(attempts):
            try:
                return call()
            except ClientError as exc:
                if attempt == attempts - 1 or not retryable(exc):
                    raise
            wait(delay)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


__all__ = [
    "Aws",
    "ConnectionOptionError",
    "Sleep",
    "calling",
    "default_sleep",
    "error_code",
    "error_message",
    "retry_while",
]
