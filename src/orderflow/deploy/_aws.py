"""The AWS connection: the one place boto3 sessions and clients are built.

Every client deploy, destroy and the execution commands use comes from :class:`Aws`, so the
region, the endpoint (``--endpoint-url``, e.g. a local moto server) and the credentials are
decided once. AWS failures are turned into :class:`~orderflow.DeployError` naming the
resource and quoting AWS's own message, so the CLI never shows a traceback.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3  # type: ignore[import-untyped]  # boto3 ships no type information
from botocore.config import Config  # type: ignore[import-untyped]
from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

from orderflow._errors import DeployError

Sleep = Callable[[float], None]
"""Waits this many seconds; injected so tests never sleep for real."""


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

    Raises:
        DeployError: no region is configured.
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
    ) -> None:
        self.session = session or boto3.Session(profile_name=profile, region_name=region)
        # botocore reads AWS_DEFAULT_REGION; the CLI and most AWS tools also honour AWS_REGION.
        resolved = region or self.session.region_name or os.environ.get("AWS_REGION")
        if not resolved:
            raise DeployError("no AWS region: pass --region or set AWS_REGION")
        self.region: str = resolved
        self.endpoint_url = endpoint_url
        self.sleep: Sleep = sleep if sleep is not None else default_sleep
        self._config = Config(
            retries={"mode": "standard", "max_attempts": max_attempts}, connect_timeout=10
        )
        self._clients: dict[str, Any] = {}
        self._account: str | None = None

    def client(self, service: str) -> Any:
        """The (cached) boto3 client for ``service`` in this region and endpoint."""
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                config=self._config,
            )
        return self._clients[service]

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

    @property
    def partition(self) -> str:
        """The ARN partition of the region (``aws``, ``aws-cn``, ``aws-us-gov``)."""
        return str(self.session.get_partition_for_region(self.region))


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
    except ClientError as exc:
        raise DeployError(f"{resource}: {action} failed: {error_message(exc)}") from exc
    except BotoCoreError as exc:
        raise DeployError(f"{resource}: {action} failed: {exc}") from exc


def retry_while(
    aws: Aws,
    call: Callable[[], Any],
    *,
    retryable: Callable[[ClientError], bool],
    attempts: int = 12,
    delay: float = 5.0,
) -> Any:
    """Call ``call``, retrying while AWS answers with an error ``retryable`` accepts.

    Used for IAM propagation: a role that was just created may not be assumable by Lambda or
    Step Functions for some seconds, and AWS answers with a specific error meanwhile.
    """
    for attempt in range(attempts):
        try:
            return call()
        except ClientError as exc:
            if attempt == attempts - 1 or not retryable(exc):
                raise
        aws.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


__all__ = ["Aws", "Sleep", "calling", "default_sleep", "error_code", "error_message", "retry_while"]
