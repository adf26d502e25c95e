"""The sample relies on the installed orderflow package registering its pytest plugin."""

from pathlib import Path

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.rootpath != Path(__file__).resolve().parent:
        return  # collected from an enclosing project (orderflow's own suite): not our run
    manager = config.pluginmanager
    # "orderflow" via the entry point; the module name when loaded with -p explicitly.
    if not (manager.has_plugin("orderflow") or manager.has_plugin("orderflow.testing.plugin")):
        raise pytest.UsageError(
            "the orderflow pytest plugin is not loaded: is orderflow installed (pytest11 "
            "entry point 'orderflow')?"
        )
