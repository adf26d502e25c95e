"""The stack: every resource deploy manages, derived from an app and its rendered workflows.

The app is the source: one Lambda function per service (compensations too), one DynamoDB
table per declared table and per ``{prefix}-…`` table its workflows' DynamoDB integrations
key (a circuit breaker's), one S3 bucket per declared bucket, one SNS topic per declared
topic (by the name the workflows publish to, ``{prefix}`` replaced), and per workflow a
state machine (its definition rendered with the real account, region and prefix), its role
and log group, and one EventBridge rule per trigger. Each function's role gets exactly the
tables its service declares (and ``s3:PutObject`` on exactly its archive prefixes); each
machine's role may invoke exactly the functions its definition calls, which must all be
this stack's. Resources are listed in dependency order (tables, buckets, topics and roles
before the functions that use them, functions and the log group before the machine, the machine
before its rules).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orderflow._errors import DeployError
from orderflow.asl import Definition, is_lambda_function_arn
from orderflow.deploy._dynamodb import TableResource
from orderflow.deploy._events import RuleResource, event_pattern
from orderflow.deploy._iam import (
    events_policy,
    events_trust_policy,
    lambda_policy,
    lambda_trust_policy,
    states_policy,
    states_trust_policy,
)
from orderflow.deploy._integration_tables import integration_tables
from orderflow.deploy._lambda import FunctionResource
from orderflow.deploy._logs import LogGroupResource
from orderflow.deploy._monitoring import (
    MonitoringConfig,
    metrics_namespace,
    monitoring_resources,
)
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Resource
from orderflow.deploy._roles import RoleResource
from orderflow.deploy._s3 import BucketResource
from orderflow.deploy._sns import TopicResource
from orderflow.deploy._stepfunctions import (
    LOG_LEVELS,
    MACHINE_TYPES,
    AliasResource,
    StateMachineResource,
)
from orderflow.deploy._tags import stack_tags
from orderflow.runtime._lambda import (
    BUCKETS_ENV,
    LAMBDA_HANDLER,
    LOCATION_ENV,
    METRICS_NAMESPACE_ENV,
    SERVICE_ENV,
    TABLES_ENV,
)
from orderflow.runtime._registry import resolve_service, service_location
from orderflow.runtime._service import Service

if TYPE_CHECKING:
    from orderflow._app import App, Trigger

_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


@dataclass(frozen=True)
class StackConfig:
    """How to deploy, beyond the names.

    Attributes:
        machine_type: ``STANDARD`` or ``EXPRESS`` for every state machine; ``None`` (the
            default): each workflow's own type.
        alias: publish a version on each definition change and point this alias at it;
            the rules then start the alias. ``None``: no versions, the rules start the
            machine.
        timeout: each function's timeout in seconds.
        memory: each function's memory in MiB.
        log_level: the state machine's log level (``ALL``, ``ERROR``, ``FATAL``, ``OFF``).
        tracing: X-Ray tracing of the state machine.
        environment: extra environment variables for every function.
        seed_sample_data: after deploying, write the app's sample data into the tables
            (only items that are absent).
        monitoring: the stack's alarms' thresholds (``MonitoringConfig``), or disabled.
    """

    machine_type: str | None = None
    alias: str | None = None
    timeout: int = 30
    memory: int = 256
    log_level: str = "ERROR"
    tracing: bool = True
    environment: Mapping[str, str] = field(default_factory=dict)
    seed_sample_data: bool = False
    monitoring: MonitoringConfig = field(default_factory=MonitoringConfig)

    def __post_init__(self) -> None:
        if self.machine_type is not None and self.machine_type not in MACHINE_TYPES:
            raise DeployError(f"state machine type must be one of {MACHINE_TYPES}")
        if self.log_level not in LOG_LEVELS:
            raise DeployError(f"log level must be one of {LOG_LEVELS}")
        if not 1 <= self.timeout <= 900:
            raise DeployError("function timeout must be 1-900 seconds")
        if not 128 <= self.memory <= 10240:
            raise DeployError("function memory must be 128-10240 MiB")


def lambda_arns(definition: Definition) -> dict[str, str]:
    """Every Lambda function ARN the definition's Task states invoke -> the first state
    that invokes it (a plain function ARN as ``Resource``, or ``lambda:invoke``'s
    ``FunctionName``)."""
    found: dict[str, str] = {}
    for _pointer, name, state in definition.iter_states():
        if state.get("Type") != "Task":
            continue
        resource = state.get("Resource")
        target: Any = None
        if isinstance(resource, str) and resource.startswith(_LAMBDA_INVOKE):
            for key in ("Parameters", "Arguments"):
                block = state.get(key)
                if isinstance(block, Mapping) and "FunctionName" in block:
                    target = block["FunctionName"]
        elif is_lambda_function_arn(resource):
            target = resource
        if isinstance(target, str):
            found.setdefault(target, name)
    return found


@dataclass(frozen=True)
class Machine:
    """One workflow of the stack, rendered.

    Attributes:
        names: the stack's names with this workflow chosen.
        definition: the definition rendered for the stack.
        machine_type: ``STANDARD`` or ``EXPRESS``.
        triggers: the app's triggers of this workflow (one rule each).
    """

    names: StackNames
    definition: Definition
    machine_type: str
    triggers: tuple[Trigger, ...] = ()


def services_of(definition: Definition, names: StackNames, app: App) -> list[Service[Any, Any]]:
    """The app's services the definition invokes, each checked to be this stack's function.

    Raises:
        DeployError: a Task invokes a function deploy does not create (another prefix,
            account or region, a qualifier, or no service of the app).
    """
    services: dict[str, Service[Any, Any]] = {}
    for arn, state in lambda_arns(definition).items():
        try:
            service = resolve_service(arn, app.services, app=app.name)
        except Exception as exc:
            raise DeployError(f"state {state!r} invokes {arn}: {exc}") from None
        if arn != names.function_arn(service.name):
            raise DeployError(
                f"state {state!r} invokes {arn}, but this deploy creates "
                f"{names.function_arn(service.name)}: render the workflow with the same "
                "account, region and prefix"
            )
        services[service.name] = service
    return [service for name, service in app.services.items() if name in services]


def function_environment(
    app: App, service: Service[Any, Any], prefix: str | None = None
) -> dict[str, str]:
    """What the Lambda adapter needs to run ``service``: its name, where it lives, the
    key of each table it uses, the S3 bucket (``{prefix}-{bucket}``) of each bucket it
    archives to and, only when the service declares business metrics, the namespace they
    go to (``orderflow/{prefix}``); the prefix defaults to the app's name.

    Raises:
        DeployError: the service is not a module-level name a Lambda function can import.
    """
    try:
        location = service_location(service)
    except Exception as exc:
        raise DeployError(f"cannot deploy service {service.name!r}: {exc}") from None
    keys = {table: app.tables[table] for table in sorted(service.access)}
    environment = {
        SERVICE_ENV: service.name,
        LOCATION_ENV: location,
        TABLES_ENV: json.dumps(keys, separators=(",", ":"), sort_keys=True),
    }
    stack = prefix if prefix is not None else app.name
    if service.metrics:
        environment[METRICS_NAMESPACE_ENV] = metrics_namespace(stack)
    if service.archives:
        buckets = {bucket: f"{stack}-{bucket}" for bucket, _ in service.archives}
        environment[BUCKETS_ENV] = json.dumps(buckets, separators=(",", ":"), sort_keys=True)
    return environment


PackageFor = Callable[[str], bytes]
"""Service name -> its deployment zip (``Packager.package``)."""


def stack_resources(
    names: StackNames,
    app: App,
    machines: Sequence[Machine],
    config: StackConfig,
    package: PackageFor,
) -> list[Resource]:
    """Every resource of the stack, in the order deploy creates them."""
    tags = stack_tags(names.prefix, app.name)
    services = list(app.services.values())
    resources: list[Resource] = [
        TableResource(
            name=names.table(table),
            arn=names.table_arn(table),
            prefix=names.prefix,
            key=key,
            tags=tags,
        )
        for table, key in sorted(app.tables.items())
    ]
    service_tables = {names.table(table) for table in app.tables}
    resources.extend(
        TableResource(
            name=table,
            arn=names.table_arn(table.removeprefix(f"{names.prefix}-")),
            prefix=names.prefix,
            key=key,
            tags=tags,
        )
        for table, key in sorted(
            integration_tables([m.definition for m in machines], names.prefix).items()
        )
        if table not in service_tables
    )
    resources.extend(
        BucketResource(
            name=names.bucket(bucket), prefix=names.prefix, region=names.region, tags=tags
        )
        for bucket in app.buckets
    )
    resources.extend(
        TopicResource(
            name=names.topic(topic),
            arn=names.topic_arn(names.topic(topic)),
            prefix=names.prefix,
            tags=tags,
        )
        for topic in app.topics
    )
    for service in services:
        resources.append(
            RoleResource(
                name=names.lambda_role(service.name),
                path=names.role_path,
                prefix=names.prefix,
                trust=lambda_trust_policy(),
                policies={
                    "orderflow": lambda_policy(
                        names, service.name, service.access, service.archives
                    )
                },
                tags=tags,
                description=f"Execution role of {names.function(service.name)}",
            )
        )
    environment = {
        **config.environment,
        "ORDERFLOW_STORAGE": "dynamodb",
        "ORDERFLOW_TABLE_PREFIX": names.prefix,
    }
    for service in services:
        resources.append(
            FunctionResource(
                name=names.function(service.name),
                arn=names.function_arn(service.name),
                prefix=names.prefix,
                role_arn=names.role_arn(names.lambda_role(service.name)),
                handler=LAMBDA_HANDLER,
                code=package(service.name),
                environment={
                    **environment,
                    **function_environment(app, service, names.prefix),
                },
                timeout=config.timeout,
                memory=config.memory,
                tags=tags,
                description=(service.description or service.name)[:256],
            )
        )
    for machine in machines:
        resources.extend(_machine_resources(machine, app, config, tags))
    workflows = [(machine.names, machine.machine_type) for machine in machines]
    resources.extend(monitoring_resources(names, app, workflows, config.monitoring, tags))
    return resources


def _machine_resources(
    machine: Machine, app: App, config: StackConfig, tags: Mapping[str, str]
) -> list[Resource]:
    names = machine.names
    invoked = services_of(machine.definition, names, app)
    log_group_arn = names.log_group_arn.removesuffix(":*")
    resources: list[Resource] = [
        LogGroupResource(name=names.log_group, arn=log_group_arn, prefix=names.prefix, tags=tags),
        RoleResource(
            name=names.states_role,
            path=names.role_path,
            prefix=names.prefix,
            trust=states_trust_policy(names),
            policies={
                "orderflow": states_policy(
                    names, [names.function_arn(s.name) for s in invoked], machine.definition
                )
            },
            tags=tags,
            description=f"Role of state machine {names.state_machine}",
        ),
        StateMachineResource(
            name=names.state_machine,
            arn=names.state_machine_arn,
            prefix=names.prefix,
            definition=machine.definition,
            role_arn=names.role_arn(names.states_role),
            machine_type=machine.machine_type,
            log_group_arn=names.log_group_arn,
            log_level=config.log_level,
            tracing=config.tracing,
            tags=tags,
        ),
    ]
    target = names.state_machine_arn
    if config.alias is not None:
        resources.append(AliasResource(config.alias, names.state_machine_arn, machine.definition))
        target = names.alias_arn(config.alias)
    if not machine.triggers:
        return resources
    rule_arns = [names.rule_arn(trigger.slug) for trigger in machine.triggers]
    resources.append(
        RoleResource(
            name=names.events_role,
            path=names.role_path,
            prefix=names.prefix,
            trust=events_trust_policy(names, rule_arns),
            policies={"orderflow": events_policy(target)},
            tags=tags,
            description=f"Lets the EventBridge rules of {names.state_machine} start it",
        )
    )
    for trigger in machine.triggers:
        resources.append(
            RuleResource(
                name=names.rule(trigger.slug),
                arn=names.rule_arn(trigger.slug),
                prefix=names.prefix,
                pattern=event_pattern(trigger.source, trigger.detail_type),
                target_arn=target,
                role_arn=names.role_arn(names.events_role),
                tags=tags,
                input_path=trigger.input_path,
            )
        )
    return resources


__all__ = [
    "Machine",
    "PackageFor",
    "StackConfig",
    "function_environment",
    "lambda_arns",
    "services_of",
    "stack_resources",
]
