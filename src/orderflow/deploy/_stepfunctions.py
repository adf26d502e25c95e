"""The state machine (and optionally an alias on a published version) as deploy resources.

Deploy always describes first and then updates or creates: ``CreateStateMachine`` on an
existing name does not replace the definition (AWS fails with ``StateMachineAlreadyExists``
when anything differs; some emulators silently keep the old one), so the stored definition
is compared with the rendered one and ``UpdateStateMachine`` is called when they differ.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from orderflow._errors import DeployError
from orderflow.asl import Definition
from orderflow.deploy._adopt import create_or_adopt, require_ours
from orderflow.deploy._aws import Aws, calling, error_code, retry_while
from orderflow.deploy._plan import View
from orderflow.deploy._tags import as_key_value, from_key_value, tag_changes

LOG_LEVELS = ("ALL", "ERROR", "FATAL", "OFF")
MACHINE_TYPES = ("STANDARD", "EXPRESS")
_MISSING = ("StateMachineDoesNotExist", "ResourceNotFound", "ResourceNotFoundException")


def _role_not_ready(exc: ClientError) -> bool:
    # Until IAM propagates a new role (or its logging permissions), Step Functions answers
    # AccessDenied ("...not authorized to assume the provided role", "...Log Destination").
    return error_code(exc) in {"AccessDeniedException", "AccessDenied"}


@dataclass(frozen=True)
class StateMachineResource:
    """The workflow's state machine.

    Attributes:
        name: the machine name.
        arn: its ARN.
        prefix: the stack prefix.
        definition: the rendered definition, every ARN resolved.
        role_arn: the role the machine runs as.
        machine_type: ``STANDARD`` or ``EXPRESS`` (cannot change after creation).
        log_group_arn: where execution logs go (``…:log-group:NAME:*``).
        log_level: ``ALL``, ``ERROR``, ``FATAL`` or ``OFF``.
        tracing: whether X-Ray tracing is on.
        tags: the machine's tags.
    """

    name: str
    arn: str
    prefix: str
    definition: Definition
    role_arn: str
    machine_type: str
    log_group_arn: str
    log_level: str
    tracing: bool
    tags: Mapping[str, str]
    kind: str = field(default="state machine", init=False)

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def _role_propagation(self) -> str:
        return f"IAM to let {self._label} use role {self.role_arn.rsplit('/', 1)[-1]}"

    def _logging(self) -> dict[str, Any]:
        config: dict[str, Any] = {
            "level": self.log_level,
            "includeExecutionData": self.log_level == "ALL",
        }
        if self.log_level != "OFF":
            config["destinations"] = [
                {"cloudWatchLogsLogGroup": {"logGroupArn": self.log_group_arn}}
            ]
        return config

    def desired(self) -> View:
        return {
            "definition": self.definition.to_dict(),
            "roleArn": self.role_arn,
            "type": self.machine_type,
            "loggingConfiguration": self._logging(),
            "tracingConfiguration": {"enabled": self.tracing},
            "tags": dict(self.tags),
        }

    def _describe(self, aws: Aws) -> dict[str, Any] | None:
        try:
            machine: dict[str, Any] = aws.client("stepfunctions").describe_state_machine(
                stateMachineArn=self.arn
            )
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return None
            with calling(self._label, "states:DescribeStateMachine"):
                raise
        return machine

    def read(self, aws: Aws) -> View | None:
        client = aws.client("stepfunctions")
        machine = self._describe(aws)
        # DeleteStateMachine is asynchronous: after a destroy, wait until the name is free.
        with aws.waiting(f"{self._label} to be deleted") as wait:
            for _ in range(60):
                if machine is None or machine.get("status") != "DELETING":
                    break
                wait(2.0)
                machine = self._describe(aws)
        if machine is None:
            return None
        if machine.get("status") == "DELETING":
            raise DeployError(f"{self._label} is still being deleted; try again later")
        with calling(self._label, "states:ListTagsForResource"):
            tags = from_key_value(
                client.list_tags_for_resource(resourceArn=self.arn).get("tags", []), "key", "value"
            )
        require_ours(self.kind, self.name, tags, self.prefix)
        logging = dict(machine.get("loggingConfiguration") or {"level": "OFF"})
        logging.setdefault("includeExecutionData", False)
        if not logging.get("destinations"):
            logging.pop("destinations", None)
        return {
            "definition": json.loads(machine["definition"]),
            "roleArn": machine["roleArn"],
            "type": machine.get("type", "STANDARD"),
            "loggingConfiguration": logging,
            "tracingConfiguration": {
                "enabled": bool((machine.get("tracingConfiguration") or {}).get("enabled"))
            },
            "tags": tags,
        }

    def create(self, aws: Aws) -> None:
        client = aws.client("stepfunctions")
        create_or_adopt(
            aws,
            self,
            "states:CreateStateMachine",
            lambda: retry_while(
                aws,
                lambda: client.create_state_machine(
                    name=self.name,
                    definition=self.definition.to_json(indent=None),
                    roleArn=self.role_arn,
                    type=self.machine_type,
                    loggingConfiguration=self._logging(),
                    tracingConfiguration={"enabled": self.tracing},
                    tags=as_key_value(self.tags, "key", "value"),
                ),
                retryable=_role_not_ready,
                waiting_for=self._role_propagation,
            ),
            codes={"StateMachineAlreadyExists"},
        )
        # CreateStateMachine is idempotent on the definition and ignores differing tags: it
        # may have "created" someone else's machine. Reading it back checks the tags.
        self.read(aws)

    def refusal(self, actual: View) -> str | None:
        if actual["type"] != self.machine_type:
            return (
                f"{self._label} is {actual['type']}, asked for {self.machine_type}; the type of "
                "a state machine cannot change: run `orderflow destroy` first"
            )
        return None

    def update(self, aws: Aws, actual: View) -> None:
        client = aws.client("stepfunctions")
        reason = self.refusal(actual)
        if reason:
            raise DeployError(reason)
        desired = self.desired()
        if any(actual[k] != desired[k] for k in desired if k != "tags"):
            with calling(self._label, "states:UpdateStateMachine"):
                retry_while(
                    aws,
                    lambda: client.update_state_machine(
                        stateMachineArn=self.arn,
                        definition=self.definition.to_json(indent=None),
                        roleArn=self.role_arn,
                        loggingConfiguration=self._logging(),
                        tracingConfiguration={"enabled": self.tracing},
                    ),
                    retryable=_role_not_ready,
                    waiting_for=self._role_propagation,
                )
        to_set, to_remove = tag_changes(self.tags, actual["tags"])
        if to_set:
            with calling(self._label, "states:TagResource"):
                client.tag_resource(resourceArn=self.arn, tags=as_key_value(to_set, "key", "value"))
        if to_remove:
            with calling(self._label, "states:UntagResource"):
                client.untag_resource(resourceArn=self.arn, tagKeys=to_remove)


@dataclass(frozen=True)
class AliasResource:
    """An alias of the state machine pointing at a published version of the current
    definition (all traffic on it). Deploy publishes a new version only when the version the
    alias points at holds a different definition.

    Attributes:
        name: the alias name (``live``).
        machine_arn: the state machine ARN.
        definition: the definition the alias's version must hold.
    """

    name: str
    machine_arn: str
    definition: Definition
    kind: str = field(default="state machine alias", init=False)

    @property
    def arn(self) -> str:
        """The alias ARN."""
        return f"{self.machine_arn}:{self.name}"

    @property
    def _label(self) -> str:
        return f"{self.kind} {self.name}"

    def desired(self) -> View:
        return {"definition": self.definition.to_dict()}

    def read(self, aws: Aws) -> View | None:
        client = aws.client("stepfunctions")
        try:
            alias = client.describe_state_machine_alias(stateMachineAliasArn=self.arn)
        except Exception as exc:
            if error_code(exc) in _MISSING:
                return None
            with calling(self._label, "states:DescribeStateMachineAlias"):
                raise
        routes = alias.get("routingConfiguration") or []
        if len(routes) != 1:
            return {"definition": None, "routes": routes}
        with calling(self._label, "states:DescribeStateMachine"):
            version = client.describe_state_machine(
                stateMachineArn=routes[0]["stateMachineVersionArn"]
            )
        return {"definition": json.loads(version["definition"])}

    def refusal(self, actual: View) -> str | None:
        return None

    def _publish(self, aws: Aws) -> str:
        client = aws.client("stepfunctions")
        with calling(self._label, "states:UpdateStateMachine"):
            response = client.update_state_machine(
                stateMachineArn=self.machine_arn,
                definition=self.definition.to_json(indent=None),
                publish=True,
            )
        version_arn = response.get("stateMachineVersionArn")
        if not version_arn:
            raise DeployError(f"{self._label}: publishing a version returned no version ARN")
        return str(version_arn)

    def create(self, aws: Aws) -> None:
        version_arn = self._publish(aws)
        # An alias has no tags of its own: it is ours because its machine is (checked when
        # the machine was read), so a lost create answered ConflictException is adopted.
        create_or_adopt(
            aws,
            self,
            "states:CreateStateMachineAlias",
            lambda: aws.client("stepfunctions").create_state_machine_alias(
                name=self.name,
                routingConfiguration=[{"stateMachineVersionArn": version_arn, "weight": 100}],
            ),
            codes={"ConflictException"},
        )

    def update(self, aws: Aws, actual: View) -> None:
        version_arn = self._publish(aws)
        with calling(self._label, "states:UpdateStateMachineAlias"):
            aws.client("stepfunctions").update_state_machine_alias(
                stateMachineAliasArn=self.arn,
                routingConfiguration=[{"stateMachineVersionArn": version_arn, "weight": 100}],
            )


def state_machine_aliases(aws: Aws, arn: str) -> dict[str, list[str]]:
    """The machine's aliases: alias ARN -> the version ARNs it routes to (none when the
    machine is already gone)."""
    client = aws.client("stepfunctions")
    label = f"state machine {arn.rsplit(':', 1)[-1]}"
    found: dict[str, list[str]] = {}
    try:
        aliases = client.list_state_machine_aliases(stateMachineArn=arn).get(
            "stateMachineAliases", []
        )
        for alias in aliases:
            alias_arn = alias["stateMachineAliasArn"]
            described = client.describe_state_machine_alias(stateMachineAliasArn=alias_arn)
            routes = described.get("routingConfiguration") or []
            found[alias_arn] = [route["stateMachineVersionArn"] for route in routes]
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return {}
        with calling(label, "states:ListStateMachineAliases"):
            raise
    return found


def delete_alias(aws: Aws, alias_arn: str) -> None:
    """Delete one alias of the machine (already-deleted is fine)."""
    try:
        aws.client("stepfunctions").delete_state_machine_alias(stateMachineAliasArn=alias_arn)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return
        with calling(f"state machine alias {alias_arn}", "states:DeleteStateMachineAlias"):
            raise


def delete_state_machine(aws: Aws, arn: str) -> None:
    """Delete the machine's aliases, then the machine; AWS deletes its versions with it
    (already-deleted is fine)."""
    for alias_arn in state_machine_aliases(aws, arn):
        delete_alias(aws, alias_arn)
    try:
        aws.client("stepfunctions").delete_state_machine(stateMachineArn=arn)
    except Exception as exc:
        if error_code(exc) in _MISSING:
            return
        with calling(f"state machine {arn.rsplit(':', 1)[-1]}", "states:DeleteStateMachine"):
            raise


__all__ = [
    "LOG_LEVELS",
    "MACHINE_TYPES",
    "AliasResource",
    "StateMachineResource",
    "delete_alias",
    "delete_state_machine",
    "state_machine_aliases",
]
