"""Reproducible Lambda packages: traced code, Lambda-platform wheels, deterministic zips."""

from __future__ import annotations

import importlib.metadata
import io
import shutil
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

import orderflow
from orderflow._errors import DeployError
from orderflow.deploy._lambda import code_sha256
from orderflow.deploy._package import (
    FILE_MODE,
    ZIP_DATE,
    Packager,
    WheelDependencies,
    build_zip,
    trace_entry_point,
    trace_entry_points,
    wheel_files,
)
from orderflow.deploy._stack import function_environment
from orderflow.orders.app import app
from orderflow.runtime._lambda import SERVICE_ENV

from .conftest import FakeDependencies, write_wheel


def _entries(data: bytes) -> list[zipfile.ZipInfo]:
    return zipfile.ZipFile(io.BytesIO(data)).infolist()


def test_build_zip_is_byte_for_byte_reproducible_and_normalised() -> None:
    files = {"b.py": b"print(2)\n", "a/__init__.py": b"", "a/c.py": b"x = 1\n"}
    first = build_zip(files)
    second = build_zip(dict(reversed(list(files.items()))))
    assert first == second
    infos = _entries(first)
    assert [i.filename for i in infos] == ["a/__init__.py", "a/c.py", "b.py"]
    assert {i.date_time for i in infos} == {ZIP_DATE}
    assert {i.external_attr >> 16 for i in infos} == {FILE_MODE}
    assert build_zip({**files, "b.py": b"print(3)\n"}) != first


def test_trace_finds_the_entry_points_code_and_exact_dependencies() -> None:
    environment = function_environment(app, app.service("get-user"))
    trace = trace_entry_point("orderflow.runtime._lambda", environment=environment)
    assert environment[SERVICE_ENV] == "get-user"
    assert "orderflow/runtime/_lambda.py" in trace.code
    assert "orderflow/orders/user.py" in trace.code
    assert "orderflow/_errors.py" in trace.code
    # The CLI, deploy and executor are not needed by a service, nor are other services,
    # nor the app object (which would import them all).
    assert not any(name.startswith(("orderflow/cli/", "orderflow/deploy/")) for name in trace.code)
    assert "orderflow/orders/order.py" not in trace.code
    assert "orderflow/orders/app.py" not in trace.code
    names = {r.partition("==")[0].replace("-", "_").lower() for r in trace.requirements}
    assert {"pydantic", "pydantic_core"} <= names
    assert not names & {"boto3", "botocore", "click", "jsonata_python", "setuptools"}
    pinned = dict(r.split("==") for r in trace.requirements)
    assert pinned["pydantic"] == importlib.metadata.version("pydantic")


def test_trace_reports_an_unimportable_entry_point() -> None:
    with pytest.raises(DeployError, match=r"orderflow\.no_such_module"):
        trace_entry_point("orderflow.no_such_module")
    with pytest.raises(DeployError, match=r"orderflow\.no_such_module"):
        trace_entry_points("orderflow.no_such_module", {"a": {}, "b": {}})


# What each function's package holds of the order app's package, besides the shared modules
# (__init__, _fields, _sample). ``_metrics`` holds the metric declarations; the order
# services' modules import it, the stock adjustment records none.
OWN_CODE = {
    "validate-order": {"order", "_metrics"},
    "get-user": {"user", "_metrics"},
    "create-order": {"order", "_metrics"},
    "authorize-payment": {"payment", "_metrics"},
    "reserve-inventory": {"inventory", "order", "_metrics"},
    "send-notification": {"notification", "_metrics"},
    "release-inventory": {"compensation", "inventory", "order", "payment", "_metrics"},
    "refund-payment": {"compensation", "inventory", "order", "payment", "_metrics"},
    "cancel-order": {"compensation", "inventory", "order", "payment", "_metrics"},
    "adjust-inventory": {"stock"},
}
SHARED = {"__init__", "_fields", "_sample"}
RUNTIME = {
    "__init__",
    "_deps",
    "_lambda",
    "_metrics",
    "_objects",
    "_registry",
    "_service",
    "_storage",
}


def _code(data: bytes) -> list[str]:
    return [i.filename for i in _entries(data) if i.filename.startswith("orderflow/")]


def test_packages_contain_code_and_dependencies_and_repeat_exactly() -> None:
    deps = FakeDependencies()
    first = Packager(deps).package("get-user")
    again = Packager(FakeDependencies()).package("get-user")
    assert first == again
    assert code_sha256(first) == code_sha256(again)
    names = [i.filename for i in _entries(first)]
    assert "orderflow/runtime/_lambda.py" in names
    assert any(n.startswith("_deps/pydantic") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert names == sorted(names)
    source = Path(__import__("orderflow.runtime._lambda").__file__).parent
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert (
            archive.read("orderflow/runtime/_lambda.py")
            == (source / "runtime" / "_lambda.py").read_bytes()
        )


def test_each_package_holds_exactly_its_services_code() -> None:
    packager = Packager(FakeDependencies())
    packager.prepare(app.services)
    assert set(packager.traces) == set(app.services) == set(OWN_CODE)
    for service, own in OWN_CODE.items():
        code = _code(packager.package(service))
        services = {
            n.removeprefix("orderflow/orders/").removesuffix(".py")
            for n in code
            if n.startswith("orderflow/orders/")
        }
        assert services == SHARED | own, service
        runtime = {
            n.removeprefix("orderflow/runtime/").removesuffix(".py")
            for n in code
            if n.startswith("orderflow/runtime/")
        }
        # The Powertools boundary only where the service declares metrics.
        boundary = {"_powertools"} if app.services[service].metrics else set()
        assert runtime == RUNTIME | boundary, service
        # Only the error hierarchy, the ASL document model (``orderflow`` re-exports it),
        # the runtime and the app's services: no DSL, validation, checker, executor,
        # jsonata, CLI or deploy.
        assert {n.split("/")[1] for n in code} == {
            "__init__.py",
            "_errors.py",
            "asl",
            "orders",
            "runtime",
        }
        assert {n for n in code if n.startswith("orderflow/asl/")} == {
            "orderflow/asl/__init__.py",
            "orderflow/asl/_document.py",
            "orderflow/asl/_lambda_names.py",
            "orderflow/asl/_mermaid.py",
        }
    # One module; only validate-order measures (rejections), so only it has the boundary.
    validate, create = (_code(packager.package(s)) for s in ("validate-order", "create-order"))
    assert set(validate) - set(create) == {"orderflow/runtime/_powertools.py"}
    assert set(create) <= set(validate)
    assert packager.package("get-user") != packager.package("authorize-payment")


def test_an_unknown_service_is_not_packaged() -> None:
    with pytest.raises(DeployError, match=r"cannot package 'get-users': app 'orderflow' has no"):
        Packager(FakeDependencies()).package("get-users")


def _source_copy(tmp_path: Path) -> Path:
    """A copy of orderflow's source tree (never edit the repository's own files)."""
    source = Path(orderflow.__file__).resolve().parent
    root = tmp_path / "src"
    shutil.copytree(source, root / "orderflow", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _build_all(root: Path) -> dict[str, bytes]:
    packager = Packager(FakeDependencies(), environment={"PYTHONPATH": str(root)})
    packager.prepare(app.services)
    for trace in packager.traces.values():  # really the copy, not the installed tree
        assert all(path.is_relative_to(root) for path in trace.code.values())
    return {service: packager.package(service) for service in app.services}


def _changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    assert before.keys() == after.keys()
    return {s for s in before if code_sha256(before[s]) != code_sha256(after[s])}


def test_editing_a_service_changes_only_the_packages_that_run_it(tmp_path: Path) -> None:
    root = _source_copy(tmp_path)
    services = root / "orderflow" / "orders"
    before = _build_all(root)

    _edit(services / "user.py", 'if user.status != "active":', 'if user.status == "suspended":')
    after = _build_all(root)
    assert _changed(before, after) == {"get-user"}

    # order.py holds two services, and inventory and compensation read its models.
    before = after
    _edit(services / "order.py", "MAX_ITEMS = 100\n", "MAX_ITEMS = 99\n")
    after = _build_all(root)
    assert _changed(before, after) == {s for s, own in OWN_CODE.items() if "order" in own}

    # A shared module is in every package.
    before = after
    _edit(
        root / "orderflow" / "runtime" / "_storage.py",
        "import copy\n",
        "import copy  # deep copies\n",
    )
    after = _build_all(root)
    assert _changed(before, after) == set(app.services)


def test_wheel_dependencies_choose_the_lambda_platform_wheel(tmp_path: Path) -> None:
    write_wheel(tmp_path, "fastlib-1.0-cp311-cp311-manylinux_2_17_x86_64.whl", {"wrong.py": b""})
    write_wheel(tmp_path, "fastlib-1.0-cp312-cp312-macosx_11_0_arm64.whl", {"wrong.py": b""})
    write_wheel(
        tmp_path,
        "fastlib-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        {"fastlib/__init__.py": b"right", "fastlib/__pycache__/x.pyc": b""},
    )
    write_wheel(tmp_path, "purelib-2.0-py3-none-any.whl", {"purelib.py": b"pure"})
    files = WheelDependencies(tmp_path, download=False).files(["fastlib==1.0", "purelib==2.0"])
    assert files == {"fastlib/__init__.py": b"right", "purelib.py": b"pure"}


def test_missing_wheels_without_download_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DeployError, match=r"no Lambda wheels for pydantic==9\.9"):
        WheelDependencies(tmp_path, download=False).files(["pydantic==9.9"])


def test_pip_is_asked_for_linux_x86_64_cp312_wheels(tmp_path: Path) -> None:
    calls: list[list[str]] = []

    def fake_pip(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        calls.append(list(argv))
        write_wheel(tmp_path, "purelib-2.0-py3-none-any.whl", {"purelib.py": b"pure"})
        return subprocess.CompletedProcess(argv, 0, "", "")

    deps = WheelDependencies(tmp_path, runner=fake_pip)
    assert deps.files(["purelib==2.0"]) == {"purelib.py": b"pure"}
    assert deps.files(["purelib==2.0"]) == {"purelib.py": b"pure"}  # cached: pip not rerun
    (argv,) = calls
    assert argv[1:4] == ["-m", "pip", "download"]
    joined = " ".join(argv)
    for fragment in (
        "--only-binary=:all:",
        "--no-deps",
        "--platform manylinux2014_x86_64",
        "--python-version 3.12",
        "--implementation cp",
        f"--dest {tmp_path}",
    ):
        assert fragment in joined
    assert argv[-1] == "purelib==2.0"


def test_pip_failure_is_reported(tmp_path: Path) -> None:
    def failing_pip(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.CompletedProcess(argv, 1, "", "No matching distribution found")

    with pytest.raises(DeployError, match="No matching distribution"):
        WheelDependencies(tmp_path, runner=failing_pip).files(["nothing==1"])


def test_wheel_files_skip_caches(tmp_path: Path) -> None:
    wheel = write_wheel(
        tmp_path,
        "x-1-py3-none-any.whl",
        {"x/a.py": b"a", "x/__pycache__/a.cpython-312.pyc": b"", "x-1.dist-info/METADATA": b"m"},
    )
    assert wheel_files(wheel) == {"x/a.py": b"a", "x-1.dist-info/METADATA": b"m"}


def test_an_apps_declared_requirements_are_added_pinned_to_what_is_installed() -> None:
    from orderflow import App
    from orderflow.deploy._package import _with_app_requirements

    extra = App(
        "extra",
        services=list(app.services.values()),
        workflows=[app.workflow()],
        tables=app.tables,
        requirements=("click>=8", "boto3", "pydantic", "not-installed-anywhere==1.0"),
    )
    traced = ("pydantic==2.0",)
    assert _with_app_requirements(traced, extra) == (
        "pydantic==2.0",  # traced already: kept as traced
        f"click=={importlib.metadata.version('click')}",
        "not-installed-anywhere==1.0",  # boto3: the Lambda runtime has it
    )
    assert _with_app_requirements(traced, app) == traced
