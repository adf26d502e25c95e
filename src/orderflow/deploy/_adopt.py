"""Adopting a resource a create call says "already exists" — when its tags show it is ours.

A create whose response is lost (a dropped connection, a read timeout) is retried by
botocore; the retry reaches AWS after the first attempt already made the resource, and AWS
answers ``EntityAlreadyExists``, ``ResourceConflictException``, ``ResourceInUseException``,
``StateMachineAlreadyExists`` or ``ResourceAlreadyExistsException``. The same answer comes
when someone else made a resource of that name between deploy's read and its create.

:func:`create_or_adopt` tells the two apart by the resource's tags: when they say
``project=orderflow``, ``prefix=<this prefix>`` and ``app=<this app>``, the resource is the
one this deploy just made (or one it made before), so deploy reads it back and continues as
an update (bringing it to the desired view, which also finishes whatever the lost create
left undone). Anything else is a :class:`ForeignResourceError` naming the resource and its
tags; deploy never changes a resource it did not make.

Errors::

    DeployError (RuntimeError)
    └── ForeignResourceError      a resource of that name exists and is not this stack's
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from orderflow._errors import DeployError
from orderflow.deploy._aws import Aws, calling, error_code, error_message
from orderflow.deploy._plan import Resource, View, compare
from orderflow.deploy._tags import APP_TAG, PREFIX_TAG, PROJECT_TAG, is_ours

ALREADY_EXISTS = frozenset(
    {
        "EntityAlreadyExists",  # IAM
        "ResourceConflictException",  # Lambda
        "ResourceInUseException",  # DynamoDB
        "ResourceAlreadyExistsException",  # CloudWatch Logs
        "StateMachineAlreadyExists",  # Step Functions
        "ConflictException",  # Step Functions aliases
    }
)
"""The error codes AWS answers a create with when the name is taken."""


class ForeignResourceError(DeployError):
    """A resource deploy would create or change exists but is not this stack's.

    Attributes:
        kind: the resource kind (``IAM role``).
        name: the resource name.
        tags: its tags as AWS reports them.
    """

    def __init__(self, message: str, *, kind: str, name: str, tags: Mapping[str, str]) -> None:
        super().__init__(message)
        self.kind = kind
        self.name = name
        self.tags = dict(tags)


def _shown(tags: Mapping[str, str]) -> str:
    keys = (PROJECT_TAG, PREFIX_TAG, APP_TAG)
    shown = [f"{key}={tags[key]}" for key in keys if key in tags]
    return ", ".join(shown) if shown else "no orderflow tags"


def require_ours(kind: str, name: str, tags: Mapping[str, str], prefix: str) -> None:
    """Stop unless ``tags`` mark the resource as made by orderflow for ``prefix``.

    Raises:
        ForeignResourceError: the tags say otherwise.
    """
    if not is_ours(tags, prefix):
        raise ForeignResourceError(
            f"{kind} {name} exists but was not made by orderflow for prefix {prefix!r} "
            f"({_shown(tags)}); refusing to change it (choose another --prefix)",
            kind=kind,
            name=name,
            tags=tags,
        )


def _view_tags(view: View) -> Mapping[str, str]:
    tags = view.get("Tags", view.get("tags"))
    return tags if isinstance(tags, Mapping) else {}


def adopt(aws: Aws, resource: Resource, action: str, answer: str) -> View:
    """Read back a resource whose create answered "already exists", check it is ours, and
    update it to the desired view.

    Args:
        aws: the connection.
        resource: the resource being created.
        action: the create action (``iam:CreateRole``).
        answer: AWS's answer to it (``EntityAlreadyExists: Role with name … already exists.``).

    Returns:
        The view read back (before the update).

    Raises:
        ForeignResourceError: it exists but its tags name another stack, app or owner.
        DeployError: it cannot be read back, or cannot be brought to the desired view.
    """
    label = f"{resource.kind} {resource.name}"
    try:
        actual = resource.read(aws)
    except ForeignResourceError as exc:
        raise ForeignResourceError(
            f"{label}: {action} answered {answer!r}, and it belongs to someone else "
            f"({_shown(exc.tags)}); refusing to adopt or change it (choose another --prefix)",
            kind=exc.kind,
            name=exc.name,
            tags=exc.tags,
        ) from None
    if actual is None:
        raise DeployError(
            f"{label}: {action} answered {answer!r}, but it cannot be read back; run deploy again"
        )
    wanted_app = dict(getattr(resource, "tags", {}) or {}).get(APP_TAG)
    tags = _view_tags(actual)
    if wanted_app is not None and tags.get(APP_TAG) != wanted_app:
        raise ForeignResourceError(
            f"{label}: {action} answered {answer!r}, and it belongs to someone else "
            f"({_shown(tags)}, not app={wanted_app}); refusing to adopt or change it "
            "(choose another --prefix)",
            kind=resource.kind,
            name=resource.name,
            tags=tags,
        )
    aws.report(f"adopting {label}: it already exists and its tags show this stack made it")
    change = compare(resource, actual)
    if change.blocked:
        raise DeployError(change.blocked)
    if change.diff:
        resource.update(aws, actual)
    return actual


def create_or_adopt(
    aws: Aws,
    resource: Resource,
    action: str,
    call: Callable[[], Any],
    *,
    codes: Collection[str] = ALREADY_EXISTS,
) -> View | None:
    """Make the create call; when AWS answers that the resource already exists, adopt it.

    Args:
        aws: the connection.
        resource: the resource being created (read back and updated on adoption).
        action: the create action, for messages (``dynamodb:CreateTable``).
        call: makes the create call.
        codes: the error codes that mean "the name is taken" for this call.

    Returns:
        ``None`` when the create succeeded; the view read back when the resource was
        adopted (and updated to the desired view).

    Raises:
        ForeignResourceError: the existing resource is not this stack's.
        DeployError: the create failed otherwise (the resource and AWS's message).
    """
    try:
        call()
        return None
    except Exception as exc:
        if error_code(exc) not in codes:
            with calling(f"{resource.kind} {resource.name}", action):
                raise
        answer = error_message(exc)
    return adopt(aws, resource, action, answer)


__all__ = ["ALREADY_EXISTS", "ForeignResourceError", "adopt", "create_or_adopt", "require_ours"]
