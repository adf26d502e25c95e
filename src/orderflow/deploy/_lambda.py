"""Lambda functions as deploy resources: code, configuration and tags.

The code is compared by ``CodeSha256`` (base64 SHA-256 of the deployment zip, as Lambda
reports it); because packages are reproducible, an unchanged service has an unchanged hash
and its function is left alone. After each create or update the function is polled until
Lambda reports it active and the update successful, so the next step can use it.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from orderflow._errors import DeployError
from orderflow.deploy._adopt import create_or_adopt, require_ours
from orderflow.deploy._aws import Aws, calling, error_code, retry_while
from orderflow.deploy._plan import View
from orderflow.deploy._tags import tag_changes

RUNTIME = "python3.12"
ARCHITECTURE = "x86_64"
_CONFIG_FIELDS = ("Runtime", "Handler", "Role", "Timeout", "MemorySize", "Description")


def code_sha256(zip_bytes: bytes) -> str:
    """The ``CodeSha256`` Lambda reports for a deployment package."""
    return base64.b64encode(hashlib.sha256(zip_bytes).digest()).decode("ascii")


def _role_not_ready(exc: ClientError) -> bool:
    # A just-created role is not yet assumable by Lambda until IAM has propagated it.
    message = str(exc.response.get("Error", {}).get("Message", ""))
    return error_code(exc) == "InvalidParameterValueException" and "role" in message.lower()


@dataclass(frozen=True)
class FunctionResource:
    """One service's Lambda function.

    Attributes:
        name: the function name (``shop-get-user``).
        arn: its unqualified ARN.
        prefix: the stack prefix.
        role_arn: the execution role.
        handler: the handler path.
        code: the deployment zip.
        environment: environment variables.
        timeout: seconds.
        memory: MiB.
        tags: the function's tags.
        description: one line.
    """

    name: str
    arn: str
    prefix: str
    role_arn: str
    handler: str
    code: bytes
    environment: Mapping[str, str]
    timeout: int
    memory: int
    tags: Mapping[str, str]
    description: str = ""
    kind: str = field(default="Lambda function", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def _role_propagation(self) -> str:
        return f"IAM to let {self._label} assume role {self.role_arn.rsplit('/', 1)[-1]}"

    def desired(self) -> View:
        return {
            "Runtime": RUNTIME,
            "Handler": self.handler,
            "Role": self.role_arn,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "Description": self.description,
            "Architectures": [ARCHITECTURE],
            "Environment": dict(self.environment),
            "CodeSha256": code_sha256(self.code),
            "Tags": dict(self.tags),
        }

    def read(self, aws: Aws) -> View | None:
        try:
            response = aws.client("lambda").get_function(FunctionName=self.name)
        except Exception as exc:
            if error_code(exc) == "ResourceNotFoundException":
                return None
            with calling(self._label, "lambda:GetFunction"):
                raise
        config = response["Configuration"]
        tags = dict(response.get("Tags") or {})
        require_ours(self.kind, self.name, tags, self.prefix)
        return {
            **{key: config.get(key, "") for key in _CONFIG_FIELDS},
            "Architectures": list(config.get("Architectures") or [ARCHITECTURE]),
            "Environment": dict((config.get("Environment") or {}).get("Variables") or {}),
            "CodeSha256": config.get("CodeSha256", ""),
            "Tags": tags,
        }

    def _configuration(self) -> dict[str, Any]:
        return {
            "FunctionName": self.name,
            "Runtime": RUNTIME,
            "Handler": self.handler,
            "Role": self.role_arn,
            "Timeout": self.timeout,
            "MemorySize": self.memory,
            "Description": self.description,
            "Environment": {"Variables": dict(self.environment)},
        }

    def create(self, aws: Aws) -> None:
        client = aws.client("lambda")
        create_or_adopt(
            aws,
            self,
            "lambda:CreateFunction",
            lambda: retry_while(
                aws,
                lambda: client.create_function(
                    **self._configuration(),
                    Code={"ZipFile": self.code},
                    Architectures=[ARCHITECTURE],
                    PackageType="Zip",
                    Publish=False,
                    Tags=dict(self.tags),
                ),
                retryable=_role_not_ready,
                waiting_for=self._role_propagation,
            ),
            codes={"ResourceConflictException"},
        )
        wait_until_ready(aws, self.name)

    def refusal(self, actual: View) -> str | None:
        return None  # every difference can be updated in place

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("lambda")
        if actual["Architectures"] != [ARCHITECTURE] or actual["CodeSha256"] != code_sha256(
            self.code
        ):
            with calling(self._label, "lambda:UpdateFunctionCode"):
                client.update_function_code(
                    FunctionName=self.name, ZipFile=self.code, Architectures=[ARCHITECTURE]
                )
            wait_until_ready(aws, self.name)
        desired = self.desired()
        if any(actual[k] != desired[k] for k in (*_CONFIG_FIELDS, "Environment")):
            with calling(self._label, "lambda:UpdateFunctionConfiguration"):
                retry_while(
                    aws,
                    lambda: client.update_function_configuration(**self._configuration()),
                    retryable=_role_not_ready,
                    waiting_for=self._role_propagation,
                )
            wait_until_ready(aws, self.name)
        to_set, to_remove = tag_changes(self.tags, actual["Tags"])
        if to_set:
            with calling(self._label, "lambda:TagResource"):
                client.tag_resource(Resource=self.arn, Tags=to_set)
        if to_remove:
            with calling(self._label, "lambda:UntagResource"):
                client.untag_resource(Resource=self.arn, TagKeys=to_remove)


def wait_until_ready(aws: Aws, name: str, *, attempts: int = 60, delay: float = 2.0) -> None:
    """Poll until the function is ``Active`` and its last update ``Successful``.

    Raises:
        DeployError: Lambda reports the function or its update failed, or it never settles.
    """
    label = f"Lambda function {name}"
    client = aws.client("lambda")
    with aws.waiting(f"{label} to become Active") as wait:
        for _ in range(attempts):
            with calling(label, "lambda:GetFunctionConfiguration"):
                config = client.get_function_configuration(FunctionName=name)
            state = config.get("State", "Active")
            update = config.get("LastUpdateStatus", "Successful")
            if state == "Failed" or update == "Failed":
                reason = config.get("StateReason") or config.get("LastUpdateStatusReason") or ""
                raise DeployError(f"{label}: Lambda reports it failed: {reason}")
            if state == "Active" and update == "Successful":
                return
            wait(delay)
    raise DeployError(f"{label}: still not active after {attempts * delay:.0f}s")


def delete_function(aws: Aws, name: str) -> None:
    """Delete a function (already-deleted is fine)."""
    try:
        aws.client("lambda").delete_function(FunctionName=name)
    except Exception as exc:
        if error_code(exc) == "ResourceNotFoundException":
            return
        with calling(f"Lambda function {name}", "lambda:DeleteFunction"):
            raise


__all__ = [
    "ARCHITECTURE",
    "RUNTIME",
    "FunctionResource",
    "code_sha256",
    "delete_function",
    "wait_until_ready",
]
