"""Desired state against actual state: what deploy will create, update or leave alone.

Each resource kind describes itself as a :class:`Resource`: a comparable *view* of what it
should be (``desired``), a way to read the same view from AWS (``read``, ``None`` when it
does not exist), and ``create``/``update``. A :class:`Change` is the comparison of the two,
with a readable diff listing each differing field path, so ``--dry-run`` and the progress
lines say exactly what changes and why. Some differences cannot be applied (a table's key
schema, a state machine's type): the resource's ``refusal`` says why, the change is marked
*blocked*, the dry run shows it, and :func:`apply` stops there with the same message.
Nothing here writes to AWS; :func:`apply` does.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from orderflow._errors import DeployError
from orderflow.deploy._aws import Aws

View = dict[str, Any]
"""The comparable JSON view of a resource: only fields deploy manages."""

Progress = Callable[[str], None]
"""Receives one line per resource as it is handled (the CLI writes them to stderr)."""


class Action(enum.Enum):
    """What deploy does (or did) to a resource."""

    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


class Resource(Protocol):
    """One deployed resource of a given kind and name."""

    @property
    def kind(self) -> str:
        """A human name of the kind (``Lambda function``)."""
        ...

    @property
    def name(self) -> str:
        """The resource's name in AWS."""
        ...

    def desired(self) -> View:
        """The view deploy wants."""
        ...

    def read(self, aws: Aws) -> View | None:
        """The current view in AWS, or ``None`` when the resource does not exist."""
        ...

    def create(self, aws: Aws) -> None:
        """Create the resource with the desired view."""
        ...

    def refusal(self, actual: View) -> str | None:
        """Why ``actual`` cannot be brought to the desired view in place (the message
        deploy stops with), or ``None`` when an update can."""
        ...

    def update(self, aws: Aws, actual: View) -> None:
        """Bring an existing resource from ``actual`` to the desired view.

        Raises:
            DeployError: :meth:`refusal` gives a reason.
        """
        ...


def _top_field(diff_line: str) -> str:
    """``~ Targets[0]/Arn: a -> b`` -> ``Targets``."""
    path = diff_line[2:].split(": ", 1)[0]
    return path.split("/", 1)[0].split("[", 1)[0]


_PAST = {Action.CREATE: "created", Action.UPDATE: "updated", Action.UNCHANGED: "unchanged"}


@dataclass(frozen=True)
class Change:
    """The comparison of one resource's desired and actual views.

    Attributes:
        kind: the resource kind (``Lambda function``).
        name: the resource name.
        action: create, update or unchanged.
        diff: one line per differing field (``~ Timeout: 10 -> 30``); empty when unchanged.
        blocked: why the update cannot be made (deploy stops here); ``None`` when it can.
    """

    kind: str
    name: str
    action: Action
    diff: tuple[str, ...] = ()
    blocked: str | None = None

    def describe(self, *, done: bool = False) -> str:
        """``create Lambda function shop-get-user`` plus the changed field paths.

        Args:
            done: describe what happened (``created``) rather than what will.
        """
        verb = _PAST[self.action] if done else self.action.value
        if self.blocked:
            verb = f"blocked: cannot {self.action.value}"
        head = f"{verb} {self.kind} {self.name}"
        if self.action is Action.UPDATE and self.diff:
            fields = sorted({_top_field(line) for line in self.diff})
            head += f" ({', '.join(fields)})"
        return head


@dataclass(frozen=True)
class Plan:
    """Every resource's change, in deploy order.

    Attributes:
        changes: one per resource.
        applied: whether the changes were made (deploy) or only planned (dry run).
    """

    changes: tuple[Change, ...] = field(default=())
    applied: bool = False

    @property
    def up_to_date(self) -> bool:
        """True when deploy would change (or changed) nothing."""
        return all(change.action is Action.UNCHANGED for change in self.changes)

    @property
    def blocked(self) -> tuple[Change, ...]:
        """The changes deploy cannot make (it stops at the first one)."""
        return tuple(change for change in self.changes if change.blocked)

    def counts(self) -> dict[Action, int]:
        """How many resources each action applies to."""
        return {action: sum(c.action is action for c in self.changes) for action in Action}

    def summary(self) -> str:
        """One line: how many resources are (or were) created, updated, unchanged."""
        if self.up_to_date:
            return "no changes: everything is up to date"
        counts = self.counts()
        if self.blocked:
            first = self.blocked[0]
            return (
                f"blocked: {len(self.blocked)} change(s) cannot be made; deploy would stop at "
                f"{first.kind} {first.name}"
            )
        if self.applied:
            return (
                f"{counts[Action.CREATE]} created, {counts[Action.UPDATE]} updated, "
                f"{counts[Action.UNCHANGED]} unchanged"
            )
        return (
            f"{counts[Action.CREATE]} to create, {counts[Action.UPDATE]} to update, "
            f"{counts[Action.UNCHANGED]} unchanged"
        )

    def render(self) -> str:
        """The plan as text: a line per resource, diffs indented below updates, a summary."""
        lines: list[str] = []
        for change in self.changes:
            lines.append(change.describe(done=self.applied))
            lines.extend(f"    {line}" for line in change.diff)
            if change.blocked:
                lines.append(f"    ! {change.blocked}")
        lines.append(self.summary())
        return "\n".join(lines)


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def _flatten(value: Any, path: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for key in value:
            _flatten(value[key], f"{path}/{key}" if path else str(key), out)
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            _flatten(item, f"{path}[{i}]", out)
    else:
        out[path] = value


def diff(desired: Mapping[str, Any], actual: Mapping[str, Any]) -> list[str]:
    """Readable differences between two views, one line per leaf path.

    ``~ path: old -> new`` for a changed value, ``+ path: new`` for one only desired,
    ``- path: old`` for one only present in AWS.

    Example:
        >>> diff({"Timeout": 30, "Env": {"A": "1"}}, {"Timeout": 10, "Env": {}})
        ['+ Env/A: "1"', '~ Timeout: 10 -> 30']
    """
    want: dict[str, Any] = {}
    have: dict[str, Any] = {}
    _flatten(dict(desired), "", want)
    _flatten(dict(actual), "", have)
    lines: list[str] = []
    for path in sorted(set(want) | set(have)):
        if path in want and path in have:
            if want[path] != have[path]:
                lines.append(f"~ {path}: {_short(have[path])} -> {_short(want[path])}")
        elif path in want:
            if want[path] not in ({}, []):
                lines.append(f"+ {path}: {_short(want[path])}")
        elif have[path] not in ({}, []):
            lines.append(f"- {path}: {_short(have[path])}")
    return lines


def compare(resource: Resource, actual: View | None) -> Change:
    """The change that brings ``actual`` (``None``: absent) to ``resource.desired()``."""
    if actual is None:
        return Change(resource.kind, resource.name, Action.CREATE)
    lines = diff(resource.desired(), actual)
    if not lines:
        return Change(resource.kind, resource.name, Action.UNCHANGED)
    return Change(
        resource.kind, resource.name, Action.UPDATE, tuple(lines), resource.refusal(actual)
    )


def plan(aws: Aws, resources: Iterable[Resource]) -> Plan:
    """Read every resource and compare: the plan, without writing anything."""
    return Plan(tuple(compare(resource, resource.read(aws)) for resource in resources))


def apply(aws: Aws, resources: Iterable[Resource], progress: Progress) -> Plan:
    """Create or update each resource in order, reporting one line per resource.

    Each resource is read just before it is handled, so a deploy that failed half-way is
    completed by the next one: what exists is compared, what is missing is created.

    Raises:
        DeployError: a change is blocked (the resource's refusal), or an AWS call failed.
    """
    done: list[Change] = []
    for resource in resources:
        actual = resource.read(aws)
        change = compare(resource, actual)
        if change.blocked:
            raise DeployError(change.blocked)
        if change.action is Action.CREATE:
            resource.create(aws)
        elif change.action is Action.UPDATE:
            assert actual is not None
            resource.update(aws, actual)
        progress(change.describe(done=True))
        done.append(change)
    return Plan(tuple(done), applied=True)


__all__ = [
    "Action",
    "Change",
    "Plan",
    "Progress",
    "Resource",
    "View",
    "apply",
    "compare",
    "diff",
    "plan",
]
