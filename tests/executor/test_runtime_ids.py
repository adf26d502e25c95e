"""Ids drawn from the execution's seeded generator are exactly ``uuid.UUID(version=4)``."""

from __future__ import annotations

import random
import uuid

import pytest

from orderflow.executor._runtime import uuid4_text


@pytest.mark.parametrize("seed", range(50))
def test_uuid4_text_matches_the_uuid_module(seed: int) -> None:
    ours, theirs = random.Random(seed), random.Random(seed)
    for _ in range(20):
        text = uuid4_text(ours)
        assert text == str(uuid.UUID(int=theirs.getrandbits(128), version=4))
        assert uuid.UUID(text).version == 4
