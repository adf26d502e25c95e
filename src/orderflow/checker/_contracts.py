"""Contracts as the checker sees them: Lambda function -> (input shape, output shape).

Users hand :func:`orderflow.checker.check_dataflow` a mapping whose keys are Lambda
function names or ARNs and whose values are ``(InputModel, OutputModel)`` pairs of Pydantic
models (or any object with ``input_model`` and ``output_model``, such as an
:class:`orderflow.runtime.Service`). A Task names its function by name, by full or
partial ARN, with or without a version or alias; all of them are reduced to the bare name
before matching.

Matching, in order (the first rule that finds a key wins):

1. the function name equals a key's function name (a key may be a name or an ARN, with or
   without a qualifier: ``shop-get-user``, ``arn:aws:lambda:…:function:shop-get-user:live``);
2. the function name is ``{prefix}-{key}`` for one of the table's deployment *prefixes*
   (default: ``orderflow``, the prefix ``orderflow render`` and ``orderflow deploy`` use
   unless told otherwise), the longest prefix first: a key ``get-user`` matches the
   deployed ``orderflow-get-user``.

Nothing else matches: a function ``get-user`` does *not* match a key ``user``, because
nothing tells ``get`` apart from a deployment prefix, and borrowing another function's
contract makes false alarms. Give ``ContractTable(contracts, prefixes=["shop"])`` when the
definition was rendered with another prefix, or key the contracts by the deployed names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from orderflow._errors import ContractError
from orderflow.asl import LambdaNameError, parse_function_name
from orderflow.checker._shape import Shape, model_shape

DEFAULT_PREFIXES: Final = ("orderflow",)
"""Deployment prefixes a key's name may carry in a definition (the DSL's default)."""


@dataclass(frozen=True, slots=True)
class Contract:
    """A function's contract as shapes.

    Attributes:
        key: the mapping key it was given under.
        input: the shape of a valid input (validation side of the input model).
        output: the shape of what it returns (every field present, as ``model_dump``).
        input_name: the input model's name, for messages.
        output_name: the output model's name, for messages.
    """

    key: str
    input: Shape
    output: Shape
    input_name: str
    output_name: str


def function_base_name(reference: str) -> str:
    """The function name in a name, partial ARN or full ARN, qualifier dropped.

    ``arn:aws:lambda:us-east-1:123:function:shop-pay:live``, ``123:function:shop-pay`` and
    ``shop-pay:live`` all give ``shop-pay`` (:func:`orderflow.asl.parse_function_name`).

    Raises:
        LambdaNameError: ``reference`` is not a Lambda function reference.
    """
    return parse_function_name(reference).name


def _key_name(key: str) -> str:
    try:
        return parse_function_name(key).name
    except LambdaNameError as exc:
        raise ContractError(f"contract key {key!r}: {exc.message}") from None


def _models(value: Any, key: str) -> tuple[type[Any], type[Any]]:
    if isinstance(value, tuple) and len(value) == 2:
        pair = value
    elif hasattr(value, "input_model") and hasattr(value, "output_model"):
        pair = (value.input_model, value.output_model)
    else:
        raise ContractError(
            f"contract {key!r} must be an (InputModel, OutputModel) pair or a Service, "
            f"got {type(value).__name__}"
        )
    for model in pair:
        if not hasattr(model, "model_json_schema"):
            raise ContractError(
                f"contract {key!r}: {model!r} is not a Pydantic model class "
                "(it has no model_json_schema)"
            )
    return pair[0], pair[1]


class ContractTable:
    """Look up a Lambda function's contract by any name the definition may use.

    Args:
        contracts: function name or ARN -> ``(InputModel, OutputModel)`` or a Service.
        prefixes: deployment prefixes a function name may carry in front of a key
            (``{prefix}-{key}``); see the module docstring for the matching rules.
    """

    __slots__ = ("_by_name", "prefixes")

    def __init__(
        self, contracts: Mapping[str, Any], *, prefixes: Iterable[str] = DEFAULT_PREFIXES
    ) -> None:
        self._by_name: dict[str, Contract] = {}
        # Longest first, so "shop-eu" wins over "shop" for "shop-eu-get-user".
        self.prefixes: tuple[str, ...] = tuple(
            sorted({p.strip("-") for p in prefixes if p.strip("-")}, key=lambda p: (-len(p), p))
        )
        for key, value in contracts.items():
            if not isinstance(key, str):
                raise ContractError(f"contract keys must be function names, got {key!r}")
            inp, outp = _models(value, key)
            self._by_name[_key_name(key)] = Contract(
                key,
                model_shape(inp, output=False),
                model_shape(outp, output=True),
                getattr(inp, "__name__", str(inp)),
                getattr(outp, "__name__", str(outp)),
            )

    @classmethod
    def of(
        cls, contracts: list[Contract], *, prefixes: Iterable[str] = DEFAULT_PREFIXES
    ) -> ContractTable:
        """A table of ready-made contracts (e.g. with an unknown input, to check one edge)."""
        table = cls({}, prefixes=prefixes)
        for contract in contracts:
            table._by_name[_key_name(contract.key)] = contract
        return table

    def find(self, reference: str) -> Contract | None:
        """The contract for a function reference, or None (rules: module docstring).

        A reference that is no function name at all (a typo AWS would refuse) has no
        contract: the checker reports it as uncovered rather than failing the whole check.
        """
        try:
            name = parse_function_name(reference).name
        except LambdaNameError:
            return None
        exact = self._by_name.get(name)
        if exact is not None:
            return exact
        for prefix in self.prefixes:
            if name.startswith(f"{prefix}-"):
                found = self._by_name.get(name[len(prefix) + 1 :])
                if found is not None:
                    return found
        return None

    def __len__(self) -> int:
        return len(self._by_name)


__all__ = ["DEFAULT_PREFIXES", "Contract", "ContractTable", "function_base_name"]
