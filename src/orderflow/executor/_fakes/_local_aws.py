"""``LocalAws``: every service integration answered in memory, inspectable after a run.

Example:
    >>> aws = LocalAws()
    >>> aws.create_table("orders", "order_id")
    >>> run = run_asl(definition, order, handlers=aws.handlers(), lambda_handler=...)
    >>> aws.tables["orders"].items, aws.published["order-events"], aws.events
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from orderflow.asl import JSON, Definition, as_definition
from orderflow.executor._fakes._common import PARTITIONS, Ids
from orderflow.executor._fakes._dynamodb import FakeDynamoDB, Table
from orderflow.executor._fakes._messaging import FakeMessaging
from orderflow.executor._fakes._s3 import FakeS3
from orderflow.executor._fakes._sfn import FakeStepFunctions
from orderflow.executor._runtime import LambdaHandler, TaskHandler

_TABLE_ACTIONS = ("getItem", "updateItem", "deleteItem")


class _ItemReader:
    """An ItemReader handler that also wants the reader's ``ReaderConfig``."""

    def __init__(self, s3: FakeS3) -> None:
        self._s3 = s3

    def __call__(self, params: JSON) -> Any:
        return self._s3.read_items(params, {})

    def read_items(self, params: JSON, reader: dict[str, Any]) -> Any:
        return self._s3.read_items(params, reader)


class LocalAws:
    """In-memory DynamoDB, SNS, SQS, EventBridge, S3 and Step Functions.

    Pass :meth:`handlers` to :func:`orderflow.testing.run_asl` (``orderflow run`` does it
    for you); afterwards read :attr:`tables`, :attr:`published`, :attr:`messages`,
    :attr:`events`, :attr:`objects` and :attr:`executions`. Responses have AWS's shape
    (``SdkHttpMetadata`` included); failures carry AWS's error names
    (``DynamoDB.ResourceNotFoundException``…). Callbacks (``.waitForTaskToken``) record
    their message like any other and leave the execution ``RUNNING`` until the test
    answers the token (``run.send_task_success(token, output)``).

    Args:
        seed: seeds every id the fakes make.
        strict: unknown topics, queues and event buses fail as on AWS (by default the
            first message creates them).
        lambda_handler: answers Lambda tasks of child state machines.
    """

    def __init__(
        self, *, seed: int = 0, strict: bool = False, lambda_handler: LambdaHandler | None = None
    ) -> None:
        self._ids = Ids(seed)
        self.lambda_handler = lambda_handler
        self.dynamodb = FakeDynamoDB(self._ids)
        self.messaging = FakeMessaging(self._ids, strict=strict)
        self.s3 = FakeS3(self._ids)
        self.sfn = FakeStepFunctions(self._ids, self._start_child)

    # --- what a test reads ------------------------------------------------------------

    @property
    def tables(self) -> dict[str, Table]:
        """Table name -> :class:`Table` (``.key``, ``.items`` in DynamoDB JSON)."""
        return self.dynamodb.tables

    @property
    def published(self) -> dict[str, list[dict[str, Any]]]:
        """Topic name -> the SNS messages published to it."""
        return self.messaging.published

    @property
    def messages(self) -> dict[str, list[dict[str, Any]]]:
        """Queue name -> the SQS messages sent to it."""
        return self.messaging.messages

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every EventBridge event put, in order."""
        return self.messaging.events

    @property
    def objects(self) -> dict[str, dict[str, str]]:
        """Bucket -> key -> the S3 object's text."""
        return self.s3.objects

    @property
    def state_machines(self) -> dict[str, Any]:
        """State machine name -> its definition (children started by StartExecution)."""
        return self.sfn.state_machines

    @property
    def executions(self) -> list[Any]:
        """The child executions started, in order."""
        return self.sfn.executions

    # --- setting up -------------------------------------------------------------------

    def create_table(self, name: str, key: str | Sequence[str]) -> Table:
        """Create (or empty) DynamoDB table ``name`` keyed by ``key``."""
        return self.dynamodb.create_table(name, key)

    def create_topic(self, name: str) -> None:
        self.messaging.create_topic(name)

    def create_queue(self, name: str) -> None:
        self.messaging.create_queue(name)

    def put_object(self, bucket: str, key: str, body: Any) -> None:
        """Store an S3 object (text, bytes or a JSON value)."""
        self.s3.put_object(bucket, key, body)

    def mount_bucket(self, bucket: str, directory: str | Path) -> None:
        """Serve S3 ``bucket`` from local files: ``s3://bucket/a/b.json`` is
        ``directory/a/b.json``."""
        self.s3.mount(bucket, directory)

    def tables_for(self, definition: Definition | Mapping[str, JSON] | str | bytes) -> None:
        """Create every table ``definition`` reads or writes that does not exist yet.

        The key is taken from the ``Key`` the definition sends (GetItem, UpdateItem,
        DeleteItem); a table only ever written with PutItem is keyed by all the
        attributes of the first item written. This is what ``orderflow run`` does, so a
        workflow with DynamoDB tasks runs with no set-up.
        """
        for _pointer, _name, state in as_definition(definition).iter_states():
            resource = str(state.get("Resource", ""))
            if ":dynamodb:" not in resource:
                continue
            params = state.get("Parameters") or state.get("Arguments") or {}
            table = params.get("TableName") if isinstance(params, dict) else None
            if not isinstance(table, str) or table in self.tables:
                continue
            key = params.get("Key")
            if resource.rsplit(":", 1)[-1] in _TABLE_ACTIONS and isinstance(key, dict):
                self.create_table(table, [k.removesuffix(".$") for k in key])
        # Tables only ever put to: learn the key from the first item.
        for _pointer, _name, state in as_definition(definition).iter_states():
            params = state.get("Parameters") or {}
            if isinstance(params, dict) and str(state.get("Resource", "")).endswith(":putItem"):
                table, item = params.get("TableName"), params.get("Item")
                if isinstance(table, str) and table not in self.tables and isinstance(item, dict):
                    self.create_table(table, list(item))

    # --- the executor's side ------------------------------------------------------------

    def handlers(self) -> dict[str, TaskHandler]:
        """Resource ARN -> handler, for ``run_asl(..., handlers=aws.handlers())``."""
        by_action: dict[str, Callable[[Any], Any]] = {
            "dynamodb:getItem": self.dynamodb.get_item,
            "dynamodb:putItem": self.dynamodb.put_item,
            "dynamodb:updateItem": self.dynamodb.update_item,
            "dynamodb:deleteItem": self.dynamodb.delete_item,
            "sns:publish": self.messaging.publish,
            "sqs:sendMessage": self.messaging.send_message,
            "events:putEvents": self.messaging.put_events,
            "states:startExecution": self.sfn.start_execution,
            "states:startExecution.sync:2": self.sfn.start_execution_sync,
            "s3:getObject": _ItemReader(self.s3),
            "s3:listObjectsV2": _ItemReader(self.s3),
            "s3:putObject": lambda request: self.s3.write_results(request, {}),
        }
        found: dict[str, TaskHandler] = {}
        for partition in PARTITIONS:
            for action, handler in by_action.items():
                found[f"arn:{partition}:states:::{action}"] = handler
        return found

    def _start_child(self, definition: Any, value: JSON, name: str, arn: str) -> Any:
        from orderflow.executor._execution import start_execution

        parts = arn.split(":")
        full = len(parts) >= 7
        return start_execution(
            definition,
            value,
            lambda_handler=self.lambda_handler,
            handlers=self.handlers(),
            name=name,
            state_machine_name=parts[-1],
            region=parts[3] if full else "us-east-1",
            account=parts[4] if full else "123456789012",
        )


__all__ = ["LocalAws"]
