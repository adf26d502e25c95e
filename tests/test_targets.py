"""One way to load what a user names: every command path imports ``MODULE:ATTR`` alike.

``render``, ``check``, ``run`` and ``deploy --workflow`` (through
:func:`orderflow.deploy.workflow_source`, which the command calls before any AWS call) all
resolve targets with :mod:`orderflow._targets`; each test here runs every path on the same
user module and expects the same outcome.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orderflow._errors import DefinitionError, TargetError, WorkflowBuildError
from orderflow._targets import (
    MAX_FILE_BYTES,
    import_attribute,
    is_module_target,
    load_definition_target,
    load_workflow,
)
from orderflow.cli import main

WORKFLOW_MODULE = (
    "from orderflow.dsl import Flow, workflow\n"
    "from orderflow.orders import GetUserInput, OrderRequest, get_user\n"
    "@workflow('from-cwd', input_model=OrderRequest)\n"
    "def wf(flow: Flow[OrderRequest]) -> None:\n"
    "    flow.task('GetUser', get_user).call(GetUserInput, user_id=flow.input.user_id)\n"
    "NOT_A_WORKFLOW = 42\n"
)


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty current directory that is *not* on sys.path: the loader must add it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("tgt_"):
            del sys.modules[name]


def _deploy(target: str) -> int:
    """What ``orderflow deploy --workflow`` does with its option before any AWS call."""
    from orderflow.deploy import workflow_source

    try:
        workflow_source(target)
    except TargetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


COMMANDS: dict[str, Callable[[str], int]] = {
    "render": lambda target: main(["render", target]),
    "check": lambda target: main(["check", target, "--format", "json"]),
    "run": lambda target: main(["run", target]),
    "deploy": _deploy,
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_module_in_the_current_directory_is_importable(
    command: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_cwd_{command}"
    (cwd / f"{module}.py").write_text(WORKFLOW_MODULE, encoding="utf-8")
    assert COMMANDS[command](f"{module}:wf") == 0
    out, err = capsys.readouterr()
    assert "error" not in err
    if command == "render":
        assert json.loads(out)["StartAt"] == "GetUser"
    elif command == "check":
        assert {d["severity"] for d in json.loads(out)} <= {"warning"}
    elif command == "run":
        assert json.loads(out)["user_id"]  # GetUser's result, the whole output
    assert str(cwd) in sys.path


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_module_that_raises_at_import_is_a_usage_error_naming_the_cause(
    command: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_raises_{command}"
    (cwd / f"{module}.py").write_text("raise RuntimeError('no database here')\n")
    assert COMMANDS[command](f"{module}:wf") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"'{module}:wf'" in err and "RuntimeError: no database here" in err
    assert "Traceback" not in err and "internal error" not in err


def test_an_attribute_error_inside_the_module_is_not_a_missing_attribute(cwd: Path) -> None:
    (cwd / "tgt_attr_bug.py").write_text("import os\nos.no_such_function()\nwf = 1\n")
    with pytest.raises(TargetError) as caught:
        import_attribute("tgt_attr_bug:wf", what="target")
    assert "importing module 'tgt_attr_bug' failed: AttributeError" in str(caught.value)
    assert "no_such_function" in str(caught.value)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_module_that_calls_sys_exit_at_import_is_a_usage_error(
    command: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_exits_{command}"
    (cwd / f"{module}.py").write_text("import sys\nsys.exit(3)\n")
    assert COMMANDS[command](f"{module}:wf") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"importing module '{module}' called sys.exit(3)" in err


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_what_a_module_prints_at_import_or_build_goes_to_stderr(
    command: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_prints_{command}"
    loud = WORKFLOW_MODULE.replace(
        "def wf(flow: Flow[OrderRequest]) -> None:\n",
        "def wf(flow: Flow[OrderRequest]) -> None:\n    print('building now')\n",
    )
    (cwd / f"{module}.py").write_text("print('importing now')\n" + loud)
    assert COMMANDS[command](f"{module}:wf") == 0
    out, err = capsys.readouterr()
    assert "importing now" in err and "building now" in err
    assert "importing now" not in out and "building now" not in out
    if command != "deploy":
        json.loads(out)  # stdout is the command's result alone


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_attribute_is_a_usage_error(
    command: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_missing_{command}"
    (cwd / f"{module}.py").write_text(WORKFLOW_MODULE)
    assert COMMANDS[command](f"{module}:nothing.here") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"module '{module}' has no attribute 'nothing.here'" in err


@pytest.mark.parametrize(
    ("command", "fragment"),
    [
        ("render", "is a int, not a Workflow"),
        ("deploy", "is a int, not a Workflow"),
        ("check", "is a int; expected a workflow, a Definition, a dict"),
        ("run", "is a int; expected a workflow, a Definition, a dict"),
    ],
)
def test_an_attribute_that_is_not_a_workflow_is_a_usage_error(
    command: str, fragment: str, cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = f"tgt_notwf_{command}"
    (cwd / f"{module}.py").write_text(WORKFLOW_MODULE)
    assert COMMANDS[command](f"{module}:NOT_A_WORKFLOW") == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"'{module}:NOT_A_WORKFLOW' {fragment}" in err


def test_deploy_builds_the_workflow_before_any_aws_call_and_contains_its_exit(cwd: Path) -> None:
    (cwd / "tgt_build.py").write_text(
        WORKFLOW_MODULE
        + "@workflow('quits', input_model=OrderRequest)\n"
        + "def quits(flow: Flow[OrderRequest]) -> None:\n"
        + "    raise SystemExit(5)\n"
        + "@workflow('buggy', input_model=OrderRequest)\n"
        + "def buggy(flow: Flow[OrderRequest]) -> None:\n"
        + "    {}['key']\n"
        + "@workflow('miswired', input_model=OrderRequest)\n"
        + "def miswired(flow: Flow[OrderRequest]) -> None:\n"
        + "    flow.task('GetUser', get_user).call(GetUserInput, user=flow.input.user_id)\n"
    )
    from orderflow.deploy import workflow_source

    with pytest.raises(TargetError, match=r"building workflow 'quits' called sys.exit\(5\)"):
        workflow_source("tgt_build:quits")
    with pytest.raises(TargetError, match="building workflow 'buggy' failed: KeyError: 'key'"):
        workflow_source("tgt_build:buggy")
    with pytest.raises(WorkflowBuildError) as caught:
        workflow_source("tgt_build:miswired")
    assert caught.value.state == "GetUser"


def test_run_refuses_a_file_over_the_size_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: no 64 MiB written to disk
    assert main(["run", str(huge)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert f"the file is {MAX_FILE_BYTES + 1:,} bytes" in err and "are not read" in err
    from orderflow.executor._local import load_target

    with pytest.raises(DefinitionError, match="are not read"):
        load_target(str(huge))


def test_import_attribute_follows_dotted_attributes_and_names_the_spec(cwd: Path) -> None:
    (cwd / "tgt_nested.py").write_text(
        "class Holder:\n    class Inner:\n        value = 7\n"
        "def __getattr__(name):\n    raise LookupError('computed attributes are broken')\n"
    )
    assert import_attribute("tgt_nested:Holder.Inner.value", what="--contracts") == 7
    with pytest.raises(TargetError) as caught:
        import_attribute("tgt_nested:computed", what="--contracts")
    assert caught.value.target == "tgt_nested:computed"
    assert str(caught.value).startswith("--contracts 'tgt_nested:computed': ")
    assert "LookupError: computed attributes are broken" in str(caught.value)
    for malformed in ("tgt_nested", "tgt_nested:", ":x", "a..b:c", "a:b:c", "./x.py:y"):
        with pytest.raises(TargetError, match=r"expected MODULE:ATTR"):
            import_attribute(malformed, what="--contracts")


def test_target_error_is_a_definition_error_and_a_value_error() -> None:
    assert issubclass(TargetError, DefinitionError) and issubclass(TargetError, ValueError)
    # the historical import locations still name the one class
    from orderflow.cli._check import TargetError as CheckTargetError
    from orderflow.cli._render import TargetError as RenderTargetError

    assert CheckTargetError is TargetError and RenderTargetError is TargetError


def test_an_existing_file_wins_over_a_module_reading(cwd: Path) -> None:
    (cwd / "tgt_file:wf").write_text('{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}')
    assert not is_module_target("tgt_file:wf")
    assert is_module_target("tgt_file:other")
    assert not is_module_target("machine.json")
    assert load_definition_target("tgt_file:wf").data["StartAt"] == "A"


def test_definitions_dicts_and_to_definition_objects_load(cwd: Path) -> None:
    (cwd / "tgt_kinds.py").write_text(
        "from orderflow.asl import Definition\n"
        "DATA = {'StartAt': 'A', 'States': {'A': {'Type': 'Succeed'}}}\n"
        "DEF = Definition(DATA)\n"
        "class Converts:\n    def to_definition(self):\n        return DEF\n"
        "class Wrong:\n    def to_definition(self):\n        return 'text'\n"
        "CONVERTS, WRONG = Converts(), Wrong()\n"
    )
    for attr in ("DATA", "DEF", "CONVERTS"):
        assert load_definition_target(f"tgt_kinds:{attr}").data["StartAt"] == "A"
    with pytest.raises(TargetError, match=r"Wrong.to_definition\(\) returned a str"):
        load_definition_target("tgt_kinds:WRONG")


def test_the_default_app_is_the_bundled_order_app(tmp_path: Path) -> None:
    from orderflow._targets import DEFAULT_APP, find_app, load_app
    from orderflow.orders.app import app
    from orderflow.orders.workflow import order_workflow

    assert load_workflow("orderflow.orders.workflow:order_workflow") is order_workflow
    found = find_app(cwd=tmp_path)  # no pyproject.toml above a fresh temp folder
    assert found.spec == DEFAULT_APP and found.bundled and found.source == "bundled"
    assert load_app(found) is app
    assert app.workflow() is order_workflow


def test_the_nearest_pyproject_names_the_app(tmp_path: Path) -> None:
    from orderflow._targets import find_app, load_app

    project = tmp_path / "proj"
    (project / "src" / "targets_mini").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.orderflow]\napp = "targets_mini.app:app"\n')
    (project / "src" / "targets_mini" / "__init__.py").write_text("")
    (project / "src" / "targets_mini" / "app.py").write_text(
        "from orderflow.orders.app import app as bundled\n"
        "from orderflow import App\n"
        "app = App('mini', services=bundled.services.values(), workflows=[bundled.workflow()],"
        " tables=bundled.tables, packages=('targets_mini',))\n"
    )
    deeper = project / "a" / "b"
    deeper.mkdir(parents=True)
    found = find_app(cwd=deeper)
    assert (found.spec, found.root) == ("targets_mini.app:app", project)
    assert load_app(found).name == "mini"
    # --app wins over the file; only the nearest pyproject.toml counts.
    assert find_app("x.y:z", cwd=deeper).spec == "x.y:z"
    (deeper / "pyproject.toml").write_text("[project]\nname = 'other'\n")
    assert find_app(cwd=deeper).bundled


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool.orderflow\n", "not valid TOML"),
        ('[tool.orderflow]\napp = "not a spec"\n', "expected"),
        ("[tool.orderflow]\napp = 3\n", "expected"),
    ],
)
def test_a_bad_pyproject_setting_names_the_file(tmp_path: Path, text: str, message: str) -> None:
    from orderflow._targets import find_app

    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(TargetError, match=message) as info:
        find_app(cwd=tmp_path)
    assert info.value.file == str(tmp_path / "pyproject.toml")


def test_an_app_spec_that_is_no_app_is_a_target_error() -> None:
    from orderflow._targets import load_app

    with pytest.raises(TargetError, match=r"not an orderflow\.App"):
        load_app("orderflow.orders.workflow:order_workflow")
    with pytest.raises(TargetError, match="expected MODULE:ATTR"):
        load_app("nonsense")


def test_loading_a_target_never_imports_the_cli(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from orderflow.executor._local import load_target\n"
        "from orderflow.deploy import workflow_source\n"
        "from orderflow._targets import load_app\n"
        "load_target('orderflow.orders.workflow:order_workflow'); load_app()\n"
        "workflow_source('orderflow.orders.workflow:order_workflow')\n"
        "print(sorted(m for m in sys.modules if m == 'click' or m.startswith('orderflow.cli')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"
