"""Reproducible Lambda deployment packages: same input, same bytes.

A package holds the modules the Lambda entry point imports (orderflow's and the app's own
packages) and the third-party distributions they need, nothing more:

* **Code**: for each service, a fresh interpreter imports the entry point
  (``LAMBDA_HANDLER``'s module) with the service's environment set (its name and
  ``module:attribute``), as Lambda will, and reports which modules of ``orderflow`` and of
  the app's ``packages`` and which third-party distributions got loaded. The entry point
  imports only the selected service's module, so each package holds its own service's code
  plus the shared modules: in the order app, editing ``orders/user.py`` changes only
  ``get-user``'s package, editing ``runtime/_storage.py`` changes every package. A fresh
  process matters: the deploying process has boto3, click and every service loaded already.
  The app's declared ``requirements`` are added to the traced distributions.
* **Dependencies** must match the Lambda runtime (CPython 3.12 on Linux x86_64), not this
  machine: ``pydantic_core`` is compiled, so the wheel built for the local Python would not
  import there. :class:`WheelDependencies` asks pip for the manylinux/cp312 wheels of exactly
  the traced distributions, pinned to the versions installed here (the ones the code was
  tested with), caches them, and unpacks them into the zip. boto3 and botocore are provided
  by the Lambda runtime and are never bundled.
* **Zip**: entries sorted by name, timestamps fixed at 1980-01-01, permissions 0644,
  ``__pycache__`` and ``*.pyc`` left out; so the ``CodeSha256`` Lambda reports changes only
  when the content does, and deploy updates only functions whose code changed.

The dependency step is a parameter (any :class:`DependencySource`), so tests build packages
offline and users may bring their own wheels (``--wheel-dir``).
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from orderflow._errors import DeployError

if TYPE_CHECKING:
    from orderflow._app import App

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o100644
LAMBDA_PLATFORM = "manylinux2014_x86_64"
LAMBDA_PYTHON = "3.12"
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "urllib3"})
"""Distributions the Lambda Python runtime already has; never bundled."""

Files = Mapping[str, bytes]
"""Archive name -> content."""


def build_zip(files: Files) -> bytes:
    """A deterministic zip of ``files``: sorted, fixed dates and modes, deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.external_attr = FILE_MODE << 16
            info.create_system = 3  # Unix, so the mode bits are read on every platform
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def _skip(name: str) -> bool:
    return "__pycache__/" in name or name.endswith((".pyc", "/")) or ".data/" in name


# Run in a fresh interpreter: import the entry point, then report what it loaded.
_TRACE = """
import importlib, importlib.metadata as md, json, sys
before = set(sys.modules)  # what site.py loaded (.pth hooks) is not the entry point's
importlib.import_module(sys.argv[1])
own = ["orderflow", *json.loads(sys.argv[2])] if len(sys.argv) > 2 else ["orderflow"]
dists = md.packages_distributions()
code, third = [], set()
for name, module in sorted(sys.modules.items()):
    if name in before:
        continue
    top = name.partition(".")[0]
    path = getattr(module, "__file__", None)
    if any(name == p or name.startswith(p + ".") for p in own):
        if path:
            code.append([name, path])
    elif top not in sys.stdlib_module_names and path and top in dists:
        third.update(dists[top])
print(json.dumps({"code": code, "dists": sorted(
    [d, md.version(d)] for d in third)}))
"""


@dataclass(frozen=True)
class Trace:
    """What the entry point needs.

    Attributes:
        code: archive name -> source file, for each orderflow module imported.
        requirements: ``name==version`` for each third-party distribution imported
            (runtime-provided ones left out).
    """

    code: Mapping[str, Path]
    requirements: tuple[str, ...]


def _parse_trace(module: str, returncode: int, stdout: str, stderr: str) -> Trace:
    if returncode != 0:
        raise DeployError(f"cannot import Lambda entry point {module}: {stderr.strip()}")
    data = json.loads(stdout)
    code: dict[str, Path] = {}
    for name, path in data["code"]:
        source = Path(path)
        parts = name.split(".")
        arcname = "/".join(parts) + ("/__init__.py" if source.name == "__init__.py" else ".py")
        code[arcname] = source
    requirements = tuple(
        f"{dist}=={version}"
        for dist, version in data["dists"]
        if _normalise(dist) not in RUNTIME_PROVIDED
    )
    return Trace(code=code, requirements=requirements)


def trace_entry_point(
    module: str,
    *,
    environment: Mapping[str, str] | None = None,
    python: str = sys.executable,
) -> Trace:
    """Import ``module`` in a fresh interpreter and record what it loads.

    Args:
        module: the module Lambda imports.
        environment: variables set in that interpreter on top of this process's
            (``ORDERFLOW_SERVICE``; ``PYTHONPATH`` to trace another source tree).
        python: the interpreter.

    Raises:
        DeployError: the module cannot be imported.
    """
    return trace_entry_points(module, {"": environment or {}}, python=python)[""]


def trace_entry_points(
    module: str,
    environments: Mapping[str, Mapping[str, str]],
    *,
    python: str = sys.executable,
    packages: Sequence[str] = (),
) -> dict[str, Trace]:
    """Trace ``module`` once per environment, the interpreters running side by side.

    Args:
        module: the module Lambda imports.
        environments: key -> variables set on top of this process's (one trace each).
        python: the interpreter.
        packages: import packages whose modules are shipped besides orderflow's.

    Returns:
        key -> its trace.

    Raises:
        DeployError: the module cannot be imported in one of the environments.
    """
    running = {
        key: subprocess.Popen(
            [python, "-c", _TRACE, module, json.dumps(list(packages))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **environment},
        )
        for key, environment in environments.items()
    }
    outputs = {key: process.communicate() for key, process in running.items()}
    return {
        key: _parse_trace(module, running[key].returncode, stdout, stderr)
        for key, (stdout, stderr) in outputs.items()
    }


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class DependencySource(Protocol):
    """Supplies the third-party files of a package."""

    def files(self, requirements: Sequence[str]) -> Files:
        """Archive name -> content for these pinned requirements."""
        ...


def wheel_files(wheel: Path) -> dict[str, bytes]:
    """The files a wheel installs into site-packages (its contents, minus caches)."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if not _skip(info.filename)
        }


Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def _run(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False)


@dataclass
class WheelDependencies:
    """Dependencies from wheels built for the Lambda runtime, downloaded once and cached.

    Args:
        cache_dir: where wheels are kept (and looked for before downloading).
        platform: the wheel platform tag of the Lambda runtime.
        python_version: the Lambda runtime's Python version.
        download: whether pip may download missing wheels (off: only ``cache_dir``).
        runner: runs the pip command line (injected in tests).
    """

    cache_dir: Path
    platform: str = LAMBDA_PLATFORM
    python_version: str = LAMBDA_PYTHON
    download: bool = True
    runner: Runner = field(default=_run)

    def pip_command(self, requirements: Sequence[str]) -> list[str]:
        """The pip command line that fetches the wheels."""
        return [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--only-binary=:all:",
            "--no-deps",
            "--platform",
            self.platform,
            "--python-version",
            self.python_version,
            "--implementation",
            "cp",
            "--dest",
            str(self.cache_dir),
            *requirements,
        ]

    def _wheel(self, requirement: str) -> Path | None:
        name, _, version = requirement.partition("==")
        wanted = re.sub(r"[-_.]+", "_", name).lower()
        for wheel in sorted(self.cache_dir.glob("*.whl")):
            dist, wheel_version, *_rest = wheel.name.split("-")
            if dist.lower() == wanted and wheel_version == version and self._fits(wheel.name):
                return wheel
        return None

    def _fits(self, filename: str) -> bool:
        tags = filename[:-4].split("-")[-3:]
        python, _abi, platform = tags
        if platform == "any":
            return True
        cp = "cp" + self.python_version.replace(".", "")
        return cp in python.split(".") and "x86_64" in platform and "linux" in platform

    def files(self, requirements: Sequence[str]) -> Files:
        missing = [r for r in requirements if self._wheel(r) is None]
        if missing:
            if not self.download:
                raise DeployError(
                    f"no Lambda wheels for {', '.join(missing)} in {self.cache_dir}; "
                    "allow downloading or put manylinux x86_64 cp312 wheels there"
                )
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            result = self.runner(self.pip_command(missing))
            if result.returncode != 0:
                raise DeployError(
                    f"pip could not fetch Lambda wheels for {', '.join(missing)}: "
                    f"{(result.stderr or result.stdout).strip()[-800:]}"
                )
        files: dict[str, bytes] = {}
        for requirement in requirements:
            wheel = self._wheel(requirement)
            if wheel is None:
                raise DeployError(f"pip fetched no usable wheel for {requirement}")
            files.update(wheel_files(wheel))
        return files


@dataclass
class Packager:
    """Builds each service's deployment zip.

    Every function runs the same entry point (``LAMBDA_HANDLER``), which imports the service
    its environment names and no other; each service is traced with that environment, so
    its zip holds the shared modules plus its own service's code. :meth:`use_app` tells the
    packager which app's services it packages.

    Args:
        dependencies: where third-party files come from.
        entry_point: the module Lambda imports.
        code: overrides the traced code (service -> archive name -> content), e.g. in tests.
        traced: one trace used for every service instead of tracing each (for an entry
            point whose code does not depend on the service).
        traces: service -> its trace; filled on first use, may be given up front.
        environment: extra variables for the tracing interpreters (``PYTHONPATH`` to package
            another source tree).
        python: the interpreter that traces.
    """

    dependencies: DependencySource
    entry_point: str = "orderflow.runtime._lambda"
    code: Callable[[str], Files] | None = None
    traced: Trace | None = None
    traces: dict[str, Trace] = field(default_factory=dict)
    environment: Mapping[str, str] = field(default_factory=dict)
    python: str = sys.executable
    _cache: dict[str, bytes] = field(default_factory=dict, init=False, repr=False)
    _app: App | None = field(default=None, init=False, repr=False)

    def use_app(self, app: App) -> None:
        """Package ``app``'s services (its packages shipped, its requirements added)."""
        if self._app is not app:
            self._app = app
            self._cache.clear()

    def _service_environment(self, name: str) -> dict[str, str]:
        from orderflow.deploy._stack import function_environment

        app = self._require_app()
        if name not in app.services:
            raise DeployError(
                f"cannot package {name!r}: app {app.name!r} has no such service; its "
                f"services: {', '.join(app.services)}"
            )
        roots = _import_roots(app.packages)
        # A PYTHONPATH the caller gives comes first (to package another source tree).
        given = self.environment.get("PYTHONPATH", "")
        path = os.pathsep.join(p for p in (given, *roots) if p)
        env = {**self.environment, **function_environment(app, app.services[name])}
        if path:
            env["PYTHONPATH"] = path
        return env

    def _require_app(self) -> App:
        if self._app is None:
            # Not told: the app every command finds (nearest pyproject.toml, else bundled).
            from orderflow._targets import load_app

            self._app = load_app()
        return self._app

    def prepare(self, services: Iterable[str]) -> None:
        """Trace every service not traced yet, the interpreters running side by side.

        Raises:
            DeployError: a name is no service of the app, or the entry point fails to import.
        """
        if self.traced is not None:
            return
        missing = [name for name in dict.fromkeys(services) if name not in self.traces]
        if missing:
            environments = {name: self._service_environment(name) for name in missing}
            self.traces.update(
                trace_entry_points(
                    self.entry_point,
                    environments,
                    python=self.python,
                    packages=self._require_app().packages,
                )
            )

    def trace(self, service: str) -> Trace:
        """``service``'s trace (computed once)."""
        if self.traced is not None:
            return self.traced
        self.prepare([service])
        return self.traces[service]

    def package(self, service: str) -> bytes:
        """The zip for ``service``.

        Raises:
            DeployError: ``service`` is no known service, or its code cannot be traced.
        """
        if service not in self._cache:
            trace = self.trace(service)
            if self.code is not None:
                code = dict(self.code(service))
            else:
                code = {name: path.read_bytes() for name, path in trace.code.items()}
            requirements = _with_app_requirements(trace.requirements, self._require_app())
            files = {**self.dependencies.files(requirements), **code}
            self._cache[service] = build_zip(files)
        return self._cache[service]


def _import_roots(packages: Iterable[str]) -> list[str]:
    """The sys.path entries the app's packages are imported from (for the tracing
    interpreters, which may start in another directory)."""
    roots: list[str] = []
    for package in packages:
        top = sys.modules.get(package.partition(".")[0])
        location = getattr(top, "__file__", None)
        if location is None:
            continue
        root = Path(location).resolve().parent
        if Path(location).name == "__init__.py":
            root = root.parent
        if str(root) not in roots:
            roots.append(str(root))
    return roots


def _with_app_requirements(traced: Sequence[str], app: App | None) -> tuple[str, ...]:
    """The traced requirements plus the app's declared ones (pinned to the installed
    version when installed here, as traced ones are)."""
    if app is None or not app.requirements:
        return tuple(traced)
    have = {_normalise(r.partition("==")[0]) for r in traced}
    extra: list[str] = []
    for requirement in app.requirements:
        name = re.split(r"[<>=!~;\[ ]", requirement, maxsplit=1)[0]
        if _normalise(name) in have or _normalise(name) in RUNTIME_PROVIDED:
            continue
        try:
            extra.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            extra.append(requirement)
        have.add(_normalise(name))
    return (*traced, *extra)


__all__ = [
    "FILE_MODE",
    "LAMBDA_PLATFORM",
    "LAMBDA_PYTHON",
    "RUNTIME_PROVIDED",
    "ZIP_DATE",
    "DependencySource",
    "Files",
    "Packager",
    "Trace",
    "WheelDependencies",
    "build_zip",
    "trace_entry_point",
    "trace_entry_points",
    "wheel_files",
]
