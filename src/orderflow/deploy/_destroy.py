"""``destroy``: delete exactly what deploy made for a prefix, in dependency order.

Resources are found by the names deploy gives them: everything named ``{prefix}-…`` (so
a service, table or workflow dropped from the app since is still found, and destroy needs
no app), roles by the stack's IAM path, and deleted only when tagged
``project=orderflow`` and ``prefix=<prefix>``, so another stack whose names share the
beginning (``shop-eu`` for ``shop``) is left alone, and so is anything a user made by hand
with a similar name. The order undoes deploy's: the alarms, the dashboard (untaggable:
recognised by the marker in its first widget) and the alarm topic, the rule (its targets first), the
state machine (its aliases first; AWS deletes its published versions with it, and destroy
reports each version an alias pointed at), its log group, the functions, the tables, the
S3 buckets (emptied first: every object version), the SNS topics, then the roles that the
deleted resources used (managed policies detached first). Anything already gone is skipped,
so destroy on a half-deployed or destroyed stack succeeds.

Not deleted: the ``/aws/lambda/<function>`` log groups that Lambda itself creates when a
function first runs (deploy did not make them; they are untagged).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from orderflow.deploy._aws import Aws, calling
from orderflow.deploy._counting import counting
from orderflow.deploy._dynamodb import delete_table
from orderflow.deploy._events import delete_rule
from orderflow.deploy._lambda import delete_function
from orderflow.deploy._logs import delete_log_group
from orderflow.deploy._monitoring import destroy_monitoring
from orderflow.deploy._names import StackNames, check_prefix
from orderflow.deploy._plan import Progress
from orderflow.deploy._roles import delete_role
from orderflow.deploy._s3 import bucket_tags, delete_bucket, stack_buckets
from orderflow.deploy._sns import delete_topic, stack_topics
from orderflow.deploy._stepfunctions import (
    delete_alias,
    delete_state_machine,
    state_machine_aliases,
)
from orderflow.deploy._tags import PREFIX_TAG, PROJECT, PROJECT_TAG, from_key_value, is_ours

LOG_GROUP_ROOT = "/aws/vendedlogs/states/"


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
            if tags.get(PROJECT_TAG) == PROJECT and tags.get(PREFIX_TAG) != self.prefix:
                return  # another stack's (shop-eu when destroying shop): none of our business
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
            if not machine["name"].startswith(f"{self.prefix}-"):
                continue
            with calling(f"state machine {machine['name']}", "states:ListTagsForResource"):
                pairs = client.list_tags_for_resource(resourceArn=machine["stateMachineArn"])
            tags = from_key_value(pairs.get("tags", []), "key", "value")
            if is_ours(tags, self.prefix):
                self._state_machine(machine["stateMachineArn"])
            elif not (tags.get(PROJECT_TAG) == PROJECT and tags.get(PREFIX_TAG) != self.prefix):
                self._left_alone("state machine", machine["name"])

    def log_groups(self) -> None:
        client = self.aws.client("logs")
        start = f"{LOG_GROUP_ROOT}{self.prefix}-"
        with calling(f"log groups {start}*", "logs:DescribeLogGroups"):
            groups = list(
                _pages(client, "describe_log_groups", "logGroups", logGroupNamePrefix=start)
            )
        for group in groups:
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
        for function in functions:
            if not function["FunctionName"].startswith(f"{self.prefix}-"):
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
        for table in tables:
            if not table.startswith(f"{self.prefix}-"):
                continue
            arn = self.names.table_arn(table.removeprefix(f"{self.prefix}-"))
            with calling(f"DynamoDB table {table}", "dynamodb:ListTagsOfResource"):
                tags = from_key_value(client.list_tags_of_resource(ResourceArn=arn).get("Tags", []))
            self._handle("DynamoDB table", table, tags, lambda t=table: delete_table(self.aws, t))

    def buckets(self) -> None:
        for bucket in stack_buckets(self.aws, self.prefix):
            self._handle(
                "S3 bucket",
                bucket,
                bucket_tags(self.aws, bucket),
                lambda b=bucket: delete_bucket(self.aws, b),
            )

    def topics(self) -> None:
        for arn, tags in stack_topics(self.aws, self.prefix).items():
            self._handle(
                "SNS topic",
                arn.rsplit(":", 1)[-1],
                tags,
                lambda a=arn: delete_topic(self.aws, a),
            )

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
    from orderflow.deploy._deploy import stderr_progress

    if progress is stderr_progress:
        # The CLI's lines: on a terminal, a count of deletions stays under them.
        with counting(progress, f"destroy {prefix}") as report:
            return _destroy(aws, names, report)
    return _destroy(aws, names, progress)


def _destroy(aws: Aws, names: StackNames, progress: Progress) -> list[str]:
    prefix = names.prefix
    destroyer = _Destroyer(aws, names, progress)
    destroy_monitoring(aws, names, destroyer._handle)
    destroyer.rules()
    destroyer.state_machines()
    destroyer.log_groups()
    destroyer.functions()
    destroyer.tables()
    destroyer.buckets()
    destroyer.topics()
    destroyer.roles()
    if not destroyer.deleted:
        progress(f"nothing to destroy for prefix {prefix} in {aws.region}")
    return destroyer.deleted


__all__ = ["destroy"]
