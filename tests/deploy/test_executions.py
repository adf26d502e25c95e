"""Executions of the deployed machine, the bus, and what moto can and cannot do.

Known moto gaps, and how each path is still tested:

* moto's Lambda runs function code only in Docker, which the test machines do not have, so
  an execution of the deployed machine on moto fails at its first Task; the test asserts
  that the execution reaches a terminal state (whatever moto's Lambda answers) and that its
  history is readable. The deployed system itself is then run in-process: the stored
  definition in the local executor, each task through the real Lambda handler configured
  with the deployed function's environment, against the deployed DynamoDB tables.
* moto's EventBridge cannot deliver to a Step Functions target (a matching PutEvents gets
  an internal error), so the event-to-execution path runs locally in ``test_events.py``;
  here the rule's stored pattern is checked against EventBridge's own matcher
  (moto has no ``TestEventPattern`` API, so its internal rule matcher) to agree with
  orderflow's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from orderflow.deploy import Aws, StackConfig, deploy, event_matches
from orderflow.deploy._executions import TERMINAL
from orderflow.deploy._package import Packager
from orderflow.orders.workflow import SAMPLE_ORDER

from ._helpers import run_cli
from .conftest import REGION, MotoServer
from .test_events import envelope

pytestmark = pytest.mark.moto


def common(moto: MotoServer) -> list[str]:
    return ["--endpoint-url", moto.url, "--region", REGION, "--prefix", "shop"]


@pytest.fixture
def deployed(aws: Aws, packager: Packager) -> Aws:
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    return aws


def test_an_execution_of_the_deployed_machine_reaches_a_terminal_state(
    aws: Aws,
    packager: Packager,
    moto: MotoServer,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    # Switched on before deploying: moto then keeps machines in its interpreting backend.
    moto.enable_step_functions_interpreter()
    deploy(aws, prefix="shop", packager=packager, progress=lambda line: None)
    order = tmp_path / "order.json"
    order.write_text(json.dumps(SAMPLE_ORDER))
    started = run_cli(
        capsys,
        "start-execution",
        *common(moto),
        "--input",
        f"@{order}",
        "--name",
        "first",
        "--wait",
    )
    assert started.out, started.err
    summary = json.loads(started.out)
    assert summary["status"] in TERMINAL
    assert started.code == (0 if summary["status"] == "SUCCEEDED" else 1)
    assert summary["name"] == "first"
    assert "Traceback" not in started.err

    listed = run_cli(capsys, "executions", *common(moto))
    assert listed.code == 0
    (line,) = listed.out.splitlines()
    assert line.split("\t")[:2] == ["first", summary["status"]]

    shown = run_cli(capsys, "history", *common(moto), "first", "--json")
    assert shown.code == 0
    events = json.loads(shown.out)
    assert events[0]["type"] == "ExecutionStarted"
    assert json.loads(events[0]["details"]["input"]) == SAMPLE_ORDER
    assert events[-1]["type"] in {
        "ExecutionSucceeded",
        "ExecutionFailed",
        "ExecutionTimedOut",
        "ExecutionAborted",
    }
    text = run_cli(capsys, "history", *common(moto), summary["arn"])
    assert text.code == 0 and text.out.splitlines()[0].split("\t")[2] == "ExecutionStarted"


def test_start_execution_prints_the_arn_and_the_machine_records_the_input(
    deployed: Aws, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "start-execution", *common(moto), "--input", json.dumps(SAMPLE_ORDER))
    assert result.code == 0
    arn = result.out.strip()
    assert arn.startswith("arn:aws:states:us-east-1:123456789012:execution:shop-order:")
    described = deployed.client("stepfunctions").describe_execution(executionArn=arn)
    assert json.loads(described["input"]) == SAMPLE_ORDER


def test_bad_input_is_a_usage_error(moto: MotoServer, capsys: pytest.CaptureFixture[str]) -> None:
    result = run_cli(capsys, "start-execution", *common(moto), "--input", "{not json")
    assert result.code == 2
    assert "--input is not valid JSON" in result.err


def test_history_of_an_unknown_execution_names_it(
    deployed: Aws, moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "history", *common(moto), "no-such-execution")
    assert result.code == 1
    assert "execution arn:aws:states:us-east-1:123456789012:execution:shop-order:" in result.err
    assert "no-such-execution" in result.err and "Traceback" not in result.err


def test_send_event_puts_an_event_on_the_bus(
    moto: MotoServer, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(capsys, "send-event", *common(moto), "--detail", json.dumps(SAMPLE_ORDER))
    assert result.code == 0, result.err
    assert result.out.strip()  # the event id


def test_the_stored_rule_agrees_with_moto_eventbridges_matcher(deployed: Aws) -> None:
    from moto.events.models import EventPattern

    events = deployed.client("events")
    stored = events.describe_rule(Name="shop-order-order-submitted")["EventPattern"]
    pattern = json.loads(stored)
    for event, expected in [
        (envelope(SAMPLE_ORDER), True),
        (envelope(SAMPLE_ORDER, **{"detail-type": "Order Cancelled"}), False),
        (envelope(SAMPLE_ORDER, source="other.service"), False),
    ]:
        assert EventPattern.load(stored).matches_event(event) is expected
        assert event_matches(pattern, event) is expected


def test_the_deployed_definition_runs_locally_against_the_deployed_tables(
    aws: Aws, packager: Packager
) -> None:
    # What moto cannot run (Lambda code), run in-process: the stored definition, each task
    # handled by the real Lambda handler configured with the deployed function's own
    # environment, reading and writing the deployed DynamoDB tables on the moto server.
    from orderflow.runtime import LAMBDA_HANDLER, function_name, load_service, make_handler
    from orderflow.runtime._lambda import deps_from_environment
    from orderflow.testing import run_asl

    deploy(
        aws,
        prefix="shop",
        packager=packager,
        config=StackConfig(seed_sample_data=True),
        progress=lambda line: None,
    )
    definition = aws.client("stepfunctions").describe_state_machine(
        stateMachineArn="arn:aws:states:us-east-1:123456789012:stateMachine:shop-order"
    )["definition"]
    lam = aws.client("lambda")
    handlers: dict[str, Any] = {}

    def invoke(function: str, payload: Any) -> Any:
        name = function_name(function)
        if name not in handlers:
            config = lam.get_function_configuration(FunctionName=name)
            env = config["Environment"]["Variables"]
            assert config["Handler"] == LAMBDA_HANDLER
            # The function's own environment says where its service lives, as in Lambda.
            service = load_service(env["ORDERFLOW_SERVICE_LOCATION"], env["ORDERFLOW_SERVICE"])
            handlers[name] = make_handler(service, deps_from_environment(env))
        return handlers[name](payload, None)

    # The payment breaker's DynamoDB integrations go to the deployed breaker table too.
    dynamodb = aws.client("dynamodb")

    def integration(action: str) -> Any:
        def call(parameters: Any) -> Any:
            response = dict(getattr(dynamodb, action)(**parameters))
            response.pop("ResponseMetadata", None)
            return response

        return call

    integrations = {
        "arn:aws:states:::dynamodb:getItem": integration("get_item"),
        "arn:aws:states:::dynamodb:updateItem": integration("update_item"),
    }
    execution = run_asl(definition, SAMPLE_ORDER, lambda_handler=invoke, handlers=integrations)
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    order_id = execution.output["process_order"][0]["order_id"]
    stored = aws.client("dynamodb").get_item(
        TableName="shop-orders", Key={"order_id": {"S": order_id}}
    )
    assert stored["Item"]["user_id"] == {"S": "u-100"}
