"""Structural validation of ASL state machines, as strict as AWS and then some.

    from orderflow.validation import validate, has_errors, format_text

    diagnostics = validate(definition)            # every problem at once
    if has_errors(diagnostics):
        print(format_text(diagnostics, file="order.asl.json"))

Each :class:`Diagnostic` has a stable ``code`` (the registry is ``CODES``), the state and
field at fault, a JSON pointer into the document and a message saying how to fix it.
Warnings (legal but suspicious) never make a definition invalid.
"""

from orderflow.validation._diagnostic import CODES, CodeInfo, Diagnostic, Severity, has_errors
from orderflow.validation._format import format_json, format_text
from orderflow.validation._validate import StateMachineType, validate

__all__ = [
    "CODES",
    "CodeInfo",
    "Diagnostic",
    "Severity",
    "StateMachineType",
    "format_json",
    "format_text",
    "has_errors",
    "validate",
]
