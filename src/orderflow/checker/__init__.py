"""Data-flow type checking: follow the shape of the data through a state machine.

Validators check structure and path syntax; this checks that what a state reads can exist
in what reaches it. Shapes (JSON-Schema-like, from Pydantic contracts where given, "any"
where nothing is known) are propagated through every state following AWS's processing
rules, with unions where paths meet, and the checker reports:

* errors — a path or ``.$`` value that cannot exist in the state's input (the run would
  fail with ``States.Runtime``), a type that cannot match, a Task payload missing a field
  its input contract requires or adding one a closed contract forbids;
* warnings — what fails for some data only (optional fields read as required, union
  members), and what it cannot follow (``unchecked``), never silently passed.

Example:
    >>> from orderflow.checker import check_dataflow
    >>> machine = {"StartAt": "P", "States": {
    ...     "P": {"Type": "Parallel", "Branches": [
    ...         {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
    ...      "Next": "Read"},
    ...     "Read": {"Type": "Pass", "Parameters": {"id.$": "$.id"}, "End": True}}}
    >>> [d.code for d in check_dataflow(machine)]
    ['path-cannot-exist']
"""

from orderflow.checker._api import (
    AnalysisResult,
    analyze,
    check_dataflow,
    check_with_contracts,
    load_object,
    output_shape,
)
from orderflow.checker._contracts import Contract, ContractTable, function_base_name
from orderflow.checker._diagnostics import CHECK_CODES, CheckCode
from orderflow.checker._shape import Shape, from_json_schema, model_shape, shape_of

__all__ = [
    "CHECK_CODES",
    "AnalysisResult",
    "CheckCode",
    "Contract",
    "ContractTable",
    "Shape",
    "analyze",
    "check_dataflow",
    "check_with_contracts",
    "from_json_schema",
    "function_base_name",
    "load_object",
    "model_shape",
    "output_shape",
    "shape_of",
]
