"""The stack: every resource deploy manages, derived from a rendered definition.

The definition (rendered with the real account, region and prefix) is the single source:
the Lambda functions are exactly the ones its Task states invoke, each resolved to its
service, whose declared tables become DynamoDB tables and whose roles get exactly those
tables. Resources are listed in dependency order (tables and roles before the functions that
use them, functions and the log group before the machine, the machine before the rule).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from orderflow._errors import DeployError
from orderflow.asl import Definition, is_lambda_function_arn
from orderflow.deploy._dynamodb import TableResource
from orderflow.deploy._events import (
    DEFAULT_DETAIL_TYPE,
    DEFAULT_SOURCE,
    INPUT_PATH,
    RuleResource,
    event_pattern,
)
from orderflow.deploy._iam import (
    events_policy,
    events_trust_policy,
    lambda_policy,
    lambda_trust_policy,
    states_policy,
    states_trust_policy,
)
from orderflow.deploy._lambda import FunctionResource
from orderflow.deploy._logs import LogGroupResource
from orderflow.deploy._names import StackNames
from orderflow.deploy._plan import Resource
from orderflow.deploy._roles import RoleResource
from orderflow.deploy._stepfunctions import (
    LOG_LEVELS,
    MACHINE_TYPES,
    AliasResource,
    StateMachineResource,
)
from orderflow.deploy._tags import stack_tags
from orderflow.services import LAMBDA_HANDLER, SERVICES, TABLES, Service, resolve_service
from orderflow.services._lambda import SERVICE_ENV

_LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"


@dataclass(frozen=True)
class StackConfig:
    """How to deploy, beyond the names.

    Attributes:
        machine_type: ``STANDARD`` or ``EXPRESS``.
        alias: publish a version on each definition change and point this alias at it;
            the rule then starts the alias. ``None``: no versions, the rule starts the
            machine.
        event_source: the EventBridge ``source`` the rule matches.
        detail_type: the ``detail-type`` the rule matches.
        timeout: each function's timeout in seconds.
        memory: each function's memory in MiB.
        log_level: the state machine's log level (``ALL``, ``ERROR``, ``FATAL``, ``OFF``).
        tracing: X-Ray tracing of the state machine.
        environment: extra environment variables for every function.
        seed_sample_data: after deploying, write the sample users and stock into the
            tables (only items that are absent).
    """

    machine_type: str = "STANDARD"
    alias: str | None = None
    event_source: str = DEFAULT_SOURCE
    detail_type: str = DEFAULT_DETAIL_TYPE
    timeout: int = 30
    memory: int = 256
    log_level: str = "ERROR"
    tracing: bool = True
    environment: Mapping[str, str] = field(default_factory=dict)
    seed_sample_data: bool = False

    def __post_init__(self) -> None:
        if self.machine_type not in MACHINE_TYPES:
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


def services_of(definition: Definition, names: StackNames) -> list[Service[Any, Any]]:
    """The services the definition invokes, each checked to be this stack's function.

    Raises:
        DeployError: a Task invokes a function deploy does not create (another prefix,
            account or region, a qualifier, or no known service).
    """
    services: dict[str, Service[Any, Any]] = {}
    for arn, state in lambda_arns(definition).items():
        try:
            service = resolve_service(arn)
        except Exception as exc:
            raise DeployError(f"state {state!r} invokes {arn}: {exc}") from None
        if arn != names.function_arn(service.name):
            raise DeployError(
                f"state {state!r} invokes {arn}, but this deploy creates "
                f"{names.function_arn(service.name)}: render the workflow with the same "
                "account, region and prefix"
            )
        services[service.name] = service
    if not services:
        raise DeployError("the definition invokes no Lambda function of a known service")
    return [services[name] for name in SERVICES if name in services]


PackageFor = Callable[[str], bytes]
"""Service name -> its deployment zip (``Packager.package``)."""


def stack_resources(
    names: StackNames, definition: Definition, config: StackConfig, package: PackageFor
) -> list[Resource]:
    """Every resource of the stack, in the order deploy creates them."""
    tags = stack_tags(names.prefix)
    services = services_of(definition, names)
    tables = sorted({table for service in services for table in service.tables})
    resources: list[Resource] = [
        TableResource(
            name=names.table(table),
            arn=names.table_arn(table),
            prefix=names.prefix,
            key=TABLES[table],
            tags=tags,
        )
        for table in tables
    ]
    for service in services:
        resources.append(
            RoleResource(
                name=names.lambda_role(service.name),
                path=names.role_path,
                prefix=names.prefix,
                trust=lambda_trust_policy(),
                policies={"orderflow": lambda_policy(names, service.name, service.access)},
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
                environment={**environment, SERVICE_ENV: service.name},
                timeout=config.timeout,
                memory=config.memory,
                tags=tags,
                description=(service.description or service.name)[:256],
            )
        )
    log_group_arn = names.log_group_arn.removesuffix(":*")
    resources.append(
        LogGroupResource(name=names.log_group, arn=log_group_arn, prefix=names.prefix, tags=tags)
    )
    resources.append(
        RoleResource(
            name=names.states_role,
            path=names.role_path,
            prefix=names.prefix,
            trust=states_trust_policy(names),
            policies={
                "orderflow": states_policy(
                    names, [names.function_arn(s.name) for s in services], definition
                )
            },
            tags=tags,
            description=f"Role of state machine {names.state_machine}",
        )
    )
    resources.append(
        StateMachineResource(
            name=names.state_machine,
            arn=names.state_machine_arn,
            prefix=names.prefix,
            definition=definition,
            role_arn=names.role_arn(names.states_role),
            machine_type=config.machine_type,
            log_group_arn=names.log_group_arn,
            log_level=config.log_level,
            tracing=config.tracing,
            tags=tags,
        )
    )
    target = names.state_machine_arn
    if config.alias is not None:
        resources.append(AliasResource(config.alias, names.state_machine_arn, definition))
        target = names.alias_arn(config.alias)
    resources.append(
        RoleResource(
            name=names.events_role,
            path=names.role_path,
            prefix=names.prefix,
            trust=events_trust_policy(names),
            policies={"orderflow": events_policy(target)},
            tags=tags,
            description=f"Lets EventBridge rule {names.rule} start {names.state_machine}",
        )
    )
    resources.append(
        RuleResource(
            name=names.rule,
            arn=names.rule_arn,
            prefix=names.prefix,
            pattern=event_pattern(config.event_source, config.detail_type),
            target_arn=target,
            role_arn=names.role_arn(names.events_role),
            tags=tags,
            input_path=INPUT_PATH,
        )
    )
    return resources


__all__ = ["PackageFor", "StackConfig", "lambda_arns", "services_of", "stack_resources"]
