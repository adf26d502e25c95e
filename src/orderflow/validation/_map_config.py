"""A Distributed Map's configuration objects: ItemReader, ReaderConfig, ItemBatcher, ResultWriter.

AWS documents each as a small fixed object (see ``docs/spec-rules.md`` for the sentences):

* ``ItemReader`` — ``Resource`` (required: the S3 API the items come from), ``Parameters``
  (JSONata: ``Arguments``) and ``ReaderConfig``;
* ``ReaderConfig`` — ``InputType`` (CSV, JSON, JSONL, MANIFEST, PARQUET),
  ``CSVHeaderLocation`` (FIRST_ROW or GIVEN, and GIVEN needs ``CSVHeaders``, an array of
  strings), ``CSVDelimiter``, ``MaxItems`` (0 to 100,000,000) or ``MaxItemsPath``,
  ``ManifestType``, ``Transformation``;
* ``ItemBatcher`` — at least one of ``MaxItemsPerBatch`` (a positive integer) and
  ``MaxInputBytesPerBatch`` (1 to 262,144 bytes), each or its ``…Path`` form, and a fixed
  ``BatchInput`` object;
* ``ResultWriter`` — ``Resource``, ``Parameters`` (JSONata: ``Arguments``) and
  ``WriterConfig``.

The paths inside them are checked by :mod:`orderflow.validation._paths`, their Resources by
:mod:`orderflow.validation._resources`; this module checks the objects' shape.
"""

from __future__ import annotations

from typing import Final

from orderflow.asl.expressions import is_jsonata
from orderflow.validation._diagnostic import Collector, json_kind
from orderflow.validation._fields import MAX_INTEGER
from orderflow.validation._walk import JSONATA, StateRef

_ALLOWED: Final = {
    "ItemReader": ("Resource", "Parameters", "Arguments", "ReaderConfig"),
    "ReaderConfig": (
        "InputType",
        "CSVHeaderLocation",
        "CSVHeaders",
        "CSVDelimiter",
        "MaxItems",
        "MaxItemsPath",
        "ManifestType",
        "Transformation",
    ),
    "ItemBatcher": (
        "MaxItemsPerBatch",
        "MaxItemsPerBatchPath",
        "MaxInputBytesPerBatch",
        "MaxInputBytesPerBatchPath",
        "BatchInput",
    ),
    "ResultWriter": ("Resource", "Parameters", "Arguments", "WriterConfig"),
}
_INPUT_TYPES: Final = ("CSV", "JSON", "JSONL", "MANIFEST", "PARQUET")
_HEADER_LOCATIONS: Final = ("FIRST_ROW", "GIVEN")
MAX_ITEMS: Final = 100_000_000
"""The most items ``ReaderConfig.MaxItems`` may ask for."""
MAX_BATCH_BYTES: Final = 262_144
"""The largest ``ItemBatcher.MaxInputBytesPerBatch`` (256 KiB, the payload limit)."""


def check_map_config(ref: StateRef, out: Collector) -> None:
    """Check a Map state's ItemReader, ItemBatcher and ResultWriter objects."""
    if ref.type != "Map":
        return
    for name in ("ItemReader", "ItemBatcher", "ResultWriter"):
        body = ref.state.get(name)
        if isinstance(body, dict):
            _only_known(ref, body, name, (name,), out)
    reader = ref.state.get("ItemReader")
    if isinstance(reader, dict):
        _item_reader(ref, reader, out)
    batcher = ref.state.get("ItemBatcher")
    if isinstance(batcher, dict):
        _item_batcher(ref, batcher, out)


def _only_known(
    ref: StateRef, body: dict[str, object], kind: str, where: tuple[str, ...], out: Collector
) -> None:
    allowed = _ALLOWED[kind]
    for key in body:
        if key not in allowed:
            message = f"{'.'.join(where)} accepts {', '.join(allowed)}, not {key!r}"
            _report(ref, out, "field-not-allowed", (*where, key), message)


def _item_reader(ref: StateRef, reader: dict[str, object], out: Collector) -> None:
    if "Resource" not in reader:
        message = (
            "ItemReader needs Resource, the S3 action that reads the items "
            "(e.g. arn:aws:states:::s3:getObject)"
        )
        _report(ref, out, "missing-field", ("ItemReader",), message, field="ItemReader.Resource")
    config = reader.get("ReaderConfig")
    if config is None:
        return
    where = ("ItemReader", "ReaderConfig")
    if not isinstance(config, dict):
        _report_type(ref, where, config, "an object", out)
        return
    _only_known(ref, config, "ReaderConfig", where, out)
    _choice(ref, config, where, "InputType", _INPUT_TYPES, out)
    _choice(ref, config, where, "CSVHeaderLocation", _HEADER_LOCATIONS, out)
    headers = config.get("CSVHeaders")
    if config.get("CSVHeaderLocation") == "GIVEN" and headers is None:
        message = "CSVHeaderLocation GIVEN needs CSVHeaders, the column names in order"
        _report(ref, out, "missing-field", where, message, field=f"{'.'.join(where)}.CSVHeaders")
    if headers is not None and not (
        isinstance(headers, list) and all(isinstance(h, str) for h in headers)
    ):
        _report_type(ref, (*where, "CSVHeaders"), headers, "an array of strings", out)
    _exclusive(ref, config, where, "MaxItems", out)
    _integer(ref, config, where, "MaxItems", 0, MAX_ITEMS, out)


def _item_batcher(ref: StateRef, batcher: dict[str, object], out: Collector) -> None:
    where = ("ItemBatcher",)
    limits = ("MaxItemsPerBatch", "MaxInputBytesPerBatch")
    if not any(key in batcher for name in limits for key in (name, name + "Path")):
        message = (
            "ItemBatcher needs MaxItemsPerBatch, MaxInputBytesPerBatch (or their Path "
            "forms), or both: the size of a batch"
        )
        _report(ref, out, "missing-field", where, message, field="ItemBatcher.MaxItemsPerBatch")
    for name in limits:
        _exclusive(ref, batcher, where, name, out)
    _integer(ref, batcher, where, "MaxItemsPerBatch", 1, MAX_INTEGER, out)
    _integer(ref, batcher, where, "MaxInputBytesPerBatch", 1, MAX_BATCH_BYTES, out)
    batch_input = batcher.get("BatchInput")
    expression = ref.language == JSONATA and is_jsonata(batch_input)
    if batch_input is not None and not isinstance(batch_input, dict) and not expression:
        _report_type(ref, (*where, "BatchInput"), batch_input, "an object", out)


def _choice(
    ref: StateRef,
    body: dict[str, object],
    where: tuple[str, ...],
    key: str,
    choices: tuple[str, ...],
    out: Collector,
) -> None:
    if key in body and body[key] not in choices:
        message = f"{key} must be one of {', '.join(choices)}, not {body[key]!r}"
        _report(ref, out, "invalid-value", (*where, key), message)


def _exclusive(
    ref: StateRef, body: dict[str, object], where: tuple[str, ...], key: str, out: Collector
) -> None:
    if key in body and key + "Path" in body:
        message = f"{'.'.join(where)} may have only one of {key}, {key}Path"
        _report(
            ref, out, "conflicting-fields", where, message, field=f"{'.'.join(where)}.{key}Path"
        )


def _integer(
    ref: StateRef,
    body: dict[str, object],
    where: tuple[str, ...],
    key: str,
    minimum: int,
    maximum: int,
    out: Collector,
) -> None:
    if key not in body:
        return
    value = body[key]
    if ref.language == JSONATA and is_jsonata(value):
        return
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and minimum <= value <= maximum:  # type: ignore[operator]
        return
    message = f"{key} must be an integer from {minimum:,} to {maximum:,}, not {value!r}"
    _report(ref, out, "invalid-value" if is_int else "invalid-type", (*where, key), message)


def _report(
    ref: StateRef,
    out: Collector,
    code: str,
    at: tuple[str, ...],
    message: str,
    *,
    field: str | None = None,
) -> None:
    """Report at ``at`` (the state's field path); ``field`` defaults to it, dotted."""
    out.report(code, ref.at(*at), message, state=ref.name, field=field or ".".join(at))


def _report_type(
    ref: StateRef, where: tuple[str, ...], value: object, expected: str, out: Collector
) -> None:
    _report(
        ref,
        out,
        "invalid-type",
        where,
        f"{'.'.join(where)} must be {expected}, not {json_kind(value)}",
    )


__all__ = ["MAX_BATCH_BYTES", "MAX_ITEMS", "check_map_config"]
