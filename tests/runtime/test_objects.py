"""Object storage: buckets in memory and in S3 (moto's server), the declarations that grant
them (``Service(archives=...)``, ``App(buckets=...)``), the Lambda environment, and the
notification archive seen after a local run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import App, ConfigurationError
from orderflow.cli import main
from orderflow.dsl import Flow, workflow
from orderflow.orders.app import app as orders
from orderflow.orders.notification import ARCHIVE_PREFIX, archive_key
from orderflow.runtime import (
    AccessDeclarationError,
    InMemoryBucket,
    Objects,
    Service,
    ServiceDeps,
    StorageError,
    write_objects,
)
from orderflow.runtime._lambda import deps_from_environment


class Note(BaseModel):
    note_id: str


def _archive(note: Note, deps: ServiceDeps) -> Note:
    deps.objects.bucket("files").put(f"notes/{note.note_id}", note.model_dump_json())
    return note


keeper = Service("keep-note", _archive, Note, Note, archives=(("files", "notes/"),))


@workflow("keep", input_model=Note)
def keep(flow: Flow[Note]) -> None:
    flow.task("Keep", keeper).call_with(flow.input)


def test_in_memory_buckets_store_list_and_refuse_bad_use() -> None:
    objects = Objects.in_memory(["files"])
    bucket = objects.bucket("files")
    bucket.put("a/2", b"\x00bin")
    bucket.put("a/1", "text", content_type="text/plain")
    bucket.put("b", "other")
    assert bucket.keys("a/") == ["a/1", "a/2"] and bucket.get("a/1") == b"text"
    assert bucket.get("missing") is None
    assert isinstance(bucket, InMemoryBucket)
    assert bucket.objects["a/1"].content_type == "text/plain"
    with pytest.raises(StorageError, match="unknown bucket 'logs' \\(buckets: files\\)"):
        objects.bucket("logs")
    with pytest.raises(StorageError, match="1-1024 bytes"):
        bucket.put("", "x")
    with pytest.raises(StorageError, match="bytes or str, not dict"):
        bucket.put("k", {"a": 1})  # type: ignore[arg-type]
    assert ServiceDeps.in_memory({}).objects.names == ()


def test_write_objects_saves_every_object_and_refuses_escaping_keys(tmp_path: Path) -> None:
    objects = Objects.in_memory(["files", "logs"])
    objects.bucket("files").put("notes/n-1.json", "{}")
    objects.bucket("logs").put("today", "line")
    written = write_objects(objects, tmp_path)
    assert written == [tmp_path / "files/notes/n-1.json", tmp_path / "logs/today"]
    assert (tmp_path / "logs/today").read_text() == "line"
    objects.bucket("logs").put("../../etc/x", "no")
    with pytest.raises(StorageError, match="cannot be saved as a file"):
        write_objects(objects, tmp_path)


@pytest.mark.parametrize(
    ("archives", "message"),
    [
        ("files", "must be \\(bucket, prefix\\) pairs"),
        ([("files",)], "not a \\(bucket, prefix\\) pair"),
        ([("Files", "notes/")], "bucket 'Files'"),
        ([("files", "notes/*")], "no wildcards"),
        ([("files", "/notes/")], "no leading '/'"),
        ([("files", "")], "key prefix ''"),
    ],
)
def test_bad_archive_declarations_are_refused(archives: Any, message: str) -> None:
    with pytest.raises(AccessDeclarationError, match=message):
        Service("bad", _archive, Note, Note, archives=archives)


def test_the_app_declares_exactly_the_buckets_its_services_archive_to() -> None:
    made = App("notes", services=[keeper], workflows=[keep], buckets=["files"])
    assert made.buckets == ("files",)
    assert made.deps().objects.names == ("files",)
    # A bucket a service archives to is the app's even when not listed.
    assert App("notes", services=[keeper], workflows=[keep]).buckets == ("files",)
    with pytest.raises(ConfigurationError, match="logs in buckets= are archived to by no"):
        App("notes", services=[keeper], workflows=[keep], buckets=["files", "logs"])
    with pytest.raises(ConfigurationError, match="names a bucket twice"):
        App("notes", services=[keeper], workflows=[keep], buckets=["files", "files"])
    with pytest.raises(ConfigurationError, match="not the string"):
        App("notes", services=[keeper], workflows=[keep], buckets="files")
    with pytest.raises(ConfigurationError, match="default_workflow 'nope'"):
        App(
            "notes", services=[keeper], workflows=[keep], buckets=["files"], default_workflow="nope"
        )


def test_lambda_deps_read_the_buckets_from_the_environment() -> None:
    env = {"ORDERFLOW_BUCKETS": '{"archive": "shop-archive"}'}
    deps = deps_from_environment(env, ())
    assert deps.objects.names == ("archive",)
    assert isinstance(deps.objects.bucket("archive"), InMemoryBucket)  # ORDERFLOW_STORAGE unset
    assert deps_from_environment({}, ()).objects.names == ()
    with pytest.raises(ConfigurationError, match="ORDERFLOW_BUCKETS"):
        deps_from_environment({"ORDERFLOW_BUCKETS": "[1]"}, ())


@pytest.mark.moto
def test_s3_buckets_put_get_and_list_on_moto(moto_server_url: str, aws_test_env: Any) -> None:
    import boto3

    from .._aws import reset_moto

    reset_moto(moto_server_url)
    client = boto3.client("s3", endpoint_url=moto_server_url, region_name="us-east-1")
    client.create_bucket(Bucket="shop-archive")
    env = {
        "ORDERFLOW_BUCKETS": json.dumps({"archive": "shop-archive"}),
        "ORDERFLOW_STORAGE": "dynamodb",
        "AWS_ENDPOINT_URL": moto_server_url,
    }
    objects = Objects.s3({"archive": "shop-archive"}, client=client)
    objects.bucket("archive").put(
        "notifications/n.json", '{"a": 1}', content_type="application/json"
    )
    assert objects.bucket("archive").get("notifications/n.json") == b'{"a": 1}'
    assert objects.bucket("archive").get("nope") is None
    assert objects.bucket("archive").keys("notifications/") == ["notifications/n.json"]
    head = client.head_object(Bucket="shop-archive", Key="notifications/n.json")
    assert head["ContentType"] == "application/json"
    assert type(Objects.from_environment(env).bucket("archive")).__name__ == "S3Bucket"


# --- the notification archive -------------------------------------------------------------


def test_every_notification_is_archived_once_under_its_prefix() -> None:
    from orderflow.orders import SendNotificationInput, send_notification

    deps = orders.deps()
    request = SendNotificationInput(
        to="ada@example.com", order_id="o-1", total_cents=2100, transaction_id="t-1"
    )
    sent = send_notification(request, deps)
    again = send_notification(request, deps)
    archive = deps.objects.bucket("archive")
    assert archive.keys() == [archive_key(sent.notification_id)]
    assert archive.keys()[0].startswith(ARCHIVE_PREFIX)
    stored = json.loads(archive.get(archive_key(sent.notification_id)) or b"")
    assert stored == sent.model_dump(mode="json") == again.model_dump(mode="json")
    assert send_notification.archives == (("archive", "notifications/"),)


def test_cli_run_saves_the_archived_notification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--save-objects", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    output = json.loads(captured.out)
    notification = output["send_notification"]
    path = tmp_path / "archive" / archive_key(notification["notification_id"])
    assert f"saved {path}" in captured.err
    assert json.loads(path.read_text()) == notification
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [path.name]
