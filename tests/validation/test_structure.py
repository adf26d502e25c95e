"""The state graph: StartAt, targets, scopes, reachability, termination, names."""

from __future__ import annotations

from typing import Any

from orderflow.validation import Diagnostic, has_errors, validate


def machine(states: dict[str, Any], start: str = "A", **top: Any) -> dict[str, Any]:
    return {"StartAt": start, "States": states, **top}


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics if d.severity == "error"]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, diagnostics
    return found[0]


PASS_END = {"Type": "Pass", "End": True}


def test_minimal_machine_is_clean() -> None:
    assert validate(machine({"A": {"Type": "Succeed"}})) == []


def test_missing_start_at_and_states() -> None:
    diagnostics = validate({})
    assert codes(diagnostics) == ["missing-field", "missing-field"]
    assert {d.field for d in diagnostics} == {"StartAt", "States"}
    assert all(d.pointer == "/" and d.state is None for d in diagnostics)


def test_missing_start_at_does_not_also_flag_every_state_unreachable() -> None:
    assert codes(validate({"States": {"A": PASS_END}})) == ["missing-field"]


def test_start_at_not_found_names_known_states() -> None:
    d = only(validate(machine({"B": PASS_END}, start="X")), "start-at-not-found")
    assert d.pointer == "/StartAt" and "'B'" in d.message


def test_unknown_next_default_choice_and_catch_targets() -> None:
    states = {
        "A": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.x", "IsPresent": True, "Next": "Nope1"}],
            "Default": "Nope2",
        },
        "T": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Next": "Nope3",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nope4", "ResultPath": "$.e"}],
        },
    }
    diagnostics = [d for d in validate(machine(states)) if d.code == "unknown-target"]
    assert [d.pointer for d in diagnostics] == [
        "/States/A/Default",
        "/States/A/Choices/0/Next",
        "/States/T/Next",
        "/States/T/Catch/0/Next",
    ]
    assert [d.field for d in diagnostics] == ["Default", "Choices[0].Next", "Next", "Catch[0].Next"]


def test_transitions_cannot_cross_parallel_branches() -> None:
    states = {
        "A": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "B1", "States": {"B1": {"Type": "Pass", "Next": "B2"}}},
                {"StartAt": "B2", "States": {"B2": {"Type": "Succeed"}}},
            ],
            "Next": "Out",
        },
        "Out": {"Type": "Pass", "Next": "B1"},
    }
    diagnostics = validate(machine(states))
    leaving = [d for d in diagnostics if d.code == "transition-leaves-scope"]
    assert [(d.state, d.pointer) for d in leaving] == [
        ("Out", "/States/Out/Next"),
        ("B1", "/States/A/Branches/0/States/B1/Next"),
    ]
    assert "closed" in leaving[0].message


def test_map_body_is_a_closed_scope() -> None:
    states = {
        "A": {
            "Type": "Map",
            "ItemProcessor": {"StartAt": "In", "States": {"In": {"Type": "Pass", "Next": "After"}}},
            "Next": "After",
        },
        "After": {"Type": "Succeed"},
    }
    d = only(validate(machine(states)), "transition-leaves-scope")
    assert d.pointer == "/States/A/ItemProcessor/States/In/Next"


def test_unreachable_states_are_each_reported() -> None:
    states = {"A": PASS_END, "X": {"Type": "Pass", "Next": "Y"}, "Y": PASS_END}
    unreachable = [d.state for d in validate(machine(states)) if d.code == "unreachable-state"]
    assert unreachable == ["X", "Y"]


def test_a_loop_without_exit_has_no_terminal_path() -> None:
    states = {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {"Type": "Pass", "Next": "A"},
    }
    d = only(validate(machine(states)), "no-terminal-path")
    assert "'A', 'B'" in d.message


def test_a_loop_with_a_choice_exit_terminates() -> None:
    states = {
        "A": {"Type": "Pass", "Next": "B"},
        "B": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.done", "BooleanEquals": True, "Next": "Done"}],
            "Default": "A",
        },
        "Done": {"Type": "Succeed"},
    }
    assert not has_errors(validate(machine(states)))


def test_catch_edges_count_as_a_way_out() -> None:
    states = {
        "A": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "TimeoutSeconds": 5,
            "Next": "A",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F", "ResultPath": "$.e"}],
        },
        "F": {"Type": "Fail"},
    }
    assert "no-terminal-path" not in codes(validate(machine(states)))


def test_missing_transition_and_next_with_end() -> None:
    states = {"A": {"Type": "Pass", "Next": "B", "End": True}, "B": {"Type": "Wait", "Seconds": 1}}
    diagnostics = validate(machine(states))
    assert only(diagnostics, "missing-transition").state == "B"
    assert only(diagnostics, "conflicting-fields").state == "A"


def test_duplicate_names_across_scopes() -> None:
    states = {
        "A": {
            "Type": "Parallel",
            "Branches": [{"StartAt": "S", "States": {"S": {"Type": "Succeed"}}}],
            "Next": "S",
        },
        "S": {"Type": "Succeed"},
    }
    d = only(validate(machine(states)), "duplicate-state-name")
    assert d.state == "S"
    assert d.pointer == "/States/A/Branches/0/States/S"
    assert "'S' is also used at /States/S;" in d.message


def test_a_duplicate_name_points_at_the_other_state_in_its_nested_scope() -> None:
    states = {
        "P": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}},
                {"StartAt": "X", "States": {"X": {"Type": "Pass", "End": True}}},
            ],
            "End": True,
        }
    }
    d = only(validate(machine(states, start="P")), "duplicate-state-name")
    assert d.pointer == "/States/P/Branches/1/States/X"
    assert "'X' is also used at /States/P/Branches/0/States/X;" in d.message


def test_state_names_have_a_length_limit() -> None:
    long = "x" * 81
    d = only(validate(machine({long: PASS_END}, start=long)), "invalid-state-name")
    assert "81" in d.message
    assert not has_errors(validate(machine({"y" * 80: PASS_END}, start="y" * 80)))


def test_empty_states_and_non_object_state() -> None:
    assert codes(validate(machine({}))) == ["empty-states"]
    d = only(validate(machine({"A": 3})), "invalid-type")
    assert d.pointer == "/States/A"


def test_pointer_tokens_are_escaped() -> None:
    d = only(
        validate(machine({"a/b~c": {"Type": "Pass", "Next": "zz"}}, start="a/b~c")),
        "unknown-target",
    )
    assert d.pointer == "/States/a~1b~0c/Next"


def test_every_problem_is_reported_at_once() -> None:
    states = {
        "A": {"Type": "Pass", "Next": "Nowhere"},
        "Lost": PASS_END,
        "W": {"Type": "Wait"},
    }
    found = set(codes(validate(machine(states))))
    assert {"unknown-target", "unreachable-state", "missing-transition", "missing-field"} <= found


def test_a_long_chain_is_checked_without_recursion() -> None:
    n = 5000
    states: dict[str, Any] = {f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(n)}
    states[f"S{n}"] = PASS_END
    assert validate(machine(states, start="S0")) == []


def test_duplicate_keys_are_found_in_json_text() -> None:
    text = (
        '{"StartAt": "A", "States": {'
        '"A": {"Type": "Pass", "Next": "B", "Next": "B"},'
        '"B": {"Type": "Succeed"}, "B": {"Type": "Fail"}}}'
    )
    found = [(d.severity, d.code, d.state, d.pointer) for d in validate(text)]
    assert found == [
        ("error", "duplicate-state-name", "B", "/States/B"),
        ("warning", "duplicate-key", "A", "/States/A/Next"),
    ]


def test_duplicate_keys_inside_nested_scopes_name_their_state() -> None:
    text = (
        '{"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true, "Branches": ['
        '{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true, '
        '"Comment": "a", "Comment": "b"}}}'
        "]}}}"
    )
    found = [(d.code, d.state, d.pointer) for d in validate(text)]
    assert found == [("duplicate-key", "X", "/States/P/Branches/0/States/X/Comment")]
