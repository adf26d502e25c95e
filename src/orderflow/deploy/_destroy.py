"""``destroy``: delete exactly what deploy made for a prefix, in dependency order.

Resources are found by the names deploy gives them (for every known service and table,
so a service dropped from the workflow since is still found; roles by the stack's IAM
path) and deleted only when tagged ``project=orderflow`` and ``prefix=<prefix>``, so
another stack whose names share the beginning is left alone, and so is anything a user made
by hand with a similar name. The order undoes deploy's: the rule (its targets first), the
state machine (its aliases first; AWS deletes its published versions with it, and destroy
reports each version an alias pointed at), its log group, the functions, the tables, then
the roles that the deleted resources used (managed policies detached first). Anything
already gone is skipped, so destroy on a half-deployed or destroyed stack succeeds.

Not deleted: the ``/aws/lambda/<function>`` log groups that Lambda itself creates when a
function first runs (deploy did not make them; they are untagged).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orderflow.deploy._aws import Aws, calling
from orderflow.deploy._dynamodb import delete_table
from orderflow.deploy._events import delete_rule
from orderflow.deploy._lambda import delete_function
from orderflow.deploy._logs import delete_log_group
from orderflow.deploy._names import StackNames, check_prefix
from orderflow.deploy._plan import Progress
from orderflow.deploy._roles import delete_role
from orderflow.deploy._stepfunctions import (
    delete_alias,
    delete_state_machine,
    state_machine_aliases,
)
from orderflow.deploy._tags import from_key_value, is_ours
from orderflow.services import SERVICES, TABLES


def _pages(client: Any, operation: str, key: str, **kwargs: Any) -> Iterator[Any]:
    paginator = client.get_paginator(operation)
    for page in paginator.paginate(**kwargs):
        yield from page.get(key, [])


class _Destroyer:
    def __init__(self, aws: Aws, names: StackNames, progress: Progress) -> None:
        self.aws = aws
        self.names = names
        self.prefix = names.prefix
        self.progress = progress
        self.deleted: list[str] = []

    def _handle(self, kind: str, name: str, tags: dict[str, str], delete: Any) -> None:
        if not is_ours(tags, self.prefix):
            self._left_alone(kind, name)
            return
        delete()
        self._deleted(kind, name)

    def _left_alone(self, kind: str, name: str) -> None:
        self.progress(
            f"left alone {kind} {name} (not tagged project=orderflow, prefix={self.prefix})"
        )

    def _deleted(self, kind: str, name: str) -> None:
        self.deleted.append(f"{kind} {name}")
        self.progress(f"deleted {kind} {name}")

    def _state_machine(self, arn: str) -> None:
        """The machine's aliases one by one, the machine, then the versions the aliases
        routed to (deleted by AWS with the machine), a line for each."""
        versions: set[str] = set()
        for alias_arn, routed in state_machine_aliases(self.aws, arn).items():
            delete_alias(self.aws, alias_arn)
            versions.update(routed)
            self._deleted("state machine alias", alias_arn.rsplit(":", 1)[-1])
        delete_state_machine(self.aws, arn)
        self._deleted("state machine", arn.rsplit(":", 1)[-1])
        # Numeric order (…:2 before …:10); named "<machine>:<number>" as in the console.
        for version in sorted(versions, key=lambda v: (len(v), v)):
            self._deleted("state machine version", ":".join(version.rsplit(":", 2)[-2:]))

    def rules(self) -> None:
        client = self.aws.client("events")
        with calling(f"EventBridge rules {self.prefix}-*", "events:ListRules"):
            rules = list(_pages(client, "list_rules", "Rules", NamePrefix=f"{self.prefix}-"))
        for rule in rules:
            if rule["Name"] != self.names.rule:
                continue
            with calling(f"EventBridge rule {rule['Name']}", "events:ListTagsForResource"):
                tags = from_key_value(
                    client.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
                )
            self._handle(
                "EventBridge rule",
                rule["Name"],
                tags,
                lambda r=rule: delete_rule(self.aws, r["Name"]),
            )

    def state_machines(self) -> None:
        client = self.aws.client("stepfunctions")
        with calling(f"state machines {self.prefix}-*", "states:ListStateMachines"):
            machines = list(_pages(client, "list_state_machines", "stateMachines"))
        for machine in machines:
            if machine["name"] != self.names.state_machine:
                continue
            with calling(f"state machine {machine['name']}", "states:ListTagsForResource"):
                pairs = client.list_tags_for_resource(resourceArn=machine["stateMachineArn"])
            tags = from_key_value(pairs.get("tags", []), "key", "value")
            if is_ours(tags, self.prefix):
                self._state_machine(machine["stateMachineArn"])
            else:
                self._left_alone("state machine", machine["name"])

    def log_groups(self) -> None:
        client = self.aws.client("logs")
        with calling(f"log group {self.names.log_group}", "logs:DescribeLogGroups"):
            groups = list(
                _pages(
                    client,
                    "describe_log_groups",
                    "logGroups",
                    logGroupNamePrefix=self.names.log_group,
                )
            )
        for group in groups:
            if group["logGroupName"] != self.names.log_group:
                continue
            arn = str(group["arn"]).removesuffix(":*")
            with calling(f"log group {group['logGroupName']}", "logs:ListTagsForResource"):
                tags = dict(client.list_tags_for_resource(resourceArn=arn).get("tags") or {})
            self._handle(
                "log group",
                group["logGroupName"],
                tags,
                lambda g=group: delete_log_group(self.aws, g["logGroupName"]),
            )

    def functions(self) -> None:
        client = self.aws.client("lambda")
        with calling(f"Lambda functions {self.prefix}-*", "lambda:ListFunctions"):
            functions = list(_pages(client, "list_functions", "Functions"))
        wanted = {self.names.function(service) for service in SERVICES}
        for function in functions:
            if function["FunctionName"] not in wanted:
                continue
            with calling(f"Lambda function {function['FunctionName']}", "lambda:ListTags"):
                tags = dict(client.list_tags(Resource=function["FunctionArn"]).get("Tags") or {})
            self._handle(
                "Lambda function",
                function["FunctionName"],
                tags,
                lambda f=function: delete_function(self.aws, f["FunctionName"]),
            )

    def tables(self) -> None:
        client = self.aws.client("dynamodb")
        with calling(f"DynamoDB tables {self.prefix}-*", "dynamodb:ListTables"):
            tables = list(_pages(client, "list_tables", "TableNames"))
        existing = set(tables)
        for logical in TABLES:
            table = self.names.table(logical)
            if table not in existing:
                continue
            arn = self.names.table_arn(logical)
            with calling(f"DynamoDB table {table}", "dynamodb:ListTagsOfResource"):
                tags = from_key_value(client.list_tags_of_resource(ResourceArn=arn).get("Tags", []))
            self._handle("DynamoDB table", table, tags, lambda t=table: delete_table(self.aws, t))

    def roles(self) -> None:
        client = self.aws.client("iam")
        with calling(f"IAM roles under {self.names.role_path}", "iam:ListRoles"):
            roles = list(_pages(client, "list_roles", "Roles", PathPrefix=self.names.role_path))
        for role in roles:
            if role.get("Path") != self.names.role_path:
                continue  # a deeper path belongs to a stack whose prefix extends ours
            with calling(f"IAM role {role['RoleName']}", "iam:ListRoleTags"):
                tags = from_key_value(client.list_role_tags(RoleName=role["RoleName"])["Tags"])
            self._handle(
                "IAM role",
                role["RoleName"],
                tags,
                lambda r=role: delete_role(self.aws, r["RoleName"]),
            )


def destroy(aws: Aws, *, prefix: str, progress: Progress) -> list[str]:
    """Delete every resource deploy made for ``prefix``.

    Args:
        aws: the connection.
        prefix: the stack to remove.
        progress: receives one line per resource deleted (or left alone, with the reason).

    Returns:
        ``"<kind> <name>"`` of each deleted resource, in deletion order (empty when there
        was nothing to delete).

    Raises:
        DeployError: an AWS call failed; names the resource and AWS's message. What was
            deleted stays deleted; running destroy again finishes the job.
    """
    names = StackNames(check_prefix(prefix), aws.account, aws.region, aws.partition)
    destroyer = _Destroyer(aws, names, progress)
    destroyer.rules()
    destroyer.state_machines()
    destroyer.log_groups()
    destroyer.functions()
    destroyer.tables()
    destroyer.roles()
    if not destroyer.deleted:
        progress(f"nothing to destroy for prefix {prefix} in {aws.region}")
    return destroyer.deleted


__all__ = ["destroy"]
