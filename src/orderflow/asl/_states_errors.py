"""Errors raised while reading or evaluating ASL expressions.

Two kinds, matching the two moments a problem can be found::

    OrderflowError
    ├── DefinitionError (ValueError)
    │   └── ExpressionSyntaxError        a path, intrinsic call or JSONata text is malformed
    │                                    (found when compiling, before anything runs)
    └── StatesError                      an evaluation failed the way AWS fails a state:
        └── PathNotFound                 carries the ASL error name (``States.Runtime``…)
                                         and AWS's cause text

``StatesError.cause`` holds the *detail* AWS writes after its standard prefix. The executor
adds the prefix, because only it knows the state name and event id::

    An error occurred while executing the state 'Pass' (entered at the event id #2). <cause>

:func:`state_failure_cause` builds that full text.
"""

from __future__ import annotations

import json

from orderflow._errors import DefinitionError, OrderflowError


class ExpressionSyntaxError(DefinitionError):
    """An expression cannot be compiled: bad JSONPath, intrinsic grammar or JSONata text.

    Attributes:
        reason: what is wrong, without the expression.
        expression: the offending text.
        position: 0-based offset into ``expression`` where the problem was found, if known.
    """

    def __init__(
        self,
        message: str,
        *,
        expression: str,
        position: int | None = None,
        state: str | None = None,
        field: str | None = None,
    ) -> None:
        where = f" at position {position}" if position is not None else ""
        super().__init__(f"{message} in {expression!r}{where}", state=state, field=field)
        self.reason = message
        self.expression = expression
        self.position = position


class StatesError(OrderflowError):
    """An evaluation-time failure, named and worded as AWS Step Functions names it.

    Attributes:
        error: the ASL error name (``States.Runtime``, ``States.IntrinsicFailure``,
            ``States.QueryEvaluationError``, ``States.ResultPathMatchFailure``…).
        cause: AWS's cause text without the "An error occurred while executing the
            state …" prefix.
    """

    def __init__(self, error: str, cause: str) -> None:
        super().__init__(f"{error}: {cause}")
        self.error = error
        self.cause = cause


class PathNotFound(StatesError):
    """A JSONPath selected nothing (``States.Runtime``).

    AWS words this differently depending on where the path sits, so the pieces are kept:
    ``path`` is the JSONPath text, ``detail`` the path engine's own sentence
    (``No results for path: $['a']``). ``cause`` is the form AWS uses for ``InputPath``,
    ``OutputPath`` and the other ``*Path`` fields; :meth:`for_field` gives the form used
    for payload-template fields, ``ErrorPath`` and ``CausePath``.
    """

    def __init__(self, path: str, detail: str) -> None:
        super().__init__("States.Runtime", f"Invalid path '{path}' : {detail}")
        self.path = path
        self.detail = detail

    def for_field(self, field: str, input_text: str) -> StatesError:
        """Return the error as AWS reports it for a named field.

        Args:
            field: the field name as AWS prints it (``value.$``, ``ErrorPath``).
            input_text: the compact JSON text of the input the path was applied to.
        """
        return StatesError(
            "States.Runtime",
            f"The JSONPath '{self.path}' specified for the field '{field}' "
            f"could not be found in the input '{input_text}'",
        )


def cause_json(value: object) -> str:
    """A JSON value as AWS quotes it in a cause: compact, non-ASCII characters kept."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def state_failure_cause(state: str, entered_event_id: int, cause: str) -> str:
    """Return AWS's full cause text for a failure inside a state.

    Args:
        state: the state name.
        entered_event_id: the id of the state's ``*StateEntered`` history event.
        cause: the detail (``StatesError.cause``).
    """
    return (
        f"An error occurred while executing the state '{state}' "
        f"(entered at the event id #{entered_event_id}). {cause}"
    )


__all__ = [
    "ExpressionSyntaxError",
    "PathNotFound",
    "StatesError",
    "cause_json",
    "state_failure_cause",
]
