from __future__ import annotations

import pytest

from orderflow.services import ServiceDeps


@pytest.fixture
def deps() -> ServiceDeps:
    return ServiceDeps.default(seed=0)
