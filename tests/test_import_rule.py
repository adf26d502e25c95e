"""The framework never imports the order domain (issue 10).

Nothing under the framework packages imports ``orderflow.orders`` (the bundled app), nor
the removed ``orderflow.services``/``orderflow.workflow``: not at module level, not lazily
inside a function, not through ``importlib.import_module("...")``. The only reference
allowed is the default app's ``MODULE:ATTR`` string in ``orderflow/_targets.py``, which is
imported only when no other app is named. A second test checks at run time that importing
the CLI, the executor or deploy does not load the order app.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import orderflow

SOURCE = Path(orderflow.__file__).resolve().parent
FRAMEWORK = (
    "dsl",
    "asl",
    "validation",
    "executor",
    "checker",
    "deploy",
    "testing",
    "cli",
    "runtime",
)
DOMAIN = ("orderflow.orders", "orderflow.services", "orderflow.workflow")
ALLOWED_STRINGS = {("_targets.py", "orderflow.orders.app:app")}


def _is_domain(name: str) -> bool:
    return any(name == d or name.startswith(f"{d}.") or name.startswith(f"{d}:") for d in DOMAIN)


def _domain_references(path: Path) -> list[str]:
    """Every import of, or string naming, the order domain in ``path`` (with its line)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_domain(a.name)]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and _is_domain(module):
                found.append(f"{node.lineno}: from {module} import ...")
            if node.level == 0 and module == "orderflow":
                bad = [a.name for a in node.names if _is_domain(f"orderflow.{a.name}")]
                found += [f"{node.lineno}: from orderflow import {name}" for name in bad]
        elif isinstance(node, ast.Constant) and _is_domain(str(node.value)):
            # importlib.import_module("orderflow.orders...") or a MODULE:ATTR default.
            found.append(f"{node.lineno}: {node.value!r}")
    return found


def _framework_files() -> list[Path]:
    files = [p for package in FRAMEWORK for p in sorted((SOURCE / package).rglob("*.py"))]
    files += [SOURCE / name for name in ("__init__.py", "_app.py", "_errors.py", "_targets.py")]
    return files


def test_the_framework_packages_exist() -> None:
    for package in FRAMEWORK:
        assert (SOURCE / package / "__init__.py").is_file(), package
    assert len(_framework_files()) > 100


@pytest.mark.parametrize("path", _framework_files(), ids=lambda p: str(p.relative_to(SOURCE)))
def test_no_framework_module_imports_the_order_domain(path: Path) -> None:
    references = _domain_references(path)
    allowed = [
        r
        for r in references
        if any(path.name == f and repr(s) in r for f, s in ALLOWED_STRINGS)
        and path.parent == SOURCE
    ]
    assert [r for r in references if r not in allowed] == []


def test_the_checker_would_catch_each_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import orderflow.orders.user\n"
        "from orderflow.orders import get_user\n"
        "from orderflow import orders\n"
        "def lazy():\n"
        "    from orderflow.services import SERVICES\n"
        "    import importlib\n"
        "    return importlib.import_module('orderflow.workflow')\n"
        "from orderflow import runtime\n"
        "import orderflow.ordersx\n"
    )
    found = _domain_references(sample)
    assert [r.split(":")[0] for r in found] == ["1", "2", "3", "5", "7"]


_PROBE = """
import json, sys, importlib
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("orderflow.orders",
    "orderflow.services", "orderflow.workflow")))))
"""


@pytest.mark.parametrize(
    "module",
    [
        "orderflow",
        "orderflow.cli",
        "orderflow.executor",
        "orderflow.deploy",
        "orderflow.runtime",
        "orderflow.dsl",
        "orderflow.testing",
        "orderflow.checker",
        "orderflow.cli._run",
        "orderflow.cli._deploy",
        "orderflow.cli._render",
        "orderflow.cli._check",
    ],
)
def test_importing_the_framework_does_not_load_the_order_app(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == []


PUBLIC = {"orderflow", "orderflow.runtime", "orderflow.dsl"}


@pytest.mark.parametrize("path", sorted((SOURCE / "orders").rglob("*.py")), ids=lambda p: p.name)
def test_the_order_app_uses_only_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    private = []
    for node in ast.walk(tree):
        names = (
            [a.name for a in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and node.level == 0
            else []
        )
        for name in names:
            if name.startswith("orderflow") and not (
                name in PUBLIC or name == "orderflow.orders" or name.startswith("orderflow.orders.")
            ):
                private.append(f"{node.lineno}: {name}")
    assert private == []
