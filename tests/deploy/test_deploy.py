"""``orderflow deploy`` against moto's real HTTP server: every resource, idempotence,
targeted updates, exact policies, and failures that name the resource."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest

import orderflow
from orderflow._errors import DeployError, InvalidDefinition
from orderflow.asl import Definition
from orderflow.deploy import Aws, StackConfig, deploy
from orderflow.deploy._iam import (
    DEPLOYER_ACTIONS,
    LAMBDA_TABLE_ACTIONS,
    WILDCARD_ACTIONS,
    events_policy,
    events_trust_policy,
    lambda_policy,
    lambda_trust_policy,
    states_policy,
    states_trust_policy,
    wildcard_actions,
)
from orderflow.deploy._lambda import code_sha256
from orderflow.deploy._names import StackNames
from orderflow.deploy._package import Packager
from orderflow.deploy._plan import Action
from orderflow.deploy._s3 import DEPLOYER_S3_ACTIONS
from orderflow.dsl import functions, render
from orderflow.orders import TABLES
from orderflow.orders.app import app
from orderflow.orders.workflow import order_workflow
from orderflow.runtime import LAMBDA_HANDLER, service_location

from ._helpers import deploy_args, integration_table_count, run_cli, without_approval
from .conftest import ACCOUNT, REGION, FakeDependencies, MotoServer

pytestmark = pytest.mark.moto

NAMES = StackNames("shop", ACCOUNT, REGION).for_workflow("order")
# Every service of the app gets a function (compensations too), every table a table.
WORKFLOW_SERVICES = list(app.services)


def _monitoring() -> int:
    """The monitoring resources deploy makes: the alarm topic, a failure-rate alarm per
    workflow and a backlog alarm per Standard one, a throttle alarm per service, the
    dashboard."""
    workflows = app.workflows.values()
    alarms = sum(2 if workflow.type == "STANDARD" else 1 for workflow in workflows)
    return 1 + alarms + len(WORKFLOW_SERVICES) + 1


WORKFLOW_TABLES = sorted(app.tables)
INVOKED = [service.name for service in functions(order_workflow)]


def client(moto: MotoServer, service: str) -> Any:
    """A boto3 client for inspecting the server (not one orderflow built)."""
    return boto3.client(service, region_name=REGION, endpoint_url=moto.url)


def quiet(line: str) -> None:
    del line


def test_deploy_creates_every_resource(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *deploy_args(moto, wheel_dir))
    assert result.code == 0, result.err
    assert "created" in result.out
    progress = [line for line in result.err.splitlines() if line.startswith("created ")]
    # One line per resource: tables, the bucket, the topics, a role and a function per service, and
    # per workflow its log group, the machine's role, the machine, the EventBridge role
    # and the rule; then monitoring: the alarm topic, a failure-rate alarm per workflow
    # and a backlog alarm per Standard one, a throttle alarm per service, the dashboard.
    assert len(progress) == (
        len(WORKFLOW_TABLES)
        + integration_table_count(app)
        + len(app.buckets)
        + len(app.topics)
        + 2 * len(WORKFLOW_SERVICES)
        + 5 * len(app.workflows)
        + _monitoring()
    )
    assert "Traceback" not in result.err

    lam = client(moto, "lambda")
    for name in WORKFLOW_SERVICES:
        config = lam.get_function(FunctionName=f"shop-{name}")["Configuration"]
        assert config["Runtime"] == "python3.12"
        assert config["Handler"] == LAMBDA_HANDLER
        assert config["Role"] == NAMES.role_arn(f"shop-{name}-lambda")
        service = app.services[name]
        assert config["Environment"]["Variables"] == {
            "ORDERFLOW_SERVICE": name,
            "ORDERFLOW_SERVICE_LOCATION": service_location(service),
            "ORDERFLOW_TABLES": json.dumps(
                {t: TABLES[t] for t in sorted(service.tables)}, separators=(",", ":")
            ),
            "ORDERFLOW_STORAGE": "dynamodb",
            "ORDERFLOW_TABLE_PREFIX": "shop",
            # Only a service declaring business metrics is told where they go.
            **({"ORDERFLOW_METRICS_NAMESPACE": "orderflow/shop"} if service.metrics else {}),
            **(
                {
                    "ORDERFLOW_BUCKETS": json.dumps(
                        {"archive": "shop-archive"}, separators=(",", ":")
                    )
                }
                if service.archives
                else {}
            ),
        }
        assert config["Timeout"] == 30 and config["MemorySize"] == 256
    assert len(lam.list_functions()["Functions"]) == len(WORKFLOW_SERVICES)

    ddb = client(moto, "dynamodb")
    # The services' tables, and the payment breaker's (keyed by the breaker's name).
    assert sorted(ddb.list_tables()["TableNames"]) == sorted(
        [f"shop-{t}" for t in WORKFLOW_TABLES] + ["shop-breakers"]
    )
    breakers = ddb.describe_table(TableName="shop-breakers")["Table"]
    assert breakers["KeySchema"] == [{"AttributeName": "breaker", "KeyType": "HASH"}]
    for table in WORKFLOW_TABLES:
        described = ddb.describe_table(TableName=f"shop-{table}")["Table"]
        # Keyed by exactly the attribute the storage layer queries.
        assert described["KeySchema"] == [{"AttributeName": TABLES[table], "KeyType": "HASH"}]

    sfn = client(moto, "stepfunctions")
    machine = sfn.describe_state_machine(stateMachineArn=NAMES.state_machine_arn)
    assert machine["roleArn"] == NAMES.role_arn("shop-order-states")
    assert machine["type"] == "STANDARD"
    assert machine["loggingConfiguration"]["destinations"] == [
        {"cloudWatchLogsLogGroup": {"logGroupArn": NAMES.log_group_arn}}
    ]

    events = client(moto, "events")
    rule = events.describe_rule(Name="shop-order-order-submitted")
    assert json.loads(rule["EventPattern"]) == {
        "source": ["microservices.orders"],
        "detail-type": ["Order Submitted"],
    }
    (target,) = events.list_targets_by_rule(Rule="shop-order-order-submitted")["Targets"]
    assert target["Arn"] == NAMES.state_machine_arn
    assert target["RoleArn"] == NAMES.role_arn("shop-order-events")
    assert target["InputPath"] == "$.detail"


def test_stored_definition_is_the_render_output_with_real_arns(
    aws: Aws, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    stored = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=NAMES.state_machine_arn
    )["definition"]
    expected = render(order_workflow, account=ACCOUNT, region=REGION, prefix="shop")
    assert json.loads(stored) == expected.to_dict()
    assert f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:shop-get-user" in stored


def test_second_deploy_changes_nothing(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *deploy_args(moto, wheel_dir)).code == 0
    dry = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run"))
    assert dry.code == 0
    assert dry.out.strip().endswith("no changes: everything is up to date")
    assert "create " not in dry.out and "update " not in dry.out

    moto.operations.clear()
    again = run_cli(capsys, *deploy_args(moto, wheel_dir))
    assert again.code == 0
    assert again.out.strip() == "no changes: everything is up to date"
    assert moto.writes() == []


def test_dry_run_writes_nothing_and_lists_every_resource(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, *deploy_args(moto, wheel_dir, "--dry-run"))
    assert result.code == 0
    lines = result.out.splitlines()
    assert "create Lambda function shop-get-user" in lines
    assert "create EventBridge rule shop-order-order-submitted" in lines
    assert "create CloudWatch dashboard shop-dashboard" in lines
    assert "create SNS topic shop-alarms" in lines
    total = (
        len(WORKFLOW_TABLES)
        + integration_table_count(app)
        + len(app.buckets)
        + len(app.topics)
        + 2 * len(WORKFLOW_SERVICES)
        + 5 * len(app.workflows)
        + _monitoring()
    )
    assert lines[-1] == f"{total} to create, 0 to update, 0 unchanged"
    assert moto.writes() == []
    assert client(moto, "lambda").list_functions()["Functions"] == []


def _source_copy(tmp_path: Path) -> Path:
    """A copy of orderflow's source tree (never edit the repository's own files)."""
    root = tmp_path / "src"
    source = Path(orderflow.__file__).resolve().parent
    shutil.copytree(source, root / "orderflow", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_changing_one_services_code_updates_only_that_function(
    aws: Aws, moto: MotoServer, tmp_path: Path
) -> None:
    # Real edits to real source files, in a copy of the tree that the packager traces and
    # reads (its interpreters get the copy first on PYTHONPATH).
    root = _source_copy(tmp_path)
    services = root / "orderflow" / "orders"

    def packager() -> Packager:
        return Packager(FakeDependencies(), environment={"PYTHONPATH": str(root)})

    first = packager()
    deploy(aws, prefix="shop", packager=first, progress=quiet)
    lambda_client = aws.client("lambda")

    def deployed() -> dict[str, str]:
        return {
            name: lambda_client.get_function(FunctionName=NAMES.function(name))["Configuration"][
                "CodeSha256"
            ]
            for name in WORKFLOW_SERVICES
        }

    before = deployed()
    assert before == {name: code_sha256(first.package(name)) for name in WORKFLOW_SERVICES}
    assert list(before.values()).count(before["get-user"]) == 1  # get-user's zip is its own

    _edit(services / "user.py", 'if user.status != "active":', 'if user.status == "suspended":')
    changed = packager()
    plan = deploy(aws, prefix="shop", packager=changed, dry_run=True)
    updates = [c for c in plan.changes if c.action is not Action.UNCHANGED]
    assert [(c.kind, c.name) for c in updates] == [("Lambda function", "shop-get-user")]
    assert [line.split(":")[0] for line in updates[0].diff] == ["~ CodeSha256"]

    moto.operations.clear()
    lines: list[str] = []
    deploy(aws, prefix="shop", packager=changed, progress=lines.append)
    assert "updated Lambda function shop-get-user (CodeSha256)" in lines
    assert [w for w in moto.writes() if w[0] == "lambda"] == [("lambda", "UpdateFunctionCode")]
    after = deployed()
    assert after == {**before, "get-user": code_sha256(changed.package("get-user"))}
    assert after["get-user"] != before["get-user"]

    # A module every service imports changes every function's code, and nothing else.
    runtime = root / "orderflow" / "runtime"
    _edit(runtime / "_storage.py", "import copy\n", "import copy  # deep copies\n")
    plan = deploy(aws, prefix="shop", packager=packager(), dry_run=True)
    updates = [c for c in plan.changes if c.action is not Action.UNCHANGED]
    assert sorted(c.name for c in updates) == sorted(map(NAMES.function, WORKFLOW_SERVICES))
    assert {c.kind for c in updates} == {"Lambda function"}
    assert all([line.split(":")[0] for line in c.diff] == ["~ CodeSha256"] for c in updates)


def test_a_changed_setting_is_updated_with_a_readable_diff(aws: Aws, packager: Packager) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    plan = deploy(
        aws, prefix="shop", packager=packager, config=StackConfig(timeout=60), dry_run=True
    )
    updated = {c.name: c.diff for c in plan.changes if c.action is Action.UPDATE}
    assert set(updated) == {f"shop-{name}" for name in WORKFLOW_SERVICES}
    assert updated["shop-get-user"] == ("~ Timeout: 30 -> 60",)
    deploy(aws, prefix="shop", packager=packager, config=StackConfig(timeout=60), progress=quiet)
    config = aws.client("lambda").get_function_configuration(FunctionName="shop-get-user")
    assert config["Timeout"] == 60


def test_a_changed_definition_updates_the_machine_not_recreates_it(
    aws: Aws, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)

    def with_comment(names: StackNames) -> Definition:
        data = render(
            order_workflow, account=names.account, region=names.region, prefix=names.prefix
        ).to_dict()
        data["Comment"] = "second version"
        return Definition(data)

    lines: list[str] = []
    deploy(
        aws,
        prefix="shop",
        packager=packager,
        workflow=with_comment,
        workflows=["order"],
        progress=lines.append,
    )
    assert "updated state machine shop-order (definition)" in lines
    stored = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=NAMES.state_machine_arn
    )
    assert json.loads(stored["definition"])["Comment"] == "second version"


def _role(aws: Aws, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    iam = aws.client("iam")
    role = iam.get_role(RoleName=name)["Role"]
    policy = iam.get_role_policy(RoleName=name, PolicyName="orderflow")["PolicyDocument"]
    return role, policy


def test_policies_grant_exactly_what_is_listed(aws: Aws, packager: Packager) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    iam = aws.client("iam")
    roles = iam.list_roles(PathPrefix="/orderflow/shop/")["Roles"]
    assert sorted(r["RoleName"] for r in roles) == sorted(
        [f"shop-{s}-lambda" for s in WORKFLOW_SERVICES]
        + [
            "shop-order-states",
            "shop-order-events",
            "shop-inventory-states",
            "shop-inventory-events",
        ]
    )
    for name in WORKFLOW_SERVICES:
        role, policy = _role(aws, f"shop-{name}-lambda")
        assert role["AssumeRolePolicyDocument"] == lambda_trust_policy()
        service = app.services[name]
        assert policy == lambda_policy(NAMES, name, service.tables, service.archives)
        assert wildcard_actions(policy) == []
        granted = {
            (arn, action)
            for s in policy["Statement"]
            for action in s["Action"]
            if action.startswith("dynamodb:")
            for arn in s["Resource"]
        }
        assert granted == {
            (NAMES.table_arn(table), LAMBDA_TABLE_ACTIONS[op])
            for table, ops in app.services[name].access.operations().items()
            for op in ops
        }
    # get-user only reads: its role may not write the users table.
    _, policy = _role(aws, "shop-get-user-lambda")
    assert [s["Action"] for s in policy["Statement"] if s["Sid"].startswith("OwnTables")] == [
        ["dynamodb:GetItem"]
    ]

    role, policy = _role(aws, "shop-order-states")
    assert role["AssumeRolePolicyDocument"] == states_trust_policy(NAMES)
    function_arns = [NAMES.function_arn(s) for s in INVOKED]  # only what the machine calls
    deployed = render(
        order_workflow, account=NAMES.account, region=NAMES.region, prefix=NAMES.prefix
    )
    assert policy == states_policy(NAMES, function_arns, deployed)
    (invoke,) = [s for s in policy["Statement"] if "lambda:InvokeFunction" in s["Action"]]
    assert set(invoke["Resource"]) == {*function_arns, *(f"{a}:*" for a in function_arns)}
    assert set(wildcard_actions(policy)) <= set(WILDCARD_ACTIONS)

    role, policy = _role(aws, "shop-order-events")
    assert role["AssumeRolePolicyDocument"] == events_trust_policy(
        NAMES, [NAMES.rule_arn("order-submitted")]
    )
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "events.amazonaws.com"
    }
    assert policy == events_policy(NAMES.state_machine_arn)


def test_redeploy_narrows_an_existing_roles_policy_with_a_visible_diff(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    iam = aws.client("iam")
    role = "shop-get-user-lambda"
    # The policy earlier versions deployed: read *and* write on every table the service used.
    _, current = _role(aws, role)
    broad = {
        **current,
        "Statement": [
            *(s for s in current["Statement"] if not s["Sid"].startswith("OwnTables")),
            {
                "Sid": "OwnTables",
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                "Resource": [NAMES.table_arn("users")],
            },
        ],
    }
    iam.put_role_policy(RoleName=role, PolicyName="orderflow", PolicyDocument=json.dumps(broad))

    plan = deploy(aws, prefix="shop", packager=packager, dry_run=True)
    updates = [c for c in plan.changes if c.action is not Action.UNCHANGED]
    assert [(c.kind, c.name) for c in updates] == [("IAM role", role)]
    (change,) = updates
    assert change.diff and all(line[2:].startswith("Policies/orderflow") for line in change.diff)
    rendered = plan.render()
    assert "update IAM role shop-get-user-lambda (Policies)" in rendered
    assert "dynamodb:PutItem" in rendered and "OwnTablesGetItem" in rendered

    moto.operations.clear()
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    assert moto.writes() == [("iam", "PutRolePolicy")]
    _, policy = _role(aws, role)
    assert policy == lambda_policy(NAMES, "get-user", app.services["get-user"].tables)
    assert "dynamodb:PutItem" not in json.dumps(policy)


def test_everything_is_tagged(aws: Aws, moto: MotoServer, packager: Packager) -> None:
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    tagging = client(moto, "resourcegroupstaggingapi")
    tagged = tagging.get_resources(
        TagFilters=[
            {"Key": "project", "Values": ["orderflow"]},
            {"Key": "prefix", "Values": ["shop"]},
        ]
    )["ResourceTagMappingList"]
    arns = {r["ResourceARN"] for r in tagged}
    for name in WORKFLOW_SERVICES:
        assert NAMES.function_arn(name) in arns
    for table in WORKFLOW_TABLES:
        assert NAMES.table_arn(table) in arns
    assert NAMES.state_machine_arn in arns
    # moto's tagging API does not list EventBridge rules, IAM roles or log groups (nor does
    # AWS's for IAM): ask each service.
    rule_tags = aws.client("events").list_tags_for_resource(
        ResourceARN=NAMES.rule_arn("order-submitted")
    )["Tags"]
    assert {t["Key"]: t["Value"] for t in rule_tags} == {
        "project": "orderflow",
        "prefix": "shop",
        "app": "orderflow",
    }
    iam = aws.client("iam")
    for role in iam.list_roles(PathPrefix="/orderflow/shop/")["Roles"]:
        tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"])["Tags"]}
        assert tags == {"project": "orderflow", "prefix": "shop", "app": "orderflow"}
    logs = aws.client("logs")
    group_arn = NAMES.log_group_arn.removesuffix(":*")
    assert logs.list_tags_for_resource(resourceArn=group_arn)["tags"] == {
        "project": "orderflow",
        "prefix": "shop",
        "app": "orderflow",
    }


def test_alias_publishes_a_version_and_the_rule_starts_the_alias(
    aws: Aws, packager: Packager
) -> None:
    config = StackConfig(alias="live")
    deploy(aws, prefix="shop", packager=packager, config=config, progress=quiet)
    sfn = aws.client("stepfunctions")
    alias = sfn.describe_state_machine_alias(stateMachineAliasArn=NAMES.alias_arn("live"))
    (route,) = alias["routingConfiguration"]
    assert route["weight"] == 100
    version = sfn.describe_state_machine(stateMachineArn=route["stateMachineVersionArn"])
    expected = render(order_workflow, account=ACCOUNT, region=REGION, prefix="shop")
    assert json.loads(version["definition"]) == expected.to_dict()
    (target,) = aws.client("events").list_targets_by_rule(Rule="shop-order-order-submitted")[
        "Targets"
    ]
    assert target["Arn"] == NAMES.alias_arn("live")
    _, policy = _role(aws, "shop-order-events")
    assert policy == events_policy(NAMES.alias_arn("live"))
    assert deploy(aws, prefix="shop", packager=packager, config=config, dry_run=True).up_to_date


def test_invalid_definition_is_refused_before_any_aws_write(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    def broken(names: StackNames) -> Definition:
        data = render(
            order_workflow, account=names.account, region=names.region, prefix=names.prefix
        ).to_dict()
        data["StartAt"] = "NoSuchState"
        return Definition(data)

    with pytest.raises(InvalidDefinition, match="nothing was deployed"):
        deploy(
            aws,
            prefix="shop",
            packager=packager,
            workflow=broken,
            workflows=["order"],
            progress=quiet,
        )
    assert moto.writes() == []


def test_a_failure_half_way_names_the_resource_and_the_next_deploy_completes(
    aws: Aws, moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A role with the EventBridge role's name, not made by orderflow, blocks the deploy.
    iam = aws.client("iam")
    iam.create_role(
        RoleName="shop-order-events",
        Path="/orderflow/shop/",
        AssumeRolePolicyDocument=json.dumps(lambda_trust_policy()),
    )
    failed = run_cli(capsys, *deploy_args(moto, wheel_dir))
    assert failed.code == 1
    assert "IAM role shop-order-events" in failed.err
    assert "not made by orderflow" in failed.err
    assert "Traceback" not in failed.err
    assert "created state machine shop-order" in failed.err  # everything before it stands

    iam.delete_role(RoleName="shop-order-events")
    completed = run_cli(capsys, *deploy_args(moto, wheel_dir))
    assert completed.code == 0, completed.err
    created = [line for line in completed.err.splitlines() if line.startswith("created ")]
    assert created[:7] == [
        "created IAM role shop-order-events",
        "created EventBridge rule shop-order-order-submitted",
        # the inventory workflow's resources come after the order workflow's
        "created log group /aws/vendedlogs/states/shop-inventory",
        "created IAM role shop-inventory-states",
        "created state machine shop-inventory",
        "created IAM role shop-inventory-events",
        "created EventBridge rule shop-inventory-inventory-adjusted",
    ]
    # The monitoring after them, never reached by the failed deploy.
    assert all(line.startswith(("created CloudWatch", "created SNS")) for line in created[7:])


def test_aws_errors_carry_the_resource_and_awss_message(aws: Aws, packager: Packager) -> None:
    # A table the services need exists with the wrong key: deploy must stop, not replace it.
    aws.client("dynamodb").create_table(
        TableName="shop-users",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "project", "Value": "orderflow"}, {"Key": "prefix", "Value": "shop"}],
    )
    with pytest.raises(DeployError, match=r"DynamoDB table shop-users has key .*'id'.*destroy"):
        deploy(aws, prefix="shop", packager=packager, progress=quiet)


def test_unreachable_endpoint_is_a_clean_error(moto: MotoServer, packager: Packager) -> None:
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens there
    moto.extra_endpoints.append(closed)
    aws = Aws(REGION, endpoint_url=closed, max_attempts=1, sleep=lambda _: None)
    with pytest.raises(DeployError, match=r"^caller identity: sts:GetCallerIdentity failed: "):
        deploy(aws, prefix="shop", packager=packager, progress=quiet)


def test_iam_propagation_waits_use_the_injected_sleep(
    aws: Aws, sleeps: list[float], packager: Packager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Real AWS refuses a just-created role for some seconds; make the first attempt fail
    # the way Lambda does and check deploy waits (without sleeping) and retries.
    from botocore.exceptions import ClientError

    lam = aws.client("lambda")
    original = lam.create_function
    calls: list[str] = []

    def flaky(**kwargs: Any) -> Any:
        calls.append(kwargs["FunctionName"])
        if len(calls) == 1:
            raise ClientError(
                {
                    "Error": {
                        "Code": "InvalidParameterValueException",
                        "Message": "The role defined for the function cannot be assumed by Lambda.",
                    }
                },
                "CreateFunction",
            )
        return original(**kwargs)

    monkeypatch.setattr(lam, "create_function", flaky)
    deploy(aws, prefix="shop", packager=packager, progress=quiet)
    assert calls[0] == calls[1] == "shop-validate-order"
    assert sleeps and all(s > 0 for s in sleeps)


def test_every_api_call_is_in_the_documented_deployer_permissions(
    moto: MotoServer, wheel_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, *deploy_args(moto, wheel_dir, "--alias", "live")).code == 0
    assert run_cli(capsys, *deploy_args(moto, wheel_dir, "--alias", "live")).code == 0
    common = ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]
    assert run_cli(capsys, "start-execution", *common, "--input", "{}").code == 0
    assert run_cli(capsys, "executions", *common).code == 0
    # A detail-type the rule does not match: moto cannot deliver to a Step Functions target
    # (it answers a matching PutEvents with an internal error), see test_executions.py.
    sent = run_cli(capsys, "send-event", *common, "--detail", "{}", "--detail-type", "Ping")
    assert sent.code == 0, sent.err
    assert run_cli(capsys, "destroy", *common).code == 0
    used = {f"{service}:{operation}" for service, operation in moto.operations}
    allowed = {f"{s}:{a}" for s, actions in DEPLOYER_ACTIONS.items() for a in actions}
    # S3's API operations are authorised by differently named actions (see deploy._s3).
    allowed |= {f"s3:{operation}" for operation in DEPLOYER_S3_ACTIONS}
    assert used - allowed == set()
    assert {"lambda:CreateFunction", "states:CreateStateMachineAlias"} <= used


def test_sample_data_is_seeded_once_and_the_services_read_it_from_dynamodb(
    aws: Aws, packager: Packager, monkeypatch: pytest.MonkeyPatch
) -> None:
    from orderflow.orders import get_user
    from orderflow.runtime import ServiceDeps, Store
    from orderflow.runtime._lambda import deps_from_environment

    config = StackConfig(seed_sample_data=True)
    lines: list[str] = []
    deploy(aws, prefix="shop", packager=packager, config=config, progress=lines.append)
    assert any(line.startswith("seeded DynamoDB table shop-users (3 of 3") for line in lines)

    # The services' own DynamoDB storage, configured exactly as the function is.
    env = aws.client("lambda").get_function_configuration(FunctionName="shop-get-user")[
        "Environment"
    ]["Variables"]
    store = Store.from_environment(env, app.tables)
    stock = store.table("stock")
    assert stock.put({"product_id": "p-9", "available": 1}, expect={"available": 2})
    deps = deps_from_environment(env)
    user = get_user.invoke_json({"user_id": "u-100"}, deps)
    assert user["email"] == "ada@example.com"

    lines.clear()
    deploy(aws, prefix="shop", packager=packager, config=config, progress=lines.append)
    assert any(line.startswith("seeded DynamoDB table shop-stock (0 of") for line in lines)
    assert stock.get("p-9") == {"product_id": "p-9", "available": 1}  # not reset
    assert isinstance(deps, ServiceDeps)


def test_deploy_right_after_destroy_waits_for_deletions_to_finish(
    aws: Aws, sleeps: list[float], packager: Packager, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AWS deletes tables and state machines asynchronously; moto at once. Make the first
    # describe answer DELETING, as AWS would for a few seconds after a destroy.
    ddb = aws.client("dynamodb")
    sfn = aws.client("stepfunctions")
    original_table, original_machine = ddb.describe_table, sfn.describe_state_machine
    seen: list[str] = []

    def deleting_table(**kwargs: Any) -> Any:
        if kwargs["TableName"] == "shop-users" and "table" not in seen:
            seen.append("table")
            return {"Table": {"TableName": "shop-users", "TableStatus": "DELETING"}}
        return original_table(**kwargs)

    def deleting_machine(**kwargs: Any) -> Any:
        if "machine" not in seen:
            seen.append("machine")
            return {"stateMachineArn": kwargs["stateMachineArn"], "status": "DELETING"}
        return original_machine(**kwargs)

    monkeypatch.setattr(ddb, "describe_table", deleting_table)
    monkeypatch.setattr(sfn, "describe_state_machine", deleting_machine)
    lines: list[str] = []
    deploy(aws, prefix="shop", packager=packager, progress=lines.append)
    assert seen == ["table", "machine"]
    assert "created DynamoDB table shop-users" in lines
    assert "created state machine shop-order" in lines
    assert sleeps.count(2.0) >= 2


def test_a_data_flow_error_stops_deploy_before_any_write(
    aws: Aws, moto: MotoServer, packager: Packager
) -> None:
    pytest.importorskip("orderflow.checker")
    from orderflow.deploy import DslWorkflowSource

    dsl = DslWorkflowSource(order_workflow)

    class Misread:
        input_model = dsl.input_model

        def __call__(self, names: StackNames) -> Definition:
            data = dsl(names).to_dict()
            payload = data["States"]["GetUser"]["Parameters"]["Payload"]
            payload["user_id.$"] = "$.validate_order.no_such_field"  # valid syntax, no data
            return Definition(data)

    with pytest.raises(InvalidDefinition) as caught:
        deploy(
            aws,
            prefix="shop",
            packager=packager,
            workflow=Misread(),
            workflows=["order"],
            progress=quiet,
        )
    assert "GetUser" in str(caught.value)
    assert moto.writes() == []


def test_express_machines_deploy_and_the_type_cannot_silently_change(
    aws: Aws, packager: Packager
) -> None:
    express = StackConfig(machine_type="EXPRESS")
    deploy(
        aws,
        prefix="shop",
        packager=packager,
        config=express,
        workflows=["order"],
        workflow=without_approval,
        progress=quiet,
    )
    machine = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn=NAMES.state_machine_arn
    )
    assert machine["type"] == "EXPRESS"
    plan = deploy(
        aws,
        prefix="shop",
        packager=packager,
        workflows=["order"],
        workflow=without_approval,
        dry_run=True,
    )
    (change,) = [c for c in plan.changes if c.action is Action.UPDATE and c.kind == "state machine"]
    assert change.diff == ('~ type: "EXPRESS" -> "STANDARD"',)
    # A Standard machine can wait for approvals: its backlog alarm would be added.
    assert [
        c.name for c in plan.changes if c.kind == "CloudWatch alarm" and c.action is Action.CREATE
    ] == ["shop-order-backlog"]
    with pytest.raises(DeployError, match=r"state machine shop-order is EXPRESS.*destroy"):
        deploy(aws, prefix="shop", packager=packager, progress=quiet)
