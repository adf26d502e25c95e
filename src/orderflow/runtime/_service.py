"""A service: a typed Python function plus its contract (input and output models).

The contract is the pair of Pydantic models; the error classes it declares are the ASL error
names a workflow may Retry or Catch. The same object serves the local executor, the Lambda
adapter, the DSL (which reads the models for typing and data-flow checks) and deploy.

A service also declares, per storage table, which ``Table`` operations its code calls:
``get`` (reads), ``put`` (writes, conditional or not), ``delete`` and ``scan``. Deploy turns
each operation into exactly one DynamoDB action (``GetItem``, ``PutItem``, ``DeleteItem``,
``Scan``) on exactly that table, so a service that only reads a table cannot write it.
``TableAccess`` holds that declaration; it is what ``Service.tables`` holds: a tuple of the
table names (sorted), as ``Service.tables`` always was, so code that iterates or compares
table names keeps working, with the per-table operations alongside.

Object storage is declared the same way: ``archives`` lists ``(bucket, key prefix)`` pairs,
the parts of the app's buckets the service writes; deploy grants ``s3:PutObject`` on
exactly ``{bucket}/{prefix}*``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from orderflow._errors import ContractError, ServiceError
from orderflow.runtime._metrics import Metric

if TYPE_CHECKING:
    from orderflow.runtime._deps import ServiceDeps

I = TypeVar("I", bound=BaseModel)  # noqa: E741 - the conventional name for "input"
O = TypeVar("O", bound=BaseModel)  # noqa: E741 - the conventional name for "output"


Operation = Literal["get", "put", "delete", "scan"]
"""A ``Table`` method a service may call (the names of the ``Table`` protocol's methods)."""

OPERATIONS: Final[tuple[Operation, ...]] = get_args(Operation)
"""Every operation, in a fixed order."""


class AccessDeclarationError(ContractError):
    """A service's table access is declared wrongly (unknown operation, table without one)."""


# An S3 key prefix a role is limited to: no wildcards (they would widen the grant), no
# leading slash (keys have none), at most 512 bytes.
_ARCHIVE_PREFIX: Final = re.compile(r"[A-Za-z0-9!_.'()/-]{1,512}\Z")
_BUCKET: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,28}[a-z0-9])?\Z")


def check_archives(service: str, archives: object) -> tuple[tuple[str, str], ...]:
    """``archives`` as a tuple of ``(bucket, prefix)`` pairs, each checked.

    Raises:
        AccessDeclarationError: not pairs of strings, a bucket name S3 would refuse
            (lowercase letters, digits, hyphens; at most 30 characters), or a prefix that
            is empty, starts with ``/`` or holds ``*``/``?`` or other characters outside
            S3's safe set.
    """
    pairs: list[tuple[str, str]] = []
    if isinstance(archives, (str, bytes)) or not isinstance(archives, Iterable):
        raise AccessDeclarationError(
            f"service {service!r}: archives= must be (bucket, prefix) pairs, not {archives!r}"
        )
    for entry in archives:
        if (
            not isinstance(entry, tuple)
            or len(entry) != 2
            or not all(isinstance(part, str) for part in entry)
        ):
            raise AccessDeclarationError(
                f"service {service!r}: archives= entry {entry!r} is not a (bucket, prefix) pair"
            )
        bucket, prefix = entry
        if not _BUCKET.match(bucket):
            raise AccessDeclarationError(
                f"service {service!r}: bucket {bucket!r}: use 1-30 lowercase letters, digits "
                "and hyphens (it becomes the S3 bucket {prefix}-{bucket})"
            )
        if prefix.startswith("/") or not _ARCHIVE_PREFIX.match(prefix):
            raise AccessDeclarationError(
                f"service {service!r}: key prefix {prefix!r} of bucket {bucket!r}: use letters, "
                "digits and !_.'()/- (no wildcards, no leading '/'), e.g. 'notifications/'"
            )
        pairs.append((bucket, prefix))
    return tuple(pairs)


class TableAccess(tuple[str, ...]):
    """The tables a service uses, sorted, with the operations it performs on each.

    Equality and hashing are those of the tuple of names (so ``service.tables == ("users",)``
    still holds); compare :meth:`operations` to compare access.

    Example:
        >>> access = TableAccess.of(reads=("users", "orders"), writes=("orders",))
        >>> access
        TableAccess(orders=get+put, users=get)
        >>> list(access)
        ['orders', 'users']
    """

    _operations: Mapping[str, frozenset[Operation]]

    def __new__(cls, operations: Mapping[str, Iterable[Operation]]) -> TableAccess:
        """Build from table name -> operations (a table with no operations is refused).

        Raises:
            AccessDeclarationError: an operation is not one of ``OPERATIONS``, or a table
                has none.
        """
        normalised: dict[str, frozenset[Operation]] = {}
        for table, ops in sorted(operations.items()):
            chosen = frozenset(ops)
            unknown = sorted(set(chosen) - set(OPERATIONS))
            if unknown:
                raise AccessDeclarationError(
                    f"unknown operation(s) {', '.join(unknown)} on table {table!r}; "
                    f"use {', '.join(OPERATIONS)}"
                )
            if not chosen:
                raise AccessDeclarationError(f"table {table!r} is listed with no operations")
            normalised[table] = chosen
        access = super().__new__(cls, normalised)
        access._operations = MappingProxyType(normalised)
        return access

    @classmethod
    def of(
        cls,
        *,
        reads: Iterable[str] = (),
        writes: Iterable[str] = (),
        deletes: Iterable[str] = (),
        scans: Iterable[str] = (),
    ) -> TableAccess:
        """Access from the tables read (``get``), written (``put``), deleted from and scanned."""
        operations: dict[str, set[Operation]] = {}
        groups: tuple[tuple[Operation, Iterable[str]], ...] = (
            ("get", reads),
            ("put", writes),
            ("delete", deletes),
            ("scan", scans),
        )
        for operation, tables in groups:
            for table in tables:
                operations.setdefault(table, set()).add(operation)
        return cls(operations)

    def operations(self) -> Mapping[str, frozenset[Operation]]:
        """Table name -> the operations performed on it (read-only)."""
        return self._operations

    def allows(self, table: str, operation: Operation) -> bool:
        """Whether ``operation`` on ``table`` is declared."""
        return operation in self._operations.get(table, frozenset())

    def __reduce__(self) -> tuple[type[TableAccess], tuple[dict[str, frozenset[Operation]]]]:
        # The operations are not tuple items, so copy and pickle must pass them explicitly.
        return (type(self), (dict(self._operations),))

    def __repr__(self) -> str:
        parts = (
            f"{table}={'+'.join(op for op in OPERATIONS if op in ops)}"
            for table, ops in self._operations.items()
        )
        return f"TableAccess({', '.join(parts)})"


@dataclass(frozen=True)
class Service(Generic[I, O]):
    """A service and its contract.

    Which tables it touches, and how, is declared with ``reads``/``writes``/``deletes``/
    ``scans`` (table names); deploy grants its Lambda role exactly those operations on
    exactly those tables. ``tables`` is their union.

    Attributes:
        name: the function's base name (``get-user``); the Lambda function is named
            ``{prefix}-{name}`` at render or deploy time.
        handler: ``handler(request, deps) -> response``, a plain typed function.
        input_model: the Pydantic model the handler accepts.
        output_model: the Pydantic model the handler returns.
        errors: business errors the handler may raise (never retried by the workflow unless
            listed in ``retryable``).
        retryable: errors worth retrying (transient ones such as a gateway timeout).
        description: one line for docs and deploy.
    """

    name: str
    handler: Callable[[I, ServiceDeps], O]
    input_model: type[I]
    output_model: type[O]
    errors: tuple[type[ServiceError], ...] = ()
    retryable: tuple[type[ServiceError], ...] = ()
    description: str = ""
    tables: tuple[str, ...] = field(default=())
    """Every storage table the service uses, sorted: after construction always a
    :class:`TableAccess`, which also knows what the service does to each (its IAM grant).
    Given alone (the older form), each listed table counts as both read and written."""
    reads: tuple[str, ...] = ()
    """Tables the handler calls ``get`` on (DynamoDB ``GetItem``)."""
    writes: tuple[str, ...] = ()
    """Tables the handler calls ``put`` on, conditionally or not (``PutItem``)."""
    deletes: tuple[str, ...] = ()
    """Tables the handler calls ``delete`` on (``DeleteItem``)."""
    scans: tuple[str, ...] = ()
    """Tables the handler calls ``scan`` on (``Scan``)."""
    metrics: tuple[Metric, ...] = ()
    """Business metrics the handler records through ``deps.metrics``; deploy draws each on
    the app's dashboard, and only a service declaring some gets the Powertools metrics
    boundary on Lambda."""

    archives: tuple[tuple[str, str], ...] = ()
    """``(bucket, key prefix)`` pairs: where the handler calls ``deps.objects.bucket(bucket)
    .put(key, ...)``, every key starting with the prefix (``s3:PutObject`` on exactly
    ``{bucket}/{prefix}*``)."""

    def __post_init__(self) -> None:
        names = [metric.name for metric in self.metrics]
        if len(set(names)) != len(names):
            raise ContractError(f"service {self.name!r} declares a metric twice: {names}")
        object.__setattr__(self, "archives", check_archives(self.name, self.archives))
        if self.reads or self.writes or self.deletes or self.scans:
            access = TableAccess.of(
                reads=self.reads, writes=self.writes, deletes=self.deletes, scans=self.scans
            )
            undeclared = sorted(set(self.tables) - set(access))
            if undeclared:
                raise AccessDeclarationError(
                    f"service {self.name!r} lists table(s) {', '.join(undeclared)} in tables= "
                    "but not in reads/writes/deletes/scans: say what it does to each"
                )
        elif isinstance(self.tables, TableAccess):
            access = self.tables
        else:
            # The older declaration names tables only; keep its meaning (read and write).
            access = TableAccess.of(reads=self.tables, writes=self.tables)
        # Frozen: derived once here, so every reader sees the same access.
        object.__setattr__(self, "tables", access)

    @property
    def access(self) -> TableAccess:
        """The tables and, per table, the operations the service performs."""
        tables = self.tables
        assert isinstance(tables, TableAccess)  # set by __post_init__
        return tables

    def __call__(self, request: I, deps: ServiceDeps) -> O:
        return self.handler(request, deps)

    def invoke_json(self, event: Any, deps: ServiceDeps) -> dict[str, Any]:
        """Validate a JSON event against the input model, run, return the output as JSON.

        Raises:
            ContractError: the event does not satisfy the input contract (or, a bug, the
                handler returned something that breaks the output contract).
            ServiceError: a declared business error, raised by the handler.
        """
        try:
            request = self.input_model.model_validate(event)
        except ValidationError as exc:
            raise ContractError(
                f"input does not satisfy {self.input_model.__name__}: {_brief(exc)}",
                field=self.name,
            ) from None
        response = self.handler(request, deps)
        if not isinstance(response, self.output_model):
            raise ContractError(
                f"{self.name} returned {type(response).__name__}, "
                f"expected {self.output_model.__name__}"
            )
        return response.model_dump(mode="json")


def _brief(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


__all__ = [
    "OPERATIONS",
    "AccessDeclarationError",
    "I",
    "O",
    "Operation",
    "Service",
    "TableAccess",
    "check_archives",
]
