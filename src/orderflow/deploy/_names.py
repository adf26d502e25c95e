"""How every deployed resource is named and addressed, from a prefix and workflow names.

All names derive from the prefix (by default the app's name) and the app's own names:
``shop`` -> functions ``shop-get-user``, tables ``shop-users``; per workflow ``order``:
state machine ``shop-order``, its role ``shop-order-states``, log group
``/aws/vendedlogs/states/shop-order``, rules ``shop-order-order-submitted`` (one per
trigger) and their role ``shop-order-events``. All ARNs derive from those, the account,
region and partition, so policies can name fully resolved ARNs before anything exists, and
destroy can find what deploy made.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from orderflow._errors import DeployError

_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_IAM_ROLE_MAX = 64
_RULE_MAX = 64


def check_prefix(prefix: str) -> str:
    """Return ``prefix`` if it can name every resource, else raise ``DeployError``.

    Lowercase letters, digits and ``-``, starting with a letter, at most 32 characters:
    the longest derived name (an IAM role, limit 64) then still fits.
    """
    if not _PREFIX.match(prefix) or prefix.endswith("-") or "--" in prefix:
        raise DeployError(
            f"prefix {prefix!r}: use 1-32 lowercase letters, digits and single hyphens, "
            "starting with a letter"
        )
    return prefix


@dataclass(frozen=True)
class StackNames:
    """Names and ARNs of one stack.

    A stack holds an app's functions and tables and, per workflow, a state machine with
    its role, log group and rules. ``names.for_workflow(name)`` gives the names with that
    workflow chosen; the per-workflow names need one.

    Attributes:
        prefix: the stack's name prefix.
        account: the AWS account id.
        region: the AWS region.
        partition: the ARN partition (``aws``).
        workflow: the workflow the per-workflow names are for.
    """

    prefix: str
    account: str
    region: str
    partition: str = "aws"
    workflow: str | None = None

    def for_workflow(self, workflow: str) -> StackNames:
        """These names with ``workflow`` chosen.

        Raises:
            DeployError: a name derived from it would be too long for AWS.
        """
        chosen = dataclasses.replace(self, workflow=workflow)
        for role in (chosen.states_role, chosen.events_role):
            if len(role) > _IAM_ROLE_MAX:
                raise DeployError(
                    f"IAM role name {role!r} is over {_IAM_ROLE_MAX} characters; "
                    "shorten the prefix or the workflow's name"
                )
        return chosen

    @property
    def _machine_base(self) -> str:
        if self.workflow is None:
            raise DeployError("internal: a per-workflow name was asked without a workflow")
        return f"{self.prefix}-{self.workflow}"

    def _arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"

    # Lambda
    def function(self, service: str) -> str:
        """The Lambda function name of a service."""
        return f"{self.prefix}-{service}"

    def function_arn(self, service: str) -> str:
        """The unqualified Lambda function ARN of a service."""
        return self._arn("lambda", f"function:{self.function(service)}")

    def function_log_group(self, service: str) -> str:
        """The log group Lambda writes a function's logs to."""
        return f"/aws/lambda/{self.function(service)}"

    # DynamoDB
    def table(self, table: str) -> str:
        """The DynamoDB table name of a logical table (``{prefix}-{table}``)."""
        return f"{self.prefix}-{table}"

    def table_arn(self, table: str) -> str:
        """The DynamoDB table ARN of a logical table."""
        return self._arn("dynamodb", f"table/{self.table(table)}")

    # S3
    def bucket(self, bucket: str) -> str:
        """The S3 bucket name of a logical bucket (``{prefix}-{bucket}``)."""
        return f"{self.prefix}-{bucket}"

    def bucket_arn(self, bucket: str) -> str:
        """The S3 bucket ARN of a logical bucket (no region or account in it)."""
        return f"arn:{self.partition}:s3:::{self.bucket(bucket)}"

    # SNS
    def topic(self, topic: str) -> str:
        """An app topic's name: as the workflows write it, ``{prefix}`` replaced."""
        return topic.replace("{prefix}", self.prefix)

    def topic_arn(self, topic: str) -> str:
        """The ARN of an SNS topic of the stack (topics keep the name the workflows use)."""
        return self._arn("sns", topic)

    # IAM
    @property
    def role_path(self) -> str:
        """The IAM path every role of the stack lives under (destroy lists roles by it)."""
        return f"/orderflow/{self.prefix}/"

    def lambda_role(self, service: str) -> str:
        """The execution role name of a service's function."""
        return f"{self.prefix}-{service}-lambda"

    @property
    def states_role(self) -> str:
        """The role the workflow's state machine runs as."""
        return f"{self._machine_base}-states"

    @property
    def events_role(self) -> str:
        """The role EventBridge assumes to start executions of the workflow."""
        return f"{self._machine_base}-events"

    def role_arn(self, role: str) -> str:
        """The ARN of a role of this stack (IAM is global: no region)."""
        return self._arn("iam", f"role{self.role_path}{role}", regional=False)

    # Step Functions
    @property
    def state_machine(self) -> str:
        """The workflow's state machine name: ``{prefix}-{workflow}``."""
        return self._machine_base

    @property
    def state_machine_arn(self) -> str:
        """The state machine ARN."""
        return self._arn("states", f"stateMachine:{self.state_machine}")

    def alias_arn(self, alias: str) -> str:
        """The ARN of an alias of the state machine."""
        return f"{self.state_machine_arn}:{alias}"

    def execution_arn(self, execution: str) -> str:
        """The ARN of an execution of the state machine, by execution name."""
        return self._arn("states", f"execution:{self.state_machine}:{execution}")

    @property
    def log_group(self) -> str:
        """The log group the state machine logs to (the ``vendedlogs`` path AWS suggests:
        its resource policy size limit is shared by fewer writers)."""
        return f"/aws/vendedlogs/states/{self.state_machine}"

    @property
    def log_group_arn(self) -> str:
        """The log group ARN in the form Step Functions' logging configuration wants."""
        return self._arn("logs", f"log-group:{self.log_group}:*")

    # EventBridge
    def rule(self, slug: str) -> str:
        """The name of the workflow's rule for a trigger: ``{prefix}-{workflow}-{slug}``
        (``slug`` is the trigger's detail type, slugged).

        Raises:
            DeployError: the name is longer than EventBridge allows.
        """
        name = f"{self._machine_base}-{slug}"
        if len(name) > _RULE_MAX:
            raise DeployError(
                f"EventBridge rule name {name!r} is over {_RULE_MAX} characters; shorten the "
                "prefix, the workflow's name or the trigger's detail type"
            )
        return name

    def rule_arn(self, slug: str) -> str:
        """The ARN of the rule for a trigger (on the default event bus)."""
        return self._arn("events", f"rule/{self.rule(slug)}")


__all__ = ["StackNames", "check_prefix"]
