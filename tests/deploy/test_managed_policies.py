"""A managed policy attached by hand to a stack role is drift: the dry run shows it,
deploy detaches it, and destroy detaches it before deleting the role (IAM refuses to
delete a role with attached policies)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from orderflow.deploy import Aws, deploy, destroy
from orderflow.deploy._package import Packager
from orderflow.deploy._plan import Action

from .conftest import REGION, MotoServer

pytestmark = pytest.mark.moto

_DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


def _iam(moto: MotoServer) -> Any:
    return boto3.client("iam", region_name=REGION, endpoint_url=moto.url)


def _attach(moto: MotoServer, role: str) -> str:
    iam = _iam(moto)
    arn = str(
        iam.create_policy(PolicyName=f"by-hand-{role}", PolicyDocument=json.dumps(_DOCUMENT))[
            "Policy"
        ]["Arn"]
    )
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    return arn


def _attached(moto: MotoServer, role: str) -> list[str]:
    policies = _iam(moto).list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    return [p["PolicyArn"] for p in policies]


def test_dry_run_shows_an_attached_policy_and_deploy_detaches_it(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    arn = _attach(moto, "shop-order-states")
    plan = deploy(aws, prefix="shop", packager=packager, dry_run=True)
    (change,) = [c for c in plan.changes if c.action is Action.UPDATE]
    assert (change.kind, change.name) == ("IAM role", "shop-order-states")
    assert change.diff == (f'- ManagedPolicies[0]: "{arn}"',)

    lines: list[str] = []
    deploy(aws, prefix="shop", packager=packager, progress=lines.append)
    assert "updated IAM role shop-order-states (ManagedPolicies)" in lines
    assert _attached(moto, "shop-order-states") == []
    assert deploy(aws, prefix="shop", packager=packager, dry_run=True).up_to_date


def test_destroy_detaches_managed_policies_before_deleting_the_role(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    arn = _attach(moto, "shop-order-events")
    lines: list[str] = []
    destroy(aws, prefix="shop", progress=lines.append)
    assert "deleted IAM role shop-order-events" in lines
    roles = [r["RoleName"] for r in _iam(moto).list_roles(PathPrefix="/orderflow/shop/")["Roles"]]
    assert roles == []
    # Only the attachment goes: the policy itself is not the stack's.
    assert _iam(moto).get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0
