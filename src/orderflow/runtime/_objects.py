"""Object storage for services: named buckets of keyed blobs, in memory or in S3.

An app declares its buckets (``App(buckets=("archive",))``) and each service the part of a
bucket it writes (``Service(archives=(("archive", "notifications/"),))``); deploy creates
the S3 bucket ``{prefix}-{bucket}`` and lets the service's role ``s3:PutObject`` only under
its key prefix. Services see :class:`Objects` as ``deps.objects``:

* ``deps.objects.bucket("archive").put(key, body, content_type=...)``: store a blob
  (``str`` is encoded as UTF-8), replacing any object with that key;
* ``get(key)``: the bytes, or ``None``; ``keys(prefix)``: the keys, sorted (local tests
  and ``orderflow run --save-objects DIR``, through :func:`write_objects`, read them; a
  deployed service is granted only ``PutObject``).

Locally the buckets live in memory, so a run's archive can be inspected afterwards; on
Lambda, ``ORDERFLOW_BUCKETS`` maps each logical bucket to its S3 bucket.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final, NamedTuple, Protocol

from orderflow._errors import ConfigurationError
from orderflow.runtime._storage import StorageError

BUCKETS_ENV: Final = "ORDERFLOW_BUCKETS"
"""JSON object, logical bucket -> S3 bucket name, set by deploy on each function."""


class StoredObject(NamedTuple):
    """One object of an in-memory bucket."""

    body: bytes
    content_type: str


class Bucket(Protocol):
    """What the services need from a bucket."""

    @property
    def name(self) -> str:
        """The logical bucket name (``archive``), without any deploy prefix."""
        ...

    def put(self, key: str, body: bytes | str, *, content_type: str = ...) -> None:
        """Store ``body`` under ``key`` (replacing what was there)."""
        ...

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or ``None`` when there is none."""
        ...

    def keys(self, prefix: str = "") -> list[str]:
        """The keys starting with ``prefix``, sorted."""
        ...


def _body(bucket: str, key: str, body: bytes | str) -> bytes:
    if not isinstance(key, str) or not key or len(key.encode()) > 1024:
        raise StorageError(f"bucket {bucket!r}: an object key is 1-1024 bytes, not {key!r}")
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes):
        return body
    raise StorageError(
        f"bucket {bucket!r}, key {key!r}: the body must be bytes or str, not {type(body).__name__}"
    )


class InMemoryBucket:
    """A bucket in a dict; ``objects`` holds key -> :class:`StoredObject`."""

    def __init__(self, name: str) -> None:
        self._name = name
        self.objects: dict[str, StoredObject] = {}

    @property
    def name(self) -> str:
        return self._name

    def put(
        self, key: str, body: bytes | str, *, content_type: str = "application/octet-stream"
    ) -> None:
        self.objects[key] = StoredObject(_body(self._name, key, body), content_type)

    def get(self, key: str) -> bytes | None:
        stored = self.objects.get(key)
        return stored.body if stored is not None else None

    def keys(self, prefix: str = "") -> list[str]:
        return sorted(key for key in self.objects if key.startswith(prefix))

    def __len__(self) -> int:
        return len(self.objects)


class S3Bucket:
    """A bucket in S3 (``physical`` is the deployed name, ``{prefix}-{name}``)."""

    def __init__(self, name: str, physical: str, client: Any) -> None:
        self._name = name
        self.physical = physical
        self._client = client

    @property
    def name(self) -> str:
        return self._name

    def put(
        self, key: str, body: bytes | str, *, content_type: str = "application/octet-stream"
    ) -> None:
        self._client.put_object(
            Bucket=self.physical,
            Key=key,
            Body=_body(self._name, key, body),
            ContentType=content_type,
        )

    def get(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(Bucket=self.physical, Key=key)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            raise
        body: bytes = response["Body"].read()
        return body

    def keys(self, prefix: str = "") -> list[str]:
        found: list[str] = []
        paginator = self._client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.physical, Prefix=prefix):
            found.extend(str(item["Key"]) for item in page.get("Contents", []))
        return sorted(found)


class Objects:
    """The buckets a service may use, by logical name.

    Example:
        >>> objects = Objects.in_memory(["archive"])
        >>> objects.bucket("archive").put("a/1.txt", "hello", content_type="text/plain")
        >>> objects.bucket("archive").keys("a/")
        ['a/1.txt']
    """

    def __init__(self, buckets: Mapping[str, Bucket]) -> None:
        self._buckets = dict(buckets)

    @property
    def names(self) -> tuple[str, ...]:
        """The bucket names, sorted."""
        return tuple(sorted(self._buckets))

    def bucket(self, name: str) -> Bucket:
        """The bucket called ``name``.

        Raises:
            StorageError: the app declares no such bucket (or, on Lambda, this service
                was not given it); the message lists the buckets there are.
        """
        try:
            return self._buckets[name]
        except KeyError:
            have = ", ".join(self.names) or "none"
            raise StorageError(
                f"unknown bucket {name!r} (buckets: {have}); declare it in App(buckets=...) "
                "and on the service (archives=...)"
            ) from None

    @classmethod
    def in_memory(cls, names: Iterable[str]) -> Objects:
        """Empty in-memory buckets."""
        return cls({name: InMemoryBucket(name) for name in names})

    @classmethod
    def s3(cls, physical: Mapping[str, str], *, client: Any = None) -> Objects:
        """Buckets in S3: logical name -> S3 bucket name."""
        if client is None:
            client = importlib.import_module("boto3").client("s3")
        return cls({name: S3Bucket(name, bucket, client) for name, bucket in physical.items()})

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> Objects:
        """The buckets ``ORDERFLOW_BUCKETS`` names: in S3 when ``ORDERFLOW_STORAGE`` is
        ``dynamodb`` (deployed), otherwise in memory, as the tables.

        Raises:
            ConfigurationError: ``ORDERFLOW_BUCKETS`` is not a JSON object of strings.
        """
        raw = env.get(BUCKETS_ENV, "").strip()
        physical: Any = {}
        if raw:
            try:
                physical = json.loads(raw)
            except ValueError:
                physical = None
        if not isinstance(physical, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in physical.items()
        ):
            raise ConfigurationError(
                f"{BUCKETS_ENV}={raw!r} must be a JSON object of bucket name -> S3 bucket"
            )
        if not physical:
            return cls({})
        if env.get("ORDERFLOW_STORAGE", "memory").strip().lower() == "dynamodb":
            return cls.s3(physical)
        return cls.in_memory(physical)


def write_objects(objects: Objects, directory: Path) -> list[Path]:
    """Write every object of every bucket to ``directory/BUCKET/KEY``; return the paths.

    Raises:
        StorageError: a key would leave its bucket's folder (``..`` or an absolute part),
            or a file cannot be written.
    """
    written: list[Path] = []
    for name in objects.names:
        bucket = objects.bucket(name)
        root = (directory / name).resolve()
        for key in bucket.keys(""):
            target = (root / key).resolve()
            if not target.is_relative_to(root) or key.endswith("/"):
                raise StorageError(f"bucket {name!r}: key {key!r} cannot be saved as a file")
            body = bucket.get(key)
            assert body is not None  # just listed
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            except OSError as exc:
                raise StorageError(f"cannot write {target}: {exc.strerror}") from None
            written.append(target)
    return written


def physical_bucket_name(prefix: str, bucket: str) -> str:
    """The deployed S3 bucket of a logical bucket: ``{prefix}-{bucket}``."""
    return f"{prefix}-{bucket}"


__all__ = [
    "BUCKETS_ENV",
    "Bucket",
    "InMemoryBucket",
    "Objects",
    "S3Bucket",
    "StoredObject",
    "physical_bucket_name",
    "write_objects",
]
