"""The exception hierarchy: every error orderflow raises derives from one root.

Each class also derives from the built-in a generic handler would expect, and carries
where it happened (file, state, field, JSON pointer) so a message can say how to fix it.
The classes defined here are the stable door; subsystems add narrower ones in their own
modules (shown with the module they live in)::

    OrderflowError
    ├── ContractError (ValueError)          a payload does not satisfy a service contract
    │   ├── AccessDeclarationError                   runtime: bad reads/writes declaration
    │   ├── UnsupportedSchema                        testing: no strategy for a schema
    │   ├── PluginConfigError                        testing: bad plugin configuration
    │   ├── BreakingChange (AssertionError)          testing: a contract snapshot broke
    │   ├── ProviderViolation (AssertionError)       testing: a service broke its contract
    │   └── EdgeContractError (AssertionError)       testing: an edge delivers a bad payload
    ├── ConfigurationError (LookupError)    an app is wired wrongly: unknown service or
    │   │                                   workflow, a Lambda task with no handler, a table
    │   │                                   without a key; never a task failure
    │   ├── UnknownServiceError                      runtime: no service by that name
    │   └── ServiceLocationError (TypeError)         runtime: a bad service reference
    ├── ServiceError                        a service's declared business error; the
    │                                       subclasses (an app's UserNotFound,
    │                                       PaymentDeclined…) live with its services and
    │                                       their class names are the ASL error names
    ├── StorageError (RuntimeError)         runtime: a store could not read or write
    ├── WorkflowBuildError (ValueError)     a DSL workflow is wired wrongly
    ├── DefinitionError (ValueError)        an ASL document cannot be read or used
    │   ├── InvalidDefinition               validation found errors (carries diagnostics)
    │   ├── TargetError                     a MODULE:ATTR names nothing loadable (carries it)
    │   ├── ExpressionSyntaxError           asl: a JSONPath, intrinsic or JSONata is malformed
    │   └── LambdaNameError                 asl: not a Lambda function name or ARN
    ├── StatesError                         asl: an ASL run-time error (``error``, ``cause``:
    │   └── PathNotFound                    States.Runtime, States.IntrinsicFailure…)
    ├── TaskFailure                         raised by a task handler: fail with (error, cause)
    │   └── LambdaFunctionError             executor: a Lambda error with its JSON cause
    ├── ExecutionError (RuntimeError)       the local executor cannot go on (not a workflow
    │                                       failure: those are reported on the Execution)
    ├── DeployError (RuntimeError)          an AWS call during deploy/destroy failed
    ├── LayoutError (RuntimeError)          report: Graphviz's dot is missing or failed
    ├── ConnectionOptionError (ValueError)  deploy: a bad --region/--endpoint-url/--profile
    ├── MissingTestingExtra (ImportError)   testing: the ``testing`` extra is not installed
    └── SdkInteropError (ValueError)        conversion to or from the stepfunctions SDK failed

The executor's internal control-flow signals (a state failing, an execution timing out or
being stopped) are plain ``Exception`` subclasses that never leave it.
"""

from __future__ import annotations

from typing import Any


class OrderflowError(Exception):
    """Root of every error orderflow raises.

    Attributes:
        message: what went wrong and, where possible, how to fix it.
        file: the file at fault, when one is known.
        state: the ASL state name at fault, when one is known.
        field: the ASL field (``ResultPath``, ``Parameters``…) at fault.
        pointer: a JSON pointer into the document (``/States/Pay/ResultPath``).
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        state: str | None = None,
        field: str | None = None,
        pointer: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.state = state
        self.field = field
        self.pointer = pointer

    def __str__(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"state {self.state!r}" if self.state else None,
                f"field {self.field}" if self.field else None,
                f"at {self.pointer}" if self.pointer else None,
            )
            if part
        ]
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ContractError(OrderflowError, ValueError):
    """A payload does not satisfy a service's input or output contract."""


class ConfigurationError(OrderflowError, LookupError):
    """An app is wired wrongly: an unknown service or workflow, a Lambda task nothing
    answers, a table without a key, a trigger naming no workflow.

    The executor raises it instead of failing the task, so a ``States.ALL`` catcher can
    never swallow a configuration mistake; the CLI exits 2.
    """


class ServiceError(OrderflowError):
    """Base of the business errors services declare.

    The subclass name is the error name Step Functions sees (``errorType``), so Retry and
    Catch match on it: ``PaymentDeclined`` in a Catcher's ``ErrorEquals``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)

    @property
    def error_name(self) -> str:
        return type(self).__name__


class WorkflowBuildError(OrderflowError, ValueError):
    """A DSL workflow is wired wrongly (unknown state, missing field, bad branch)."""


class DefinitionError(OrderflowError, ValueError):
    """An ASL document cannot be read (bad JSON, not an object) or used."""


class InvalidDefinition(DefinitionError):
    """Validation found errors; ``diagnostics`` holds every one of them."""

    def __init__(self, message: str, diagnostics: list[Any], *, file: str | None = None) -> None:
        super().__init__(message, file=file)
        self.diagnostics = diagnostics


class TargetError(DefinitionError):
    """A ``MODULE:ATTR`` a user named cannot be loaded, or names the wrong kind of object.

    The module cannot be imported (or raised, or called ``sys.exit``, while importing), it
    has no such attribute, or the attribute is not what the command needs (a workflow, a
    state machine). ``target`` is the spec as the user wrote it.
    """

    def __init__(self, message: str, *, target: str | None = None, file: str | None = None) -> None:
        super().__init__(message, file=file)
        self.target = target


class TaskFailure(OrderflowError):
    """Raised by a task handler to fail the task with exactly this error and cause.

    ``error`` and ``cause`` become the task's error name and cause text exactly, so both
    must be strings (``cause`` may be omitted); anything else is a ``TypeError`` here,
    where the mistake is, rather than a cause that is not text in the history.

    Example:
        >>> def handler(name, payload):
        ...     raise TaskFailure("PaymentDeclined", '{"reason": "credit"}')
    """

    def __init__(self, error: str, cause: str | None = None) -> None:
        if not isinstance(error, str):
            raise TypeError(
                f"TaskFailure's error must be a string (the ASL error name), not "
                f"{type(error).__name__}: {error!r}"
            )
        if cause is not None and not isinstance(cause, str):
            raise TypeError(
                f"TaskFailure's cause must be a string or None, not {type(cause).__name__}; "
                "serialise structured detail yourself (json.dumps) to choose its form"
            )
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class ExecutionError(OrderflowError, RuntimeError):
    """The local executor cannot proceed (bad arguments, unsupported resource)."""


class DeployError(OrderflowError, RuntimeError):
    """An AWS call made by deploy or destroy failed; names the resource and AWS's message."""


class SdkInteropError(OrderflowError, ValueError):
    """A definition cannot be converted to or from the stepfunctions SDK."""


__all__ = [
    "ConfigurationError",
    "ContractError",
    "DefinitionError",
    "DeployError",
    "ExecutionError",
    "InvalidDefinition",
    "OrderflowError",
    "SdkInteropError",
    "ServiceError",
    "TargetError",
    "TaskFailure",
    "WorkflowBuildError",
]
