"""In-memory AWS services behind the executor's integration handlers (see ``LocalAws``)."""

from orderflow.executor._fakes._dynamodb import FakeDynamoDB, Table
from orderflow.executor._fakes._local_aws import LocalAws
from orderflow.executor._fakes._messaging import FakeMessaging
from orderflow.executor._fakes._s3 import FakeS3
from orderflow.executor._fakes._sfn import FakeStepFunctions

__all__ = ["FakeDynamoDB", "FakeMessaging", "FakeS3", "FakeStepFunctions", "LocalAws", "Table"]
