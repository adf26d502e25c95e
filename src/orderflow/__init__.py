"""orderflow: typed AWS Step Functions workflows for Python microservices.

The public door: import from ``orderflow`` (and the documented subpackages
``orderflow.services``, ``orderflow.dsl``, ``orderflow.validation``, ``orderflow.testing``).
Everything else is private and may change.
"""

from orderflow._errors import (
    ContractError,
    DefinitionError,
    DeployError,
    ExecutionError,
    InvalidDefinition,
    OrderflowError,
    SdkInteropError,
    ServiceError,
    TaskFailure,
    WorkflowBuildError,
)
from orderflow.asl import Definition, as_definition, load_definition, parse_definition

__all__ = [
    "ContractError",
    "Definition",
    "DefinitionError",
    "DeployError",
    "ExecutionError",
    "InvalidDefinition",
    "OrderflowError",
    "SdkInteropError",
    "ServiceError",
    "TaskFailure",
    "WorkflowBuildError",
    "as_definition",
    "load_definition",
    "parse_definition",
]
