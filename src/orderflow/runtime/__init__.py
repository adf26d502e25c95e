"""The framework side of services: what every app's services are built on.

A service is a typed function with a Pydantic contract (:class:`Service`), declaring what
it does to which tables (:class:`TableAccess`). It receives :class:`ServiceDeps`: a
:class:`Store` of named tables (in memory, or DynamoDB once deployed), a clock and a random
source, so it is deterministic under test, and the app's buckets as :class:`Objects`
(in memory, or S3 once deployed). The Lambda adapter (``lambda_entry``, imported
on first use) runs any app's service on AWS Lambda.

Example:
    >>> from orderflow.runtime import ServiceDeps
    >>> deps = ServiceDeps.in_memory({"users": "user_id"})
    >>> deps.store.table("users").put({"user_id": "u-1"})
    True
"""

# Private aliases: this module's public names are exactly ``__all__``.
import importlib as _importlib
import typing as _typing

from orderflow.runtime._deps import EPOCH, FixedClock, ServiceDeps, SteppingClock
from orderflow.runtime._metrics import (
    Datum,
    Metric,
    MetricsRecorder,
    NullMetrics,
    RecordedMetrics,
)
from orderflow.runtime._objects import (
    BUCKETS_ENV,
    Bucket,
    InMemoryBucket,
    Objects,
    S3Bucket,
    StoredObject,
    physical_bucket_name,
    write_objects,
)
from orderflow.runtime._registry import (
    ServiceLocationError,
    ServiceTable,
    UnknownServiceError,
    function_name,
    load_service,
    resolve_service,
    service_location,
)
from orderflow.runtime._service import (
    OPERATIONS,
    AccessDeclarationError,
    Operation,
    Service,
    TableAccess,
)
from orderflow.runtime._storage import (
    ABSENT,
    DynamoTable,
    InMemoryTable,
    StorageError,
    Store,
    Stored,
    Table,
    TableKeys,
    physical_table_name,
    put_new,
)

if _typing.TYPE_CHECKING:
    from orderflow.runtime._lambda import (
        LAMBDA_HANDLER,
        deps_from_environment,
        lambda_entry,
        make_handler,
    )

# The Lambda adapter loads the service its environment names when imported, so it is
# imported only when one of its names is used (never by importing this package).
_LAZY: _typing.Final = frozenset(
    {"LAMBDA_HANDLER", "deps_from_environment", "lambda_entry", "make_handler"}
)

if not _typing.TYPE_CHECKING:

    def __getattr__(name: str) -> _typing.Any:
        if name not in _LAZY:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        value = getattr(_importlib.import_module(f"{__name__}._lambda"), name)
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


__all__ = [
    "ABSENT",
    "BUCKETS_ENV",
    "EPOCH",
    "LAMBDA_HANDLER",
    "OPERATIONS",
    "AccessDeclarationError",
    "Bucket",
    "Datum",
    "DynamoTable",
    "FixedClock",
    "InMemoryBucket",
    "InMemoryTable",
    "Metric",
    "MetricsRecorder",
    "NullMetrics",
    "Objects",
    "Operation",
    "RecordedMetrics",
    "S3Bucket",
    "Service",
    "ServiceDeps",
    "ServiceLocationError",
    "ServiceTable",
    "SteppingClock",
    "StorageError",
    "Store",
    "Stored",
    "StoredObject",
    "Table",
    "TableAccess",
    "TableKeys",
    "UnknownServiceError",
    "deps_from_environment",
    "function_name",
    "lambda_entry",
    "load_service",
    "make_handler",
    "physical_bucket_name",
    "physical_table_name",
    "put_new",
    "resolve_service",
    "service_location",
    "write_objects",
]
