"""The order app's EXPRESS inventory workflow and notification archive, deployed to moto.

Deploy creates the ``archive`` bucket (tagged, private), grants ``send-notification``'s role
``s3:PutObject`` on exactly ``arn:aws:s3:::{bucket}/notifications/*`` and nothing else in
S3, creates the inventory machine as EXPRESS with its own rule; the dry run lists the
bucket; destroy empties and removes it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orderflow.deploy import Aws, Packager, deploy, destroy
from orderflow.deploy._s3 import PUBLIC_ACCESS_BLOCK
from orderflow.deploy._tags import from_key_value

from ._helpers import deploy_args, run_cli
from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto


def _quiet(line: str) -> None:
    del line


def _inline_policy(aws: Aws, role: str) -> dict[str, object]:
    iam = aws.client("iam")
    document = iam.get_role_policy(RoleName=role, PolicyName="orderflow")["PolicyDocument"]
    return json.loads(document) if isinstance(document, str) else dict(document)


def test_deploy_creates_the_archive_bucket_grant_and_express_machine(
    aws: Aws, packager: Packager
) -> None:
    planned = deploy(aws, prefix="shop", packager=packager, dry_run=True, progress=_quiet)
    assert "create S3 bucket shop-archive" in planned.render()

    deploy(aws, prefix="shop", packager=packager, progress=_quiet)
    s3 = aws.client("s3")
    s3.head_bucket(Bucket="shop-archive")
    tags = from_key_value(s3.get_bucket_tagging(Bucket="shop-archive")["TagSet"])
    assert tags["project"] == "orderflow" and tags["prefix"] == "shop"
    block = s3.get_public_access_block(Bucket="shop-archive")["PublicAccessBlockConfiguration"]
    assert block == PUBLIC_ACCESS_BLOCK

    role = next(
        r["RoleName"]
        for r in aws.client("iam").list_roles(PathPrefix="/orderflow/shop/")["Roles"]
        if "send-notification" in r["RoleName"]
    )
    statements = _inline_policy(aws, role)["Statement"]
    assert isinstance(statements, list)
    s3_statements = [s for s in statements if any(a.startswith("s3:") for a in s["Action"])]
    assert s3_statements == [
        {
            "Sid": "OwnArchivePrefixes",
            "Effect": "Allow",
            "Action": ["s3:PutObject"],
            "Resource": ["arn:aws:s3:::shop-archive/notifications/*"],
        }
    ]
    # No other service may touch the bucket.
    for other in aws.client("iam").list_roles(PathPrefix="/orderflow/shop/")["Roles"]:
        if other["RoleName"] == role or "lambda" not in json.dumps(
            other["AssumeRolePolicyDocument"]
        ):
            continue
        assert "s3:" not in json.dumps(_inline_policy(aws, other["RoleName"]))

    function = aws.client("lambda").get_function_configuration(
        FunctionName="shop-send-notification"
    )
    assert json.loads(function["Environment"]["Variables"]["ORDERFLOW_BUCKETS"]) == {
        "archive": "shop-archive"
    }

    sfn = aws.client("stepfunctions")
    machines = {m["name"]: m for m in sfn.list_state_machines()["stateMachines"]}
    assert machines["shop-inventory"]["type"] == "EXPRESS"
    assert machines["shop-order"]["type"] == "STANDARD"
    rules = {r["Name"]: r for r in aws.client("events").list_rules(NamePrefix="shop-")["Rules"]}
    pattern = json.loads(rules["shop-inventory-inventory-adjusted"]["EventPattern"])
    assert pattern == {"source": ["orderflow.inventory"], "detail-type": ["Inventory Adjusted"]}
    (target,) = aws.client("events").list_targets_by_rule(Rule="shop-inventory-inventory-adjusted")[
        "Targets"
    ]
    assert target["Arn"] == machines["shop-inventory"]["stateMachineArn"]

    again = deploy(aws, prefix="shop", packager=packager, progress=_quiet)
    assert again.up_to_date, again.render()

    # Destroy empties the bucket first: S3 refuses to delete a bucket holding objects.
    s3.put_object(Bucket="shop-archive", Key="notifications/ntf-1.json", Body=b"{}")
    lines: list[str] = []
    deleted = destroy(aws, prefix="shop", progress=lines.append)
    assert "S3 bucket shop-archive" in deleted
    assert "shop-archive" not in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert destroy(aws, prefix="shop", progress=_quiet) == []


def test_destroy_leaves_a_bucket_that_is_not_ours(aws: Aws) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="shop-handmade")
    lines: list[str] = []
    destroy(aws, prefix="shop", progress=lines.append)
    assert "shop-handmade" in {b["Name"] for b in s3.list_buckets()["Buckets"]}
    assert any("left alone S3 bucket shop-handmade" in line for line in lines)


def test_start_execution_sync_against_moto(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """moto's server implements StartSyncExecution only for EXPRESS machines, and (with its
    interpreter off) answers without running the definition; what is tested here is the
    call orderflow makes and how it prints the answer. ``orderflow serve`` runs it for real
    (tests/serve/test_start_sync.py)."""
    assert run_cli(capsys, *deploy_args(moto, wheel_dir)).code == 0
    common = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    started = run_cli(
        capsys, "start-execution", *common, "--workflow", "inventory", "--sync", "--input", "{}"
    )
    assert ("states", "StartSyncExecution") in moto.operations
    if started.code == 0:
        summary = json.loads(started.out)
        assert summary["status"] == "SUCCEEDED"
        assert ":express:shop-inventory:" in summary["arn"]
    else:  # a moto without StartSyncExecution: a clear error naming the call, no traceback
        assert "states:StartSyncExecution" in started.err
        assert "Traceback" not in started.err
    both = run_cli(capsys, "start-execution", *common, "--sync", "--wait")
    assert both.code == 2 and "--sync already waits" in both.err
