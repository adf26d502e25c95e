from __future__ import annotations

import pytest

from orderflow.orders.app import app
from orderflow.runtime import ServiceDeps


@pytest.fixture
def deps() -> ServiceDeps:
    return app.deps(seed=0)
