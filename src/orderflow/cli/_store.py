"""``run --show-store``: print the app's tables as the local run left them.

The local run's services write to an in-memory store that disappears with the process; a
saga's compensations, an idempotent retry or a reservation are only visible there. The dump
goes to stderr (stdout keeps the execution's output JSON): one JSON object, table name ->
its items, tables and items in a stable order so two runs can be diffed.
"""

from __future__ import annotations

import json
from typing import Any

import click

from orderflow.runtime import Store

show_store_option = click.option(
    "--show-store",
    is_flag=True,
    help="After the run, print every table of the app's local store to stderr as JSON.",
)


def store_snapshot(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every table's items, tables by name and items by their JSON text (a stable order)."""
    snapshot: dict[str, list[dict[str, Any]]] = {}
    for name in store.names:
        items = store.table(name).scan()
        snapshot[name] = sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    return snapshot


def echo_store(store: Store) -> None:
    """Print :func:`store_snapshot` to stderr, headed so it is not taken for the output."""
    click.echo("store after the run:", err=True)
    click.echo(json.dumps(store_snapshot(store), indent=2, ensure_ascii=False), err=True)


__all__ = ["echo_store", "show_store_option", "store_snapshot"]
