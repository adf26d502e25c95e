"""The checker's part of ``orderflow check``: the ``--contracts``/``--input-model`` options.

``orderflow check`` (in :mod:`orderflow.cli._check`) stays a thin command: it decorates
itself with :func:`dataflow_options` and appends :func:`dataflow_diagnostics` to its report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from orderflow._targets import import_attribute, is_module_target
from orderflow.asl import Definition
from orderflow.checker._api import check_with_contracts
from orderflow.checker._diagnostics import Diagnostic

F = TypeVar("F", bound=Callable[..., Any])


def dataflow_options(command: F) -> F:
    """Add ``--contracts MODULE:ATTR`` and ``--input-model MODULE:ATTR`` to a command.

    The command receives them as the ``contracts`` and ``input_model`` keyword arguments
    (``None`` when not given).
    """
    command = click.option(
        "--input-model",
        "input_model",
        metavar="MODULE:ATTR",
        default=None,
        help="Pydantic model of the execution input (enables checking reads of the input).",
    )(command)
    command = click.option(
        "--contracts",
        "contracts",
        metavar="MODULE:ATTR",
        default=None,
        help="Mapping of Lambda function name or ARN to (InputModel, OutputModel).",
    )(command)
    return command


def dataflow_diagnostics(
    definition: Definition,
    *,
    contracts: str | None = None,
    input_model: str | None = None,
    target: str | None = None,
) -> list[Diagnostic]:
    """Run the data-flow checker as the CLI does, loading ``MODULE:ATTR`` specs.

    Args:
        definition: the definition ``orderflow check`` loaded.
        contracts: ``--contracts MODULE:ATTR``.
        input_model: ``--input-model MODULE:ATTR``.
        target: the command's TARGET; when it names a DSL workflow (``MODULE:ATTR``), its
            own contracts and input model are used unless the options say otherwise.

    Raises:
        DefinitionError: a spec cannot be imported (the CLI exits with status 2).
        ContractError: the contracts or input model are not usable models.
    """
    table: Any = contracts or None
    model: Any = input_model or None
    if target is not None and (table is None or model is None):
        own_contracts, own_model = _workflow_contracts(target)
        table = table if table is not None else own_contracts
        model = model if model is not None else own_model
    # check_with_contracts imports the specs still given as MODULE:ATTR text.
    return check_with_contracts(definition, contracts=table, input_model=model)


def _workflow_contracts(target: str) -> tuple[Any, Any]:
    if not is_module_target(target):
        return None, None
    value = import_attribute(target, what="target")
    from orderflow import dsl  # only a DSL workflow carries its own contracts

    if isinstance(value, dsl.Workflow):
        return dsl.contracts_for(value), value.input_model
    return None, None


__all__ = ["dataflow_diagnostics", "dataflow_options"]
