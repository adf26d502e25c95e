"""``orderflow check``: exit codes, output streams, targets, unreadable input."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderflow.asl import Definition
from orderflow.cli import main
from orderflow.cli._check import MAX_FILE_BYTES, check_definition

GOOD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
BAD = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "Gone"}}}
WARN = {
    "StartAt": "A",
    "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}},
}


def write(tmp_path: Path, name: str, content: str) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", write(tmp_path, "ok.json", json.dumps(GOOD))]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "no problems found" in err


def test_warnings_alone_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", write(tmp_path, "w.json", json.dumps(WARN))]) == 0
    assert "task-without-timeout" in capsys.readouterr().err


def test_errors_exit_1_and_text_goes_to_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "bad.json", json.dumps(BAD))
    assert main(["check", path]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"{path}: 2 errors, 0 warnings")
    assert "state 'A'" in err and "unknown-target" in err
    assert "\x1b[" not in err  # not a terminal: no colour


def test_json_format_goes_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", write(tmp_path, "bad.json", json.dumps(BAD)), "--format", "json"]) == 1
    out, err = capsys.readouterr()
    items = json.loads(out)
    assert [i["code"] for i in items] == ["unknown-target", "no-terminal-path"]
    assert set(items[0]) == {"severity", "code", "state", "field", "pointer", "message"}
    assert err == ""


def test_express_type_option(tmp_path: Path) -> None:
    definition = {
        "StartAt": "A",
        "States": {
            "A": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "TimeoutSeconds": 5,
                "End": True,
            }
        },
    }
    path = write(tmp_path, "e.json", json.dumps(definition))
    assert main(["check", path]) == 0
    assert main(["check", path, "--type", "EXPRESS"]) == 1


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{\n  "StartAt": "A",\n  "States": {,}\n}', "line 3, column"),
        ("", "empty"),
        ("  \n", "empty"),
        ("[1, 2]", "JSON list"),
        ('"text"', "JSON str"),
        ("\xff", "invalid JSON"),
    ],
)
def test_unreadable_input_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, fragment: str
) -> None:
    path = write(tmp_path, "x.json", content)
    assert main(["check", path]) == 2
    out, err = capsys.readouterr()
    assert out == "" and path in err and fragment in err
    assert "Traceback" not in err


def test_missing_file_and_usage_errors_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(tmp_path / "nope.json")]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    assert main(["check", "--workflow", "nope"]) == 2
    assert main(["check", str(tmp_path / "x.json"), "--format", "yaml"]) == 2


def test_huge_file_is_refused_without_reading_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:  # sparse: no real 64 MiB write
        handle.truncate(MAX_FILE_BYTES + 1)
    assert main(["check", str(path)]) == 2
    assert "not read" in capsys.readouterr().err


def test_oversized_definition_is_an_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    states = {
        f"S{i}": {"Type": "Pass", "Comment": "c" * 1000, "Next": f"S{i + 1}"} for i in range(1100)
    }
    states["S1100"] = {"Type": "Succeed"}
    path = write(tmp_path, "big.json", json.dumps({"StartAt": "S0", "States": states}))
    assert main(["check", path]) == 1
    assert "definition-too-large" in capsys.readouterr().err


def test_deeply_nested_json_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    depth = 100_000
    path = write(tmp_path, "deep.json", '{"Comment": ' + "[" * depth + "]" * depth + "}")
    assert main(["check", path]) == 2
    assert "nested too deeply" in capsys.readouterr().err


@pytest.fixture
def module_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("machines_")]:
        del sys.modules[name]


def test_module_attribute_dict_and_definition(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (module_dir / "machines_a.py").write_text(
        "from orderflow.asl import Definition\n"
        f"GOOD = {GOOD!r}\n"
        f"BAD = Definition({BAD!r})\n"
        "class Holder:\n    nested = GOOD\n"
        "NOT_A_MACHINE = 42\n",
        encoding="utf-8",
    )
    assert main(["check", "machines_a:GOOD"]) == 0
    assert main(["check", "machines_a:BAD"]) == 1
    assert main(["check", "machines_a:Holder.nested"]) == 0
    capsys.readouterr()
    assert main(["check", "machines_a:NOT_A_MACHINE"]) == 2
    assert "int" in capsys.readouterr().err
    assert main(["check", "machines_a:missing"]) == 2
    assert main(["check", "machines_nowhere:x"]) == 2


def test_broken_user_module_exits_2(module_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (module_dir / "machines_b.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    assert main(["check", "machines_b:x"]) == 2
    err = capsys.readouterr().err
    assert "boom" in err and "Traceback" not in err


def test_dsl_workflow_target(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("orderflow.orders.workflow")
    assert main(["check", "orderflow.orders.workflow:order_workflow", "--format", "json"]) == 0
    assert not [d for d in json.loads(capsys.readouterr().out) if d["severity"] == "error"]


def test_check_definition_library_function(tmp_path: Path) -> None:
    report = check_definition(BAD)
    assert not report.ok and report.exit_code == 1
    assert report.source == "<definition>"
    assert [d.code for d in report.diagnostics] == ["unknown-target", "no-terminal-path"]
    path = write(tmp_path, "ok.json", json.dumps(GOOD))
    report = check_definition(path)
    assert report.ok and report.source == path and isinstance(report.definition, Definition)


def test_check_reads_duplicate_state_names_from_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "A": {"Type": "Fail"}}}'
    assert main(["check", write(tmp_path, "dup.json", text)]) == 1
    assert "duplicate-state-name" in capsys.readouterr().err


def test_a_renderer_that_refuses_an_invalid_machine_is_reported_as_errors(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (module_dir / "machines_c.py").write_text(
        "from orderflow import InvalidDefinition\n"
        "from orderflow.validation import validate\n"
        "class Refusing:\n"
        "    def to_definition(self):\n"
        f"        raise InvalidDefinition('invalid', validate({BAD!r}))\n"
        "FLOW = Refusing()\n",
        encoding="utf-8",
    )
    assert main(["check", "machines_c:FLOW", "--format", "json"]) == 1
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == [
        "unknown-target",
        "no-terminal-path",
    ]


@pytest.mark.parametrize(
    "definition",
    [
        {"StartAt": "A", "States": {"A": {"Type": ["Pass"], "End": True}}},
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": []}},
    ],
)
def test_malformed_definition_exits_1_with_diagnostics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], definition: dict[str, object]
) -> None:
    path = write(tmp_path, "m.json", json.dumps(definition))
    assert main(["check", path, "--format", "json"]) == 1
    items = json.loads(capsys.readouterr().out)
    assert any(i["severity"] == "error" and i["state"] in {"A", "B"} for i in items)


@pytest.mark.parametrize("number", ["NaN", "1e999", "-Infinity"])
def test_non_finite_number_in_a_file_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], number: str
) -> None:
    text = '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":NUMBER,"End":true}}}'
    text = text.replace("NUMBER", number)
    assert main(["check", write(tmp_path, "n.json", text)]) == 2
    err = capsys.readouterr().err
    assert f"line 1, column 54: {number} is not a JSON number" in err


def test_user_module_that_exits_at_import_exits_2(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (module_dir / "machines_exit.py").write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    assert main(["check", "machines_exit:x"]) == 2
    err = capsys.readouterr().err
    assert "called sys.exit(3)" in err and "Traceback" not in err


def test_what_a_user_module_prints_goes_to_stderr(
    module_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (module_dir / "machines_print.py").write_text(
        f"print('imported!')\nGOOD = {GOOD!r}\n", encoding="utf-8"
    )
    assert main(["check", "machines_print:GOOD", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out) == []
    assert "imported!" in err


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_a_workflow_that_cannot_be_built_is_one_error_diagnostic(
    module_dir: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (module_dir / "machines_miswired.py").write_text(
        "from orderflow.dsl import Flow, workflow\n"
        "from orderflow.orders import GetUserInput, OrderRequest, get_user\n"
        "@workflow('bad', input_model=OrderRequest)\n"
        "def wf(flow: Flow[OrderRequest]) -> None:\n"
        "    flow.task('GetUser', get_user).call(GetUserInput, user=flow.input.user_id)\n",
        encoding="utf-8",
    )
    assert main(["check", "machines_miswired:wf", "--format", fmt]) == 1
    out, err = capsys.readouterr()
    if fmt == "json":
        [item] = json.loads(out)
        assert item["severity"] == "error" and item["code"] == "workflow-build-error"
        assert item["state"] == "GetUser" and "'user'" in item["message"]
    else:
        assert out == ""
        assert "workflow-build-error" in err and "state 'GetUser'" in err


def test_without_a_target_check_covers_each_workflow_of_the_app(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert "orderflow:order: no problems found" in err
    assert "orderflow:inventory: no problems found" in err
    assert main(["check", "--format", "json", "--workflow", "order"]) == 0
    assert json.loads(capsys.readouterr().out) == {"order": []}
