"""A circuit breaker's DynamoDB table: deploy creates it from the workflow's integrations
(named ``{prefix}-…``, keyed as the definition's ``Key``), the state machine role may read
and update exactly it, destroy removes it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from orderflow.asl import Definition
from orderflow.deploy import Aws, StackNames, deploy, destroy
from orderflow.deploy._integration_tables import integration_tables
from orderflow.deploy._package import Packager
from orderflow.dsl import CircuitBreaker, Flow, Workflow, render
from orderflow.orders import GetUserInput, OrderRequest, get_user

pytestmark = pytest.mark.moto

BREAKER = CircuitBreaker("users", "shop-breakers", trips_on=["Boom"])


def build(flow: Flow[OrderRequest]) -> None:
    BREAKER.guard(
        flow,
        "UserBreaker",
        lambda f, catch: f.task("GetUser", get_user, catch=catch).call(
            GetUserInput, user_id=flow.input.user_id
        ),
        fallback=lambda f: f.fail("Unavailable"),
    )


def source(names: StackNames) -> Definition:
    return render(
        Workflow("order", OrderRequest, build),
        account=names.account,
        region=names.region,
        prefix=names.prefix,
    )


def quiet(_line: str) -> None:
    pass


def test_only_the_stacks_keyed_tables_are_found() -> None:
    definition = source(StackNames("shop", "123456789012", "us-east-1"))
    assert integration_tables([definition], "shop") == {"shop-breakers": "breaker"}
    assert integration_tables([definition], "other") == {}


def test_deploy_creates_the_breaker_table_and_grants_exactly_its_actions(
    aws: Aws, packager: Packager
) -> None:
    deploy(
        aws, prefix="shop", packager=packager, workflows=["order"], workflow=source, progress=quiet
    )
    client = aws.client("dynamodb")
    table = client.describe_table(TableName="shop-breakers")["Table"]
    assert table["KeySchema"] == [{"AttributeName": "breaker", "KeyType": "HASH"}]
    tags = {
        t["Key"]: t["Value"]
        for t in client.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    }
    assert tags["prefix"] == "shop"
    document: Any = aws.client("iam").get_role_policy(
        RoleName="shop-order-states", PolicyName="orderflow"
    )["PolicyDocument"]
    if isinstance(document, str):
        document = json.loads(document)
    granted = {
        (action, resource)
        for s in document["Statement"]
        for action in s["Action"]
        if action.startswith("dynamodb:")
        for resource in s["Resource"]
    }
    assert granted == {
        ("dynamodb:GetItem", table["TableArn"]),
        ("dynamodb:UpdateItem", table["TableArn"]),
    }
    deleted = destroy(aws, prefix="shop", progress=quiet)
    assert "DynamoDB table shop-breakers" in deleted
    assert "shop-breakers" not in client.list_tables()["TableNames"]
