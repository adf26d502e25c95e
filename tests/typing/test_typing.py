"""The DSL's types catch mis-wirings: mypy (strict, with the project's config) on snippets.

Each snippet in ``snippets/`` marks the lines where mypy must report an error with
``# E: <code> <message fragment>``; a snippet without markers must pass cleanly. The same
snippets are then imported and rendered, and every mis-wiring must also fail at build time
with a WorkflowBuildError naming the state and field (for code mypy never saw).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

from orderflow import WorkflowBuildError
from orderflow.dsl import Workflow, render

ROOT = Path(__file__).resolve().parents[2]
SNIPPETS = Path(__file__).resolve().parent / "snippets"
MARKER = re.compile(r"#\s*E:\s*(?P<code>[\w-]+)\s+(?P<fragment>.+?)\s*$")
REPORT = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+): error: (?P<message>.*)  \[(?P<code>[\w-]+)\]$"
)

# snippet -> (state, field) the build-time check must name
RUNTIME = {
    "wrong_type": ("GetUser", "user_id"),
    "missing_field": ("Pay", "credit_score"),
    "unknown_field": ("GetUser", "email"),
    "no_such_output_field": ("GetUser", "phone"),
    "parallel_index": ("P", None),
    "wrong_service_model": ("GetUser", "Payload"),
    "branch_output_misuse": ("P", "transaction_id"),
    "dynamodb_get_item_misuse": ("GetUser", "user_id"),
    "dynamodb_put_item_not_a_model": ("Save", "Item"),
    "dynamodb_update_item_no_such_field": ("Touch", "phone"),
    "dynamodb_delete_item_model_key": ("Forget", "request_id"),
    "sns_publish_misuse": ("Announce", "MessageID"),
    "sqs_send_message_misuse": ("Notify", "total_cents"),
    "eventbridge_put_events_misuse": ("GetUser", "user_id"),
    "sfn_start_execution_sync_misuse": ("Lookup", "phone"),
    "sfn_start_execution_misuse": ("Audit", "Output"),
    "callback_result_misuse": ("GetUser", "user_id"),
    "raw_output_misuse": ("Load", "nickname"),
    "distributed_map_item_misuse": ("GetUser", "user_id"),
    "compensation_misuse": ("Compensate CreateOrder", "request_id"),
    "compensation_result_misuse": ("CreateOrder", "phone"),
}


def expected_errors(path: Path) -> dict[int, tuple[str, str]]:
    found = {}
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            found[number] = (match["code"], match["fragment"])
    return found


@pytest.fixture(scope="module")
def mypy_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[int, str, str]]]:
    api = pytest.importorskip("mypy.api")
    cache = tmp_path_factory.mktemp("mypy-cache")
    stdout, stderr, _ = api.run(
        [
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(cache),
            "--show-error-codes",
            "--no-pretty",
            "--no-error-summary",
            str(SNIPPETS),
        ]
    )
    assert not stderr, stderr
    report: dict[str, list[tuple[int, str, str]]] = {p.stem: [] for p in SNIPPETS.glob("*.py")}
    for line in stdout.splitlines():
        match = REPORT.match(line)
        if match:
            report[Path(match["file"]).stem].append(
                (int(match["line"]), match["code"], match["message"])
            )
        else:
            assert ": note: " in line, f"unexpected mypy output: {line}"
    return report


SNIPPET_NAMES = sorted(p.stem for p in SNIPPETS.glob("*.py"))


# snippets of correct code: mypy must report nothing and they must build
CORRECT = {"ok_order", "ok_parallel_many"}


def test_every_mis_wiring_snippet_is_covered() -> None:
    assert set(RUNTIME) | CORRECT == set(SNIPPET_NAMES)


@pytest.mark.parametrize("name", SNIPPET_NAMES)
def test_mypy_reports_exactly_the_marked_errors(
    name: str, mypy_report: dict[str, list[tuple[int, str, str]]]
) -> None:
    expected = expected_errors(SNIPPETS / f"{name}.py")
    actual = mypy_report[name]
    assert sorted((line, code) for line, code, _ in actual) == sorted(
        (line, code) for line, (code, _) in expected.items()
    ), actual
    for line, code, message in actual:
        assert expected[line][1] in message, (line, code, message)
    if name in CORRECT:
        assert actual == []
    else:
        assert actual, f"{name} must produce at least one mypy error"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"_typing_snippet_{name}", SNIPPETS / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_correct_snippet_builds() -> None:
    module = _load("ok_order")
    definition = module.definition
    assert definition.start_at == "Validate"
    assert "ReserveEach" in definition.states


def test_parallel_with_more_branches_than_typed_overloads_builds() -> None:
    module = _load("ok_parallel_many")
    parallel = module.definition.states["P"]
    assert len(parallel["Branches"]) == module.BRANCHES == 8
    assert parallel["Branches"][7]["StartAt"] == "Get7"


@pytest.mark.parametrize("name", sorted(RUNTIME))
def test_the_same_mis_wiring_fails_at_build_time(name: str) -> None:
    workflow = _load(name).w
    assert isinstance(workflow, Workflow)
    with pytest.raises(WorkflowBuildError) as info:
        render(workflow)
    state, field = RUNTIME[name]
    assert info.value.state == state, info.value
    assert info.value.field == field, info.value
