"""The public door: `orderflow.__all__` is exactly the documented names, all importable."""

import orderflow

EXPECTED = {
    "App",
    "ConfigurationError",
    "ContractError",
    "Definition",
    "DefinitionError",
    "DeployError",
    "ExecutionError",
    "InvalidDefinition",
    "OrderflowError",
    "SdkInteropError",
    "Service",
    "ServiceDeps",
    "ServiceError",
    "TaskFailure",
    "Trigger",
    "WorkflowBuildError",
    "as_definition",
    "load_definition",
    "parse_definition",
}


def test_all_is_exactly_the_public_names() -> None:
    assert set(orderflow.__all__) == EXPECTED
    assert len(orderflow.__all__) == len(EXPECTED)


def test_every_public_name_resolves() -> None:
    for name in orderflow.__all__:
        assert getattr(orderflow, name) is not None


def test_every_error_derives_from_the_root() -> None:
    for name in orderflow.__all__:
        value = getattr(orderflow, name)
        if isinstance(value, type) and issubclass(value, BaseException):
            assert issubclass(value, orderflow.OrderflowError), name
