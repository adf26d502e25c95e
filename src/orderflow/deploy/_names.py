"""How every deployed resource is named and addressed, from one prefix.

All names derive from the prefix (``shop`` -> ``shop-get-user``, ``shop-users``,
``shop-orders``…) and all ARNs from the prefix, account, region and partition, so policies
can name fully resolved ARNs before anything exists, and destroy can find what deploy made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orderflow._errors import DeployError

_PREFIX = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
STATE_MACHINE_SUFFIX = "orders"


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

    Attributes:
        prefix: the stack's name prefix.
        account: the AWS account id.
        region: the AWS region.
        partition: the ARN partition (``aws``).
    """

    prefix: str
    account: str
    region: str
    partition: str = "aws"

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
        """The role the state machine runs as."""
        return f"{self.prefix}-states"

    @property
    def events_role(self) -> str:
        """The role EventBridge assumes to start executions."""
        return f"{self.prefix}-events"

    def role_arn(self, role: str) -> str:
        """The ARN of a role of this stack (IAM is global: no region)."""
        return self._arn("iam", f"role{self.role_path}{role}", regional=False)

    # Step Functions
    @property
    def state_machine(self) -> str:
        """The state machine name."""
        return f"{self.prefix}-{STATE_MACHINE_SUFFIX}"

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
    @property
    def rule(self) -> str:
        """The EventBridge rule name."""
        return f"{self.prefix}-order-submitted"

    @property
    def rule_arn(self) -> str:
        """The rule's ARN (on the default event bus)."""
        return self._arn("events", f"rule/{self.rule}")


__all__ = ["STATE_MACHINE_SUFFIX", "StackNames", "check_prefix"]
