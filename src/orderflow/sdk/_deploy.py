"""Create *or update* an SDK ``Workflow``: the step ``Workflow.create()`` leaves out.

``Workflow.create()`` on a name that already exists logs an error and returns the existing
ARN, keeping the old definition; ``Workflow.update()`` only works on an instance that
already knows its ARN. A deploy script that runs twice must therefore describe first and
then update or create, which is what :func:`create_or_update` does with the Workflow's own
boto3 client. The definition sent is orderflow's (placeholders resolved, see
:mod:`orderflow.sdk._from_sdk`), validated first so AWS never sees a definition orderflow
already knows it would reject.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError  # type: ignore[import-untyped]

from orderflow._errors import DeployError, InvalidDefinition, SdkInteropError
from orderflow.sdk._from_sdk import graph_to_definition
from orderflow.sdk._import import require_sdk

_sdk = require_sdk()


def _machines(client: Any) -> Iterator[dict[str, Any]]:
    for page in client.get_paginator("list_state_machines").paginate():
        yield from page.get("stateMachines", [])


def _find_arn(client: Any, name: str) -> str | None:
    for machine in _machines(client):
        if machine.get("name") == name:
            return str(machine["stateMachineArn"])
    return None


def create_or_update(workflow: Any, *, validate: bool = True) -> str:
    """Make the state machine named ``workflow.name`` hold ``workflow``'s definition and role.

    Describes the machine (by ``workflow.state_machine_arn``, else by name) and calls
    ``UpdateStateMachine`` when its definition or role differs, ``CreateStateMachine`` when
    it does not exist; an unchanged machine is left alone. ``workflow.state_machine_arn`` is
    set, so the SDK's own ``execute()`` and ``update()`` work afterwards.

    Args:
        workflow: a ``stepfunctions.workflow.Workflow`` (for example ``to_sdk(..., role_arn=)``).
        validate: run :func:`orderflow.validation.validate` first and refuse on errors.

    Returns:
        The state machine ARN.

    Raises:
        InvalidDefinition: ``validate`` found errors (all of them are in ``diagnostics``).
        SdkInteropError: ``workflow`` is not an SDK Workflow, or cannot be converted.
        DeployError: an AWS call failed; names the machine and AWS's message.
    """
    if not isinstance(workflow, _sdk.workflow.Workflow):
        raise SdkInteropError(
            f"expected a stepfunctions Workflow, got {type(workflow).__name__}; "
            "build one with to_sdk(..., role_arn=..., client=...)"
        )
    definition = graph_to_definition(workflow)
    if validate:
        from orderflow.validation import has_errors
        from orderflow.validation import validate as validate_definition

        diagnostics = validate_definition(definition)
        if has_errors(diagnostics):
            first = next(d for d in diagnostics if d.severity == "error")
            raise InvalidDefinition(
                f"workflow {workflow.name!r} is invalid ({first.pointer}: {first.message})",
                diagnostics,
            )
    client = workflow.client
    text = definition.to_json(indent=None)
    label = f"state machine {workflow.name!r}"
    try:
        arn = workflow.state_machine_arn or _find_arn(client, workflow.name)
        current = None
        if arn is not None:
            try:
                current = client.describe_state_machine(stateMachineArn=arn)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "StateMachineDoesNotExist":
                    raise
        if current is None:
            arn = client.create_state_machine(
                name=workflow.name, definition=text, roleArn=workflow.role, tags=workflow.tags
            )["stateMachineArn"]
        elif (
            json.loads(current["definition"]) != definition.data
            or current["roleArn"] != workflow.role
        ):
            client.update_state_machine(stateMachineArn=arn, definition=text, roleArn=workflow.role)
    except ClientError as exc:
        raise DeployError(f"{label}: {exc}") from exc
    workflow.state_machine_arn = arn
    return str(arn)


__all__ = ["create_or_update"]
