"""The ASL expression layer: JSONPath, payload templates, intrinsic functions, JSONata.

Everything the executor, the validator and the data-flow checker need to read or evaluate
the expressions inside a state machine definition, compiled once and evaluated many times::

    from orderflow.asl.expressions import compile_path, compile_template, apply_result_path

    compile_path("$.order.items[0]").evaluate({"order": {"items": [7]}})  # 7
    compile_template({"id.$": "$.order.id", "n": 1}).render({"order": {"id": "A"}})
    apply_result_path({"a": 1}, "$.result", {"ok": True})  # {"a": 1, "result": {"ok": True}}

Evaluation failures raise :class:`StatesError` carrying AWS's error name and cause text;
malformed expressions raise :class:`ExpressionSyntaxError` when compiled.
"""

from orderflow.asl._intrinsics import (
    KNOWN_INTRINSICS,
    IntrinsicCall,
    Literal,
    PathArg,
    is_intrinsic,
    parse_intrinsic,
)
from orderflow.asl._jsonata import (
    JsonataExpression,
    compile_jsonata,
    is_jsonata,
    json_type_name,
    result_type_error,
)
from orderflow.asl._jsonata_template import JsonataTemplate, compile_jsonata_template
from orderflow.asl._jsonpath import (
    CompiledPath,
    apply_result_path,
    compile_path,
    reference_path_error,
    resolve_items,
)
from orderflow.asl._payload import (
    Template,
    compile_expression,
    compile_template,
    evaluate_path_or_intrinsic,
    template_problems,
)
from orderflow.asl._states_errors import (
    ExpressionSyntaxError,
    PathNotFound,
    StatesError,
    state_failure_cause,
)

__all__ = [
    "KNOWN_INTRINSICS",
    "CompiledPath",
    "ExpressionSyntaxError",
    "IntrinsicCall",
    "JsonataExpression",
    "JsonataTemplate",
    "Literal",
    "PathArg",
    "PathNotFound",
    "StatesError",
    "Template",
    "apply_result_path",
    "compile_expression",
    "compile_jsonata",
    "compile_jsonata_template",
    "compile_path",
    "compile_template",
    "evaluate_path_or_intrinsic",
    "is_intrinsic",
    "is_jsonata",
    "json_type_name",
    "parse_intrinsic",
    "reference_path_error",
    "resolve_items",
    "result_type_error",
    "state_failure_cause",
    "template_problems",
]
