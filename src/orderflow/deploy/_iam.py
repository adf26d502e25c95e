"""IAM policy documents: pure functions of the stack's names, every ARN fully resolved.

Least privilege, one role per principal:

* a Lambda execution role per service: its own log group, plus, per table the service
  declares, exactly the DynamoDB actions its code performs there (``Service.tables``, a
  ``TableAccess``: ``get`` -> ``GetItem``, ``put`` -> ``PutItem``, ``delete`` ->
  ``DeleteItem``, ``scan`` -> ``Scan``). ``get-user`` may only read ``users``; no built-in
  service deletes or scans, so none may;
* the state machine role: ``lambda:InvokeFunction`` on exactly the workflow's functions,
  exactly what its service integrations do on exactly their resources (``dynamodb:GetItem``
  on that table, ``sns:Publish`` on that topic…), plus X-Ray and CloudWatch Logs delivery;
* the EventBridge role, trusted by ``events.amazonaws.com`` only for this rule, that may
  only ``states:StartExecution`` on this state machine (or the alias the rule targets).

``"Resource": "*"`` appears only where AWS supports no narrower resource (see
:data:`WILDCARD_ACTIONS`, each with its reason). :func:`deployer_policy` is what the person
or pipeline running ``orderflow deploy`` needs, scoped to the prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from orderflow._errors import DeployError
from orderflow.asl import Definition
from orderflow.deploy._grants import integration_statements
from orderflow.deploy._names import StackNames
from orderflow.deploy._s3 import DEPLOYER_S3_ACTIONS
from orderflow.runtime._service import Operation, TableAccess

Policy = dict[str, Any]
"""An IAM policy document as JSON data."""

VERSION = "2012-10-17"

# Actions that only accept "Resource": "*", with the reason AWS gives.
WILDCARD_ACTIONS: Mapping[str, str] = {
    "xray:PutTraceSegments": "X-Ray trace APIs have no resource-level permissions",
    "xray:PutTelemetryRecords": "X-Ray trace APIs have no resource-level permissions",
    "xray:GetSamplingRules": "X-Ray trace APIs have no resource-level permissions",
    "xray:GetSamplingTargets": "X-Ray trace APIs have no resource-level permissions",
    "logs:CreateLogDelivery": "CloudWatch Logs vended-log delivery APIs require '*'",
    "logs:GetLogDelivery": "CloudWatch Logs vended-log delivery APIs require '*'",
    "logs:UpdateLogDelivery": "CloudWatch Logs vended-log delivery APIs require '*'",
    "logs:DeleteLogDelivery": "CloudWatch Logs vended-log delivery APIs require '*'",
    "logs:ListLogDeliveries": "CloudWatch Logs vended-log delivery APIs require '*'",
    "logs:PutResourcePolicy": "the log group resource policy Step Functions writes is account-wide",
    "logs:DescribeResourcePolicies": "account-wide, like PutResourcePolicy",
    "logs:DescribeLogGroups": "lists log groups; no resource-level permissions",
}

LAMBDA_TABLE_ACTIONS: Mapping[Operation, str] = {
    "get": "dynamodb:GetItem",
    # A conditional put is still PutItem: the condition expression needs no extra action.
    "put": "dynamodb:PutItem",
    "delete": "dynamodb:DeleteItem",
    "scan": "dynamodb:Scan",
}
"""The one DynamoDB action each ``Table`` operation needs (``DynamoTable`` makes that call)."""


def _statement(sid: str, actions: Sequence[str], resources: Sequence[str] | str) -> Policy:
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": sorted(actions),
        "Resource": resources if isinstance(resources, str) else sorted(resources),
    }


def _trust(service: str, condition: Policy | None = None) -> Policy:
    statement: Policy = {
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return {"Version": VERSION, "Statement": [statement]}


def lambda_trust_policy() -> Policy:
    """Trust policy of a Lambda execution role: only the Lambda service may assume it."""
    return _trust("lambda.amazonaws.com")


def states_trust_policy(names: StackNames) -> Policy:
    """Trust policy of the state machine role: Step Functions, from this account only
    (``aws:SourceAccount`` guards against the confused-deputy problem)."""
    return _trust("states.amazonaws.com", {"StringEquals": {"aws:SourceAccount": names.account}})


def events_trust_policy(names: StackNames, rule_arns: Sequence[str]) -> Policy:
    """Trust policy of a workflow's EventBridge role: ``events.amazonaws.com``, and only on
    behalf of that workflow's rules (``rule_arns``) in this account."""
    source: str | list[str] = rule_arns[0] if len(rule_arns) == 1 else sorted(rule_arns)
    return _trust(
        "events.amazonaws.com",
        {
            "StringEquals": {
                "aws:SourceAccount": names.account,
                "aws:SourceArn": source,
            }
        },
    )


def lambda_policy(
    names: StackNames,
    service: str,
    tables: Iterable[str],
    archives: Iterable[tuple[str, str]] = (),
) -> Policy:
    """Permissions of one service's execution role.

    Tables with the same operations share a statement, named after its actions
    (``OwnTablesGetItem``, ``OwnTablesGetItemPutItem``). Archives get one statement,
    ``OwnArchivePrefixes``: ``s3:PutObject`` on ``arn:aws:s3:::{bucket}/{prefix}*`` for
    each, nothing else in the bucket.

    Args:
        names: the stack's names.
        service: the service name (``get-user``).
        tables: what the service does to which logical table: its ``Service.tables`` (a
            ``TableAccess``) or a mapping table -> operations (``{"users": ["get"]}``).
        archives: the service's ``(bucket, key prefix)`` pairs (``Service.archives``).

    Raises:
        DeployError: ``tables`` names tables without saying what the service does to them.
    """
    log_group = names.function_log_group(service)
    group_arn = f"arn:{names.partition}:logs:{names.region}:{names.account}:log-group:{log_group}"
    statements = [
        _statement("CreateOwnLogGroup", ["logs:CreateLogGroup"], [group_arn]),
        _statement(
            "WriteOwnLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{group_arn}:*"]
        ),
    ]
    by_actions: dict[tuple[str, ...], list[str]] = {}
    for table, operations in _access(service, tables).operations().items():
        actions = tuple(sorted(LAMBDA_TABLE_ACTIONS[op] for op in operations))
        by_actions.setdefault(actions, []).append(names.table_arn(table))
    for actions, arns in sorted(by_actions.items()):
        sid = "OwnTables" + "".join(action.split(":", 1)[1] for action in actions)
        statements.append(_statement(sid, actions, arns))
    objects = sorted({f"{names.bucket_arn(bucket)}/{prefix}*" for bucket, prefix in archives})
    if objects:
        statements.append(_statement("OwnArchivePrefixes", ["s3:PutObject"], objects))
    return {"Version": VERSION, "Statement": statements}


def _access(service: str, tables: Iterable[str]) -> TableAccess:
    if isinstance(tables, TableAccess):
        return tables
    if isinstance(tables, Mapping):
        return TableAccess(tables)
    listed = list(tables)
    if not listed:
        return TableAccess({})
    # Bare names say nothing about reads versus writes; guessing would over-grant.
    raise DeployError(
        f"the role of {service!r} cannot be built from table names alone "
        f"({', '.join(listed)}): pass the service's tables (a TableAccess) or a mapping "
        "table -> operations"
    )


def states_policy(
    names: StackNames, function_arns: Iterable[str], definition: Definition | None = None
) -> Policy:
    """Permissions of the state machine role.

    ``lambda:InvokeFunction`` on each function and on its qualified forms (``…:fn:*``, for
    versions and aliases of the same function — nothing else); with ``definition``, exactly
    the actions its service integrations perform on exactly their resources (see
    :mod:`orderflow.deploy._grants`); X-Ray and the CloudWatch Logs delivery APIs, which
    only accept ``*``.

    Raises:
        DeployError: an integration's resource is chosen at run time or is unknown.
    """
    arns = sorted(set(function_arns))
    invoke = [*arns, *(f"{arn}:*" for arn in arns)]
    xray = [action for action in WILDCARD_ACTIONS if action.startswith("xray:")]
    logs = [action for action in WILDCARD_ACTIONS if action.startswith("logs:")]
    statements = [
        *(integration_statements(names, definition) if definition is not None else []),
        _statement("XRayTracing", xray, "*"),
        _statement("LogDelivery", logs, "*"),
    ]
    if invoke:  # a workflow without Lambda tasks may invoke nothing (IAM refuses no resource)
        statements.insert(
            0, _statement("InvokeWorkflowFunctions", ["lambda:InvokeFunction"], invoke)
        )
    return {"Version": VERSION, "Statement": statements}


def events_policy(target_arn: str) -> Policy:
    """Permissions of the EventBridge role: start executions of exactly ``target_arn``
    (the state machine, or the alias the rule targets)."""
    return {
        "Version": VERSION,
        "Statement": [_statement("StartWorkflow", ["states:StartExecution"], [target_arn])],
    }


def wildcard_actions(policy: Mapping[str, Any]) -> list[str]:
    """Every action a policy grants on ``"*"`` (for tests and reviews)."""
    found: list[str] = []
    for statement in policy["Statement"]:
        resources = statement["Resource"]
        if resources == "*" or (isinstance(resources, list) and "*" in resources):
            actions = statement["Action"]
            found.extend([actions] if isinstance(actions, str) else actions)
    return sorted(found)


# Every API action deploy, destroy and the execution commands call, by service, plus the
# ones AWS checks along with a call (iam:PassRole, states:PublishStateMachineVersion when
# UpdateStateMachine publishes). Tests record the operations actually sent and check each,
# and what it implies, against the policy built from this.
DEPLOYER_ACTIONS: Mapping[str, tuple[str, ...]] = {
    "sts": ("GetCallerIdentity",),
    "iam": (
        "GetRole",
        "CreateRole",
        "DeleteRole",
        "UpdateAssumeRolePolicy",
        "ListRoles",
        "ListRoleTags",
        "TagRole",
        "UntagRole",
        "GetRolePolicy",
        "PutRolePolicy",
        "DeleteRolePolicy",
        "ListRolePolicies",
        "ListAttachedRolePolicies",
        "DetachRolePolicy",
        "PassRole",
    ),
    "lambda": (
        "GetFunction",
        "GetFunctionConfiguration",
        "CreateFunction",
        "UpdateFunctionCode",
        "UpdateFunctionConfiguration",
        "DeleteFunction",
        "ListFunctions",
        "ListTags",
        "TagResource",
        "UntagResource",
    ),
    "dynamodb": (
        "DescribeTable",
        "CreateTable",
        "DeleteTable",
        "ListTables",
        "ListTagsOfResource",
        "TagResource",
        "UntagResource",
        "PutItem",
    ),
    "logs": (
        "CreateLogGroup",
        "DeleteLogGroup",
        "DescribeLogGroups",
        "PutRetentionPolicy",
        "ListTagsForResource",
        "TagResource",
        "UntagResource",
    ),
    "states": (
        "DescribeStateMachine",
        "CreateStateMachine",
        "UpdateStateMachine",
        "PublishStateMachineVersion",
        "DeleteStateMachine",
        "ListStateMachines",
        "DescribeStateMachineAlias",
        "CreateStateMachineAlias",
        "UpdateStateMachineAlias",
        "DeleteStateMachineAlias",
        "ListStateMachineAliases",
        "ListTagsForResource",
        "TagResource",
        "UntagResource",
        "StartExecution",
        "DescribeExecution",
        "ListExecutions",
        "GetExecutionHistory",
        "DescribeStateMachineForExecution",
    ),
    "cloudwatch": (
        "PutDashboard",
        "GetDashboard",
        "DeleteDashboards",
        "PutMetricAlarm",
        "DescribeAlarms",
        "DeleteAlarms",
        "ListTagsForResource",
        "TagResource",
        "UntagResource",
    ),
    "events": (
        "DescribeRule",
        "PutRule",
        "DeleteRule",
        "ListRules",
        "PutTargets",
        "RemoveTargets",
        "ListTargetsByRule",
        "ListTagsForResource",
        "TagResource",
        "UntagResource",
        "PutEvents",
    ),
    "sns": (
        "CreateTopic",
        "DeleteTopic",
        "GetTopicAttributes",
        "ListTagsForResource",
        "ListTopics",
        "TagResource",
        "UntagResource",
    ),
}

# Checked on the deployer's own credentials when CreateStateMachine/UpdateStateMachine set
# up log delivery for it (CloudWatch vended logs); they accept only "*".
DEPLOYER_LOG_DELIVERY = tuple(a for a in WILDCARD_ACTIONS if a.startswith("logs:"))

# Roles deploy hands to a service (CreateFunction's Role, CreateStateMachine's roleArn,
# PutTargets' RoleArn) need iam:PassRole; the condition names exactly those services.
PASS_ROLE_SERVICES = ("events.amazonaws.com", "lambda.amazonaws.com", "states.amazonaws.com")

# Listing and identity calls have no resource-level permissions in IAM.
_UNSCOPED = frozenset(
    {
        "sts:GetCallerIdentity",
        "iam:ListRoles",
        "lambda:ListFunctions",
        "dynamodb:ListTables",
        "logs:DescribeLogGroups",
        "states:ListStateMachines",
        "events:ListRules",
        "s3:ListAllMyBuckets",
        "sns:ListTopics",
    }
)


def deployer_policy(names: StackNames) -> Policy:
    """The permissions the user running deploy/destroy/executions needs, scoped to the stack.

    ``names.account``/``region`` may be the real values or ``*`` for a template.
    """
    arn = f"arn:{names.partition}"
    where = f"{names.region}:{names.account}"
    p = names.prefix
    scoped: dict[str, list[str]] = {
        "iam": [f"{arn}:iam::{names.account}:role{names.role_path}*"],
        "lambda": [f"{arn}:lambda:{where}:function:{p}-*"],
        "dynamodb": [f"{arn}:dynamodb:{where}:table/{p}-*"],
        # Every workflow's machine, log group and rules are named {prefix}-{workflow}...
        "logs": [
            f"{arn}:logs:{where}:log-group:/aws/vendedlogs/states/{p}-*",
        ],
        "states": [
            f"{arn}:states:{where}:stateMachine:{p}-*",
            f"{arn}:states:{where}:execution:{p}-*",
        ],
        # The stack's alarms and dashboard ({prefix}-...); dashboards are global (no region).
        "cloudwatch": [
            f"{arn}:cloudwatch:{where}:alarm:{p}-*",
            f"{arn}:cloudwatch::{names.account}:dashboard/{p}-*",
        ],
        "events": [
            f"{arn}:events:{where}:rule/{p}-*",
            f"{arn}:events:{where}:event-bus/default",
        ],
        "sns": [f"{arn}:sns:{where}:{p}-*"],
    }
    statements: list[Policy] = []
    unscoped = sorted(_UNSCOPED)
    statements.append(_statement("ListAndIdentity", unscoped, "*"))
    statements.append(_statement("StateMachineLogDelivery", DEPLOYER_LOG_DELIVERY, "*"))
    for service, actions in DEPLOYER_ACTIONS.items():
        if service == "sts":
            continue
        granted = [
            f"{service}:{a}"
            for a in actions
            if f"{service}:{a}" not in _UNSCOPED and f"{service}:{a}" != "iam:PassRole"
        ]
        statements.append(_statement(f"Stack{service.capitalize()}", granted, scoped[service]))
    # S3 operations are authorised by differently named IAM actions (see deploy._s3).
    s3_actions = sorted({a for a in DEPLOYER_S3_ACTIONS.values() if a not in _UNSCOPED})
    bucket = f"{arn}:s3:::{p}-*"
    statements.append(_statement("StackS3", s3_actions, [bucket, f"{bucket}/*"]))
    pass_role = _statement("PassStackRoles", ["iam:PassRole"], scoped["iam"])
    pass_role["Condition"] = {"StringEquals": {"iam:PassedToService": list(PASS_ROLE_SERVICES)}}
    statements.append(pass_role)
    return {"Version": VERSION, "Statement": statements}


__all__ = [
    "DEPLOYER_ACTIONS",
    "DEPLOYER_LOG_DELIVERY",
    "LAMBDA_TABLE_ACTIONS",
    "PASS_ROLE_SERVICES",
    "VERSION",
    "WILDCARD_ACTIONS",
    "Policy",
    "deployer_policy",
    "events_policy",
    "events_trust_policy",
    "lambda_policy",
    "lambda_trust_policy",
    "states_policy",
    "states_trust_policy",
    "wildcard_actions",
]
