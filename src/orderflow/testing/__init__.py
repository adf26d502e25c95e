"""Test doubles and helpers for users' own workflows: the local runner first of all.

``run_asl`` runs an ASL document in-process with Python functions as its tasks and
returns an :class:`Execution` (status, output, error, cause, history).
"""

from orderflow.executor._execution import Execution
from orderflow.testing._run import run_asl

__all__ = ["Execution", "run_asl"]
