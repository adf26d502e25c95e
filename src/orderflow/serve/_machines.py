"""State machine operations: Create, Update, Describe, List, Delete, ValidateDefinition.

Definitions are checked by orderflow's validator (:mod:`orderflow.validation`), which is
as strict as AWS's CreateStateMachine: a definition with errors is refused with
``InvalidDefinition`` and AWS's message form
(``Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: ... at /States/X'``).
"""

from __future__ import annotations

import json
from typing import Any

from orderflow._errors import DefinitionError
from orderflow.serve._protocol import (
    ApiError,
    Service,
    arn_of,
    check_name,
    operation,
    optional_str,
    page,
    required,
    token_number,
)
from orderflow.serve._store import MachineRow
from orderflow.validation import Diagnostic, validate

_TYPES = ("STANDARD", "EXPRESS")


def diagnose(text: str, machine_type: str) -> tuple[list[dict[str, Any]], bool]:
    """``ValidateStateMachineDefinition``'s diagnostics for ``text``, and whether any is
    an error.

    AWS's codes: ``INVALID_JSON_DESCRIPTION`` for text that is not JSON,
    ``SCHEMA_VALIDATION_FAILED`` for everything else; orderflow's own code leads the
    message so the precise rule stays visible.
    """
    if not text.strip():
        return [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "Definition must be a valid JSON object",
            }
        ], True
    try:
        value = json.loads(text)
    except ValueError as exc:
        return [
            {
                "severity": "ERROR",
                "code": "INVALID_JSON_DESCRIPTION",
                "message": f"the definition is not JSON: {exc}",
                "location": f"line {exc.lineno}, column {exc.colno}"
                if isinstance(exc, json.JSONDecodeError)
                else "/",
            }
        ], True
    if not isinstance(value, dict):
        return [
            {
                "severity": "ERROR",
                "code": "SCHEMA_VALIDATION_FAILED",
                "message": "Definition must be a valid JSON object",
            }
        ], True
    try:
        found = validate(text, state_machine_type=machine_type)  # type: ignore[arg-type]
    except DefinitionError as exc:
        return [
            {"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED", "message": str(exc)}
        ], True
    return [_diagnostic(d) for d in found], any(d.severity == "error" for d in found)


def _diagnostic(d: Diagnostic) -> dict[str, Any]:
    return {
        "severity": "ERROR" if d.severity == "error" else "WARNING",
        "code": "SCHEMA_VALIDATION_FAILED",
        "message": f"[{d.code}] {d.message}",
        "location": d.pointer or "/",
    }


def _checked_definition(text: str, machine_type: str) -> str:
    diagnostics, failed = diagnose(text, machine_type)
    if failed:
        errors = [d for d in diagnostics if d["severity"] == "ERROR"]
        parts = [
            f"{d['code']}: {d['message']}" + (f" at {d['location']}" if "location" in d else "")
            for d in errors
        ]
        raise ApiError(
            "InvalidDefinition", "Invalid State Machine Definition: '" + ", ".join(parts) + "'"
        )
    return text


def _type_of(request: dict[str, Any]) -> str:
    machine_type = request.get("type") or "STANDARD"
    if machine_type not in _TYPES:
        raise ApiError(
            "ValidationException",
            f"1 validation error detected: Value '{machine_type}' at 'type' failed to "
            "satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
        )
    return str(machine_type)


def machine_or_404(svc: Service, arn: str) -> MachineRow:
    """The machine, or ``StateMachineDoesNotExist``."""
    row = svc.store.machine(arn)
    if row is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return row


@operation("CreateStateMachine")
def create_state_machine(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    name = check_name(required(request, "name"))
    definition = required(request, "definition")
    role = optional_str(request, "roleArn") or f"arn:aws:iam::{svc.account}:role/orderflow-local"
    machine_type = _type_of(request)
    arn = svc.arn("stateMachine", name)
    existing = svc.store.machine(arn)
    if existing is not None:
        # AWS answers an identical create idempotently and refuses a different one.
        if existing.definition == definition and existing.role_arn == role:
            return {"stateMachineArn": arn, "creationDate": existing.created}
        raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
    _checked_definition(definition, machine_type)
    now = svc.base.now()
    svc.store.put_machine(MachineRow(arn, name, machine_type, definition, role, now, now, 1))
    return {"stateMachineArn": arn, "creationDate": now}


@operation("UpdateStateMachine")
def update_state_machine(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    arn = arn_of(request, "stateMachineArn", "stateMachine")
    row = machine_or_404(svc, arn)
    definition = optional_str(request, "definition")
    role = optional_str(request, "roleArn")
    if definition is None and role is None:
        raise ApiError(
            "MissingRequiredParameter", "Either the definition or the roleArn must be specified"
        )
    if definition is not None:
        _checked_definition(definition, row.type)
    now = svc.base.now()
    svc.store.update_machine(arn, definition=definition, role_arn=role, updated=now)
    return {"updateDate": now, "revisionId": str(row.revision + 1)}


@operation("DescribeStateMachine")
def describe_state_machine(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    row = machine_or_404(svc, arn_of(request, "stateMachineArn", "stateMachine"))
    return {
        "stateMachineArn": row.arn,
        "name": row.name,
        "status": "ACTIVE",
        "definition": row.definition,
        "roleArn": row.role_arn,
        "type": row.type,
        "creationDate": row.created,
        "revisionId": str(row.revision),
        "loggingConfiguration": {"level": "OFF", "includeExecutionData": False},
    }


@operation("ListStateMachines")
def list_state_machines(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    limit, token = page(request)
    start = token_number(token) or 0
    rows = svc.store.machines()
    chunk = rows[start : start + limit]
    response: dict[str, Any] = {
        "stateMachines": [
            {
                "stateMachineArn": r.arn,
                "name": r.name,
                "type": r.type,
                "creationDate": r.created,
            }
            for r in chunk
        ]
    }
    if start + limit < len(rows):
        response["nextToken"] = str(start + limit)
    return response


@operation("DeleteStateMachine")
def delete_state_machine(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    svc.store.delete_machine(arn_of(request, "stateMachineArn", "stateMachine"))
    return {}


@operation("ValidateStateMachineDefinition")
def validate_state_machine_definition(svc: Service, request: dict[str, Any]) -> dict[str, Any]:
    definition = request.get("definition")
    if not isinstance(definition, str):
        raise ApiError(
            "ValidationException",
            "1 validation error detected: Value null at 'definition' failed to satisfy "
            "constraint: Member must not be null",
        )
    diagnostics, failed = diagnose(definition, _type_of(request))
    limit = request.get("maxResults") or 100
    return {
        "result": "FAIL" if failed else "OK",
        "diagnostics": diagnostics[:limit],
        "truncated": len(diagnostics) > limit,
    }


__all__ = ["diagnose", "machine_or_404"]
