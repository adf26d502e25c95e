"""Fixtures for every suite: the shared AWS test doubles (see ``tests/_aws.py``)."""

from ._aws import aws_test_env, moto_server_url

# Imported so pytest registers them here, for tests/deploy, tests/sdk and tests/services.
__all__ = ["aws_test_env", "moto_server_url"]
