"""The options every command shares to pick its app and workflow: ``--app``, ``--workflow``.

The app is found as :func:`orderflow._targets.find_app` says (``--app``, else the nearest
``pyproject.toml``'s ``[tool.orderflow] app``, else the bundled order app). A bad ``--app``
or an app that cannot be built exits 2 with the reason; so does a ``--workflow`` the app
does not have (the message lists its workflows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from orderflow._targets import load_app

if TYPE_CHECKING:
    from orderflow._app import App
    from orderflow.dsl import Workflow

F = TypeVar("F", bound=Callable[..., Any])


def app_option(command: F) -> F:
    """Add ``--app MODULE:ATTR``."""
    return click.option(
        "--app",
        "app_spec",
        metavar="MODULE:ATTR",
        envvar="ORDERFLOW_APP",
        help="The orderflow.App to work on (default: [tool.orderflow] app in the nearest "
        "pyproject.toml, else the bundled order app).",
    )(command)


def workflow_option(command: F) -> F:
    """Add ``--workflow NAME``."""
    return click.option(
        "--workflow",
        "workflow_name",
        metavar="NAME",
        help="A workflow of the app, by name (default: its only workflow).",
    )(command)


def the_app(app_spec: str | None) -> App:
    """The app the command works on."""
    return load_app(app_spec)


def selected_workflows(app: App, name: str | None) -> list[Workflow[Any]]:
    """``--workflow NAME``'s workflow, or every workflow of the app."""
    if name is not None:
        return [app.workflow(name)]
    return list(app.workflows.values())


__all__ = ["app_option", "selected_workflows", "the_app", "workflow_option"]
