"""Task states: what a task sends, what it returns, and the Lambda contracts.

A ``lambda:invoke`` integration wraps the function's output as ``{ExecutedVersion,
Payload, SdkHttpMetadata, SdkResponseMetadata, StatusCode}``; a plain function ARN returns
it bare. With a contract, the payload is checked against the input model and the result
is the output model's shape; without one, or for any other service, the result is unknown.
"""

from __future__ import annotations

import re
from typing import Any, Final

from orderflow.asl import is_lambda_function_arn
from orderflow.checker._compat import check_fit
from orderflow.checker._contracts import Contract, ContractTable
from orderflow.checker._expr import (
    Scope,
    is_jsonata,
    jsonata_value,
)
from orderflow.checker._shape import (
    ANY,
    ANY_OBJECT,
    INTEGER,
    STRING,
    AnyShape,
    Obj,
    Shape,
    members,
    obj,
    union,
)
from orderflow.checker._state import (
    Edge,
    Flow,
    StateView,
    catch_edges,
    input_path,
    jsonata_fields,
    jsonata_finish,
    jsonpath_finish,
    number_paths,
    template,
)

_LAMBDA_INVOKE: Final = "arn:aws:states:::lambda:invoke"


def lambda_invoke_result(payload: Shape) -> Shape:
    """The result of the ``lambda:invoke`` integration around a function output."""
    return obj(
        {
            "ExecutedVersion": STRING,
            "Payload": payload,
            "SdkHttpMetadata": ANY_OBJECT,
            "SdkResponseMetadata": ANY_OBJECT,
            "StatusCode": INTEGER,
        }
    )


# --- tasks -----------------------------------------------------------------------------


def _literal_function(value: Any) -> str | None:
    if isinstance(value, str) and not is_jsonata(value):
        return value
    return None


def _task_result(
    st: StateView,
    payload: Shape,
    arguments: Any,
    args_field: str,
    arguments_shape: Shape | None,
) -> Shape:
    """The raw task result, after checking the payload against the function's contract."""
    resource = st.data.get("Resource")
    if not isinstance(resource, str):
        return ANY
    table = st.engine.contracts
    if resource == _LAMBDA_INVOKE:
        template = arguments if isinstance(arguments, dict) else {}
        function = _literal_function(template.get("FunctionName"))
        sent = _prop(arguments_shape, "Payload") if arguments_shape is not None else None
        if sent is not None:
            st.engine.record_payload(st.name, sent)
        contract = _lookup(st, table, function, template, args_field)
        if contract is not None:
            if sent is None:
                st.site.report(
                    "unchecked",
                    f"{args_field}/Payload",
                    f"no Payload is given, so the input of {contract.key!r} is not checked",
                )
            else:
                _check_contract(st, sent, contract, f"{args_field}/Payload")
        return lambda_invoke_result(contract.output if contract is not None else ANY)
    if is_lambda_function_arn(resource):
        st.engine.record_payload(st.name, payload)
        contract = _lookup(st, table, resource, None, "Resource")
        if contract is None:
            return ANY
        _check_contract(st, payload, contract, args_field)
        return contract.output
    return ANY


def _prop(shape: Shape, name: str) -> Shape | None:
    found: list[Shape] = []
    for m in members(shape):
        if isinstance(m, AnyShape):
            return ANY
        if isinstance(m, Obj):
            prop = m.get(name)
            if prop is not None:
                found.append(prop.shape)
            elif not m.closed:
                return ANY
    return union(*found) if found else None


def _lookup(
    st: StateView,
    table: ContractTable | None,
    function: str | None,
    template: dict[str, Any] | None,
    field: str,
) -> Contract | None:
    if table is None:
        return None
    if function is None:
        if template is not None and ("FunctionName.$" in template or "FunctionName" in template):
            st.site.report(
                "unchecked",
                f"{field}/FunctionName",
                "the function is chosen at run time, so its contract is not checked",
            )
        return None
    contract = table.find(function)
    if contract is None:
        st.site.report(
            "no-contract",
            field if template is None else f"{field}/FunctionName",
            f"no contract is given for Lambda function {function!r}; its payload and result "
            "are not checked",
        )
    return contract


def _check_contract(st: StateView, payload: Shape, contract: Contract, field: str) -> None:
    for mismatch in check_fit(payload, contract.input):
        tokens = re.findall(r"\.([^.\[]+)|\[(\d+|\*)\]", mismatch.where)
        where = "".join(f"/{name or index}" for name, index in tokens)
        st.site.report(
            mismatch.code,
            field + where,
            f"the payload sent to {contract.key!r} does not fit {contract.input_name}: "
            f"{mismatch.message}",
        )


def task(st: StateView, entry: Flow) -> list[Edge]:
    """A Task state: payload, contract check, result, then the common pipeline."""
    raw, variables = entry.data, entry.variables
    if st.jsonata:
        scope = Scope(ANY, st.context(), variables, {"input": raw})
        jsonata_fields(st, scope, ("TimeoutSeconds", "HeartbeatSeconds"))
        arguments = st.data.get("Arguments")
        args_shape = (
            jsonata_value(arguments, scope, st.site, "Arguments")
            if "Arguments" in st.data
            else None
        )
        payload = args_shape if args_shape is not None else raw
        result = _task_result(st, payload, arguments, "Arguments", args_shape)
        return jsonata_finish(st, raw, result, variables) + catch_edges(st, raw, variables)
    effective = input_path(st, raw, variables)
    number_paths(st, effective, variables, ("TimeoutSecondsPath", "HeartbeatSecondsPath"))
    params = template(st, "Parameters", effective, variables)
    payload = params if params is not None else effective
    result = _task_result(st, payload, st.data.get("Parameters"), "Parameters", params)
    return jsonpath_finish(st, raw, result, variables) + catch_edges(st, raw, variables)


__all__ = ["lambda_invoke_result", "task"]
