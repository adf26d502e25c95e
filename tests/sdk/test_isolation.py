"""The SDK stays optional and quiet: ``import orderflow`` and ``orderflow render`` never
import it, a to_sdk call prints nothing on stdout, and a missing or broken install is an
error that says how to fix it. Each check runs in a fresh interpreter.

These tests run with and without the ``sdk`` extra installed; the ones that need the SDK
skip without it.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("stepfunctions", "sagemaker")
SDK_INSTALLED = importlib.util.find_spec("stepfunctions") is not None
needs_sdk = pytest.mark.skipif(not SDK_INSTALLED, reason="the sdk extra is not installed")

TINY = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'


def python(code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def heavy_modules(names: list[str]) -> list[str]:
    return sorted(n for n in names if n.split(".")[0] in HEAVY)


def test_import_orderflow_does_not_import_the_sdk(tmp_path: Path) -> None:
    code = "import json, sys, orderflow, orderflow.sdk; print(json.dumps(sorted(sys.modules)))"
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert heavy_modules(json.loads(done.stdout)) == []


def test_orderflow_render_does_not_import_the_sdk(tmp_path: Path) -> None:
    # `python -m orderflow render`, with the process's final module list written to stderr
    # at exit (after the CLI's SystemExit).
    code = (
        "import atexit, json, runpy, sys\n"
        "report = lambda: sys.stderr.write('\\nMODULES=' + json.dumps(sorted(sys.modules)))\n"
        "atexit.register(report)\n"
        "sys.argv = ['orderflow', 'render']\n"
        "runpy.run_module('orderflow', run_name='__main__')\n"
    )
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    # An app with several workflows prints each in turn: read the first.
    first, _ = json.JSONDecoder().raw_decode(done.stdout)
    assert first["StartAt"]
    modules = json.loads(done.stderr.rsplit("MODULES=", 1)[1])
    assert "orderflow.cli._render" in modules  # the command really ran
    assert heavy_modules(modules) == []


@needs_sdk
def test_a_to_sdk_call_prints_nothing_on_stdout(tmp_path: Path) -> None:
    code = (
        "import logging, sys\n"
        "logging.getLogger().setLevel(logging.INFO)\n"
        "from orderflow.sdk import to_sdk\n"
        f"graph = to_sdk({TINY!r})\n"
        "assert 'stepfunctions' in sys.modules and 'sagemaker' in sys.modules\n"
        "assert graph.to_json()\n"
        "sys.stderr.write('root=%s' % logging.getLogger().level)\n"
    )
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    # The SDK sets the root logger to ERROR on import; orderflow puts it back.
    assert done.stderr.endswith(f"root={20}")


@needs_sdk
def test_importing_the_sdk_directly_does_print_on_stdout(tmp_path: Path) -> None:
    """The hazard the loader contains (if this starts failing, sagemaker stopped printing
    and the containment may be simplified)."""
    done = python("import stepfunctions", tmp_path)
    assert done.returncode == 0, done.stderr
    if not done.stdout:
        pytest.skip("this sagemaker version prints nothing on import")
    assert "sagemaker" in done.stdout


def _conversion_error(tmp_path: Path, blocked: str) -> str:
    code = (
        "import sys\n"
        f"sys.modules[{blocked!r}] = None  # makes importing it fail like a missing module\n"
        "from orderflow import SdkInteropError\n"
        "from orderflow.sdk import to_sdk\n"
        "try:\n"
        f"    to_sdk({TINY!r})\n"
        "except SdkInteropError as exc:\n"
        "    print(exc)\n"
    )
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_missing_sdk_says_how_to_install_it(tmp_path: Path) -> None:
    message = _conversion_error(tmp_path, "stepfunctions")
    assert "not installed" in message
    assert "pip install 'orderflow[sdk]'" in message


@needs_sdk
def test_sagemaker_3_is_explained(tmp_path: Path) -> None:
    # sagemaker 3 has no sagemaker.workflow: the failure `pip install stepfunctions` gives.
    message = _conversion_error(tmp_path, "sagemaker.workflow")
    assert "sagemaker>=2,<3" in message
    assert "pip install 'orderflow[sdk]'" in message


@needs_sdk
def test_setuptools_without_pkg_resources_is_explained(tmp_path: Path) -> None:
    message = _conversion_error(tmp_path, "pkg_resources")
    assert "setuptools<81" in message
