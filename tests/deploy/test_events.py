"""The EventBridge rule: local pattern matching, and the event-to-workflow path.

moto's EventBridge does not deliver events to Step Functions targets, so the path from an
``Order Submitted`` event to a workflow execution is exercised here with orderflow's own
pieces: the rule deploy would create (its pattern and target), the local matcher, the
target's ``InputPath`` applied with orderflow's JSONPath, and the local executor running the
rendered definition with the real services.
"""

from __future__ import annotations

from typing import Any

import pytest

from orderflow._errors import DeployError
from orderflow.asl._jsonpath import compile_path
from orderflow.deploy import event_matches
from orderflow.deploy._events import RuleResource
from orderflow.deploy._names import StackNames
from orderflow.deploy._stack import Machine, StackConfig, stack_resources
from orderflow.dsl import render
from orderflow.orders.app import app
from orderflow.orders.workflow import SAMPLE_ORDER, order_workflow
from orderflow.testing import LocalAws, run_asl

NAMES = StackNames("shop", "123456789012", "us-east-1").for_workflow("order")


def envelope(detail: Any, **overrides: Any) -> dict[str, Any]:
    """An event as EventBridge hands it to a target."""
    event = {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "Order Submitted",
        "source": "microservices.orders",
        "account": "123456789012",
        "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1",
        "resources": [],
        "detail": detail,
    }
    event.update(overrides)
    return event


@pytest.fixture(scope="module")
def deployed() -> tuple[Any, RuleResource]:
    definition = render(order_workflow, account=NAMES.account, region=NAMES.region, prefix="shop")
    machine = Machine(NAMES, definition, "STANDARD", app.triggers_of("order"))
    resources = stack_resources(NAMES, app, [machine], StackConfig(), lambda service: b"zip")
    (rule,) = [r for r in resources if isinstance(r, RuleResource)]
    return definition, rule


def test_rule_pattern_matches_order_submitted_only(deployed: tuple[Any, RuleResource]) -> None:
    _, rule = deployed
    assert event_matches(rule.pattern, envelope(SAMPLE_ORDER))
    assert not event_matches(rule.pattern, envelope(SAMPLE_ORDER, **{"detail-type": "Order Paid"}))
    assert not event_matches(rule.pattern, envelope(SAMPLE_ORDER, source="microservices.users"))


def _local_aws(definition: Any) -> LocalAws:
    """In-memory AWS with the tables the workflow's integrations use (the breaker's)."""
    aws = LocalAws()
    aws.tables_for(definition)
    return aws


def test_an_order_submitted_event_runs_the_workflow_with_the_detail_as_input(
    deployed: tuple[Any, RuleResource],
) -> None:
    definition, rule = deployed
    event = envelope(SAMPLE_ORDER)
    assert event_matches(rule.pattern, event)
    target = rule.target()
    assert target["InputPath"] == "$.detail"
    execution_input = compile_path(target["InputPath"]).evaluate(event)
    assert execution_input == SAMPLE_ORDER  # exactly what `start-execution` would send
    execution = run_asl(
        definition,
        execution_input,
        lambda_handler=app.local_handler(app.deps(seed=0)),
        aws=_local_aws(definition),
    )
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    assert execution.output["get_user"]["user_id"] == "u-100"
    assert execution.output["send_notification"]["status"] == "sent"


def test_without_input_path_the_envelope_breaks_the_workflow(
    deployed: tuple[Any, RuleResource],
) -> None:
    # The recipe's defect: the whole envelope as input. The first service rejects it.
    definition, _ = deployed
    execution = run_asl(
        definition,
        envelope(SAMPLE_ORDER),
        lambda_handler=app.local_handler(app.deps(seed=0)),
        aws=_local_aws(definition),
    )
    assert execution.status == "FAILED"


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"source": ["a", "b"]}, {"source": "b"}, True),
        ({"source": ["a"]}, {"source": "c"}, False),
        ({"source": ["a"]}, {}, False),
        ({"detail": {"n": [5]}}, {"detail": {"n": 5.0}}, True),
        ({"detail": {"tags": ["x"]}}, {"detail": {"tags": ["y", "x"]}}, True),
        ({"detail": {"k": [{"prefix": "ord-"}]}}, {"detail": {"k": "ord-1"}}, True),
        ({"detail": {"k": [{"suffix": ".png"}]}}, {"detail": {"k": "a.jpg"}}, False),
        ({"detail": {"k": [{"equals-ignore-case": "AbC"}]}}, {"detail": {"k": "abc"}}, True),
        ({"detail": {"k": [{"anything-but": ["a", "b"]}]}}, {"detail": {"k": "c"}}, True),
        ({"detail": {"k": [{"anything-but": "a"}]}}, {"detail": {"k": "a"}}, False),
        ({"detail": {"k": [{"anything-but": {"prefix": "x"}}]}}, {"detail": {"k": "xy"}}, False),
        ({"detail": {"k": [{"exists": True}]}}, {"detail": {"k": None}}, True),
        ({"detail": {"k": [{"exists": False}]}}, {"detail": {}}, True),
        ({"detail": {"k": [{"exists": False}]}}, {"detail": {"k": 1}}, False),
        ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 5}}, True),
        ({"detail": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, {"detail": {"n": 6}}, False),
        ({"detail": {"n": [{"numeric": [">", 0]}]}}, {"detail": {"n": "7"}}, False),
        ({"detail": {"b": [True]}}, {"detail": {"b": 1}}, False),
        ({"detail": {"x": ["1"]}}, {"detail": "not an object"}, False),
    ],
)
def test_event_matches(pattern: Any, event: Any, expected: bool) -> None:
    assert event_matches(pattern, event) is expected


def test_unsupported_operators_are_refused() -> None:
    with pytest.raises(DeployError, match="wildcard"):
        event_matches({"k": [{"wildcard": "a*"}]}, {"k": "ab"})
