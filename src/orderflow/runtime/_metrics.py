"""Business metrics: what a service declares it measures, and where the measurements go.

A service that measures something declares each metric (:class:`Metric`) in
``Service(metrics=...)`` and records values through ``deps.metrics``, a
:class:`MetricsRecorder` injected like the store and the clock, so the handler stays a plain,
deterministic function. Locally the recorder is :class:`NullMetrics` (checks each value,
keeps nothing) or :class:`RecordedMetrics` (keeps every value, for tests). On AWS Lambda the
adapter injects one backed by AWS Lambda Powertools (``orderflow.runtime._powertools``),
which writes each value as a CloudWatch Embedded Metric Format log line; deploy draws every
declared metric on the app's dashboard.

Example:
    >>> ORDERS = Metric("OrdersCompleted", description="Orders confirmed to the customer.")
    >>> recorded = RecordedMetrics()
    >>> recorded.add(ORDERS, 1)
    >>> recorded.total("OrdersCompleted")
    1.0
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from orderflow._errors import ContractError

UNITS = ("Count", "None", "Percent", "Seconds", "Milliseconds", "Bytes")
"""The CloudWatch units a business metric may have (a subset of CloudWatch's list)."""

STATISTICS = ("Sum", "Average", "Maximum", "Minimum", "SampleCount")
"""How the dashboard may aggregate a metric."""

_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,99}$")
# EMF allows 30 dimensions per set; the Lambda boundary adds ``service``.
_MAX_DIMENSIONS = 29


@dataclass(frozen=True)
class Metric:
    """One business metric a service emits.

    Attributes:
        name: the CloudWatch metric name (``OrdersCompleted``): a letter, then letters,
            digits or ``_``.
        unit: its CloudWatch unit (one of :data:`UNITS`).
        dimensions: the dimension names every value carries (``("Reason",)``), besides
            the ``service`` dimension the Lambda boundary adds.
        statistic: how the dashboard aggregates it (one of :data:`STATISTICS`).
        description: one line, the dashboard widget's title.

    Raises:
        ContractError: a malformed name, unit, dimension or statistic.
    """

    name: str
    unit: str = "Count"
    dimensions: tuple[str, ...] = ()
    statistic: str = "Sum"
    description: str = ""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ContractError(
                f"metric name {self.name!r}: use a letter, then up to 99 letters, digits or _"
            )
        if self.unit not in UNITS:
            raise ContractError(f"metric {self.name}: unit {self.unit!r} is not one of {UNITS}")
        if self.statistic not in STATISTICS:
            raise ContractError(
                f"metric {self.name}: statistic {self.statistic!r} is not one of {STATISTICS}"
            )
        if len(self.dimensions) > _MAX_DIMENSIONS or len(set(self.dimensions)) != len(
            self.dimensions
        ):
            raise ContractError(
                f"metric {self.name}: dimensions {self.dimensions!r} must be distinct and at "
                f"most {_MAX_DIMENSIONS}"
            )
        for dimension in self.dimensions:
            if not _NAME.match(dimension) or dimension == "service":
                raise ContractError(
                    f"metric {self.name}: dimension {dimension!r} must be a name like "
                    "'Reason' ('service' is added by the Lambda boundary)"
                )


def check_value(metric: Metric, value: float, dimensions: Mapping[str, str]) -> float:
    """``value`` as a float when it and ``dimensions`` fit ``metric``.

    Raises:
        ContractError: the value is not a finite number, or the dimensions are not exactly
            the metric's (each a non-empty string).
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ContractError(f"metric {metric.name}: value {value!r} is not a finite number")
    if set(dimensions) != set(metric.dimensions):
        raise ContractError(
            f"metric {metric.name} takes dimensions {sorted(metric.dimensions)}, "
            f"got {sorted(dimensions)}"
        )
    for key, text in dimensions.items():
        if not isinstance(text, str) or not text:
            raise ContractError(f"metric {metric.name}: dimension {key}={text!r} is empty")
    return float(value)


class MetricsRecorder(Protocol):
    """Where a service's measurements go (``deps.metrics``)."""

    def add(self, metric: Metric, value: float, **dimensions: str) -> None:
        """Record one value of ``metric`` with its dimension values.

        Raises:
            ContractError: the value or dimensions do not fit the metric.
        """
        ...


class NullMetrics:
    """Checks every value and keeps none: the default recorder."""

    def add(self, metric: Metric, value: float, **dimensions: str) -> None:
        """Check the value against the metric, then drop it."""
        check_value(metric, value, dimensions)


@dataclass(frozen=True)
class Datum:
    """One recorded value.

    Attributes:
        name: the metric name.
        unit: its unit.
        value: the value.
        dimensions: its dimension values.
    """

    name: str
    unit: str
    value: float
    dimensions: Mapping[str, str]


@dataclass
class RecordedMetrics:
    """Keeps every value in order: a recorder for tests and local runs.

    Attributes:
        data: every value recorded, in order.
    """

    data: list[Datum] = field(default_factory=list)

    def add(self, metric: Metric, value: float, **dimensions: str) -> None:
        """Record a value (checked against the metric)."""
        checked = check_value(metric, value, dimensions)
        self.data.append(Datum(metric.name, metric.unit, checked, dict(dimensions)))

    def total(self, name: str, **dimensions: str) -> float:
        """The sum of the values of metric ``name`` whose dimensions include ``dimensions``."""
        return sum(
            datum.value
            for datum in self.data
            if datum.name == name
            and all(datum.dimensions.get(k) == v for k, v in dimensions.items())
        )


__all__ = [
    "STATISTICS",
    "UNITS",
    "Datum",
    "Metric",
    "MetricsRecorder",
    "NullMetrics",
    "RecordedMetrics",
    "check_value",
]
