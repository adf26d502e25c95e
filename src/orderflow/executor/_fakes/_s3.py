"""An in-memory S3 for Distributed Map: ``ItemReader`` and ``ResultWriter``.

:meth:`FakeS3.read_items` answers an ``ItemReader`` the way the Distributed Map reads S3:
a JSON array (``InputType: JSON``), CSV rows as objects keyed by the header
(``InputType: CSV``, ``CSVHeaderLocation: FIRST_ROW`` or given ``CSVHeaders``), an S3
Inventory ``manifest.json`` (``MANIFEST``: every row of the CSV files it lists, keyed by
its ``fileSchema``), or, with
``s3:listObjectsV2``, one ``{Key, Size, ETag, LastModified, StorageClass}`` per object
under the prefix. :meth:`FakeS3.write_results` stores the results as AWS's ResultWriter
does (``manifest.json`` plus ``SUCCEEDED_0.json``/``FAILED_0.json``) and answers with the
``ResultWriterDetails``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from orderflow._errors import ExecutionError
from orderflow.executor._fakes._common import Ids, service_error

_SDK = "S3"


class FakeS3:
    """Buckets of objects: ``objects["bucket"]["key"]`` is the object's text."""

    def __init__(self, ids: Ids) -> None:
        self.ids = ids
        self.objects: dict[str, dict[str, str]] = {}
        self.mounts: dict[str, Path] = {}

    def mount(self, bucket: str, directory: str | Path) -> None:
        """Serve ``bucket`` from the files under ``directory`` (key = relative path).

        Files are read when the map reads them, so a test can point a Distributed Map at a
        folder of fixtures; objects put with :meth:`put_object` still take precedence.
        """
        root = Path(directory)
        if not root.is_dir():
            raise ExecutionError(f"cannot serve bucket {bucket!r} from {root}: not a directory")
        self.mounts[bucket] = root
        self.objects.setdefault(bucket, {})

    def _listing(self, bucket: str) -> dict[str, str]:
        found = dict(self.objects.get(bucket, {}))
        root = self.mounts.get(bucket)
        if root is not None:
            for file in sorted(root.rglob("*")):
                key = file.relative_to(root).as_posix()
                if file.is_file() and key not in found:
                    found[key] = file.read_text()
        return found

    def put_object(self, bucket: str, key: str, body: str | bytes | Any) -> None:
        """Store ``body`` (text, bytes, or any JSON value, stored as JSON text)."""
        if isinstance(body, bytes):
            text = body.decode()
        elif isinstance(body, str):
            text = body
        else:
            text = json.dumps(body)
        self.objects.setdefault(bucket, {})[key] = text

    def _get(self, bucket: str, key: str) -> str:
        if bucket not in self.objects:
            raise service_error(
                self.ids, "S3", _SDK, "NoSuchBucket", "The specified bucket does not exist"
            )
        if key in self.objects[bucket]:
            return self.objects[bucket][key]
        root = self.mounts.get(bucket)
        if root is not None and ".." not in Path(key).parts and (root / key).is_file():
            return (root / key).read_text()
        raise service_error(self.ids, "S3", _SDK, "NoSuchKey", "The specified key does not exist.")

    def read_items(self, params: Any, reader: dict[str, Any]) -> list[Any]:
        """The items an ``ItemReader`` (``reader``, with ``Parameters`` rendered as
        ``params``) reads."""
        params = params if isinstance(params, dict) else {}
        bucket = str(params.get("Bucket", ""))
        resource = str(reader.get("Resource", ""))
        if resource.endswith("listObjectsV2"):
            prefix = str(params.get("Prefix", ""))
            if bucket not in self.objects:
                self._get(bucket, "")
            return [
                {
                    "Key": key,
                    "Size": len(text.encode()),
                    "ETag": f'"{hashlib.md5(text.encode()).hexdigest()}"',
                    "LastModified": "1970-01-01T00:00:00Z",
                    "StorageClass": "STANDARD",
                }
                for key, text in sorted(self._listing(bucket).items())
                if key.startswith(prefix)
            ]
        config = reader.get("ReaderConfig") or {}
        kind = str(config.get("InputType", "JSON"))
        text = self._get(bucket, str(params.get("Key", "")))
        if kind == "JSON":
            items = json.loads(text)
            if not isinstance(items, list):
                raise ValueError(f"s3://{bucket}/{params.get('Key')} does not hold a JSON array")
            return items
        if kind == "CSV":
            return _csv_rows(text, config)
        if kind == "MANIFEST":
            return self._inventory(text)
        raise ValueError(f"the local S3 fake cannot read InputType {kind!r}")

    def _inventory(self, text: str) -> list[Any]:
        """The objects an S3 Inventory ``manifest.json`` lists, one item per CSV row, keyed
        by the manifest's ``fileSchema`` (the data files are stored uncompressed here)."""
        manifest = json.loads(text)
        schema = [f.strip() for f in str(manifest.get("fileSchema", "Bucket, Key")).split(",")]
        bucket = str(manifest.get("destinationBucket", "")).rsplit(":", 1)[-1]
        found: list[Any] = []
        for entry in manifest.get("files", []):
            data = self._get(bucket, str(entry.get("key", "")))
            found.extend(
                dict(zip(schema, row, strict=False)) for row in csv.reader(io.StringIO(data)) if row
            )
        return found

    def write_results(self, request: Any, writer: dict[str, Any]) -> dict[str, Any]:
        """Store a Distributed Map's results; answer with ``ResultWriterDetails``."""
        params = request.get("Parameters") if isinstance(request, dict) else {}
        params = params if isinstance(params, dict) else {}
        results = request.get("Results", []) if isinstance(request, dict) else []
        bucket = str(params.get("Bucket", ""))
        prefix = str(params.get("Prefix", "")).rstrip("/")
        run = self.ids.uuid()
        base = f"{prefix}/{run}" if prefix else run
        succeeded = [
            r for r in results if not (isinstance(r, dict) and "Error" in r and "Cause" in r)
        ]
        failed = [r for r in results if r not in succeeded]
        files = []
        for label, rows in (("SUCCEEDED", succeeded), ("FAILED", failed)):
            if rows:
                key = f"{base}/{label}_0.json"
                self.put_object(
                    bucket, key, [{"Output": json.dumps(r), "Status": label} for r in rows]
                )
                files.append({"Key": key, "Size": len(json.dumps(rows))})
        manifest = f"{base}/manifest.json"
        self.put_object(
            bucket,
            manifest,
            {"DestinationBucket": bucket, "MapRunArn": run, "ResultFiles": {"SUCCEEDED": files}},
        )
        return {"Bucket": bucket, "Key": manifest}


def _csv_rows(text: str, config: dict[str, Any]) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    headers = config.get("CSVHeaders")
    if config.get("CSVHeaderLocation", "FIRST_ROW") == "FIRST_ROW" or not headers:
        if not rows:
            return []
        headers, rows = rows[0], rows[1:]
    return [dict(zip(headers, row, strict=False)) for row in rows]


__all__ = ["FakeS3"]
