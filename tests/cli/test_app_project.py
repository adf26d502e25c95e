"""Every command on a user's app, found from its project folder's ``pyproject.toml``.

The commands run in a subprocess from the project's own directory, as a user runs them;
the app is not the order app, and the order app is never loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PYPROJECT = """
[project]
name = "notes"
version = "0.1.0"

[tool.orderflow]
app = "notesapp.app:app"
"""

APP = """
from pydantic import BaseModel, Field

from orderflow import App, Service, ServiceError, Trigger
from orderflow.dsl import Catch, Flow, workflow
from orderflow.runtime import ServiceDeps


class Note(BaseModel):
    note_id: str = Field(min_length=1)
    text: str


class Saved(BaseModel):
    note_id: str
    length: int


class EmptyNote(ServiceError):
    pass


def _save(note: Note, deps: ServiceDeps) -> Saved:
    if not note.text:
        raise EmptyNote("nothing to save")
    deps.store.table("notes").put(note.model_dump())
    return Saved(note_id=note.note_id, length=len(note.text))


save_note = Service(
    "save-note", _save, Note, Saved, errors=(EmptyNote,), writes=("notes",), description="Save."
)


@workflow("note", input_model=Note)
def note_workflow(flow: Flow[Note]) -> None:
    def empty(f: Flow[Note], error: object) -> None:
        f.fail("Empty", error="EmptyNote", cause="the note was empty")

    flow.task("Save", save_note, catch=[Catch([EmptyNote], then=empty)]).call_with(flow.input)


app = App(
    "notes",
    services=[save_note],
    workflows=[note_workflow],
    tables={"notes": "note_id"},
    triggers=[Trigger("note", source="notes.app", detail_type="Note Taken")],
)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("notes-project")
    (root / "pyproject.toml").write_text(PYPROJECT)
    package = root / "src" / "notesapp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(APP)
    return root


def orderflow(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        "from orderflow.cli import main\n"
        "code = main(sys.argv[1:])\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('orderflow.orders'))\n"
        "print('ORDERS-LOADED' if loaded else '', file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORDERFLOW_")}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=project / "src" / "notesapp",  # a folder inside the project: found walking up
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


def test_render_and_check_use_the_apps_names(project: Path) -> None:
    rendered = orderflow(project, "render")
    assert rendered.returncode == 0, rendered.stderr
    definition = json.loads(rendered.stdout)
    assert definition["States"]["Save"][
        "Arguments" if "Arguments" in definition["States"]["Save"] else "Parameters"
    ]["FunctionName"].endswith(":function:notes-save-note")
    checked = orderflow(project, "check", "--format", "json")
    assert checked.returncode == 0, checked.stderr
    (found,) = json.loads(checked.stdout).values()
    assert [d["code"] for d in found] == ["task-without-timeout"]  # a warning, not an error
    assert "ORDERS-LOADED" not in rendered.stderr + checked.stderr


def test_run_uses_the_apps_services_and_validates_input(project: Path) -> None:
    ok = orderflow(project, "run", "--input", '{"note_id": "n-1", "text": "hello"}', "--trace")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["save"] == {"note_id": "n-1", "length": 5}
    assert "ORDERS-LOADED" not in ok.stderr
    caught = orderflow(project, "run", "--input", '{"note_id": "n-1", "text": ""}')
    assert caught.returncode == 1
    assert "execution FAILED: EmptyNote" in caught.stderr

    missing = orderflow(project, "run")
    assert missing.returncode == 2
    assert "--input is required: app 'notes' declares no sample input" in missing.stderr

    bad = orderflow(project, "run", "--input", '{"note_id": "", "text": 3}')
    assert bad.returncode == 2
    assert "note_id" in bad.stderr and "text" in bad.stderr and "Traceback" not in bad.stderr

    unknown = orderflow(project, "run", "--input", '{"note_id": "n", "text": "x"}', "--fail", "x=1")
    assert unknown.returncode == 2
    assert "its services: save-note" in unknown.stderr

    rate = orderflow(
        project, "run", "--input", '{"note_id": "n", "text": "x"}', "--fail", "save-note=0"
    )
    assert rate.returncode == 0, rate.stderr


def test_the_deployer_policy_is_scoped_to_the_apps_prefix(project: Path) -> None:
    printed = orderflow(project, "deploy", "--print-deployer-policy", "--region", "eu-west-1")
    assert printed.returncode == 0, printed.stderr
    resources = {
        r
        for statement in json.loads(printed.stdout)["Statement"]
        for r in (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
    }
    assert "arn:aws:states:eu-west-1:*:stateMachine:notes-*" in resources
    assert "arn:aws:lambda:eu-west-1:*:function:notes-*" in resources


def test_an_explicit_app_option_wins_over_the_project(project: Path) -> None:
    done = orderflow(project, "render", "--app", "orderflow.orders.app:app")
    assert done.returncode == 0, done.stderr
    assert ":function:orderflow-get-user" in done.stdout
    wrong = orderflow(project, "render", "--app", "notesapp.app:nothing")
    assert wrong.returncode == 2
    assert "has no attribute 'nothing'" in wrong.stderr
