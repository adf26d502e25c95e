"""Every MUST / MUST NOT of the States Language and of AWS's state pages, one test each.

Each entry of :data:`RULES` paraphrases one sentence (its ``source`` says where it is), gives
a definition that breaks it, and says how orderflow enforces it:

* ``rule`` — a validator rule: ``validate`` reports the diagnostic ``code`` as an error;
* ``parser`` — the definition cannot be read at all (``DefinitionError`` from the loader);
* ``runtime`` — the sentence constrains data, not the definition: the validator accepts the
  definition and a run fails with the ``error`` AWS raises (``run_asl`` on ``input``);
* ``accepted`` — deliberately not a rule, because AWS (or AWS's own linter) accepts such
  definitions; ``reason`` names the evidence, and the test checks no error is reported.

``docs/spec-rules.md`` is generated from this table (``ORDERFLOW_REGEN_GOLDEN=1`` rewrites
it) and a test keeps the two equal.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest

from orderflow import DefinitionError
from orderflow.testing import run_asl
from orderflow.validation import CODES, StateMachineType, validate

DOC = Path(__file__).resolve().parents[2] / "docs" / "spec-rules.md"
REGENERATE = os.environ.get("ORDERFLOW_REGEN_GOLDEN") == "1"

SPEC = "ASL spec"
LAMBDA = "arn:aws:states:::lambda:invoke"
FUNCTION = {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:f"}
BODY = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
DISTRIBUTED = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, **BODY}
READER = {
    "Resource": "arn:aws:states:::s3:getObject",
    "Parameters": {"Bucket": "b", "Key": "k"},
    "ReaderConfig": {"InputType": "JSON"},
}
CORPUS_INLINE_TOLERATED = (
    "executions/evaluate_jsonata/v2_evaluate_jsonata_test_base_evaluate_expressions.py_"
    "TestBaseEvaluateJsonata_test_base_map_TOLERATED_FAILURE_COUNT__get_execution_history.json"
)

Check = Literal["rule", "parser", "runtime", "accepted"]


@dataclass(frozen=True)
class Rule:
    """One sentence and how it is enforced."""

    id: str
    source: str
    sentence: str
    bad: Any
    check: Check = "rule"
    code: str | None = None
    error: str | None = None
    input: Any = None
    reason: str = ""
    machine_type: StateMachineType = "STANDARD"


def machine(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    """One state ``S`` (going on to the Succeed state ``E``) and the top-level fields."""
    return {"StartAt": "S", "States": {"S": state, "E": {"Type": "Succeed"}}, **top}


def alone(state: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A machine of the one terminal state ``S``."""
    return {"StartAt": "S", "States": {"S": state}, **top}


def jsonata(state: dict[str, Any]) -> dict[str, Any]:
    return machine(state, QueryLanguage="JSONata")


def task(**fields: Any) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Resource": LAMBDA,
        "Parameters": FUNCTION,
        "TimeoutSeconds": 60,
        "Next": "E",
        **fields,
    }


def pass_(**fields: Any) -> dict[str, Any]:
    return {"Type": "Pass", "Next": "E", **fields}


def choice(*rules: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"Type": "Choice", "Choices": list(rules), "Default": "E", **fields}


def rule(**fields: Any) -> dict[str, Any]:
    return {"Variable": "$.a", "Next": "E", **fields}


def map_(body: dict[str, Any] = BODY, **fields: Any) -> dict[str, Any]:
    return {"Type": "Map", "ItemProcessor": body, "Next": "E", **fields}


def dmap(**fields: Any) -> dict[str, Any]:
    return map_(DISTRIBUTED, **fields)


def retry(**fields: Any) -> dict[str, Any]:
    return machine(task(Retry=[{"ErrorEquals": ["X"], **fields}]))


RULES: tuple[Rule, ...] = (
    # --- the state machine -----------------------------------------------------------
    Rule(
        "machine-is-object", f"{SPEC}: Example", "A state machine is a JSON object.", "[]", "parser"
    ),
    Rule(
        "machine-states",
        f"{SPEC}: Top-level fields",
        "A state machine MUST have an object field States.",
        {"StartAt": "S"},
        code="missing-field",
    ),
    Rule(
        "machine-start-at",
        f"{SPEC}: Top-level fields",
        "A state machine MUST have a string field StartAt.",
        {"States": {"S": {"Type": "Succeed"}}},
        code="missing-field",
    ),
    Rule(
        "start-at-matches",
        f"{SPEC}: Top-level fields",
        "StartAt MUST exactly match the name of one of the States.",
        {"StartAt": "s", "States": {"S": {"Type": "Succeed"}}},
        code="start-at-not-found",
    ),
    Rule(
        "machine-version",
        f"{SPEC}: Top-level fields",
        "Version, when present, is a string (the ASL version).",
        alone({"Type": "Succeed"}, Version=1),
        code="invalid-type",
    ),
    Rule(
        "machine-comment",
        f"{SPEC}: Top-level fields",
        "Comment, when present, is a string.",
        alone({"Type": "Succeed"}, Comment=1),
        code="invalid-type",
    ),
    Rule(
        "machine-timeout",
        f"{SPEC}: Top-level fields",
        "TimeoutSeconds, when present, MUST be a positive integer.",
        alone({"Type": "Succeed"}, TimeoutSeconds=0),
        code="invalid-value",
    ),
    Rule(
        "definition-size",
        "AWS: Step Functions quotas",
        "A definition has at most 1,048,576 characters (CreateStateMachine).",
        alone({"Type": "Pass", "Result": "x" * 1_048_576, "End": True}),
        code="definition-too-large",
    ),
    # --- states ----------------------------------------------------------------------
    Rule(
        "state-name-length",
        f"{SPEC}: States",
        "A state name MUST be at most 80 Unicode characters long.",
        {"StartAt": "S" * 81, "States": {"S" * 81: {"Type": "Succeed"}}},
        code="invalid-state-name",
    ),
    Rule(
        "state-name-unique",
        f"{SPEC}: States",
        "State names MUST be unique within the whole state machine, nested scopes included.",
        alone({"Type": "Parallel", "Branches": [alone({"Type": "Succeed"})], "End": True}),
        code="duplicate-state-name",
    ),
    Rule(
        "state-type",
        f"{SPEC}: States",
        "Every state MUST have a Type field.",
        alone({"End": True}),
        code="missing-field",
    ),
    Rule(
        "state-type-known",
        f"{SPEC}: States",
        "Type is one of Task, Parallel, Map, Pass, Wait, Choice, Succeed, Fail.",
        alone({"Type": "Lambda", "End": True}),
        code="unknown-state-type",
    ),
    Rule(
        "end-boolean",
        f"{SPEC}: Transitions",
        "End MUST be a boolean.",
        machine({"Type": "Pass", "End": "yes", "Next": "E"}),
        code="invalid-type",
    ),
    Rule(
        "next-required",
        f"{SPEC}: Transitions",
        "Every non-terminal state except Choice MUST have a Next field.",
        alone({"Type": "Pass"}),
        code="missing-transition",
    ),
    Rule(
        "next-matches",
        f"{SPEC}: Transitions",
        "Next MUST exactly and case-sensitively match the name of a state.",
        machine(pass_(Next="e")),
        code="unknown-target",
    ),
    Rule(
        "next-or-end",
        f"{SPEC}: Transitions",
        "A state ends (End: true) or names its successor (Next), never both.",
        machine(pass_(End=True)),
        code="conflicting-fields",
    ),
    Rule(
        "fields-per-type",
        f"{SPEC}: State types",
        "Each state type accepts its own fields only (a Pass has no Resource).",
        machine(pass_(Resource=LAMBDA)),
        code="field-not-allowed",
    ),
    Rule(
        "reachable",
        "AWS: CreateStateMachine",
        "Every state is reachable from StartAt (AWS rejects unreachable states).",
        {"StartAt": "S", "States": {"S": {"Type": "Succeed"}, "T": {"Type": "Succeed"}}},
        code="unreachable-state",
    ),
    # --- paths and payload templates ---------------------------------------------------
    Rule(
        "path-syntax",
        f"{SPEC}: Paths",
        "A Path is a string starting with $ that is a valid JSONPath (InputPath, OutputPath).",
        machine(pass_(InputPath="order")),
        code="invalid-path",
    ),
    Rule(
        "reference-path",
        f"{SPEC}: Reference Paths",
        "A Reference Path MUST name a single node: fields and indexes only, no @ , : ? * or "
        "'..' (ResultPath, ItemsPath, *Path fields).",
        machine(pass_(ResultPath="$.items[*]")),
        code="invalid-reference-path",
    ),
    Rule(
        "result-path-input",
        f"{SPEC}: ResultPath",
        "ResultPath places the result in the state's input; it cannot write into the "
        "context object ($$) or a variable.",
        machine(pass_(ResultPath="$$.Execution")),
        code="invalid-reference-path",
    ),
    Rule(
        "path-must-match",
        f"{SPEC}: Paths",
        "If a path does not match the input, the interpreter fails with States.Runtime.",
        machine(pass_(InputPath="$.missing")),
        "runtime",
        error="States.Runtime",
        input={},
    ),
    Rule(
        "result-path-applies",
        f"{SPEC}: ResultPath",
        "If ResultPath cannot be applied to the input (it runs through a non-object), the "
        "interpreter fails with States.ResultPathMatchFailure.",
        machine(pass_(Result=1, ResultPath="$.a.b")),
        "runtime",
        error="States.ResultPathMatchFailure",
        input={"a": 5},
    ),
    Rule(
        "template-dollar-string",
        f"{SPEC}: Payload Template",
        "A field whose name ends in .$ MUST have a string value that is a Path or an "
        "intrinsic function call.",
        machine(pass_(Parameters={"a.$": 1})),
        code="invalid-dynamic-value",
    ),
    Rule(
        "template-dollar-path",
        f"{SPEC}: Payload Template",
        "The .$ value MUST be a valid Path (or intrinsic call).",
        machine(pass_(Parameters={"a.$": "order.id"})),
        code="invalid-dynamic-value",
    ),
    Rule(
        "template-path-applies",
        f"{SPEC}: Payload Template",
        "If a .$ path is legal but matches nothing, the interpreter fails with States.Runtime.",
        machine(pass_(Parameters={"a.$": "$.missing"})),
        "runtime",
        error="States.Runtime",
        input={},
    ),
    Rule(
        "template-object",
        f"{SPEC}: Payload Template",
        "Parameters and ResultSelector are payload templates (JSON objects).",
        alone({"Type": "Pass", "Parameters": "text", "End": True}),
        "accepted",
        reason="AWS's own linter accepts a string Parameters "
        "(lint/awslabs-statelint/014-pass-with-parameters) and no AWS recording rejects it",
    ),
    # --- intrinsic functions -------------------------------------------------------------
    Rule(
        "intrinsic-known",
        f"{SPEC}: Intrinsic Functions",
        "An intrinsic call names one of the States.* functions.",
        machine(pass_(Parameters={"a.$": "States.Nope(1)"})),
        code="invalid-intrinsic",
    ),
    Rule(
        "intrinsic-arity",
        f"{SPEC}: Intrinsic Functions",
        "Each intrinsic takes its documented number of arguments.",
        machine(pass_(Parameters={"a.$": "States.ArrayGetItem($.a)"})),
        code="invalid-intrinsic",
    ),
    Rule(
        "intrinsic-where",
        f"{SPEC}: Intrinsic Functions",
        "Intrinsic functions are allowed only in .$ fields of payload templates (and "
        "ErrorPath/CausePath), not in InputPath or OutputPath.",
        machine(pass_(InputPath="States.Array($.a)")),
        code="invalid-path",
    ),
    Rule(
        "fail-path-intrinsics",
        "AWS: Fail state",
        "ErrorPath/CausePath accept only intrinsics returning a string: States.Format, "
        "States.JsonToString, States.ArrayGetItem, States.Base64Encode, "
        "States.Base64Decode, States.Hash, States.UUID.",
        alone({"Type": "Fail", "ErrorPath": "States.MathAdd(1, 2)"}),
        code="intrinsic-not-allowed",
    ),
    Rule(
        "fail-path-reference",
        "AWS: Fail state",
        "ErrorPath/CausePath otherwise hold a Reference Path.",
        alone({"Type": "Fail", "CausePath": "$.causes[*]"}),
        code="invalid-reference-path",
    ),
    Rule(
        "fail-error-exclusive",
        "AWS: Fail state",
        "A Fail state has Error or ErrorPath, not both.",
        alone({"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}),
        code="conflicting-fields",
    ),
    Rule(
        "fail-cause-exclusive",
        "AWS: Fail state",
        "A Fail state has Cause or CausePath, not both.",
        alone({"Type": "Fail", "Cause": "c", "CausePath": "$.c"}),
        code="conflicting-fields",
    ),
    Rule(
        "fail-error-string",
        f"{SPEC}: Fail State",
        "Error and Cause are strings.",
        alone({"Type": "Fail", "Error": 5}),
        code="invalid-type",
    ),
    Rule(
        "fail-no-transition",
        f"{SPEC}: Fail State",
        "A Fail state is terminal: it has no Next or End.",
        alone({"Type": "Fail", "End": True}),
        code="field-not-allowed",
    ),
    # --- errors, Retry and Catch -----------------------------------------------------------
    Rule(
        "retry-catch-where",
        f"{SPEC}: Errors",
        "Retry and Catch belong to Task, Parallel and Map states only.",
        machine(pass_(Retry=[{"ErrorEquals": ["States.ALL"]}])),
        code="field-not-allowed",
    ),
    Rule(
        "error-equals-required",
        f"{SPEC}: Retrying after error",
        "A Retrier MUST contain ErrorEquals.",
        machine(task(Retry=[{"MaxAttempts": 1}])),
        code="missing-field",
    ),
    Rule(
        "error-equals-non-empty",
        f"{SPEC}: Retrying after error",
        "ErrorEquals MUST be a non-empty array of strings.",
        retry(ErrorEquals=[]),
        code="empty-error-equals",
    ),
    Rule(
        "error-equals-strings",
        f"{SPEC}: Retrying after error",
        "ErrorEquals holds strings (error names).",
        retry(ErrorEquals=[1]),
        code="invalid-type",
    ),
    Rule(
        "states-all-alone",
        f"{SPEC}: Error names",
        "States.ALL MUST appear alone in its ErrorEquals array.",
        retry(ErrorEquals=["States.ALL", "X"]),
        code="states-all-not-alone",
    ),
    Rule(
        "states-all-last",
        f"{SPEC}: Error names",
        "States.ALL MUST appear in the last Retrier or Catcher.",
        machine(task(Retry=[{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])),
        code="states-all-not-last",
    ),
    Rule(
        "states-errors-reserved",
        f"{SPEC}: Error names",
        "Names starting with States. are reserved for the predefined errors.",
        retry(ErrorEquals=["States.Oops"]),
        code="unknown-states-error",
    ),
    Rule(
        "retry-interval",
        f"{SPEC}: Retrying after error",
        "IntervalSeconds MUST be a positive integer.",
        retry(IntervalSeconds=0),
        code="invalid-value",
    ),
    Rule(
        "retry-max-attempts",
        f"{SPEC}: Retrying after error",
        "MaxAttempts MUST be a non-negative integer.",
        retry(MaxAttempts=-1),
        code="invalid-value",
    ),
    Rule(
        "retry-backoff",
        f"{SPEC}: Retrying after error",
        "BackoffRate MUST be greater than or equal to 1.0.",
        retry(BackoffRate=0.5),
        code="invalid-value",
    ),
    Rule(
        "retry-max-delay",
        f"{SPEC}: Retrying after error",
        "MaxDelaySeconds MUST be a positive integer.",
        retry(MaxDelaySeconds=0),
        code="invalid-value",
    ),
    Rule(
        "retry-jitter",
        f"{SPEC}: Retrying after error",
        "JitterStrategy MUST be FULL or NONE.",
        retry(JitterStrategy="HALF"),
        code="invalid-value",
    ),
    Rule(
        "retrier-fields",
        f"{SPEC}: Retrying after error",
        "A Retrier has only its own fields (no Next).",
        retry(Next="E"),
        code="field-not-allowed",
    ),
    Rule(
        "catcher-next",
        f"{SPEC}: Fallback states",
        "A Catcher MUST contain ErrorEquals and Next.",
        machine(task(Catch=[{"ErrorEquals": ["X"], "ResultPath": "$.e"}])),
        code="missing-field",
    ),
    Rule(
        "catcher-next-matches",
        f"{SPEC}: Fallback states",
        "A Catcher's Next MUST match a state name.",
        machine(task(Catch=[{"ErrorEquals": ["X"], "Next": "Z", "ResultPath": "$.e"}])),
        code="unknown-target",
    ),
    Rule(
        "catcher-result-path",
        f"{SPEC}: Fallback states",
        "A Catcher's ResultPath is a Reference Path.",
        machine(task(Catch=[{"ErrorEquals": ["X"], "Next": "E", "ResultPath": "$.e[*]"}])),
        code="invalid-reference-path",
    ),
    # --- Task --------------------------------------------------------------------------
    Rule(
        "task-resource",
        f"{SPEC}: Task State",
        "A Task MUST have a Resource field.",
        machine({"Type": "Task", "TimeoutSeconds": 5, "Next": "E"}),
        code="missing-field",
    ),
    Rule(
        "task-resource-uri",
        f"{SPEC}: Task State",
        "Resource MUST be a URI that identifies the task (an ARN AWS knows).",
        machine(task(Resource="lambda")),
        code="invalid-resource",
    ),
    Rule(
        "task-timeout",
        f"{SPEC}: Task State",
        "TimeoutSeconds MUST be a positive integer.",
        machine(task(TimeoutSeconds=0)),
        code="invalid-value",
    ),
    Rule(
        "task-heartbeat",
        f"{SPEC}: Task State",
        "HeartbeatSeconds MUST be a positive integer smaller than TimeoutSeconds.",
        machine(task(TimeoutSeconds=10, HeartbeatSeconds=10)),
        code="invalid-value",
    ),
    Rule(
        "task-timeout-exclusive",
        f"{SPEC}: Task State",
        "A Task MUST NOT have both TimeoutSeconds and TimeoutSecondsPath.",
        machine(task(TimeoutSecondsPath="$.t")),
        code="conflicting-fields",
    ),
    Rule(
        "task-heartbeat-exclusive",
        f"{SPEC}: Task State",
        "A Task MUST NOT have both HeartbeatSeconds and HeartbeatSecondsPath.",
        machine(task(HeartbeatSeconds=5, HeartbeatSecondsPath="$.h")),
        code="conflicting-fields",
    ),
    Rule(
        "task-timeout-path",
        f"{SPEC}: Task State",
        "TimeoutSecondsPath and HeartbeatSecondsPath are Reference Paths.",
        machine({**task(HeartbeatSecondsPath="$.h[*]")}),
        code="invalid-reference-path",
    ),
    Rule(
        "task-credentials",
        "AWS: Task state (Credentials)",
        "Credentials MUST contain RoleArn.",
        machine(task(Credentials={})),
        code="missing-field",
    ),
    Rule(
        "express-integrations",
        "AWS: Standard vs Express",
        "Express machines do not support .sync or .waitForTaskToken integrations.",
        machine(
            task(
                Resource="arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                Parameters={"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}},
            )
        ),
        code="express-unsupported-integration",
        machine_type="EXPRESS",
    ),
    Rule(
        "express-activities",
        "AWS: Standard vs Express",
        "Express machines do not support activities.",
        machine(task(Resource="arn:aws:states:us-east-1:123456789012:activity:review")),
        code="express-activity",
        machine_type="EXPRESS",
    ),
    # --- Choice ------------------------------------------------------------------------
    Rule(
        "choice-choices",
        f"{SPEC}: Choice State",
        "A Choice state MUST have a Choices field whose value is a non-empty array.",
        machine(choice()),
        code="invalid-value",
    ),
    Rule(
        "choice-no-end",
        f"{SPEC}: Choice State",
        "A Choice state MUST NOT have End or Next fields.",
        machine(choice(rule(IsNull=True), Next="E")),
        code="field-not-allowed",
    ),
    Rule(
        "choice-rule-next",
        f"{SPEC}: Choice Rules",
        "Each top-level Choice Rule MUST have a Next field.",
        machine(choice({"Variable": "$.a", "IsNull": True})),
        code="missing-field",
    ),
    Rule(
        "choice-nested-no-next",
        f"{SPEC}: Choice Rules",
        "Rules nested in And, Or or Not MUST NOT have a Next field.",
        machine(choice({"Not": rule(IsNull=True), "Next": "E"})),
        code="field-not-allowed",
    ),
    Rule(
        "choice-one-operator",
        f"{SPEC}: Choice Rules",
        "A data-test expression has exactly one comparison operator.",
        machine(choice(rule(IsNull=True, IsString=True))),
        code="conflicting-fields",
    ),
    Rule(
        "choice-variable",
        f"{SPEC}: Choice Rules",
        "A data-test expression MUST contain a Variable field.",
        machine(choice({"IsNull": True, "Next": "E"})),
        code="missing-field",
    ),
    Rule(
        "choice-variable-path",
        f"{SPEC}: Choice Rules",
        "Variable MUST be a Path.",
        machine(choice(rule(Variable="a", IsNull=True))),
        code="invalid-path",
    ),
    Rule(
        "choice-path-operand",
        f"{SPEC}: Choice Rules",
        "An operator ending in Path (StringEqualsPath…) takes a Path.",
        machine(choice(rule(StringEqualsPath="b"))),
        code="invalid-path",
    ),
    Rule(
        "choice-and-or",
        f"{SPEC}: Choice Rules",
        "And and Or take a non-empty array of Choice Rules.",
        machine(choice({"And": [], "Next": "E"})),
        code="invalid-type",
    ),
    Rule(
        "choice-not",
        f"{SPEC}: Choice Rules",
        "Not takes a single Choice Rule.",
        machine(choice({"Not": [], "Next": "E"})),
        code="invalid-type",
    ),
    Rule(
        "choice-operand-type",
        f"{SPEC}: Choice Rules",
        "A comparison's value has the operator's type (NumericEquals takes a number).",
        machine(choice(rule(NumericEquals="1"))),
        code="invalid-type",
    ),
    Rule(
        "choice-type-test",
        f"{SPEC}: Choice Rules",
        "IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp take a boolean.",
        machine(choice(rule(IsNull=1))),
        code="invalid-type",
    ),
    Rule(
        "timestamps",
        f"{SPEC}: Timestamps",
        "Timestamps MUST conform to RFC 3339 (uppercase T, Z or a numeric offset).",
        machine(choice(rule(TimestampEquals="2016-03-14 01:59:00"))),
        code="invalid-timestamp",
    ),
    Rule(
        "choice-default",
        f"{SPEC}: Choice State",
        "Default MUST match the name of a state.",
        machine(choice(rule(IsNull=True), Default="Z")),
        code="unknown-target",
    ),
    Rule(
        "choice-no-match",
        f"{SPEC}: Choice State",
        "When no rule matches and there is no Default, the interpreter fails with "
        "States.NoChoiceMatched.",
        machine({"Type": "Choice", "Choices": [rule(IsNull=True)]}),
        "runtime",
        error="States.NoChoiceMatched",
        input={"a": 1},
    ),
    Rule(
        "choice-condition",
        "AWS: Choice state (JSONata)",
        "In JSONata a Choice Rule has Condition and Next (no Variable or operators).",
        jsonata(choice({"Next": "E"})),
        code="missing-field",
    ),
    # --- Wait, Succeed ----------------------------------------------------------------
    Rule(
        "wait-one-of",
        f"{SPEC}: Wait State",
        "A Wait state MUST contain exactly one of Seconds, SecondsPath, Timestamp, TimestampPath.",
        machine({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "Next": "E"}),
        code="conflicting-fields",
    ),
    Rule(
        "wait-needs-one",
        f"{SPEC}: Wait State",
        "… and MUST contain one of them.",
        machine({"Type": "Wait", "Next": "E"}),
        code="missing-field",
    ),
    Rule(
        "wait-seconds",
        f"{SPEC}: Wait State",
        "Seconds is a non-negative integer.",
        machine({"Type": "Wait", "Seconds": -1, "Next": "E"}),
        code="invalid-value",
    ),
    Rule(
        "wait-timestamp",
        f"{SPEC}: Wait State",
        "Timestamp is an RFC 3339 timestamp.",
        machine({"Type": "Wait", "Timestamp": "tomorrow", "Next": "E"}),
        code="invalid-timestamp",
    ),
    Rule(
        "wait-paths",
        f"{SPEC}: Wait State",
        "SecondsPath and TimestampPath are Reference Paths.",
        machine({"Type": "Wait", "SecondsPath": "$.s[*]", "Next": "E"}),
        code="invalid-reference-path",
    ),
    Rule(
        "wait-seconds-path-value",
        f"{SPEC}: Wait State",
        "SecondsPath MUST select a non-negative integer (else States.Runtime).",
        machine({"Type": "Wait", "SecondsPath": "$.s", "Next": "E"}),
        "runtime",
        error="States.Runtime",
        input={"s": "soon"},
    ),
    Rule(
        "succeed-terminal",
        f"{SPEC}: Succeed State",
        "A Succeed state is terminal: it has no Next field.",
        machine({"Type": "Succeed", "Next": "E"}),
        code="field-not-allowed",
    ),
    Rule(
        "result-selector-where",
        f"{SPEC}: Filters",
        "ResultSelector applies to states with a result: Task, Parallel and Map only.",
        alone({"Type": "Pass", "ResultSelector": {}, "End": True}),
        code="field-not-allowed",
    ),
    Rule(
        "assign-where",
        "AWS: variables",
        "Assign is accepted by Pass, Task, Map, Parallel, Choice and Wait, not by Succeed or Fail.",
        alone({"Type": "Fail", "Assign": {"a": 1}}),
        code="field-not-allowed",
    ),
    # --- Parallel ------------------------------------------------------------------------
    Rule(
        "parallel-branches",
        f"{SPEC}: Parallel State",
        "A Parallel state MUST have Branches, a non-empty array.",
        machine({"Type": "Parallel", "Branches": [], "Next": "E"}),
        code="invalid-value",
    ),
    Rule(
        "branch-fields",
        f"{SPEC}: Parallel State",
        "Each branch MUST have States and StartAt fields.",
        machine({"Type": "Parallel", "Branches": [{"States": BODY["States"]}], "Next": "E"}),
        code="missing-field",
    ),
    Rule(
        "branch-scope",
        f"{SPEC}: Parallel State",
        "A state in a branch MUST NOT transition to a state outside it (nor outside in).",
        machine(
            {
                "Type": "Parallel",
                "Branches": [{"StartAt": "I", "States": {"I": {"Type": "Pass", "Next": "E"}}}],
                "Next": "E",
            }
        ),
        code="transition-leaves-scope",
    ),
    # --- Map -----------------------------------------------------------------------------
    Rule(
        "map-processor",
        f"{SPEC}: Map State",
        "A Map state MUST have ItemProcessor (formerly Iterator) with States and StartAt.",
        machine({"Type": "Map", "Next": "E"}),
        code="missing-field",
    ),
    Rule(
        "map-processor-exclusive",
        "AWS: Map state",
        "ItemProcessor replaces Iterator: a Map has one of them.",
        machine(map_(Iterator=BODY)),
        code="conflicting-fields",
    ),
    Rule(
        "map-selector-exclusive",
        "AWS: Map state",
        "ItemSelector replaces Parameters: a Map has one of them.",
        machine(map_(ItemSelector={}, Parameters={})),
        code="conflicting-fields",
    ),
    Rule(
        "map-items-path",
        f"{SPEC}: Map State",
        "ItemsPath is a Reference Path.",
        machine(map_(ItemsPath="$.a[?(@.x)]")),
        code="invalid-reference-path",
    ),
    Rule(
        "map-items-array",
        f"{SPEC}: Map State",
        "ItemsPath MUST select an array (else States.Runtime).",
        machine(map_(ItemsPath="$.x")),
        "runtime",
        error="States.Runtime",
        input={"x": 5},
    ),
    Rule(
        "map-concurrency",
        f"{SPEC}: Map State",
        "MaxConcurrency MUST be a non-negative integer.",
        machine(map_(MaxConcurrency=-1)),
        code="invalid-value",
    ),
    Rule(
        "map-concurrency-exclusive",
        "AWS: Map state",
        "A Map has MaxConcurrency or MaxConcurrencyPath, not both.",
        machine(map_(MaxConcurrency=1, MaxConcurrencyPath="$.c")),
        code="conflicting-fields",
    ),
    Rule(
        "map-tolerated-percentage",
        "AWS: Distributed Map",
        "ToleratedFailurePercentage is a number from 0 to 100.",
        machine(dmap(ToleratedFailurePercentage=101)),
        code="invalid-value",
    ),
    Rule(
        "map-tolerated-count",
        "AWS: Distributed Map",
        "ToleratedFailureCount is a non-negative integer.",
        machine(dmap(ToleratedFailureCount=-1)),
        code="invalid-value",
    ),
    Rule(
        "map-tolerated-exclusive",
        "AWS: Distributed Map",
        "ToleratedFailureCount and ToleratedFailureCountPath exclude each other.",
        machine(dmap(ToleratedFailureCount=1, ToleratedFailureCountPath="$.c")),
        code="conflicting-fields",
    ),
    Rule(
        "map-tolerated-inline",
        "AWS: Distributed Map",
        "The tolerated-failure fields are documented for Distributed Maps.",
        machine(map_(ToleratedFailureCount=1)),
        "accepted",
        reason=f"AWS accepts them in INLINE mode: corpus {CORPUS_INLINE_TOLERATED}",
    ),
    Rule(
        "map-distributed-fields-inline",
        "AWS: Distributed Map",
        "ItemReader, ItemBatcher, ResultWriter and Label are documented for Distributed Maps.",
        machine(map_(Label="x")),
        "accepted",
        reason="no recording shows AWS rejecting them in INLINE mode (it accepts the "
        "tolerated-failure fields there), so a rule could reject definitions AWS accepts",
    ),
    Rule(
        "processor-mode",
        "AWS: Map state (ProcessorConfig)",
        "ProcessorConfig.Mode is INLINE or DISTRIBUTED.",
        machine(map_({"ProcessorConfig": {"Mode": "FAST"}, **BODY})),
        code="invalid-value",
    ),
    Rule(
        "processor-execution-type",
        "AWS: Map state (ProcessorConfig)",
        "A DISTRIBUTED Map MUST give ExecutionType, STANDARD or EXPRESS.",
        machine(map_({"ProcessorConfig": {"Mode": "DISTRIBUTED"}, **BODY})),
        code="missing-field",
    ),
    Rule(
        "map-label",
        "AWS: Distributed Map (Label)",
        "Label has 1 to 40 characters and no whitespace, brackets, wildcards, "
        "punctuation or control characters.",
        machine(dmap(Label="a b")),
        code="invalid-label",
    ),
    Rule(
        "reader-resource",
        "AWS: ItemReader (Map)",
        "ItemReader MUST give Resource, the S3 API action that reads the items.",
        machine(dmap(ItemReader={"Parameters": {"Bucket": "b"}})),
        code="missing-field",
    ),
    Rule(
        "reader-resource-known",
        "AWS: ItemReader (Map)",
        "The ItemReader Resource is an S3 action Step Functions supports.",
        machine(dmap(ItemReader={**READER, "Resource": LAMBDA})),
        code="invalid-resource",
    ),
    Rule(
        "reader-fields",
        "AWS: ItemReader (Map)",
        "ItemReader has Resource, Parameters (JSONata: Arguments) and ReaderConfig only.",
        machine(dmap(ItemReader={**READER, "MaxItems": 5})),
        code="field-not-allowed",
    ),
    Rule(
        "reader-input-type",
        "AWS: ItemReader (ReaderConfig)",
        "InputType is CSV, JSON, JSONL, MANIFEST or PARQUET.",
        machine(dmap(ItemReader={**READER, "ReaderConfig": {"InputType": "XML"}})),
        code="invalid-value",
    ),
    Rule(
        "reader-header-location",
        "AWS: ItemReader (ReaderConfig)",
        "CSVHeaderLocation is FIRST_ROW or GIVEN.",
        machine(
            dmap(
                ItemReader={
                    **READER,
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "TOP"},
                }
            )
        ),
        code="invalid-value",
    ),
    Rule(
        "reader-given-headers",
        "AWS: ItemReader (ReaderConfig)",
        "With CSVHeaderLocation GIVEN, CSVHeaders MUST list the column names.",
        machine(
            dmap(
                ItemReader={
                    **READER,
                    "ReaderConfig": {"InputType": "CSV", "CSVHeaderLocation": "GIVEN"},
                }
            )
        ),
        code="missing-field",
    ),
    Rule(
        "reader-max-items",
        "AWS: ItemReader (ReaderConfig)",
        "MaxItems is an integer up to 100,000,000.",
        machine(
            dmap(
                ItemReader={
                    **READER,
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 100_000_001},
                }
            )
        ),
        code="invalid-value",
    ),
    Rule(
        "reader-max-items-exclusive",
        "AWS: ItemReader (ReaderConfig)",
        "MaxItems and MaxItemsPath exclude each other.",
        machine(
            dmap(
                ItemReader={
                    **READER,
                    "ReaderConfig": {"InputType": "JSON", "MaxItems": 1, "MaxItemsPath": "$.n"},
                }
            )
        ),
        code="conflicting-fields",
    ),
    Rule(
        "reader-max-items-path",
        "AWS: ItemReader (ReaderConfig)",
        "MaxItemsPath is a Reference Path.",
        machine(
            dmap(
                ItemReader={
                    **READER,
                    "ReaderConfig": {"InputType": "JSON", "MaxItemsPath": "$.n[*]"},
                }
            )
        ),
        code="invalid-reference-path",
    ),
    Rule(
        "batcher-size",
        "AWS: ItemBatcher (Map)",
        "ItemBatcher MUST give the maximum items per batch, the maximum bytes, or both.",
        machine(dmap(ItemBatcher={"BatchInput": {}})),
        code="missing-field",
    ),
    Rule(
        "batcher-items",
        "AWS: ItemBatcher (Map)",
        "MaxItemsPerBatch is a positive integer.",
        machine(dmap(ItemBatcher={"MaxItemsPerBatch": 0})),
        code="invalid-value",
    ),
    Rule(
        "batcher-bytes",
        "AWS: ItemBatcher (Map)",
        "MaxInputBytesPerBatch is at most 256 KiB.",
        machine(dmap(ItemBatcher={"MaxInputBytesPerBatch": 262_145})),
        code="invalid-value",
    ),
    Rule(
        "batcher-exclusive",
        "AWS: ItemBatcher (Map)",
        "Each of MaxItemsPerBatch and MaxInputBytesPerBatch is given directly or by its "
        "Path form, not both.",
        machine(dmap(ItemBatcher={"MaxItemsPerBatch": 2, "MaxItemsPerBatchPath": "$.n"})),
        code="conflicting-fields",
    ),
    Rule(
        "batcher-fields",
        "AWS: ItemBatcher (Map)",
        "ItemBatcher has the batch limits and BatchInput only.",
        machine(dmap(ItemBatcher={"MaxItemsPerBatch": 2, "Items": 5})),
        code="field-not-allowed",
    ),
    Rule(
        "writer-resource",
        "AWS: ResultWriter (Map)",
        "ResultWriter's Resource is arn:aws:states:::s3:putObject.",
        machine(
            dmap(
                ResultWriter={
                    "Resource": "arn:aws:states:::s3:getObject",
                    "Parameters": {"Bucket": "b", "Prefix": "p"},
                }
            )
        ),
        code="invalid-resource",
    ),
    Rule(
        "writer-fields",
        "AWS: ResultWriter (Map)",
        "ResultWriter has Resource, Parameters (JSONata: Arguments) and WriterConfig only.",
        machine(
            dmap(
                ResultWriter={
                    "Resource": "arn:aws:states:::s3:putObject",
                    "Parameters": {"Bucket": "b"},
                    "Bucket": "b",
                }
            )
        ),
        code="field-not-allowed",
    ),
    # --- query languages, JSONata, variables ---------------------------------------------
    Rule(
        "query-language-values",
        "AWS: state machine structure",
        "QueryLanguage is JSONPath or JSONata.",
        alone({"Type": "Succeed"}, QueryLanguage="XPath"),
        code="invalid-value",
    ),
    Rule(
        "query-language-downgrade",
        "AWS: state machine structure",
        "A state cannot use JSONPath when the machine's QueryLanguage is JSONata.",
        jsonata(pass_(QueryLanguage="JSONPath")),
        code="query-language-downgrade",
    ),
    Rule(
        "jsonpath-fields-in-jsonata",
        "AWS: transforming data with JSONata",
        "JSONata states use Arguments and Output; InputPath, Parameters, ResultSelector, "
        "ResultPath and OutputPath are not allowed in them.",
        jsonata(pass_(InputPath="$.a")),
        code="jsonpath-only-field",
    ),
    Rule(
        "jsonata-fields-in-jsonpath",
        "AWS: transforming data with JSONata",
        "Arguments, Output, Items and Condition belong to JSONata states.",
        machine(pass_(Output={})),
        code="jsonata-only-field",
    ),
    Rule(
        "jsonata-parses",
        "AWS: transforming data with JSONata",
        "A {% %} string holds a valid JSONata expression.",
        jsonata(pass_(Output="{% $states.input. %}")),
        code="invalid-jsonata",
    ),
    Rule(
        "states-reserved",
        "AWS: variables ($states)",
        "$states is reserved: Assign MUST NOT assign a variable named states.",
        jsonata(pass_(Assign={"states": 1})),
        code="invalid-variable-name",
    ),
    Rule(
        "variable-names",
        "AWS: variables",
        "A variable name starts with a letter or _ and has at most 80 characters.",
        machine(pass_(Assign={"1st": 1})),
        code="invalid-variable-name",
    ),
    Rule(
        "states-result-where",
        "AWS: variables ($states)",
        "$states.result exists only where a state has a result (Task, Parallel, Map), "
        "$states.errorOutput only in a Catcher.",
        jsonata(pass_(Output="{% $states.result %}")),
        "runtime",
        error="States.QueryEvaluationError",
        input={},
    ),
)


def _codes(definition: Any, machine_type: StateMachineType = "STANDARD") -> set[str]:
    found = validate(definition, state_machine_type=machine_type)
    return {d.code for d in found if d.severity == "error"}


@pytest.mark.parametrize("spec", RULES, ids=[r.id for r in RULES])
def test_spec_sentence(spec: Rule) -> None:
    if spec.check == "rule":
        assert spec.code in CODES and CODES[spec.code].severity == "error"
        assert spec.code in _codes(spec.bad, spec.machine_type), spec.sentence
    elif spec.check == "parser":
        with pytest.raises(DefinitionError):
            validate(spec.bad)
    elif spec.check == "accepted":
        assert spec.reason
        assert not _codes(spec.bad), spec.sentence
    else:
        assert not _codes(spec.bad), "a runtime rule must not reject the definition"
        execution = run_asl(spec.bad, spec.input)
        assert (execution.status, execution.error) == ("FAILED", spec.error), spec.sentence


def test_ids_are_unique() -> None:
    assert len({r.id for r in RULES}) == len(RULES)


def render() -> str:
    """The Markdown table of docs/spec-rules.md."""
    counts = Counter(r.check for r in RULES)
    lines = [
        "# Spec rules: every MUST of the States Language and how orderflow enforces it",
        "",
        "Generated from `tests/validation/test_spec_rules.py` (`ORDERFLOW_REGEN_GOLDEN=1` "
        "rewrites it);",
        "each row is one test, run on a definition that breaks the sentence. Sentences are",
        "paraphrased from the [States Language specification](https://states-language.net/spec.html)",
        "(*ASL spec*) and AWS's Step Functions developer guide (*AWS*).",
        "",
        f"{len(RULES)} sentences: {counts['rule']} enforced by a validator rule, "
        f"{counts['runtime']} by the executor at run time (they constrain data, not the "
        f"definition), {counts['parser']} by the loader, and {counts['accepted']} "
        "deliberately accepted, with the evidence.",
        "",
        "| id | source | sentence | enforced by |",
        "|---|---|---|---|",
    ]
    for r in RULES:
        if r.check == "rule":
            how = f"rule `{r.code}`"
        elif r.check == "runtime":
            how = f"run time: `{r.error}`"
        elif r.check == "parser":
            how = "the loader (`DefinitionError`)"
        else:
            how = f"accepted: {r.reason}"
        sentence = r.sentence.replace("|", "\\|")
        lines.append(f"| `{r.id}` | {r.source} | {sentence} | {how} |")
    return "\n".join(lines) + "\n"


def test_doc_is_current() -> None:
    text = render()
    if REGENERATE:
        DOC.write_text(text, encoding="utf-8")
    assert DOC.read_text(encoding="utf-8") == text, "run with ORDERFLOW_REGEN_GOLDEN=1"
