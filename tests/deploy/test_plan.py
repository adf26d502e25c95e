"""Plans: readable diffs and summaries."""

from __future__ import annotations

from orderflow.deploy._plan import Action, Change, Plan, diff


def test_diff_lists_each_changed_leaf_with_old_and_new() -> None:
    desired = {"Timeout": 30, "Environment": {"A": "1", "B": "2"}, "Tags": {"x": "y"}}
    actual = {"Timeout": 10, "Environment": {"A": "1", "C": "3"}, "Tags": {"x": "y"}}
    assert diff(desired, actual) == [
        '+ Environment/B: "2"',
        '- Environment/C: "3"',
        "~ Timeout: 10 -> 30",
    ]
    assert diff(desired, desired) == []


def test_diff_walks_into_definitions() -> None:
    old = {"definition": {"States": {"A": {"Resource": "arn:old"}}}}
    new = {"definition": {"States": {"A": {"Resource": "arn:new"}}}}
    assert diff(new, old) == ['~ definition/States/A/Resource: "arn:old" -> "arn:new"']


def test_plan_render_and_summary() -> None:
    plan = Plan(
        (
            Change(
                "Lambda function", "shop-get-user", Action.UPDATE, ('~ CodeSha256: "a" -> "b"',)
            ),
            Change("DynamoDB table", "shop-users", Action.UNCHANGED),
            Change("EventBridge rule", "shop-order-order-submitted", Action.CREATE),
        )
    )
    assert plan.render().splitlines() == [
        "update Lambda function shop-get-user (CodeSha256)",
        '    ~ CodeSha256: "a" -> "b"',
        "unchanged DynamoDB table shop-users",
        "create EventBridge rule shop-order-order-submitted",
        "1 to create, 1 to update, 1 unchanged",
    ]
    assert not plan.up_to_date
    done = Plan(plan.changes, applied=True)
    assert done.summary() == "1 created, 1 updated, 1 unchanged"
    assert (
        Plan((Change("x", "y", Action.UNCHANGED),))
        .render()
        .endswith("no changes: everything is up to date")
    )


def test_describe_names_the_top_level_fields_that_change() -> None:
    change = Change(
        "EventBridge rule",
        "r",
        Action.UPDATE,
        ('~ Targets[0]/Arn: "a" -> "b"', '~ Targets[0]/InputPath: "$" -> "$.detail"'),
    )
    assert change.describe() == "update EventBridge rule r (Targets)"
    assert change.describe(done=True) == "updated EventBridge rule r (Targets)"
