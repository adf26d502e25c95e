"""Service contracts over time: snapshots, compatibility modes, provider verification.

Snapshots: the JSON Schema of every service's input and output model is written to a
folder users commit (``contracts/get-user.input.json``…). A later change to a model is
compared with its snapshot the way a schema registry compares versions:

* ``backward`` — the new schema accepts everything the old one did (readers may upgrade
  first). Breaking: a removed optional field of a closed object, a new required field, an
  optional field made required, a narrowed type, enum or bound, extra fields forbidden.
* ``forward`` — the old schema accepts everything the new one allows (writers may upgrade
  first): the same rules, the other way round.
* ``full`` — both. ``auto`` (the default) is ``backward`` for inputs (callers keep sending
  what they sent) and ``forward`` for outputs (readers keep reading what they read).
* ``none`` — snapshots are kept up to date but never fail.

Provider verification: a service, given any input its contract accepts (drawn by
hypothesis), returns an output its contract accepts, or raises one of its declared errors.

hypothesis comes with the ``testing`` extra (``pip install 'orderflow[testing]'``) and is
imported only by what draws payloads (:func:`verify_provider`, and the by-example half of
an edge test): snapshots and the data-flow checker work without it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ValidationError

from orderflow._errors import ContractError, OrderflowError
from orderflow.checker._compat import check_fit
from orderflow.checker._shape import from_json_schema

Mode = Literal["backward", "forward", "full", "none", "auto"]
Role = Literal["input", "output"]
MODES: Final = ("auto", "backward", "forward", "full", "none")


class BreakingChange(ContractError, AssertionError):
    """A contract changed incompatibly with its snapshot (fails the test)."""


class ProviderViolation(ContractError, AssertionError):
    """A service broke its own contract for a valid input (fails the test)."""


INSTALL_TESTING: Final = "pip install 'orderflow[testing]'"
"""How to get what property-based contract tests need (hypothesis)."""


class MissingTestingExtra(OrderflowError, ImportError):
    """A contract test draws payloads with hypothesis, which is not installed."""


def require_hypothesis(what: str) -> None:
    """Raise :class:`MissingTestingExtra` naming ``what`` unless hypothesis imports.

    Args:
        what: the check that needs it, for the message (``"provider verification"``).
    """
    try:
        import hypothesis  # noqa: F401  (only whether it imports matters here)
    except ImportError as exc:
        raise MissingTestingExtra(
            f"{what} draws payloads with hypothesis, which cannot be imported ({exc}); "
            f"install the testing extra: {INSTALL_TESTING}"
        ) from None


# --- schemas and snapshots -------------------------------------------------------------


def contract_schema(model: type[BaseModel], role: Role) -> dict[str, Any]:
    """The JSON Schema a snapshot stores: validation side for inputs, serialization for
    outputs (what the service writes)."""
    return model.model_json_schema(mode="validation" if role == "input" else "serialization")


def snapshot_text(schema: Mapping[str, Any]) -> str:
    """Deterministic snapshot file content (sorted keys, two-space indent, final newline)."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def snapshot_path(directory: Path, service: str, role: Role) -> Path:
    """Where a service's contract snapshot lives: ``contracts/<service>.<role>.json``."""
    return directory / f"{service}.{role}.json"


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between a snapshot and the current schema.

    Attributes:
        where: a JSONPath-like location in the payload (``$.items[*].quantity``).
        message: what changed.
    """

    where: str
    message: str


def _models_of(service: Any) -> tuple[type[BaseModel], type[BaseModel]]:
    if isinstance(service, tuple):
        return service[0], service[1]
    return service.input_model, service.output_model


def service_schemas(services: Mapping[str, Any]) -> dict[tuple[str, Role], dict[str, Any]]:
    """Every contract schema: ``(service name, role) -> schema``."""
    out: dict[tuple[str, Role], dict[str, Any]] = {}
    for name, service in services.items():
        inp, outp = _models_of(service)
        out[(name, "input")] = contract_schema(inp, "input")
        out[(name, "output")] = contract_schema(outp, "output")
    return out


def write_snapshots(directory: Path, services: Mapping[str, Any]) -> list[Path]:
    """Write (or rewrite) every snapshot; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for (name, role), schema in service_schemas(services).items():
        path = snapshot_path(directory, name, role)
        path.write_text(snapshot_text(schema), encoding="utf-8")
        written.append(path)
    return written


# --- compatibility ---------------------------------------------------------------------


def _accepts_all_of(reader: Mapping[str, Any], writer: Mapping[str, Any]) -> list[Change]:
    """What values valid under ``writer`` fail ``reader`` (types, fields, enums, bounds)."""
    # Required fields are compared on the schemas (below), whether objects are open or not.
    changes = [
        Change(m.where, m.message)
        for m in check_fit(from_json_schema(writer), from_json_schema(reader))
        if m.code not in ("contract-missing-field", "contract-field-may-be-missing")
    ]
    _compare_keywords(reader, writer, _Defs(reader), _Defs(writer), "$", changes, set())
    return changes


class _Defs:
    __slots__ = ("defs",)

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.defs: dict[str, Any] = dict(schema.get("$defs") or schema.get("definitions") or {})

    def resolve(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and seen < 32:
            node = self.defs.get(node["$ref"].rsplit("/", 1)[-1], {})
            seen += 1
        return node


_LOWER_SIZE: Final = ("minLength", "minItems")
_UPPER_SIZE: Final = ("maxLength", "maxItems")

Bound = tuple[float, bool]
"""A numeric bound: (value, exclusive)."""


def _bound(node: Mapping[str, Any], lower: bool) -> Bound | None:
    inclusive, exclusive = (
        ("minimum", "exclusiveMinimum") if lower else ("maximum", "exclusiveMaximum")
    )
    found: list[Bound] = []
    if isinstance(node.get(inclusive), int | float):
        found.append((node[inclusive], False))
    if isinstance(node.get(exclusive), int | float):
        found.append((node[exclusive], True))
    if not found:
        return None
    # The tighter of the two applies.
    return max(found) if lower else min(found, key=lambda b: (b[0], not b[1]))


def _within(writer: Bound | None, reader: Bound, lower: bool) -> bool:
    """Whether every value the writer's bound allows passes the reader's bound."""
    if writer is None:
        return False
    (wv, wx), (rv, rx) = writer, reader
    if wv != rv:
        return wv > rv if lower else wv < rv
    return wx or not rx


def _show(bound: Bound, lower: bool) -> str:
    op = (">" if bound[1] else ">=") if lower else ("<" if bound[1] else "<=")
    return f"{op} {bound[0]}"


def _compare_keywords(
    reader: Any,
    writer: Any,
    rdefs: _Defs,
    wdefs: _Defs,
    where: str,
    out: list[Change],
    seen: set[tuple[int, int]],
) -> None:
    reader, writer = rdefs.resolve(reader), wdefs.resolve(writer)
    if not isinstance(reader, Mapping) or not isinstance(writer, Mapping):
        return
    key = (id(reader), id(writer))
    if key in seen:
        return
    seen.add(key)
    r_enum = _enum(reader)
    w_enum = _enum(writer)
    if r_enum is not None:
        if w_enum is None:
            out.append(Change(where, f"values are now limited to {sorted(map(str, r_enum))}"))
        elif missing := w_enum - r_enum:
            out.append(Change(where, f"values {sorted(map(str, missing))} are no longer allowed"))
    for lower in (True, False):
        r_bound, w_bound = _bound(reader, lower), _bound(writer, lower)
        if r_bound is not None and not _within(w_bound, r_bound, lower):
            side = "lower" if lower else "upper"
            out.append(Change(where, f"{side} bound tightened to {_show(r_bound, lower)}"))
    for word in _LOWER_SIZE:
        if word in reader and (word not in writer or writer[word] < reader[word]):
            out.append(Change(where, f"{word} tightened to {reader[word]}"))
    for word in _UPPER_SIZE:
        if word in reader and (word not in writer or writer[word] > reader[word]):
            out.append(Change(where, f"{word} tightened to {reader[word]}"))
    if "pattern" in reader and reader.get("pattern") != writer.get("pattern"):
        out.append(Change(where, f"pattern changed to {reader['pattern']!r}"))
    if (
        reader.get("additionalProperties") is False
        and writer.get("additionalProperties") is not False
    ):
        out.append(Change(where, "extra fields are now forbidden"))
    r_props = reader.get("properties") or {}
    w_props = writer.get("properties") or {}
    w_required = set(writer.get("required") or ())
    for name in sorted(set(reader.get("required") or ()) - w_required):
        if name in w_props:
            out.append(Change(f"{where}.{name}", f"{name!r} is now required"))
        else:
            out.append(Change(f"{where}.{name}", f"new required field {name!r}"))
    for name in r_props.keys() & w_props.keys():
        _compare_keywords(r_props[name], w_props[name], rdefs, wdefs, f"{where}.{name}", out, seen)
    if isinstance(reader.get("items"), Mapping) and isinstance(writer.get("items"), Mapping):
        _compare_keywords(reader["items"], writer["items"], rdefs, wdefs, f"{where}[*]", out, seen)
    for option in ("anyOf", "oneOf"):
        r_opts, w_opts = reader.get(option), writer.get(option)
        if isinstance(r_opts, list) and isinstance(w_opts, list) and len(r_opts) == len(w_opts):
            for r_opt, w_opt in zip(r_opts, w_opts, strict=True):
                _compare_keywords(r_opt, w_opt, rdefs, wdefs, where, out, seen)


def _enum(node: Mapping[str, Any]) -> set[Any] | None:
    if "const" in node:
        return {json.dumps(node["const"], sort_keys=True)}
    if isinstance(node.get("enum"), list):
        return {json.dumps(v, sort_keys=True) for v in node["enum"]}
    return None


def breaking_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], mode: Mode, role: Role = "input"
) -> list[Change]:
    """How ``new`` breaks compatibility with ``old`` under ``mode`` (empty: compatible)."""
    if mode == "auto":
        mode = "backward" if role == "input" else "forward"
    changes: list[Change] = []
    if mode in ("backward", "full"):
        changes += [Change(c.where, f"backward: {c.message}") for c in _accepts_all_of(new, old)]
    if mode in ("forward", "full"):
        changes += [Change(c.where, f"forward: {c.message}") for c in _accepts_all_of(old, new)]
    return changes


def verify_snapshot(
    directory: Path,
    service: str,
    role: Role,
    schema: Mapping[str, Any],
    *,
    mode: Mode,
    update: bool,
) -> str:
    """Compare a contract with its snapshot; returns what happened (for the test report).

    Raises:
        BreakingChange: no snapshot (and not updating), or an incompatible change.
    """
    path = snapshot_path(directory, service, role)
    current = snapshot_text(schema)
    if not path.exists():
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(current, encoding="utf-8")
            return f"created {path}"
        raise BreakingChange(
            f"no snapshot of the {role} contract of {service!r} at {path}; run pytest with "
            "--orderflow-update-contracts to create it, then commit it"
        )
    stored_text = path.read_text(encoding="utf-8")
    if stored_text == current:
        return "unchanged"
    try:
        stored = json.loads(stored_text)
    except json.JSONDecodeError as exc:
        raise BreakingChange(f"{path} is not valid JSON: {exc}") from None
    changes = [] if mode == "none" else breaking_changes(stored, schema, mode, role)
    if changes and not update:
        listed = "\n".join(f"  {c.where}: {c.message}" for c in changes)
        raise BreakingChange(
            f"the {role} contract of {service!r} changed incompatibly with {path} "
            f"({mode} compatibility):\n{listed}\nIf the break is intended, coordinate the "
            "rollout and run pytest with --orderflow-update-contracts."
        )
    if update:
        path.write_text(current, encoding="utf-8")
        return f"updated {path}"
    return "compatible change (run with --orderflow-update-contracts to refresh the snapshot)"


# --- provider verification -------------------------------------------------------------


def verify_provider(
    name: str,
    service: Any,
    deps_factory: Callable[[], Any],
    *,
    max_examples: int = 25,
) -> None:
    """Any valid input yields a valid output or a declared error.

    Args:
        name: the service's name (messages).
        service: an :class:`orderflow.runtime.Service` (handler, models, errors).
        deps_factory: builds fresh dependencies for each example.
        max_examples: hypothesis examples to try.

    Raises:
        ProviderViolation: an undeclared exception or an invalid output.
        MissingTestingExtra: hypothesis is not installed.
    """
    require_hypothesis(f"provider verification of {name!r}")
    from hypothesis import HealthCheck, given, settings

    from orderflow.testing._strategies import json_from_model

    input_model, output_model = _models_of(service)
    declared: tuple[type[BaseException], ...] = tuple(getattr(service, "errors", ()))

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(event=json_from_model(input_model))
    def run(event: dict[str, Any]) -> None:
        try:
            output = service.invoke_json(event, deps_factory())
        except declared:
            return
        except Exception as exc:
            raise ProviderViolation(
                f"{name}: a valid input raised {type(exc).__name__} (not a declared error): "
                f"{exc}\ninput: {event!r}"
            ) from exc
        try:
            output_model.model_validate(output)
        except ValidationError as exc:
            raise ProviderViolation(
                f"{name}: the output breaks {output_model.__name__}: {exc}\ninput: {event!r}"
            ) from None

    run()


def check_mode(value: str) -> Mode:
    """Validate a compatibility mode name (ini option or marker argument)."""
    if value not in MODES:
        raise ContractError(
            f"unknown compatibility mode {value!r}; choose one of {', '.join(MODES)}"
        )
    return value  # type: ignore[return-value]


def names(services: Iterable[Any] | Mapping[str, Any]) -> dict[str, Any]:
    """Services keyed by name, from a mapping or from objects with a ``name``."""
    if isinstance(services, Mapping):
        return dict(services)
    out: dict[str, Any] = {}
    for service in services:
        name = getattr(service, "name", None)
        if not isinstance(name, str):
            raise ContractError(f"{service!r} has no name; give services as a mapping")
        out[name] = service
    return out


__all__ = [
    "INSTALL_TESTING",
    "MODES",
    "BreakingChange",
    "Change",
    "MissingTestingExtra",
    "Mode",
    "ProviderViolation",
    "Role",
    "breaking_changes",
    "check_mode",
    "contract_schema",
    "names",
    "require_hypothesis",
    "service_schemas",
    "snapshot_path",
    "snapshot_text",
    "verify_provider",
    "verify_snapshot",
    "write_snapshots",
]
