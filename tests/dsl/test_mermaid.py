"""Mermaid diagrams show every state and transition, drawn from the ASL document."""

from __future__ import annotations

import re

from orderflow.asl._mermaid import rule_label, to_mermaid

DEFINITION = {
    "StartAt": "Check",
    "States": {
        "Check": {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Both"},
                {
                    "And": [
                        {"Variable": "$.s", "StringEquals": 'a"b'},
                        {"Not": {"Variable": "$.f", "BooleanEquals": True}},
                    ],
                    "Next": "Each",
                },
            ],
            "Default": "Stop",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {
                    "StartAt": "A",
                    "States": {
                        "A": {"Type": "Pass", "Next": "B"},
                        "B": {"Type": "Pass", "End": True},
                    },
                },
                {"StartAt": "A2", "States": {"A2": {"Type": "Wait", "Seconds": 1, "End": True}}},
            ],
            "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
            "Catch": [{"ErrorEquals": ["Boom", "Bang"], "Next": "Stop"}],
            "Next": "Done",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "StartAt": "Work",
                "States": {
                    "Work": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:1:function:work",
                        "End": True,
                    }
                },
            },
            "Next": "Done",
        },
        "Stop": {"Type": "Fail", "Error": "E"},
        "Done": {"Type": "Succeed"},
    },
}


def test_every_state_and_transition_is_drawn() -> None:
    text = to_mermaid(DEFINITION)
    assert text.startswith("flowchart TD\n")
    for name in ("Check", "A", "B", "A2", "Work", "Stop", "Done"):
        assert re.search(rf"\bs_{name}[\[\{{(]", text), name
    assert 'subgraph s_Both["Both (Parallel)"]' in text
    assert 'subgraph s_Both_b0["branch 1"]' in text
    assert "subgraph s_Each[" in text
    assert "start_ --> s_Check" in text
    assert 's_Check -->|"$.n #gt; 10"| s_Both' in text
    assert 's_Check -->|"default"| s_Stop' in text
    assert "s_A --> s_B" in text
    assert 's_Both -.->|"retry States.ALL (max 2)"| s_Both' in text
    assert 's_Both -.->|"catch Boom, Bang"| s_Stop' in text
    assert "s_Both --> s_Done" in text
    assert "s_Done --> finish_" in text
    assert "class s_Stop fail" in text
    # quotes inside labels are escaped so the diagram still parses
    assert "#quot;" in text


def test_rule_labels() -> None:
    assert rule_label({"Variable": "$.a", "StringEqualsPath": "$.b"}) == "$.a == $.b"
    assert rule_label({"Variable": "$.a", "IsPresent": False}) == "$.a is not present"
    assert (
        rule_label(
            {
                "Or": [
                    {"Variable": "$.x", "NumericLessThan": 1},
                    {"Variable": "$.y", "StringMatches": "a*"},
                ]
            }
        )
        == "($.x < 1) or ($.y matches 'a*')"
    )


def test_output_is_deterministic() -> None:
    assert to_mermaid(DEFINITION) == to_mermaid(DEFINITION)
