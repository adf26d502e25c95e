"""Resolving what a user names on the command line or in config: ``MODULE:ATTR`` or a file.

Every command and option that takes a user's object (the app every command works on,
``orderflow render/check/run``'s TARGET, ``check --contracts/--input-model``, the pytest
plugin's ``orderflow_*`` settings) loads it here, so they all import the same way:

* the current directory is importable, as it is for ``python -m``;
* the user's code (importing the module, reading the attribute, building a workflow) runs
  inside :func:`user_code`: what it prints goes to stderr, so stdout carries only the
  command's result, and a ``sys.exit()`` in it is an error instead of silently ending the
  command with the user's exit status;
* every failure is one :class:`~orderflow._errors.TargetError` naming the spec and the cause, never
  a traceback.

The library must not depend on the CLI, so this module imports neither click nor
``orderflow.cli``; the DSL is imported only once a workflow is actually in hand.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from orderflow._errors import DefinitionError, OrderflowError, TargetError
from orderflow.asl import Definition, as_definition, parse_definition

if TYPE_CHECKING:
    from orderflow._app import App
    from orderflow.dsl import Workflow

DEFAULT_APP: Final = "orderflow.orders.app:app"
"""The bundled order app: what every command works on when no app is named or configured.
The one place the framework names the order domain (a string, imported only when used)."""

# Far above AWS's 1 MiB definition limit (which the validator reports as an error), but
# low enough that a wrong file (a log, a data dump) is refused instead of read into memory.
MAX_FILE_BYTES: Final = 64 * 1024 * 1024

_NAME = r"[^\W\d]\w*"
_DOTTED = rf"{_NAME}(?:\.{_NAME})*"
_SPEC: Final = re.compile(rf"{_DOTTED}:{_DOTTED}\Z")


def is_module_target(target: str) -> bool:
    """Whether ``target`` names ``MODULE:ATTR`` rather than a file.

    An existing file wins, so ``a:b`` on disk is read as a file; otherwise a target is a
    module reference when it is written like one (dotted names either side of one colon).
    """
    return bool(_SPEC.match(target)) and not Path(target).is_file()


@contextlib.contextmanager
def user_code(action: str, *, target: str | None = None) -> Iterator[None]:
    """Run user code (importing a module, building a workflow) as a command needs it run.

    Whatever it prints goes to stderr, so stdout carries only the command's result; a
    ``sys.exit()`` in it becomes a :class:`~orderflow._errors.TargetError` instead of silently
    ending the command with the user's exit status.

    Args:
        action: what is being done, for the message (``"importing module 'flows'"``).
        target: the spec the user gave, carried on the error.
    """
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except SystemExit as exc:
        raise TargetError(
            f"{action} called sys.exit({exc.code!r}); a module orderflow loads must not exit",
            target=target,
        ) from None


def _importable_cwd() -> None:
    # As with `python -m`, a module in the current directory is importable; "" on the
    # path already means the current directory.
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)


def import_attribute(spec: str, *, what: str) -> object:
    """The object ``spec`` (``MODULE:ATTR``, dotted attribute paths allowed) names.

    Args:
        spec: ``package.module:name`` or ``package.module:Class.attribute``.
        what: what the spec is for, to begin every message (``"--contracts"``,
            ``"workflow"``, ``"target"``).

    Raises:
        TargetError: the spec is malformed; the module cannot be imported, raised or
            called ``sys.exit`` while importing; or it has no such attribute. The message
            names the spec and the cause.
    """
    label = f"{what} {spec!r}"
    if not _SPEC.match(spec):
        raise TargetError(
            f"{label}: expected MODULE:ATTR (a module's dotted name, a colon, then an "
            "attribute, e.g. mypkg.app:app)",
            target=spec,
        )
    module_name, _, attr = spec.partition(":")
    _importable_cwd()
    importing = f"{label}: importing module {module_name!r}"
    try:
        with user_code(importing, target=spec):
            value: object = importlib.import_module(module_name)
    except TargetError:
        raise
    except ImportError as exc:
        raise TargetError(
            f"{label}: cannot import module {module_name!r}: {exc}", target=spec
        ) from None
    except Exception as exc:  # a broken user module must not end a command in a traceback
        raise TargetError(f"{importing} failed: {type(exc).__name__}: {exc}", target=spec) from None
    # Reading an attribute runs user code too (a property, a module __getattr__).
    reading = f"{label}: reading {attr!r} of module {module_name!r}"
    try:
        with user_code(reading, target=spec):
            for part in attr.split("."):
                value = getattr(value, part)
    except TargetError:
        raise
    except AttributeError:
        raise TargetError(
            f"{label}: module {module_name!r} has no attribute {attr!r}", target=spec
        ) from None
    except Exception as exc:
        raise TargetError(f"{reading} failed: {type(exc).__name__}: {exc}", target=spec) from None
    return value


def _built(value: Workflow[Any], spec: str, label: str) -> Workflow[Any]:
    """``value`` with its build function run (the graph is cached on the workflow)."""
    building = f"{label}: building workflow {value.name!r}"
    try:
        with user_code(building, target=spec):
            value.graph()
    except OrderflowError:
        raise  # WorkflowBuildError names the state and field; a TargetError the exit
    except Exception as exc:  # a bug in the user's build function, not in orderflow
        raise TargetError(f"{building} failed: {type(exc).__name__}: {exc}", target=spec) from None
    return value


def load_workflow(target: str, *, what: str = "workflow") -> Workflow[Any]:
    """The DSL workflow ``target`` (``MODULE:ATTR``) names, its build function already run.

    Building here, inside :func:`user_code`, means whatever renders it later (with any
    account, region and prefix) runs no more user code.

    Raises:
        TargetError: see :func:`import_attribute`; also when the attribute is not a
            workflow, or its build function calls ``sys.exit`` or fails with an error that
            is not orderflow's.
        WorkflowBuildError: the workflow is wired wrongly (names the state and field).
    """
    value = import_attribute(target, what=what)
    from orderflow.dsl import Workflow  # imported only once a module has been named

    if not isinstance(value, Workflow):
        raise TargetError(
            f"{what} {target!r} is a {type(value).__name__}, not a Workflow (build one with "
            "orderflow.dsl.workflow or orderflow.dsl.Workflow)",
            target=target,
        )
    return _built(value, target, f"{what} {target!r}")


def read_definition_bytes(target: str) -> bytes:
    """The bytes of the file ``target``, refusing anything over :data:`MAX_FILE_BYTES`.

    The cap bounds the read itself: ``stat()`` says 0 bytes for ``/dev/zero``, a FIFO or
    a file still growing, so its size cannot be trusted.

    Raises:
        DefinitionError: the file cannot be read or is too large.
    """
    data = b""
    try:
        with Path(target).open("rb") as handle:
            # A regular file's size is known before reading it: refuse it unread.
            stated = os.fstat(handle.fileno()).st_size
            if stated <= MAX_FILE_BYTES:
                data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DefinitionError(f"cannot read the file: {exc.strerror}", file=target) from None
    limit = (
        f"a state machine definition is at most 1 MiB (AWS's limit) and files over "
        f"{MAX_FILE_BYTES:,} bytes are not read"
    )
    if stated > MAX_FILE_BYTES:
        raise DefinitionError(f"the file is {stated:,} bytes; {limit}", file=target)
    if len(data) > MAX_FILE_BYTES:
        raise DefinitionError(
            f"the file holds more than {MAX_FILE_BYTES:,} bytes (a device or pipe?); {limit}",
            file=target,
        )
    return data


def _read_file(target: str) -> Definition:
    return parse_definition(read_definition_bytes(target), file=target)


def load_definition_target(target: str, *, what: str = "target") -> Definition:
    """The definition ``target`` names: an ASL JSON file, or ``MODULE:ATTR``.

    ``MODULE:ATTR`` may name a DSL workflow (rendered with :func:`orderflow.dsl.render`'s
    default account, region and prefix), a :class:`~orderflow.asl.Definition`, a dict, or
    any object with a ``to_definition()`` method.

    Args:
        target: a file path, or ``MODULE:ATTR`` (see :func:`is_module_target`).
        what: what the target is for, to begin the messages of a module target.

    Raises:
        DefinitionError: the file cannot be read, is too large, is not JSON or not an object.
        TargetError: see :func:`import_attribute`; also when the attribute is not a state
            machine.
        WorkflowBuildError: the workflow is wired wrongly and cannot be rendered.
        InvalidDefinition: a renderer that validates refused the machine (carries the
            diagnostics).
    """
    if not is_module_target(target):
        return _read_file(target)
    value = import_attribute(target, what=what)
    if isinstance(value, (Definition, Mapping)):
        return as_definition(value)
    label = f"{what} {target!r}"
    from orderflow import dsl  # a workflow needs the compiler; a file or dict never does

    if isinstance(value, dsl.Workflow):
        workflow = _built(value, target, label)
        with user_code(f"{label}: rendering workflow {workflow.name!r}", target=target):
            rendered: Definition = dsl.render(workflow)
        return rendered
    to_definition = getattr(value, "to_definition", None)
    if not callable(to_definition):
        raise TargetError(
            f"{label} is a {type(value).__name__}; expected a workflow, a Definition, a dict "
            "or an object with to_definition()",
            target=target,
        )
    converting = f"{label}: {type(value).__name__}.to_definition()"
    try:
        with user_code(converting, target=target):
            result = to_definition()
    except OrderflowError:
        raise  # an InvalidDefinition carries diagnostics `check` reports as its own
    except Exception as exc:
        raise TargetError(
            f"{converting} failed: {type(exc).__name__}: {exc}", target=target
        ) from None
    if not isinstance(result, (Definition, Mapping)):
        raise TargetError(
            f"{converting} returned a {type(result).__name__}, not a Definition or a dict",
            target=target,
        )
    return as_definition(result)


@dataclass(frozen=True)
class AppSpec:
    """Which app a command works on, and why.

    Attributes:
        spec: ``MODULE:ATTR`` of the :class:`~orderflow.App`.
        source: where it came from: ``--app``, the ``pyproject.toml`` path, or ``bundled``.
        root: the directory of the nearest ``pyproject.toml`` (made importable), if any.
    """

    spec: str
    source: str
    root: Path | None = None

    @property
    def bundled(self) -> bool:
        """Whether this is the bundled order app."""
        return self.spec == DEFAULT_APP


def _pyproject_app(path: Path) -> str | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TargetError(f"cannot read: {exc.strerror}", file=str(path)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TargetError(f"not valid TOML: {exc}", file=str(path)) from None
    tool = data.get("tool")
    section = tool.get("orderflow") if isinstance(tool, dict) else None
    if not isinstance(section, dict) or "app" not in section:
        return None
    value = section["app"]
    if not isinstance(value, str) or not _SPEC.match(value):
        raise TargetError(
            f'[tool.orderflow] app = {value!r}: expected "MODULE:ATTR" (e.g. "mypkg.app:app")',
            file=str(path),
        )
    return value


def find_app(app: str | None = None, *, cwd: Path | None = None) -> AppSpec:
    """Which app to use: ``app`` (``--app``), else ``[tool.orderflow] app`` in the nearest
    ``pyproject.toml`` walking up from ``cwd``, else the bundled order app.

    Only the nearest ``pyproject.toml`` counts: a project without the setting uses the
    bundled app even inside a folder whose own project names one.

    Raises:
        TargetError: ``app`` is not ``MODULE:ATTR``; the nearest ``pyproject.toml`` cannot
            be read, is not TOML, or its setting is not ``MODULE:ATTR`` (names the file).
    """
    start = (cwd or Path.cwd()).resolve()
    project = next((d for d in (start, *start.parents) if (d / "pyproject.toml").is_file()), None)
    if app is not None:
        if not _SPEC.match(app):
            raise TargetError(
                f"--app {app!r}: expected MODULE:ATTR naming an orderflow.App (e.g. mypkg.app:app)",
                target=app,
            )
        # The project around the cwd stays importable, as it is without --app.
        return AppSpec(app, "--app", project)
    if project is not None:
        configured = _pyproject_app(project / "pyproject.toml")
        if configured is not None:
            return AppSpec(configured, str(project / "pyproject.toml"), project)
    return AppSpec(DEFAULT_APP, "bundled")


def _importable_root(root: Path) -> None:
    # A project named by its pyproject.toml is importable from its folder (flat layout) or
    # its src/ folder (src layout), as an editable install would make it.
    for folder in (root / "src", root):
        text = str(folder)
        if folder.is_dir() and text not in sys.path:
            sys.path.insert(0, text)


def load_app(app: str | AppSpec | None = None, *, cwd: Path | None = None) -> App:
    """The :class:`~orderflow.App` a command works on (see :func:`find_app`).

    Raises:
        TargetError: the app cannot be found, imported or built (its ConfigurationError or
            WorkflowBuildError is quoted), or the attribute is not an App.
    """
    found = app if isinstance(app, AppSpec) else find_app(app, cwd=cwd)
    if found.root is not None:
        _importable_root(found.root)
    what = "app" if found.source in ("--app", "bundled") else f"app (from {found.source})"
    value = import_attribute(found.spec, what=what)
    from orderflow._app import App

    if not isinstance(value, App):
        raise TargetError(
            f"{what} {found.spec!r} is a {type(value).__name__}, not an orderflow.App",
            target=found.spec,
        )
    return value


__all__ = [
    "DEFAULT_APP",
    "AppSpec",
    "MAX_FILE_BYTES",
    "read_definition_bytes",
    "TargetError",
    "find_app",
    "import_attribute",
    "is_module_target",
    "load_app",
    "load_definition_target",
    "load_workflow",
    "user_code",
]
