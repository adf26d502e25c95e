"""Distributed Map in the DSL: S3 readers, batching, result writer, tolerated failures,
execution type; run locally against the S3 fake; IAM grants exact."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import WorkflowBuildError
from orderflow.deploy import StackNames, integration_statements
from orderflow.dsl import (
    Flow,
    S3Csv,
    S3Json,
    S3Manifest,
    S3Objects,
    S3Results,
    Workflow,
    render,
)
from orderflow.testing import LocalAws, run_asl

NAMES = StackNames("shop", "111122223333", "eu-west-1", workflow="orders")


class Job(BaseModel):
    tag: str


class Line(BaseModel):
    sku: str
    qty: int


class Row(BaseModel):
    sku: str
    qty: str


class Tagged(BaseModel):
    sku: str
    tag: str


def definition_of(build: Any) -> Any:
    return render(Workflow("t", Job, build), account=NAMES.account, region=NAMES.region)


def test_json_items_from_s3_with_outer_values_tolerance_and_concurrency() -> None:
    def build(flow: Flow[Job]) -> None:
        flow.distributed_map(
            "Each",
            S3Json("in", "lines.json", Line),
            lambda f, line: f.pass_("Tag").call(Tagged, sku=line.sku, tag=flow.input.tag),
            max_concurrency=5,
            tolerated_failure_count=1,
            tolerated_failure_percentage=10,
            execution_type="EXPRESS",
            label="lines",
        )

    definition = definition_of(build)
    each = definition.states["Each"]
    assert each["ItemReader"] == {
        "Resource": "arn:aws:states:::s3:getObject",
        "ReaderConfig": {"InputType": "JSON"},
        "Parameters": {"Bucket": "in", "Key": "lines.json"},
    }
    assert each["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "outer_tag.$": "$.tag"}
    assert "ItemsPath" not in each
    assert each["ItemProcessor"]["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "EXPRESS",
    }
    assert (each["ToleratedFailureCount"], each["ToleratedFailurePercentage"]) == (1, 10)
    assert (each["MaxConcurrency"], each["Label"]) == (5, "lines")
    aws = LocalAws()
    aws.put_object("in", "lines.json", [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}])
    run = run_asl(definition, {"tag": "t"}, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["each"] == [{"sku": "a", "tag": "t"}, {"sku": "b", "tag": "t"}]
    assert integration_statements(NAMES, definition) == [
        {
            "Sid": "S3GetObject",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": ["arn:aws:s3:::in/lines.json"],
        },
        {
            "Sid": "StatesDescribeExecutionStatesStopExecution",
            "Effect": "Allow",
            "Action": ["states:DescribeExecution", "states:StopExecution"],
            "Resource": ["arn:aws:states:eu-west-1:111122223333:execution:shop-orders/*"],
        },
        {
            "Sid": "StatesStartExecution",
            "Effect": "Allow",
            "Action": ["states:StartExecution"],
            "Resource": ["arn:aws:states:eu-west-1:111122223333:stateMachine:shop-orders"],
        },
    ]


def test_csv_rows_in_batches_with_results_written_to_s3() -> None:
    def build(flow: Flow[Job]) -> None:
        run = flow.distributed_map(
            "Batches",
            S3Csv("in", "rows.csv", Row),
            lambda f, rows: f.pass_("Count").call(Job, tag=flow.input.tag),
            batch=2,
            writer=S3Results("out", "runs"),
        )
        flow.pass_("Where").call(Job, tag=run.ResultWriterDetails.Key)

    definition = definition_of(build)
    state = definition.states["Batches"]
    assert state["ItemBatcher"] == {"MaxItemsPerBatch": 2, "BatchInput": {"outer_tag.$": "$.tag"}}
    assert "ItemSelector" not in state
    assert state["ItemReader"]["ReaderConfig"] == {
        "CSVHeaderLocation": "FIRST_ROW",
        "InputType": "CSV",
    }
    assert state["ResultWriter"] == {
        "Resource": "arn:aws:states:::s3:putObject",
        "Parameters": {"Bucket": "out", "Prefix": "runs"},
    }
    body = state["ItemProcessor"]["States"]["Count"]
    assert body["Parameters"] == {"tag.$": "$.BatchInput.outer_tag"}
    aws = LocalAws()
    aws.put_object("in", "rows.csv", "sku,qty\na,1\nb,2\nc,3\n")
    run = run_asl(definition, {"tag": "t"}, aws=aws)
    assert run.succeeded, run.cause
    manifest = run.output["where"]["tag"]
    assert manifest.startswith("runs/") and manifest.endswith("/manifest.json")
    stored = json.loads(aws.objects["out"][manifest.replace("manifest.json", "SUCCEEDED_0.json")])
    assert len(stored) == 2  # three rows in batches of two
    grants = {s["Sid"]: s["Resource"] for s in integration_statements(NAMES, definition)}
    assert grants == {
        "S3AbortMultipartUploadS3ListMultipartUploadPartsS3PutObject": ["arn:aws:s3:::out/runs/*"],
        "S3GetObject": ["arn:aws:s3:::in/rows.csv", "arn:aws:s3:::out/runs/*"],
        "StatesDescribeExecutionStatesStopExecution": [
            "arn:aws:states:eu-west-1:111122223333:execution:shop-orders/*"
        ],
        "StatesStartExecution": ["arn:aws:states:eu-west-1:111122223333:stateMachine:shop-orders"],
    }


def test_manifest_and_listing_readers() -> None:
    def build(flow: Flow[Job]) -> None:
        flow.distributed_map(
            "Listed", S3Objects("in", "data/"), lambda f, o: f.pass_("K").call(Job, tag=o.Key)
        )
        flow.distributed_map(
            "Inventoried",
            S3Manifest("inv", "manifest.json"),
            lambda f, o: f.pass_("B").call(Job, tag=o.Key),
        )

    definition = definition_of(build)
    aws = LocalAws()
    aws.put_object("in", "data/1.json", "{}")
    aws.put_object("in", "data/2.json", "{}")
    aws.put_object("in", "other.json", "{}")
    aws.put_object(
        "inv",
        "manifest.json",
        {
            "sourceBucket": "in",
            "destinationBucket": "arn:aws:s3:::inv",
            "fileFormat": "CSV",
            "fileSchema": "Bucket, Key",
            "files": [{"key": "data/part-0.csv"}],
        },
    )
    aws.put_object("inv", "data/part-0.csv", "in,x.json\nin,y.json\n")
    run = run_asl(definition, {"tag": "t"}, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["listed"] == [{"tag": "data/1.json"}, {"tag": "data/2.json"}]
    assert run.output["inventoried"] == [{"tag": "x.json"}, {"tag": "y.json"}]
    actions = {a for s in integration_statements(NAMES, definition) for a in s["Action"]}
    assert {"s3:ListBucket", "s3:GetObject"} <= actions


def test_failures_beyond_the_tolerance_fail_the_map() -> None:
    def build(flow: Flow[Job]) -> None:
        def body(f: Flow[Job], line: Line) -> Job:
            f.fail("Boom", error="Bad", cause="no")
            return f.input

        flow.distributed_map("Each", S3Json("in", "l.json", Line), body, tolerated_failure_count=1)

    aws = LocalAws()
    aws.put_object("in", "l.json", [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}])
    run = run_asl(definition_of(build), {"tag": "t"}, aws=aws)
    assert run.error == "States.ExceedToleratedFailureThreshold"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch": 0}, "MaxItemsPerBatch"),
        ({"tolerated_failure_percentage": 101}, "ToleratedFailurePercentage"),
        ({"execution_type": "FAST"}, "ExecutionType"),
    ],
)
def test_bad_settings_are_build_errors(kwargs: dict[str, Any], field: str) -> None:
    def build(flow: Flow[Job]) -> None:
        flow.distributed_map(
            "Each",
            S3Json("in", "l.json", Line),
            lambda f, x: f.pass_("P").call(Job, tag="x"),
            **kwargs,
        )

    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Job, build))
    assert (info.value.state, info.value.field) == ("Each", field)


def test_csv_item_models_hold_strings_only() -> None:
    def build(flow: Flow[Job]) -> None:
        flow.distributed_map(
            "Each", S3Csv("in", "l.csv", Line), lambda f, x: f.pass_("P").call(Job, tag=x.sku)
        )

    with pytest.raises(WorkflowBuildError) as info:
        render(Workflow("t", Job, build))
    assert (info.value.state, info.value.field) == ("Each", "qty")


def test_items_can_come_from_local_files(tmp_path: Any) -> None:
    (tmp_path / "batch").mkdir()
    (tmp_path / "batch" / "lines.json").write_text(json.dumps([{"sku": "a", "qty": 1}]))
    (tmp_path / "batch" / "more.json").write_text("[]")

    def build(flow: Flow[Job]) -> None:
        flow.distributed_map(
            "Each",
            S3Json("fixtures", "batch/lines.json", Line),
            lambda f, line: f.pass_("Tag").call(Tagged, sku=line.sku, tag=flow.input.tag),
        )
        flow.distributed_map(
            "Files", S3Objects("fixtures", "batch/"), lambda f, o: f.pass_("K").call(Job, tag=o.Key)
        )

    aws = LocalAws()
    aws.mount_bucket("fixtures", tmp_path)
    run = run_asl(definition_of(build), {"tag": "t"}, aws=aws)
    assert run.succeeded, run.cause
    assert run.output["each"] == [{"sku": "a", "tag": "t"}]
    assert run.output["files"] == [{"tag": "batch/lines.json"}, {"tag": "batch/more.json"}]
    missing = run_asl(
        definition_of(
            lambda flow: flow.distributed_map(
                "Each",
                S3Json("fixtures", "nope.json", Line),
                lambda f, x: f.pass_("P").call(Job, tag="x"),
            )
        ),
        {"tag": "t"},
        aws=aws,
    )
    assert missing.error == "States.ItemReaderFailed"
