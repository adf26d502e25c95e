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


def _pytest(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # Without the entry point (before it is declared) load the plugin module explicitly.
    plugin = [] if _REGISTERED else ["-p", "orderflow.testing.plugin"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
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
