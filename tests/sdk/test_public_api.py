"""orderflow.sdk's public names: exactly the documented ones, all resolvable."""

from __future__ import annotations

import pytest

from orderflow import sdk

EXPECTED = {
    "Catch",
    "Choice",
    "Fail",
    "Graph",
    "Map",
    "Parallel",
    "Pass",
    "RawRule",
    "Retry",
    "SdkInteropError",
    "Succeed",
    "Task",
    "Wait",
    "create_or_update",
    "from_sdk",
    "inputs",
    "steps",
    "to_sdk",
    "workflow",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(sdk.__all__) == EXPECTED
    assert len(sdk.__all__) == len(EXPECTED)


def test_every_public_name_resolves() -> None:
    pytest.importorskip("stepfunctions")
    for name in sdk.__all__:
        assert getattr(sdk, name) is not None, name


def test_unknown_names_are_attribute_errors() -> None:
    with pytest.raises(AttributeError, match="no attribute 'LambdaStep'"):
        _ = sdk.LambdaStep
