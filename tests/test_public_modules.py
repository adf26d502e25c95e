"""Every public module's namespace is exactly its ``__all__``, and every name resolves.

The httpx rule (STYLE rule 1): implementation lives in private modules and each public
module re-exports an explicit ``__all__``; anything else a user can see by ``dir()`` is a leak
(a helper import that tools and autocompletion would present as API). Submodules are not
leaks: ``orderflow.orders.order`` is a documented module, not a name in ``__all__``.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

import pytest

from orderflow import SdkInteropError

PUBLIC_MODULES = [
    "orderflow",
    "orderflow.asl",
    "orderflow.asl.expressions",
    "orderflow.runtime",
    "orderflow.orders",
    "orderflow.dsl",
    "orderflow.validation",
    "orderflow.checker",
    "orderflow.executor",
    "orderflow.testing",
    "orderflow.deploy",
    "orderflow.report",
    "orderflow.sdk",
    "orderflow.cli",
    "orderflow.serve",
]

_SDK_INSTALLED = importlib.util.find_spec("stepfunctions") is not None


def _is_submodule(module: ModuleType, name: str) -> bool:
    # find_spec, not getattr: a lazily loaded submodule (orderflow.orders.order) is listed
    # by __dir__ before it is imported, and importing it here would hide nothing.
    if not hasattr(module, "__path__"):
        return False
    return importlib.util.find_spec(f"{module.__name__}.{name}") is not None


def _public_namespace(module: ModuleType) -> set[str]:
    # dir(), not vars(): packages that resolve names lazily list them through __dir__.
    # isidentifier(): pytest rewrites the asserts of every module in a plugin's distribution
    # (orderflow ships one) and leaves "@py_builtins"/"@pytest_ar" behind, which no user sees.
    return {
        name
        for name in dir(module)
        if name.isidentifier()
        and not name.startswith("_")
        and name != "annotations"
        and not _is_submodule(module, name)
    }


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_namespace_is_exactly_all(module_name: str) -> None:
    module = importlib.import_module(module_name)
    exported = module.__all__
    assert len(exported) == len(set(exported)), "duplicate names in __all__"
    namespace = _public_namespace(module)
    assert namespace - set(exported) == set(), "public names missing from __all__ (leaks)"
    assert set(exported) - namespace == set(), "__all__ names that dir() does not list"


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_every_name_in_all_resolves(module_name: str) -> None:
    module = importlib.import_module(module_name)
    for name in module.__all__:
        if module_name == "orderflow.sdk" and not _SDK_INSTALLED and name not in vars(module):
            # Lazy SDK names: without the extra they must fail cleanly, naming the fix.
            with pytest.raises(SdkInteropError, match=r"orderflow\[sdk\]"):
                getattr(module, name)
            continue
        assert getattr(module, name) is not None, name
