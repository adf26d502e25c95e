"""The checker's findings: its codes, and a reporter that builds validator Diagnostics.

The checker speaks the validator's language — :class:`orderflow.validation.Diagnostic`
(severity, code, state, field, pointer, message) — so ``orderflow check`` prints both in
one list. Codes are stable; each has one severity. Errors are reads that fail for every
value the data can have (``States.Runtime`` at run time) or payloads no value of which
satisfies a contract; warnings are what fails for some data only, and what the checker
could not follow (``unchecked``: never silently passed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

# pointer_join is re-exported for the checker modules; it lives in orderflow.asl.
from orderflow.asl import pointer_join
from orderflow.validation import Diagnostic, Severity


@dataclass(frozen=True, slots=True)
class CheckCode:
    """One checker rule: its fixed severity and a one-line summary."""

    severity: Severity
    summary: str


CHECK_CODES: Final[dict[str, CheckCode]] = {
    "path-cannot-exist": CheckCode(
        "error", "a path read by the state cannot exist in the data it is applied to"
    ),
    "path-may-be-missing": CheckCode(
        "warning", "a path that exists only for some data (optional field, union, index)"
    ),
    "type-mismatch": CheckCode("error", "a value whose type can never be what is required"),
    "type-may-mismatch": CheckCode("warning", "a value whose type is not always what is required"),
    "contract-missing-field": CheckCode(
        "error", "a Task payload lacks a field its input contract requires"
    ),
    "contract-field-may-be-missing": CheckCode(
        "warning", "a Task payload field required by the contract is present only for some data"
    ),
    "contract-extra-field": CheckCode(
        "error", "a Task payload has a field its closed input contract forbids"
    ),
    "result-path-conflict": CheckCode(
        "error", "a ResultPath runs through a value that is not an object"
    ),
    "result-path-may-conflict": CheckCode(
        "warning", "a ResultPath runs through a value that is not always an object"
    ),
    "unassigned-variable": CheckCode("warning", "a variable that may not be assigned when read"),
    "no-contract": CheckCode("warning", "a Lambda task whose function has no contract"),
    "unchecked": CheckCode("warning", "an expression or resource the checker cannot follow"),
}


class Reporter:
    """Collects diagnostics; silent while the fixpoint is still moving.

    Attributes:
        active: report only when True (the final pass over a stable solution), so shapes
            that are still growing never produce findings.
    """

    __slots__ = ("_diagnostics", "_seen", "active")

    def __init__(self) -> None:
        self.active = False
        self._diagnostics: list[Diagnostic] = []
        self._seen: set[tuple[str, str, str]] = set()

    def report(
        self, code: str, pointer: str, message: str, *, state: str | None, field: str | None
    ) -> None:
        if not self.active:
            return
        key = (code, pointer, message)
        if key in self._seen:
            return
        self._seen.add(key)
        info = CHECK_CODES[code]
        self._diagnostics.append(Diagnostic(info.severity, code, state, field, pointer, message))

    def add(self, diagnostic: Diagnostic) -> None:
        """Add a finding made elsewhere (deduplicated like reported ones)."""
        key = (diagnostic.code, diagnostic.pointer, diagnostic.message)
        if self.active and key not in self._seen:
            self._seen.add(key)
            self._diagnostics.append(diagnostic)

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Findings in the order they were made (state order, then field order)."""
        return list(self._diagnostics)


__all__ = ["CHECK_CODES", "CheckCode", "Diagnostic", "Reporter", "pointer_join"]
