"""The public entry points over compilation: ``render``, ``functions``, ``contracts_for``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from orderflow._errors import InvalidDefinition
from orderflow.asl import Definition
from orderflow.dsl._compile import CompiledWorkflow, compile_workflow
from orderflow.dsl._workflow import Workflow
from orderflow.runtime._service import Service


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
    {prefix}-{service.name}``. Unless ``validate`` is false, the definition is checked before
    it is returned, structurally (as AWS's CreateStateMachine does) and then for data flow
    against the services' contracts and the workflow's input model, so a machine that AWS
    would reject, or that reads a path its input cannot contain, is never emitted.

    Raises:
        WorkflowBuildError: the workflow is wired wrongly; names the state and field.
        InvalidDefinition: the compiled definition fails validation or the data-flow check;
            carries every error diagnostic.
    """
    compiled = compile_workflow(workflow, account=account, region=region, prefix=prefix)
    if validate:
        _refuse_invalid(workflow, compiled)
    return compiled.definition


def _refuse_invalid(workflow: Workflow[Any], compiled: CompiledWorkflow) -> None:
    # Imported here: both are only needed once a definition exists, and keeping them out
    # of module import keeps `import orderflow.dsl` light.
    from orderflow.checker import check_dataflow
    from orderflow.validation import format_text, has_errors, validate

    diagnostics = validate(compiled.definition)
    if not has_errors(diagnostics):
        diagnostics = check_dataflow(
            compiled.definition,
            contracts=_contracts(compiled),
            input_model=workflow.input_model,
        )
    errors = [d for d in diagnostics if d.severity == "error"]
    if errors:
        raise InvalidDefinition(
            f"workflow {workflow.name!r} compiles to an invalid state machine:\n"
            + format_text(errors),
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
    return _contracts(compile_workflow(workflow, account=account, region=region, prefix=prefix))


def _contracts(compiled: CompiledWorkflow) -> dict[str, tuple[type[BaseModel], type[BaseModel]]]:
    contracts: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {}
    for service in compiled.functions():
        pair = (service.input_model, service.output_model)
        contracts[compiled.target.function_arn(service)] = pair
        contracts[compiled.target.function_name(service)] = pair
    return contracts


__all__ = ["contracts_for", "functions", "render"]
