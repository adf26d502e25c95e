"""orderflow: typed AWS Step Functions workflows for Python microservices.

The public door: import from ``orderflow`` (and the documented subpackages
``orderflow.runtime``, ``orderflow.dsl``, ``orderflow.validation``, ``orderflow.testing``;
``orderflow.orders`` is the bundled order app, built on them). Everything else is private
and may change.
"""

# Private aliases: this module's public names are exactly ``__all__``.
import importlib as _importlib
import typing as _typing

from orderflow._errors import (
    ConfigurationError,
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

if _typing.TYPE_CHECKING:
    from orderflow._app import App, Trigger
    from orderflow.runtime import Service, ServiceDeps

# Name -> the module defining it, imported on first use: ``import orderflow`` stays cheap
# (no pydantic) for tools that only read ASL.
_LAZY: _typing.Final = {
    "App": "orderflow._app",
    "Trigger": "orderflow._app",
    "Service": "orderflow.runtime",
    "ServiceDeps": "orderflow.runtime",
}

if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> _typing.Any:
        module = _LAZY.get(name)
        if module is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(module), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "App",
    "ConfigurationError",
    "ContractError",
    "Definition",
    "DefinitionError",
    "DeployError",
    "ExecutionError",
    "InvalidDefinition",
    "OrderflowError",
    "SdkInteropError",
    "Service",
    "ServiceDeps",
    "ServiceError",
    "TaskFailure",
    "Trigger",
    "WorkflowBuildError",
    "as_definition",
    "load_definition",
    "parse_definition",
]
