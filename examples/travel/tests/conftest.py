"""Fixtures for the travel app's own tests: deterministic deps with the sample inventory."""

from __future__ import annotations

import pytest
from orderflow import ServiceDeps

from travel.app import app


@pytest.fixture
def deps() -> ServiceDeps:
    """The app's tables in memory, seeded; a stepping clock from 2026-01-01; ``Random(0)``."""
    return app.deps()
