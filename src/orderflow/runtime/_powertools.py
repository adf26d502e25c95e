"""The Lambda boundary of a measuring service: AWS Lambda Powertools metrics and logs.

Only the Lambda adapter imports this module, and only for a service that declares metrics
(``Service(metrics=...)``) in a function deploy gave a metrics namespace: another service's
function neither imports Powertools nor ships it (the packager ships what the entry point
imports). Services never see Powertools; they record through ``deps.metrics``, which here is
a :class:`PowertoolsMetrics`.

CloudWatch reads each metric from the function's log as an Embedded Metric Format line
(``{"_aws": {"CloudWatchMetrics": [...]}, "OrdersCompleted": [1.0], "service": ...}``):
values without dimensions are gathered in Powertools' ``Metrics`` and written as one line
when the invocation ends (successful or not); a value with dimensions (a rejection and its
``Reason``) gets its own dimension set, so Powertools' ``single_metric`` writes it at once.
Each invocation also logs one structured JSON line (Powertools' ``Logger``): the service
and its outcome (``ok`` or the business error's class name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TextIO, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from orderflow._errors import ContractError
from orderflow.runtime._metrics import Metric, check_value

T = TypeVar("T")

SERVICE_DIMENSION = "service"
"""The dimension Powertools adds to every metric: the service's name."""


class PowertoolsMetrics:
    """A metrics recorder writing CloudWatch EMF lines through Powertools.

    Args:
        namespace: the CloudWatch namespace (deploy gives ``orderflow/<prefix>``).
        service: the service's name (the ``service`` dimension).
        declared: the metrics the service declares; recording any other is a bug.
    """

    def __init__(self, namespace: str, service: str, declared: Iterable[Metric]) -> None:
        self.namespace = namespace
        self.service = service
        self._declared = {metric.name: metric for metric in declared}
        self._metrics = Metrics(namespace=namespace, service=service)
        self._pending = False

    def add(self, metric: Metric, value: float, **dimensions: str) -> None:
        """Record a value: buffered until :meth:`flush`, or written now when it has
        dimensions.

        Raises:
            ContractError: the service does not declare ``metric``, or the value or
                dimensions do not fit it.
        """
        if self._declared.get(metric.name) != metric:
            raise ContractError(
                f"service {self.service!r} records metric {metric.name!r} without declaring "
                "it: add it to Service(metrics=...) so deploy draws it on the dashboard"
            )
        checked = check_value(metric, value, dimensions)
        if not dimensions:
            self._metrics.add_metric(name=metric.name, unit=MetricUnit(metric.unit), value=checked)
            self._pending = True
            return
        with single_metric(
            name=metric.name,
            unit=MetricUnit(metric.unit),
            value=checked,
            namespace=self.namespace,
            default_dimensions={SERVICE_DIMENSION: self.service},
        ) as single:
            for key in sorted(dimensions):
                single.add_dimension(name=key, value=dimensions[key])

    def flush(self) -> None:
        """Write the buffered values as one EMF line (nothing when none were recorded:
        Powertools would warn about an empty flush)."""
        if self._pending:
            self._pending = False
            self._metrics.flush_metrics()


class PowertoolsBoundary:
    """Wraps each invocation of a measuring service: metrics flushed, outcome logged.

    Args:
        namespace: the CloudWatch namespace of the metrics.
        service: the service's name.
        declared: the metrics the service declares.
        stream: where the structured log goes (default: standard output, as on Lambda).
    """

    def __init__(
        self,
        namespace: str,
        service: str,
        declared: Iterable[Metric],
        *,
        stream: TextIO | None = None,
    ) -> None:
        self.metrics = PowertoolsMetrics(namespace, service, declared)
        options: dict[str, Any] = {"service": service}
        if stream is not None:
            options["stream"] = stream
        self.logger = Logger(**options)

    def run(self, invoke: Callable[[], T]) -> T:
        """Run one invocation; flush its metrics and log its outcome whatever happens."""
        try:
            result = invoke()
        except Exception as exc:
            self.logger.info("invocation failed", extra={"outcome": type(exc).__name__})
            raise
        finally:
            self.metrics.flush()
        self.logger.info("invocation succeeded", extra={"outcome": "ok"})
        return result


__all__ = ["SERVICE_DIMENSION", "PowertoolsBoundary", "PowertoolsMetrics"]
