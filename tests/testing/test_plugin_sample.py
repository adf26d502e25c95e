"""The sample external project (tests/sample_project) runs its contract tests.

It is run as a user would run it: a separate pytest process started in its own folder,
with its own pyproject.toml, importing orderflow only as the installed package. A broken
copy shows the generated tests catching a contract change that would break the workflow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "sample_project"
_REGISTERED = any(ep.value == "orderflow.testing.plugin" for ep in entry_points(group="pytest11"))


# Loaded at interpreter start (sitecustomize) in a run that must behave as if hypothesis,
# the optional ``testing`` extra, were not installed.
_NO_HYPOTHESIS = """
import sys
from importlib.abc import MetaPathFinder


class _Uninstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _Uninstalled())
"""


def _pytest(
    project: Path, *args: str, pythonpath: Path | None = None
) -> subprocess.CompletedProcess[str]:
    # Without the entry point (before it is declared) load the plugin module explicitly.
    plugin = [] if _REGISTERED else ["-p", "orderflow.testing.plugin"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "pytest", *plugin, "-v", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sample_project_passes(tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    result = _pytest(project)
    assert result.returncode == 0, result.stdout + result.stderr
    for test_id in (
        "test_workflow[checkout] PASSED",
        "test_edge[checkout:Quote->Charge] PASSED",
        "test_contract[quote.output] PASSED",
        "test_provider[charge] PASSED",
    ):
        assert test_id in result.stdout


def test_a_loosened_producer_contract_fails_the_edge_and_its_snapshot(tmp_path: Path) -> None:
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    services = project / "src" / "shop" / "services.py"
    text = services.read_text()
    # The quote may now be free; the charge still requires a positive amount.
    loosened = text.replace(
        "    customer: str\n    total_cents: int = Field(gt=0)",
        "    customer: str\n    total_cents: int = Field(ge=0)",
    )
    assert loosened != text
    services.write_text(loosened.replace("price_cents: int = 250", "price_cents: int = 0"))
    result = _pytest(project)
    assert result.returncode == 1
    assert "test_edge[checkout:Quote->Charge] FAILED" in result.stdout
    assert "test_contract[quote.output] FAILED" in result.stdout
    assert "lower bound" in result.stdout
    assert "test_contract[quote.input] PASSED" in result.stdout


def test_without_hypothesis_only_the_property_tests_fail_and_say_how_to_fix_it(
    tmp_path: Path,
) -> None:
    project = tmp_path / "sample"
    shutil.copytree(SAMPLE, project)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "sitecustomize.py").write_text(_NO_HYPOTHESIS)
    # hypothesis's own pytest plugin imports nothing of hypothesis until asked; it is
    # disabled anyway, as it would be in an environment without hypothesis.
    result = _pytest(project, "-p", "no:hypothesispytest", pythonpath=shim)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "UsageError" not in out and "cannot build the contract tests" not in out
    for test_id in (
        "test_workflow[checkout] PASSED",
        "test_contract[quote.input] PASSED",
        "test_contract[quote.output] PASSED",
        "test_contract[charge.input] PASSED",
        "test_contract[charge.output] PASSED",
        "test_edge[checkout:Quote->Charge] FAILED",
        "test_provider[quote] FAILED",
        "test_provider[charge] FAILED",
    ):
        assert test_id in result.stdout, out
    assert result.stdout.count("pip install 'orderflow[testing]'") >= 3, out
    assert "3 failed, 5 passed" in result.stdout, out
