"""A second app, not the order app, deployed to moto: every name comes from the app.

The app lives in its own package in a temporary folder (as a user's project would), with
one service, one table, one workflow and one trigger. Deploy creates exactly its resources,
named after it; a second deploy changes nothing; destroy leaves nothing.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orderflow.deploy import Aws, Packager, deploy, destroy

from .conftest import FakeDependencies

pytestmark = pytest.mark.moto

NOTES = """
from pydantic import BaseModel

from orderflow import App, Service, Trigger
from orderflow.dsl import Flow, workflow
from orderflow.runtime import ServiceDeps


class Note(BaseModel):
    note_id: str
    text: str


def _save(note: Note, deps: ServiceDeps) -> Note:
    deps.store.table("notes").put(note.model_dump())
    return note


save_note = Service("save-note", _save, Note, Note, writes=("notes",), description="Save.")


@workflow("note", input_model=Note)
def note_workflow(flow: Flow[Note]) -> None:
    flow.task("Save", save_note).call_with(flow.input)


app = App(
    "notes",
    services=[save_note],
    workflows=[note_workflow],
    tables={"notes": "note_id"},
    triggers=[Trigger("note", source="notes.app", detail_type="Note Taken")],
)
"""


@pytest.fixture
def notes_app(tmp_path: Path) -> Iterator[Any]:
    package = tmp_path / "notesapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "app.py").write_text(NOTES)
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("notesapp.app").app
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("notesapp")]:
            del sys.modules[name]


def test_a_second_app_deploys_under_its_own_names(aws: Aws, notes_app: Any) -> None:
    packager = Packager(FakeDependencies())
    lines: list[str] = []
    deploy(aws, app=notes_app, packager=packager, progress=lines.append)
    created = sorted(line for line in lines if line.startswith("created "))
    monitoring = [
        "created SNS topic notes-alarms",
        "created CloudWatch alarm notes-note-failure-rate",
        "created CloudWatch alarm notes-note-backlog",
        "created CloudWatch alarm notes-save-note-throttles",
        "created CloudWatch dashboard notes-dashboard",
    ]
    assert created == sorted(
        [
            *monitoring,
            "created DynamoDB table notes-notes",
            "created IAM role notes-save-note-lambda",
            "created Lambda function notes-save-note",
            "created log group /aws/vendedlogs/states/notes-note",
            "created IAM role notes-note-states",
            "created state machine notes-note",
            "created IAM role notes-note-events",
            "created EventBridge rule notes-note-note-taken",
        ]
    )
    # The function's package holds the app's own code, found where the app lives.
    code = packager.package("save-note")
    assert b"notesapp/app.py" in code
    config = aws.client("lambda").get_function_configuration(FunctionName="notes-save-note")
    env = config["Environment"]["Variables"]
    assert env["ORDERFLOW_SERVICE_LOCATION"] == "notesapp.app:save_note"
    assert json.loads(env["ORDERFLOW_TABLES"]) == {"notes": "note_id"}
    rule = aws.client("events").describe_rule(Name="notes-note-note-taken")
    assert json.loads(rule["EventPattern"]) == {
        "source": ["notes.app"],
        "detail-type": ["Note Taken"],
    }
    tags = aws.client("lambda").list_tags(Resource=config["FunctionArn"])["Tags"]
    assert tags == {"project": "orderflow", "prefix": "notes", "app": "notes"}
    roles = aws.client("iam").list_roles(PathPrefix="/orderflow/notes/")["Roles"]
    assert len(roles) == 3

    again = deploy(aws, app=notes_app, packager=packager, dry_run=True)
    assert again.up_to_date

    deleted = destroy(aws, prefix="notes", progress=lambda line: None)
    assert len(deleted) == len(created)
    assert aws.client("lambda").list_functions()["Functions"] == []
    assert aws.client("dynamodb").list_tables()["TableNames"] == []
