"""The public entry points over compilation: ``render``, ``functions``, ``contracts_for``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from orderflow._errors import InvalidDefinition
from orderflow.asl import Definition
from orderflow.dsl._compile import compile_workflow
from orderflow.dsl._workflow import Workflow
from orderflow.services._service import Service


def render(
    workflow: Workflow[Any],
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = "orderflow",
    validate: bool = True,
) -> Definition:
    """The ASL definition of ``workflow``; Lambda ARNs are built from the arguments.

    Each Task's ``FunctionName`` is ``arn:aws:lambda:{region}:{account}:function:
    {prefix}-{service.name}``. The definition is validated before it is returned, so an
    invalid machine (for instance one made invalid through ``flow.raw``) is never emitted.

    Raises:
        WorkflowBuildError: the workflow is wired wrongly; names the state and field.
        InvalidDefinition: the compiled definition fails structural validation; carries
            every diagnostic.
    """
    definition = compile_workflow(
        workflow, account=account, region=region, prefix=prefix
    ).definition
    if validate:
        _refuse_invalid(workflow.name, definition)
    return definition


def _refuse_invalid(name: str, definition: Definition) -> None:
    # Imported here: validation is only needed once a definition exists, and keeping it
    # out of module import keeps `import orderflow.dsl` light.
    from orderflow.validation import format_text, has_errors, validate

    diagnostics = validate(definition)
    if has_errors(diagnostics):
        errors = [d for d in diagnostics if d.severity == "error"]
        raise InvalidDefinition(
            f"workflow {name!r} compiles to an invalid state machine:\n" + format_text(errors),
            errors,
        )


def functions(workflow: Workflow[Any]) -> list[Service[Any, Any]]:
    """The distinct services ``workflow`` calls, in order of first use (deploy creates them)."""
    return compile_workflow(workflow).functions()


def contracts_for(
    workflow: Workflow[Any],
    *,
    account: str = "123456789012",
    region: str = "us-east-1",
    prefix: str = "orderflow",
) -> dict[str, tuple[type[BaseModel], type[BaseModel]]]:
    """Each Lambda function's contract, keyed by both its ARN and its function name.

    The data-flow checker looks up a Task's ``FunctionName`` here (an ARN in rendered
    definitions, often a bare name in hand-written ones) to learn the payload's input model
    and the result's output model.
    """
    compiled = compile_workflow(workflow, account=account, region=region, prefix=prefix)
    contracts: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {}
    for service in compiled.functions():
        pair = (service.input_model, service.output_model)
        contracts[compiled.target.function_arn(service)] = pair
        contracts[compiled.target.function_name(service)] = pair
    return contracts


__all__ = ["contracts_for", "functions", "render"]
