"""The checker's public entry points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderflow._errors import ContractError
from orderflow._targets import import_attribute
from orderflow.asl import Definition, as_definition, load_definition
from orderflow.checker import _budget
from orderflow.checker._contracts import ContractTable
from orderflow.checker._dataflow import Analysis
from orderflow.checker._diagnostics import Diagnostic, Reporter
from orderflow.checker._shape import (
    ANY,
    NEVER,
    AnyShape,
    Arr,
    Obj,
    Scalar,
    Shape,
    Union,
    from_json_schema,
    model_shape,
)


def _input_shape(input_model: Any) -> Shape:
    if input_model is None:
        return ANY
    if isinstance(input_model, (AnyShape, Scalar, Obj, Arr, Union)):
        return input_model
    # The input model describes what the execution receives: a field it does not declare
    # is not expected there, even if Pydantic would ignore it (extra="allow" keeps it open).
    if isinstance(input_model, Mapping):
        return from_json_schema(input_model, closed=True)
    if hasattr(input_model, "model_json_schema"):
        return model_shape(input_model, output=False, closed=True)
    raise ContractError(
        f"the input model must be a Pydantic model class or a JSON Schema, got {input_model!r}"
    )


def _table(contracts: Mapping[str, Any] | ContractTable | None) -> ContractTable | None:
    if contracts is None or isinstance(contracts, ContractTable):
        return contracts
    if not isinstance(contracts, Mapping):
        raise ContractError(
            "contracts must map Lambda function names or ARNs to (InputModel, OutputModel), "
            f"got {type(contracts).__name__}"
        )
    return ContractTable(contracts)


@dataclass(frozen=True, slots=True)
class AnalysisResult:
    """Everything one checker run found.

    Attributes:
        diagnostics: the findings (what :func:`check_dataflow` returns).
        output: the shape of the machine's output (``NEVER`` when no run can succeed).
        payloads: the shape of what each Lambda task sends, by state name.
    """

    diagnostics: list[Diagnostic]
    output: Shape
    payloads: dict[str, Shape]


def analyze(
    definition: Definition | Mapping[str, Any] | str | bytes,
    *,
    contracts: Mapping[str, Any] | ContractTable | None = None,
    input_model: Any = None,
) -> AnalysisResult:
    """Run the checker and return its findings with the shapes it computed.

    Arguments as for :func:`check_dataflow`.
    """
    document = as_definition(definition)
    analysis = Analysis(
        contracts=_table(contracts),
        execution_input=_input_shape(input_model),
        reporter=Reporter(),
    )
    analysis.reporter.active = True
    try:
        flow = analysis.run(document.data)
        out = NEVER if flow is None else flow.data
    except (_budget.OutOfBudget, RecursionError) as exc:
        # Findings made so far came from stable shapes and stand; the rest is unknown.
        why = (
            f"stopped after {_budget.MAX_WORK:,} units of work "
            f"({analysis.counters.transfers:,} state visits): the definition is too large "
            "or too intricate to follow"
            if isinstance(exc, _budget.OutOfBudget)
            else "stopped: an expression or rule is nested too deeply to follow"
        )
        analysis.reporter.add(
            Diagnostic(
                "warning",
                "unchecked",
                None,
                None,
                "/",
                f"the data-flow check {why}, and what was not reached is not checked",
            )
        )
        out = ANY
    return AnalysisResult(analysis.reporter.diagnostics, out, dict(analysis.payloads))


def check_dataflow(
    definition: Definition | Mapping[str, Any] | str | bytes,
    *,
    contracts: Mapping[str, Any] | ContractTable | None = None,
    input_model: Any = None,
) -> list[Diagnostic]:
    """Check that every path a state reads can exist in the data that reaches it.

    Args:
        definition: anything :func:`orderflow.asl.as_definition` accepts.
        contracts: maps a Lambda function name or ARN to ``(InputModel, OutputModel)``
            (Pydantic models) or to an object with ``input_model``/``output_model`` (an
            :class:`orderflow.runtime.Service`). Task payloads are checked against the
            input model and results take the output model's shape.
        input_model: a Pydantic model, a JSON Schema dict or a
            :class:`~orderflow.checker.Shape` for the execution input.
            Without one the input is unknown and only what the definition itself fixes
            (Pass results, Parallel arrays, Catch outputs, templates) is checked.

    Returns:
        Diagnostics in state order: errors for reads that fail for every possible input,
        warnings for reads that fail for some, and ``unchecked`` warnings for what could
        not be followed.

    Raises:
        DefinitionError: the definition cannot be read.
        ContractError: a contract or the input model is not usable.
    """
    return analyze(definition, contracts=contracts, input_model=input_model).diagnostics


def output_shape(
    definition: Definition | Mapping[str, Any] | str | bytes,
    *,
    contracts: Mapping[str, Any] | ContractTable | None = None,
    input_model: Any = None,
) -> Shape:
    """The shape of the machine's output (``NEVER`` when no run can succeed)."""
    return analyze(definition, contracts=contracts, input_model=input_model).output


def load_object(spec: str, *, what: str = "object") -> Any:
    """Import ``module:attr`` (dotted attribute paths allowed), as ``--contracts`` takes it.

    The current directory is importable, as it is for ``python -m``; what the module
    prints while importing goes to stderr, and a ``sys.exit()`` in it is an error.

    Args:
        spec: ``package.module:name``.
        what: what the spec is for, to begin every message (``"--contracts"``).

    Raises:
        DefinitionError: (a ``TargetError``) the spec is malformed, the module cannot be
            imported or it has no such attribute; the message names the spec and the cause.
    """
    return import_attribute(spec, what=what)


def check_with_contracts(
    source: Definition | Mapping[str, Any] | str | Path,
    *,
    contracts: str | Mapping[str, Any] | None = None,
    input_model: str | Any = None,
) -> list[Diagnostic]:
    """:func:`check_dataflow` as ``orderflow check --contracts --input-model`` calls it.

    Args:
        source: a definition, or the path of an ASL JSON file.
        contracts: a ``MODULE:ATTR`` spec naming the contracts mapping, or the mapping.
        input_model: a ``MODULE:ATTR`` spec naming the input model, or the model.
    """
    if isinstance(source, Path) or (
        isinstance(source, str) and not source.lstrip().startswith("{")
    ):
        document = load_definition(source)
    else:
        document = as_definition(source)
    table = load_object(contracts, what="--contracts") if isinstance(contracts, str) else contracts
    model = (
        load_object(input_model, what="--input-model")
        if isinstance(input_model, str)
        else input_model
    )
    try:
        return check_dataflow(document, contracts=table, input_model=model)
    except ContractError as exc:
        raise ContractError(exc.message, file=document.file) from None


__all__ = [
    "AnalysisResult",
    "analyze",
    "check_dataflow",
    "check_with_contracts",
    "load_object",
    "output_shape",
]
