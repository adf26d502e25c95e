"""Reproducible Lambda packages: traced code, Lambda-platform wheels, deterministic zips."""

from __future__ import annotations

import importlib.metadata
import io
import subprocess
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest

from orderflow._errors import DeployError
from orderflow.deploy._lambda import code_sha256
from orderflow.deploy._package import (
    FILE_MODE,
    ZIP_DATE,
    Packager,
    WheelDependencies,
    build_zip,
    trace_entry_point,
    wheel_files,
)

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
    trace = trace_entry_point("orderflow.services._lambda")
    assert "orderflow/services/_lambda.py" in trace.code
    assert "orderflow/services/user.py" in trace.code
    assert "orderflow/_errors.py" in trace.code
    # The CLI, deploy and executor are not needed by a service.
    assert not any(name.startswith(("orderflow/cli/", "orderflow/deploy/")) for name in trace.code)
    names = {r.partition("==")[0].replace("-", "_").lower() for r in trace.requirements}
    assert {"pydantic", "pydantic_core"} <= names
    assert not names & {"boto3", "botocore", "click", "jsonata_python", "setuptools"}
    pinned = dict(r.split("==") for r in trace.requirements)
    assert pinned["pydantic"] == importlib.metadata.version("pydantic")


def test_trace_reports_an_unimportable_entry_point() -> None:
    with pytest.raises(DeployError, match=r"orderflow\.no_such_module"):
        trace_entry_point("orderflow.no_such_module")


def test_packages_contain_code_and_dependencies_and_repeat_exactly() -> None:
    deps = FakeDependencies()
    first = Packager(deps).package("get-user")
    again = Packager(FakeDependencies()).package("get-user")
    assert first == again
    assert code_sha256(first) == code_sha256(again)
    names = [i.filename for i in _entries(first)]
    assert "orderflow/services/_lambda.py" in names
    assert any(n.startswith("_deps/pydantic") for n in names)
    assert not any("__pycache__" in n or n.endswith(".pyc") for n in names)
    assert names == sorted(names)
    source = Path(__import__("orderflow.services._lambda").__file__).parent
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert (
            archive.read("orderflow/services/_lambda.py")
            == (source / "services" / "_lambda.py").read_bytes()
        )


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
