"""Distributed Map: items read from S3, batched, results written to S3, failures tolerated.

``flow.distributed_map(name, items, body, ...)`` is ``flow.map`` for large inputs: each
item (or batch) runs as a child execution (``ExecutionType`` STANDARD or EXPRESS). Items
come from the state data (a list reference) or from an :class:`S3Items` reader:

- :class:`S3Json` - a JSON array object, each element typed as ``item``;
- :class:`S3Csv` - CSV rows as objects of strings (header row, or ``headers=``);
- :class:`S3Manifest` - the objects an S3 Inventory ``manifest.json`` lists;
- :class:`S3Objects` - the objects under a prefix (``ListObjectsV2``).

With ``batch=n`` the body gets a list of up to ``n`` items per child execution
(``ItemBatcher``); with ``writer=S3Results(...)`` the results go to S3 and the state's
result is the :class:`MapRunResult` locating them (``ResultWriter``).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, cast

from pydantic import BaseModel

from orderflow._errors import WorkflowBuildError
from orderflow.dsl._options import catchers, check_retry_targets, retriers, services_in
from orderflow.dsl._refs import Ref, as_ref, compatible, list_element, type_name
from orderflow.dsl._retry import Catch, Retry
from orderflow.dsl._scope import MapStep
from orderflow.dsl._wiring import snake_case

if TYPE_CHECKING:
    from orderflow.dsl._flow import Flow

T = TypeVar("T")

ExecutionType = Literal["STANDARD", "EXPRESS"]


class S3Object(BaseModel):
    """One object an S3 Inventory manifest lists (with the usual ``Bucket, Key`` schema)."""

    Bucket: str
    Key: str


class S3ObjectSummary(BaseModel):
    """One object ``ListObjectsV2`` returns."""

    Key: str
    Size: int
    ETag: str
    LastModified: str
    StorageClass: str


class ResultWriterDetails(BaseModel):
    """Where the results went: the run's ``manifest.json``."""

    Bucket: str
    Key: str


class MapRunResult(BaseModel):
    """The result of a Distributed Map with a ``ResultWriter``."""

    MapRunArn: str
    ResultWriterDetails: ResultWriterDetails


@dataclass(frozen=True)
class S3Items(Generic[T]):
    """An ``ItemReader``: where the items come from and what each one is."""

    bucket: str
    key: str
    item: Any
    input_type: str = ""
    resource: str = "s3:getObject"
    max_items: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_asl(self, partition: str) -> dict[str, Any]:
        reader: dict[str, Any] = {"Resource": f"arn:{partition}:states:::{self.resource}"}
        config: dict[str, Any] = dict(self.extra)
        if self.input_type:
            config["InputType"] = self.input_type
        if self.max_items is not None:
            config["MaxItems"] = self.max_items
        if config:
            reader["ReaderConfig"] = config
        location = "Prefix" if self.resource == "s3:listObjectsV2" else "Key"
        reader["Parameters"] = {"Bucket": self.bucket, location: self.key}
        return reader


# The readers are functions named like classes: each builds an S3Items typed by its item,
# which a class per input type could not do without repeating S3Items four times.
def S3Json(bucket: str, key: str, item: type[T], *, max_items: int | None = None) -> S3Items[T]:
    """A JSON array in ``s3://bucket/key``; each element is an ``item``."""
    return S3Items(bucket, key, item, "JSON", max_items=max_items)


def S3Csv(
    bucket: str,
    key: str,
    item: type[T],
    *,
    headers: Sequence[str] | None = None,
    max_items: int | None = None,
) -> S3Items[T]:
    """A CSV file; each row is an object of strings keyed by the header row or ``headers``.

    Every field of ``item`` must be a ``str`` (CSV has no other type).
    """
    extra: dict[str, Any] = {"CSVHeaderLocation": "FIRST_ROW"}
    if headers is not None:
        extra = {"CSVHeaderLocation": "GIVEN", "CSVHeaders": list(headers)}
    return S3Items(bucket, key, item, "CSV", max_items=max_items, extra=extra)


def S3Manifest(bucket: str, key: str, *, max_items: int | None = None) -> S3Items[S3Object]:
    """An S3 Inventory ``manifest.json``; each item is an object it lists."""
    return S3Items(bucket, key, S3Object, "MANIFEST", max_items=max_items)


def S3Objects(
    bucket: str, prefix: str = "", *, max_items: int | None = None
) -> S3Items[S3ObjectSummary]:
    """The objects under ``prefix``; each item is an :class:`S3ObjectSummary`."""
    return S3Items(bucket, prefix, S3ObjectSummary, "", "s3:listObjectsV2", max_items=max_items)


@dataclass(frozen=True)
class S3Results:
    """A ``ResultWriter``: the child executions' results go under ``s3://bucket/prefix``."""

    bucket: str
    prefix: str = ""

    def to_asl(self, partition: str) -> dict[str, Any]:
        return {
            "Resource": f"arn:{partition}:states:::s3:putObject",
            "Parameters": {"Bucket": self.bucket, "Prefix": self.prefix},
        }


def build_distributed_map(
    flow: Flow[Any],
    name: str,
    items: Any,
    body: Callable[..., Any],
    *,
    batch: int | None,
    writer: S3Results | None,
    max_concurrency: int | None,
    tolerated_failure_count: int | None,
    tolerated_failure_percentage: float | None,
    execution_type: ExecutionType,
    label: str | None,
    retry: Sequence[Retry],
    catch: Sequence[Catch],
    result_key: str | None,
    comment: str | None,
) -> Any:
    """Add the Distributed Map state; see :meth:`orderflow.dsl.Flow.distributed_map`."""
    from orderflow.dsl._flow import Flow, branch_output

    scope = flow._scope
    name = flow._name(name)
    scope.builder.claim_name(name)
    reader: S3Items[Any] | None = items if isinstance(items, S3Items) else None
    items_path: str | None = None
    if reader is not None:
        element = reader.item
        _check_reader(reader, name)
    else:
        items_ref = as_ref(items, state=name, what="Map items")
        element = list_element(items_ref._of_annotation)
        if element is None:
            raise WorkflowBuildError(
                f"Map items must be a list or an S3 reader, {items_ref._of_path} is "
                f"{type_name(items_ref._of_annotation)}",
                state=name,
                field="ItemsPath",
            )
        items_path = scope.resolve(items_ref, name)
    _check_numbers(
        name, batch, max_concurrency, tolerated_failure_count, tolerated_failure_percentage
    )
    if execution_type not in ("STANDARD", "EXPRESS"):
        raise WorkflowBuildError(
            f"execution_type must be STANDARD or EXPRESS, not {execution_type!r}",
            state=name,
            field="ExecutionType",
        )
    retry_asl = retriers(name, retry)
    catch_specs = catchers(flow, name, catch)
    inner = scope.child("map", f"Map {name!r}")
    if batch is not None:
        inner.keys.clear()
        inner.keys.update({"Items", "BatchInput"})
        inner.import_prefix = "$.BatchInput."
        item = Ref(inner, "$.Items", types.GenericAlias(list, (element,)), name)
    else:
        item = Ref(inner, "$.item", element, name)
    returned = body(Flow(inner, flow._input, flow._prefix), item)
    out = branch_output(inner, name, returned, "the Map body")
    check_retry_targets(name, retry, services_in(inner))
    key = scope.claim_key(result_key or snake_case(name), name)
    step = MapStep(
        name,
        items_path or "$",
        inner,
        f"$.{key}",
        max_concurrency,
        retry_asl,
        catch_specs,
        comment,
    )
    step.distributed = DistributedOptions(
        reader,
        batch,
        writer,
        tolerated_failure_count,
        tolerated_failure_percentage,
        execution_type,
        label,
    )
    scope.add(step)
    if writer is not None:
        return Ref(scope, f"$.{key}", MapRunResult, name)
    return cast(Any, Ref(scope, f"$.{key}", types.GenericAlias(list, (out._of_annotation,)), name))


@dataclass(frozen=True)
class DistributedOptions:
    """What makes a MapStep distributed (compiled by ``_compile``)."""

    reader: S3Items[Any] | None
    batch: int | None
    writer: S3Results | None
    tolerated_count: int | None
    tolerated_percentage: float | None
    execution_type: ExecutionType
    label: str | None

    def fields(self, partition: str, imports: dict[str, str]) -> dict[str, Any]:
        """The Map state's distributed fields (all but ItemProcessor and ItemSelector)."""
        out: dict[str, Any] = {}
        if self.reader is not None:
            out["ItemReader"] = self.reader.to_asl(partition)
        if self.batch is not None:
            batcher: dict[str, Any] = {"MaxItemsPerBatch": self.batch}
            if imports:
                batcher["BatchInput"] = {f"{k}.$": path for k, path in imports.items()}
            out["ItemBatcher"] = batcher
        if self.tolerated_count is not None:
            out["ToleratedFailureCount"] = self.tolerated_count
        if self.tolerated_percentage is not None:
            out["ToleratedFailurePercentage"] = self.tolerated_percentage
        if self.label is not None:
            out["Label"] = self.label
        if self.writer is not None:
            out["ResultWriter"] = self.writer.to_asl(partition)
        return out


def _check_reader(reader: S3Items[Any], state: str) -> None:
    if not reader.bucket or not isinstance(reader.bucket, str):
        raise WorkflowBuildError("the S3 bucket must be named", state=state, field="ItemReader")
    if reader.input_type == "CSV":
        model = reader.item
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise WorkflowBuildError(
                "S3Csv needs item=<a model of str fields>", state=state, field="ItemReader"
            )
        for field_name, info in model.model_fields.items():
            if not compatible(str, info.annotation):
                raise WorkflowBuildError(
                    f"CSV values are strings, but {model.__name__}.{field_name} is "
                    f"{type_name(info.annotation)}",
                    state=state,
                    field=field_name,
                )
    if reader.max_items is not None and not 0 < reader.max_items <= 100_000_000:
        raise WorkflowBuildError("max_items must be 1-100000000", state=state, field="MaxItems")


def _check_numbers(
    state: str,
    batch: int | None,
    max_concurrency: int | None,
    count: int | None,
    percentage: float | None,
) -> None:
    checks = [
        (batch, "MaxItemsPerBatch", batch is None or batch >= 1),
        (max_concurrency, "MaxConcurrency", max_concurrency is None or max_concurrency >= 0),
        (count, "ToleratedFailureCount", count is None or count >= 0),
        (percentage, "ToleratedFailurePercentage", percentage is None or 0 <= percentage <= 100),
    ]
    for value, label, ok in checks:
        if not ok:
            raise WorkflowBuildError(f"{label} cannot be {value!r}", state=state, field=label)


__all__ = [
    "DistributedOptions",
    "ExecutionType",
    "MapRunResult",
    "ResultWriterDetails",
    "S3Csv",
    "S3Items",
    "S3Json",
    "S3Manifest",
    "S3Object",
    "S3ObjectSummary",
    "S3Objects",
    "S3Results",
    "build_distributed_map",
]
