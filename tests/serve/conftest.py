"""Fixtures: a served endpoint in a subprocess, per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    process = ServerProcess(tmp_path_factory.mktemp("serve") / "flows.db").start()
    try:
        yield process
    finally:
        process.stop()
