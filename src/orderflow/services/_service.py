"""A service: a typed Python function plus its contract (input and output models).

The contract is the pair of Pydantic models; the error classes it declares are the ASL error
names a workflow may Retry or Catch. The same object serves the local executor, the Lambda
adapter, the DSL (which reads the models for typing and data-flow checks) and deploy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from orderflow._errors import ContractError, ServiceError

if TYPE_CHECKING:
    from orderflow.services._deps import ServiceDeps

I = TypeVar("I", bound=BaseModel)  # noqa: E741 - the conventional name for "input"
O = TypeVar("O", bound=BaseModel)  # noqa: E741 - the conventional name for "output"


@dataclass(frozen=True)
class Service(Generic[I, O]):
    """A service and its contract.

    Attributes:
        name: the function's base name (``get-user``); the Lambda function is named
            ``{prefix}-{name}`` at render or deploy time.
        handler: ``handler(request, deps) -> response``, a plain typed function.
        input_model: the Pydantic model the handler accepts.
        output_model: the Pydantic model the handler returns.
        errors: business errors the handler may raise (never retried by the workflow unless
            listed in ``retryable``).
        retryable: errors worth retrying (transient ones such as a gateway timeout).
        description: one line for docs and deploy.
    """

    name: str
    handler: Callable[[I, ServiceDeps], O]
    input_model: type[I]
    output_model: type[O]
    errors: tuple[type[ServiceError], ...] = ()
    retryable: tuple[type[ServiceError], ...] = ()
    description: str = ""
    tables: tuple[str, ...] = field(default=())
    """The storage tables this service reads or writes (for least-privilege IAM)."""

    def __call__(self, request: I, deps: ServiceDeps) -> O:
        return self.handler(request, deps)

    def invoke_json(self, event: Any, deps: ServiceDeps) -> dict[str, Any]:
        """Validate a JSON event against the input model, run, return the output as JSON.

        Raises:
            ContractError: the event does not satisfy the input contract (or, a bug, the
                handler returned something that breaks the output contract).
            ServiceError: a declared business error, raised by the handler.
        """
        try:
            request = self.input_model.model_validate(event)
        except ValidationError as exc:
            raise ContractError(
                f"input does not satisfy {self.input_model.__name__}: {_brief(exc)}",
                field=self.name,
            ) from None
        response = self.handler(request, deps)
        if not isinstance(response, self.output_model):
            raise ContractError(
                f"{self.name} returned {type(response).__name__}, "
                f"expected {self.output_model.__name__}"
            )
        return response.model_dump(mode="json")


def _brief(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


__all__ = ["I", "O", "Service"]
