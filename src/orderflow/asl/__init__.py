"""The ASL document model and everything that reads it without running it."""

from orderflow.asl._document import (
    JSON,
    Definition,
    as_definition,
    dumps,
    load_definition,
    parse_definition,
    pointer_join,
)
from orderflow.asl._lambda_names import (
    FunctionRef,
    LambdaNameError,
    is_lambda_function_arn,
    parse_function_name,
)
from orderflow.asl._mermaid import to_mermaid

__all__ = [
    "Definition",
    "FunctionRef",
    "JSON",
    "LambdaNameError",
    "as_definition",
    "dumps",
    "is_lambda_function_arn",
    "load_definition",
    "parse_definition",
    "parse_function_name",
    "pointer_join",
    "to_mermaid",
]
