"""Test doubles and helpers for users' own workflows: the local runner first of all.

``run_asl`` runs an ASL document in-process with Python functions as its tasks and
returns an :class:`Execution` (status, output, error, cause, history). ``LocalAws`` answers
the service integrations (DynamoDB, SNS, SQS, EventBridge, S3, Step Functions) in memory and
keeps what they did for the test to read.
"""

from orderflow.executor._execution import Execution
from orderflow.executor._fakes import LocalAws, Table
from orderflow.testing._run import run_asl

__all__ = ["Execution", "LocalAws", "Table", "run_asl"]
