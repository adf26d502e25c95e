"""``orderflow.report``'s public names, and its error's place in the hierarchy."""

import orderflow.report
from orderflow import OrderflowError
from orderflow.report import LayoutError


def test_all_is_exactly_the_public_names() -> None:
    assert sorted(orderflow.report.__all__) == [
        "LayoutError",
        "execution_report",
        "render_html",
        "write_report",
    ]


def test_layout_error_is_an_orderflow_error_and_a_runtime_error() -> None:
    assert issubclass(LayoutError, OrderflowError)
    assert issubclass(LayoutError, RuntimeError)
