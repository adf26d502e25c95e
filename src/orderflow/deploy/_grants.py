"""What the state machine role needs for each service integration its definition uses.

Read from the ASL (so a hand-written definition gets the same treatment as a DSL one):
every Task's integration, each Distributed Map's ``ItemReader``/``ResultWriter`` and child
executions. Each action is granted on exactly the resource the state names:

=================================  ===================================================
integration                        grant
=================================  ===================================================
``dynamodb:getItem`` (put…)        ``dynamodb:GetItem`` on that table
``sns:publish``                    ``sns:Publish`` on that topic
``sqs:sendMessage``                ``sqs:SendMessage`` on that queue
``events:putEvents``               ``events:PutEvents`` on each bus its entries name
``states:startExecution``          ``states:StartExecution`` on that state machine
``…startExecution.sync(:2)``       + ``states:DescribeExecution``/``StopExecution`` on its
                                   executions, and the managed EventBridge rule
``s3:getObject`` (ItemReader)      ``s3:GetObject`` on that object
``s3:listObjectsV2`` (ItemReader)  ``s3:ListBucket`` on that bucket
``s3:putObject`` (ResultWriter)    ``s3:PutObject`` (+ multipart) under that prefix
Distributed Map                    ``states:StartExecution`` on this machine, and
                                   ``DescribeExecution``/``StopExecution`` on its map runs
=================================  ===================================================

A resource chosen at run time (``"TableName.$"``) cannot be granted narrowly, so deploy
refuses it (:class:`~orderflow.DeployError` naming the state) rather than grant ``*``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from orderflow._errors import DeployError
from orderflow.asl import Definition
from orderflow.deploy._names import StackNames

_INTEGRATION = re.compile(r"arn:[\w-]+:states:::([\w-]+):(\w+)((?:\.\w+(?::\d+)?)?)\Z")
_QUEUE_URL = re.compile(r"https://sqs\.([\w-]+)\.amazonaws\.com(?:\.cn)?/(\d{12})/([\w.-]+)\Z")
_SYNC_RULE = "StepFunctionsGetEventsForStepFunctionsExecutionRule"

Grants = dict[str, set[str]]
"""IAM action -> the resource ARNs it is granted on."""


def _arn(names: StackNames, service: str, resource: str) -> str:
    return f"arn:{names.partition}:{service}:{names.region}:{names.account}:{resource}"


def _block(state: Mapping[str, Any]) -> Mapping[str, Any]:
    for key in ("Parameters", "Arguments"):
        value = state.get(key)
        if isinstance(value, Mapping):
            return value
    return {}


def _literal(block: Mapping[str, Any], field: str, state: str, default: str | None = None) -> str:
    value = block.get(field, default)
    if isinstance(value, str) and not value.startswith("{%"):
        return value
    dynamic = f"{field}.$" in block or isinstance(value, str)
    raise DeployError(
        f"state {state!r}: {field} is "
        + ("chosen at run time" if dynamic else "missing")
        + ", so deploy cannot grant the state machine access to exactly that resource; "
        "name it literally"
    )


def _grant(grants: Grants, actions: list[str], resources: list[str]) -> None:
    for action in actions:
        grants.setdefault(action, set()).update(resources)


def _task(grants: Grants, names: StackNames, state: str, data: Mapping[str, Any]) -> None:
    resource = data.get("Resource")
    match = _INTEGRATION.match(resource) if isinstance(resource, str) else None
    if match is None:
        return
    service, action, suffix = match.groups()
    block = _block(data)

    def arn(service: str, resource: str) -> str:
        return _arn(names, service, resource)

    if service == "lambda":
        return  # lambda:InvokeFunction on the workflow's functions is granted already
    if service == "dynamodb" and action in ("getItem", "putItem", "updateItem", "deleteItem"):
        table = _literal(block, "TableName", state)
        table_arn = table if table.startswith("arn:") else arn("dynamodb", f"table/{table}")
        _grant(grants, [f"dynamodb:{action[0].upper()}{action[1:]}"], [table_arn])
    elif service == "sns" and action == "publish":
        _grant(grants, ["sns:Publish"], [_literal(block, "TopicArn", state)])
    elif service == "sqs" and action == "sendMessage":
        url = _literal(block, "QueueUrl", state)
        found = _QUEUE_URL.match(url)
        if found is None:
            raise DeployError(f"state {state!r}: {url!r} is not an SQS queue URL")
        region, account, queue = found.groups()
        _grant(
            grants, ["sqs:SendMessage"], [f"arn:{names.partition}:sqs:{region}:{account}:{queue}"]
        )
    elif service == "events" and action == "putEvents":
        entries = block.get("Entries")
        if not isinstance(entries, list):
            raise DeployError(f"state {state!r}: Entries must be written out to be granted")
        for entry in entries:
            bus = _literal(
                entry if isinstance(entry, Mapping) else {}, "EventBusName", state, "default"
            )
            _grant(
                grants,
                ["events:PutEvents"],
                [bus if bus.startswith("arn:") else arn("events", f"event-bus/{bus}")],
            )
    elif service == "states" and action == "startExecution":
        machine = _literal(block, "StateMachineArn", state)
        _grant(grants, ["states:StartExecution"], [machine])
        if suffix.startswith(".sync"):
            name = machine.rsplit(":", 1)[-1]
            _grant(
                grants,
                ["states:DescribeExecution", "states:StopExecution"],
                [arn("states", f"execution:{name}:*")],
            )
            _grant(
                grants,
                ["events:DescribeRule", "events:PutRule", "events:PutTargets"],
                [arn("events", f"rule/{_SYNC_RULE}")],
            )
    else:
        raise DeployError(
            f"state {state!r} uses {resource}, an integration deploy does not know how to "
            "grant; grant it yourself or use one of the DSL's integrations"
        )


def _map(grants: Grants, names: StackNames, state: str, data: Mapping[str, Any]) -> None:
    partition = names.partition
    reader = data.get("ItemReader")
    if isinstance(reader, Mapping):
        block = _block(reader)
        bucket = _literal(block, "Bucket", state)
        resource = str(reader.get("Resource", ""))
        if resource.endswith(":listObjectsV2"):
            _grant(grants, ["s3:ListBucket"], [f"arn:{partition}:s3:::{bucket}"])
        else:
            key = _literal(block, "Key", state)
            _grant(grants, ["s3:GetObject"], [f"arn:{partition}:s3:::{bucket}/{key}"])
    writer = data.get("ResultWriter")
    if isinstance(writer, Mapping):
        block = _block(writer)
        bucket = _literal(block, "Bucket", state)
        prefix = str(block.get("Prefix", "")).strip("/")
        where = f"{bucket}/{prefix}/*" if prefix else f"{bucket}/*"
        _grant(
            grants,
            [
                "s3:AbortMultipartUpload",
                "s3:GetObject",
                "s3:ListMultipartUploadParts",
                "s3:PutObject",
            ],
            [f"arn:{partition}:s3:::{where}"],
        )
    processor = data.get("ItemProcessor")
    config = processor.get("ProcessorConfig") if isinstance(processor, Mapping) else None
    if isinstance(config, Mapping) and config.get("Mode") == "DISTRIBUTED":
        machine = names.state_machine
        _grant(grants, ["states:StartExecution"], [names.state_machine_arn])
        _grant(
            grants,
            ["states:DescribeExecution", "states:StopExecution"],
            [_arn(names, "states", f"execution:{machine}/*")],
        )


def integration_grants(names: StackNames, definition: Definition) -> Grants:
    """Every action the definition's integrations need, each on exactly its resources.

    Raises:
        DeployError: a resource is chosen at run time, or an integration is unknown.
    """
    grants: Grants = {}
    for _pointer, name, state in definition.iter_states():
        if state.get("Type") == "Task":
            _task(grants, names, name, state)
        elif state.get("Type") == "Map":
            _map(grants, names, name, state)
    return grants


def integration_statements(names: StackNames, definition: Definition) -> list[dict[str, Any]]:
    """The grants as IAM statements: one per group of actions on the same resources."""
    by_resources: dict[tuple[str, ...], list[str]] = {}
    for action, arns in integration_grants(names, definition).items():
        by_resources.setdefault(tuple(sorted(arns)), []).append(action)
    statements = []
    for where, actions in sorted(by_resources.items(), key=lambda kv: sorted(kv[1])):
        ordered = sorted(actions)
        # Each action sits in exactly one statement, so Sids built from them are unique.
        sid = "".join(
            part[:1].upper() + part[1:]
            for action in ordered
            for part in action.replace(":", " ").split()
        )
        statements.append(
            {"Sid": sid[:100], "Effect": "Allow", "Action": ordered, "Resource": list(where)}
        )
    return statements


__all__ = ["Grants", "integration_grants", "integration_statements"]
