"""The tags deploy puts on everything it makes, and how each AWS API spells them.

Every resource carries ``project=orderflow``, ``prefix=<prefix>`` and ``app=<app name>``.
Destroy deletes a resource only when the first two are present with these values, so it
removes exactly what deploy made for that prefix and nothing else, even when another
stack's names share the same beginning (``shop`` and ``shop-eu``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

PROJECT_TAG = "project"
PROJECT = "orderflow"
PREFIX_TAG = "prefix"
APP_TAG = "app"


def stack_tags(prefix: str, app: str | None = None) -> dict[str, str]:
    """The tags for every resource of the stack named ``prefix`` (deploying app ``app``)."""
    tags = {PROJECT_TAG: PROJECT, PREFIX_TAG: prefix}
    if app is not None:
        tags[APP_TAG] = app
    return tags


def is_ours(tags: Mapping[str, str], prefix: str) -> bool:
    """True when ``tags`` mark a resource deploy made for ``prefix``."""
    return tags.get(PROJECT_TAG) == PROJECT and tags.get(PREFIX_TAG) == prefix


def as_key_value(
    tags: Mapping[str, str], key: str = "Key", value: str = "Value"
) -> list[dict[str, str]]:
    """``{"a": "b"}`` -> ``[{"Key": "a", "Value": "b"}]`` (IAM, DynamoDB; ``key``/``value``
    spelled ``key``/``value`` for Step Functions)."""
    return [{key: k, value: v} for k, v in sorted(tags.items())]


def from_key_value(
    pairs: Iterable[Mapping[str, Any]], key: str = "Key", value: str = "Value"
) -> dict[str, str]:
    """The inverse of :func:`as_key_value`."""
    return {str(pair[key]): str(pair[value]) for pair in pairs}


def tag_changes(
    desired: Mapping[str, str], actual: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """Tags to set and tag keys to remove to go from ``actual`` to ``desired``."""
    to_set = {k: v for k, v in desired.items() if actual.get(k) != v}
    return to_set, sorted(set(actual) - set(desired))


__all__ = [
    "APP_TAG",
    "PREFIX_TAG",
    "PROJECT",
    "PROJECT_TAG",
    "as_key_value",
    "from_key_value",
    "is_ours",
    "stack_tags",
    "tag_changes",
]
