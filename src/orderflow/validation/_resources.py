"""Task resources: well-formed ARNs that Step Functions recognises, and EXPRESS limits.

Three shapes are accepted, as AWS accepts them:

* a Lambda function ARN (``arn:aws:lambda:us-east-1:123456789012:function:name[:alias]``),
* an activity ARN (``arn:aws:states:us-east-1:123456789012:activity:name``),
* an integration, ``arn:aws:states:::service:action`` with an optional ``.sync``
  (``.sync:2``) or ``.waitForTaskToken`` suffix: either an *optimized* integration from the
  table below or ``aws-sdk:<service>:<apiAction>``.

An unknown optimized action (``dynamodb:query``) is what AWS rejects as "not recognized":
such calls go through ``aws-sdk:dynamodb:query`` instead.
"""

from __future__ import annotations

import re
from typing import Any

from orderflow.validation._diagnostic import Collector, pointer_join
from orderflow.validation._walk import StateRef

SYNC = "sync"
TOKEN = "token"
_S = frozenset({SYNC})
_T = frozenset({TOKEN})
_ST = frozenset({SYNC, TOKEN})
_NONE: frozenset[str] = frozenset()

# service -> action -> the patterns it supports besides request-response
OPTIMIZED: dict[str, dict[str, frozenset[str]]] = {
    "apigateway": {"invoke": _T},
    "athena": {
        "startQueryExecution": _S,
        "stopQueryExecution": _NONE,
        "getQueryExecution": _NONE,
        "getQueryResults": _NONE,
    },
    "batch": {"submitJob": _S},
    "bedrock": {"invokeModel": _ST, "createModelCustomizationJob": _ST},
    "codebuild": {
        "startBuild": _S,
        "stopBuild": _NONE,
        "batchDeleteBuilds": _NONE,
        "batchGetReports": _NONE,
        "startBuildBatch": _S,
        "stopBuildBatch": _NONE,
        "retryBuildBatch": _S,
        "retryBuild": _S,
        "deleteBuildBatch": _NONE,
    },
    "databrew": {"startJobRun": _S},
    "dynamodb": {"getItem": _NONE, "putItem": _NONE, "updateItem": _NONE, "deleteItem": _NONE},
    "ecs": {"runTask": _ST},
    "eks": {
        "createCluster": _S,
        "deleteCluster": _S,
        "createFargateProfile": _S,
        "deleteFargateProfile": _S,
        "createNodegroup": _S,
        "deleteNodegroup": _S,
        "runJob": _S,
        "call": _NONE,
    },
    "elasticmapreduce": {
        "createCluster": _S,
        "terminateCluster": _S,
        "addStep": _S,
        "cancelStep": _NONE,
        "setClusterTerminationProtection": _NONE,
        "modifyInstanceFleetByName": _NONE,
        "modifyInstanceGroupByName": _NONE,
    },
    "emr-containers": {
        "startJobRun": _S,
        "createVirtualCluster": _NONE,
        "deleteVirtualCluster": _S,
    },
    "emr-serverless": {
        "createApplication": _S,
        "startApplication": _S,
        "stopApplication": _S,
        "deleteApplication": _S,
        "startJobRun": _S,
        "cancelJobRun": _S,
    },
    "events": {"putEvents": _T},
    "glue": {"startJobRun": _ST},
    "http": {"invoke": _NONE},
    "lambda": {"invoke": _T},
    "mediaconvert": {"createJob": _S},
    "sagemaker": {
        "createEndpoint": _NONE,
        "createEndpointConfig": _NONE,
        "createHyperParameterTuningJob": _S,
        "createLabelingJob": _S,
        "createModel": _NONE,
        "createProcessingJob": _S,
        "createTrainingJob": _S,
        "createTransformJob": _S,
        "updateEndpoint": _NONE,
    },
    "sns": {"publish": _T},
    "sqs": {"sendMessage": _T},
    "states": {"startExecution": _ST},
}

# Distributed Map reads items from and writes results to S3 through these actions only.
_MAP_RESOURCES = {
    "ItemReader": ("s3:getObject", "s3:listObjectsV2"),
    "ResultWriter": ("s3:putObject",),
}

_PARTITION = r"aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d"
_ACCOUNT = r"\d{12}"
# The shape AWS requires; region and account are checked separately, as a warning: AWS's
# TestState accepts "arn:aws:lambda:your-region:your-account-id:function:f".
_LAMBDA = re.compile(
    rf"arn:{_PARTITION}:lambda:(?P<region>[^:]+):(?P<account>[^:]*):function:[A-Za-z0-9_-]{{1,140}}"
    r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?\Z"
)
_ACTIVITY = re.compile(
    rf"arn:{_PARTITION}:states:(?P<region>[^:]+):(?P<account>[^:]*):activity:[^\s:]{{1,80}}\Z"
)
_REAL_REGION = re.compile(rf"{_REGION}\Z")
_REAL_ACCOUNT = re.compile(rf"{_ACCOUNT}\Z")
_INTEGRATION = re.compile(
    rf"arn:{_PARTITION}:states:::(?P<service>[a-z0-9-]+):(?P<action>[A-Za-z0-9_:-]+?)"
    r"(?P<suffix>\.sync(?::2)?|\.waitForTaskToken)?\Z"
)
_SDK_ACTION = re.compile(r"(?P<service>[a-z0-9-]+):(?P<action>[a-z][A-Za-z0-9]*)\Z")


def check_resource(ref: StateRef, machine_type: str, out: Collector) -> None:
    """The Task's Resource, and Map ItemReader/ResultWriter resources."""
    if ref.type == "Task" and isinstance(ref.state.get("Resource"), str):
        _check_arn(ref, ref.state["Resource"], ref.at("Resource"), "Resource", machine_type, out)
    if ref.type == "Map":
        for key, allowed in _MAP_RESOURCES.items():
            body: Any = ref.state.get(key)
            if isinstance(body, dict) and isinstance(body.get("Resource"), str):
                arn = body["Resource"]
                match = _INTEGRATION.match(arn)
                if (
                    match is None
                    or f"{match.group('service')}:{match.group('action')}" not in allowed
                ):
                    out.report(
                        "invalid-resource",
                        pointer_join(ref.pointer, key, "Resource"),
                        f"the {key} resource {arn!r} is not recognized; use one of "
                        + ", ".join(f"arn:aws:states:::{a}" for a in allowed),
                        state=ref.name,
                        field=f"{key}.Resource",
                    )


def _check_arn(
    ref: StateRef, arn: str, pointer: str, field: str, machine_type: str, out: Collector
) -> None:
    resource = _LAMBDA.match(arn) or _ACTIVITY.match(arn)
    if resource is not None and resource.re is _ACTIVITY and machine_type == "EXPRESS":
        # AWS, "Choosing workflow type in Step Functions": Express workflows do not
        # support activities (a worker polling GetActivityTask is a wait for a callback).
        out.report(
            "express-activity",
            pointer,
            f"an EXPRESS state machine does not support activities ({arn!r}); call the "
            "worker through a request-response integration (Lambda, SQS, HTTP) or make "
            "the machine STANDARD",
            state=ref.name,
            field=field,
        )
    if resource is not None:
        region, account = resource.group("region"), resource.group("account")
        if not _REAL_REGION.match(region) or not _REAL_ACCOUNT.match(account):
            out.report(
                "placeholder-arn",
                pointer,
                f"the resource {arn!r} has region {region!r} and account {account!r}; a real "
                "ARN has a region such as us-east-1 and a 12-digit account — is this a "
                "placeholder left in?",
                state=ref.name,
                field=field,
            )
        return
    match = _INTEGRATION.match(arn)
    problem = _integration_problem(match) if match else _shape_problem(arn)
    if problem is not None:
        out.report(
            "invalid-resource",
            pointer,
            f"the resource {arn!r} is not recognized: {problem}",
            state=ref.name,
            field=field,
        )
        return
    assert match is not None
    suffix = match.group("suffix")
    if suffix and machine_type == "EXPRESS":
        pattern = ".sync" if suffix.startswith(".sync") else ".waitForTaskToken"
        out.report(
            "express-unsupported-integration",
            pointer,
            f"an EXPRESS state machine does not support the {pattern!r} integration pattern; "
            "drop the suffix (request-response) or make the machine STANDARD",
            state=ref.name,
            field=field,
        )


def _integration_problem(match: re.Match[str]) -> str | None:
    service, action, suffix = match.group("service"), match.group("action"), match.group("suffix")
    if service == "aws-sdk":
        if _SDK_ACTION.match(action) is None:
            return (
                "an AWS SDK integration is arn:aws:states:::aws-sdk:<service>:<apiAction>, "
                "e.g. aws-sdk:s3:getObject"
            )
        if suffix and suffix.startswith(".sync"):
            return (
                "AWS SDK integrations do not support .sync; use the optimized integration or poll"
            )
        return None
    actions = OPTIMIZED.get(service)
    if actions is None:
        return (
            f"{service!r} is not an optimized integration; call its API through "
            f"arn:aws:states:::aws-sdk:{service}:<apiAction>"
        )
    patterns = actions.get(action)
    if patterns is None:
        return (
            f"{service}:{action} is not an optimized integration (supported: "
            f"{', '.join(sorted(actions))}); use arn:aws:states:::aws-sdk:{service}:{action}"
        )
    if suffix == ".sync:2" and service != "states":
        return ".sync:2 exists only for states:startExecution"
    if suffix and suffix.startswith(".sync") and SYNC not in patterns:
        return f"{service}:{action} does not support the .sync (run a job) pattern"
    if suffix == ".waitForTaskToken" and TOKEN not in patterns:
        return f"{service}:{action} does not support the .waitForTaskToken (callback) pattern"
    return None


def _shape_problem(arn: str) -> str:
    if arn.startswith("arn:") and ":lambda:" in arn:
        return (
            "a Lambda function ARN is arn:aws:lambda:<region>:<account>:function:<name>"
            "[:<alias or version>], the name made of letters, digits, '-' and '_'"
        )
    if arn.startswith("arn:") and ":activity:" in arn:
        return "an activity ARN is arn:aws:states:<region>:<account>:activity:<name>"
    return (
        "use a Lambda function ARN, an activity ARN, or an integration such as "
        "arn:aws:states:::lambda:invoke"
    )


__all__ = ["OPTIMIZED", "check_resource"]
