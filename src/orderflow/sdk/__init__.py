"""Interop with the AWS Step Functions Data Science SDK (``stepfunctions`` 2.3.0).

Optional: install it with ``pip install 'orderflow[sdk]'`` (the extra pins the versions that
still import: ``sagemaker>=2,<3``, ``setuptools<81``). This package is the only part of
orderflow that imports the SDK, and it does so on first use, not on ``import orderflow.sdk``,
so nothing else (the CLI included) pays its ~300 MB and seconds of import time::

    from orderflow.sdk import to_sdk, from_sdk

    graph = to_sdk(order_workflow)                      # stepfunctions.steps.Graph
    workflow = to_sdk(order_workflow, role_arn=role, client=sfn, name="order")
    definition = from_sdk(my_sdk_workflow)              # orderflow.asl.Definition
    create_or_update(workflow)                          # describe -> update, or create

The SDK's import-time output (sagemaker's INFO lines on stdout, its deprecation warning, the
root logger it silences) is contained; see :mod:`orderflow.sdk._import`.

The completed state classes (``Task``, ``Map``, ``Retry``... with ResultSelector,
ItemProcessor, MaxDelaySeconds and the other fields the SDK lacks) are available here too;
accessing one imports the SDK.
"""

from __future__ import annotations

# Private aliases: this module's public names are exactly ``__all__``.
from collections.abc import Mapping as _Mapping
from typing import Any as _Any

from orderflow._errors import SdkInteropError
from orderflow.asl import Definition as _Definition
from orderflow.asl import as_definition as _as_definition

# Names resolved on first access from orderflow.sdk._fields (importing it imports the SDK).
_LAZY_FIELDS = frozenset(
    {"Catch", "Choice", "Fail", "Graph", "Map", "Parallel", "Pass", "RawRule", "Retry"}
    | {"Succeed", "Task", "Wait"}
)
# The SDK's subpackages, re-exported after a quiet import.
_LAZY_MODULES = frozenset({"steps", "inputs", "workflow"})


def _definition_and_name(
    source: _Any, *, account: str | None, region: str | None, prefix: str | None
) -> tuple[_Definition, str | None]:
    target: dict[str, _Any] = {
        key: value
        for key, value in (("account", account), ("region", region), ("prefix", prefix))
        if value is not None
    }
    if isinstance(source, (_Definition, _Mapping, str, bytes)):
        if target:
            raise SdkInteropError(
                f"{', '.join(sorted(target))} apply only to a DSL workflow; an ASL "
                "definition is converted as it is"
            )
        return _as_definition(source), None
    from orderflow.dsl import Workflow, render

    if isinstance(source, Workflow):
        return render(source, **target), source.name
    if target:
        raise SdkInteropError(
            f"{', '.join(sorted(target))} apply only to a DSL workflow, got {type(source).__name__}"
        )
    return _as_definition(source), None


def to_sdk(
    source: _Any,
    *,
    role_arn: str | None = None,
    client: _Any = None,
    name: str | None = None,
    account: str | None = None,
    region: str | None = None,
    prefix: str | None = None,
) -> _Any:
    """Convert a workflow to the SDK's objects; their JSON equals orderflow's ASL.

    Args:
        source: an orderflow DSL workflow, or anything :func:`orderflow.as_definition`
            accepts (a :class:`~orderflow.Definition`, a dict, ASL JSON text).
        role_arn: the execution role; when given, a ``stepfunctions.workflow.Workflow`` is
            returned instead of a bare graph.
        client: the boto3 Step Functions client the Workflow uses (the SDK makes a default
            one when omitted).
        name: the state machine name; defaults to a DSL workflow's name.
        account: passed to :func:`orderflow.dsl.render` for a DSL workflow (Lambda ARNs).
        region: as ``account``.
        prefix: as ``account`` (function-name prefix).

    Returns:
        A ``stepfunctions.steps.Graph`` (its ``branch`` is the start state, linked to the
        rest through the SDK's ``next``/choices/catchers), or a
        ``stepfunctions.workflow.Workflow`` wrapping it when ``role_arn`` is given. States
        use the SDK's own classes where they can express every field and orderflow's
        completed subclasses (``orderflow.sdk.Task``...) where they cannot, so
        ``to_json()`` is the complete definition and ``Workflow.create()``/``update()``
        deploys it unchanged. Build states with ``stepfunctions.steps.Task(resource=...)``
        or these classes rather than ``LambdaStep``, which opens boto3 sessions on every
        construction; ``Workflow.create()`` never updates an existing machine, use
        :func:`create_or_update` instead.

    Raises:
        SdkInteropError: the SDK is not installed, or the definition has something its
            objects cannot carry (names state, field and JSON pointer).
        WorkflowBuildError: a DSL workflow is wired wrongly.
    """
    definition, default_name = _definition_and_name(
        source, account=account, region=region, prefix=prefix
    )
    if client is not None and role_arn is None:
        raise SdkInteropError("a client is used only to build a Workflow; pass role_arn too")
    from orderflow.sdk._to_sdk import definition_to_graph

    graph = definition_to_graph(definition)
    if role_arn is None:
        return graph
    workflow_name = name or default_name
    if not workflow_name:
        raise SdkInteropError("name is required to build a Workflow from an ASL definition")
    from botocore.exceptions import BotoCoreError  # type: ignore[import-untyped]

    from orderflow.sdk._import import require_sdk

    sdk = require_sdk()
    try:
        return sdk.workflow.Workflow(
            name=workflow_name, definition=graph, role=role_arn, client=client
        )
    except BotoCoreError as exc:
        raise SdkInteropError(
            f"the SDK could not create its default Step Functions client ({exc}); pass client="
        ) from exc


def from_sdk(source: _Any) -> _Definition:
    """The orderflow :class:`~orderflow.Definition` of an SDK workflow.

    Args:
        source: a ``stepfunctions.workflow.Workflow``, ``stepfunctions.steps.Graph``,
            ``Chain`` or a start ``State``.

    Returns:
        The ASL definition, with placeholders resolved to the JSONPath they stand for where
        ASL gives them a meaning (see :mod:`orderflow.sdk._from_sdk`), ready for
        ``orderflow.validation.validate``, the data-flow checker and the local executor.

    Raises:
        SdkInteropError: not an SDK object, or a placeholder sits where it has no meaning
            (names state, field and JSON pointer).
    """
    from orderflow.sdk._from_sdk import graph_to_definition

    return graph_to_definition(source)


def create_or_update(workflow: _Any, *, validate: bool = True) -> str:
    """Create the SDK ``workflow``'s state machine, or update it when it exists.

    The replacement for ``Workflow.create()``, which keeps an existing machine's old
    definition. Describes first (by ARN, else by name), then calls ``UpdateStateMachine``
    when the definition or role differs and ``CreateStateMachine`` when there is no machine.

    Args:
        workflow: a ``stepfunctions.workflow.Workflow``; its own boto3 client is used.
        validate: validate the definition with :func:`orderflow.validation.validate` first.

    Returns:
        The state machine ARN (also set on ``workflow.state_machine_arn``).

    Raises:
        InvalidDefinition: validation found errors.
        SdkInteropError: not a Workflow, or not convertible.
        DeployError: an AWS call failed.
    """
    from orderflow.sdk._deploy import create_or_update as run

    return run(workflow, validate=validate)


def __getattr__(name: str) -> _Any:
    if name in _LAZY_FIELDS:
        from orderflow.sdk import _fields

        return getattr(_fields, name)
    if name in _LAZY_MODULES:
        # The SDK's own modules, imported through the quiet loader: `from orderflow.sdk
        # import steps` instead of `from stepfunctions import steps` keeps stdout clean.
        from orderflow.sdk._import import require_sdk

        return getattr(require_sdk(), name)
    raise AttributeError(f"module 'orderflow.sdk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY_FIELDS, *_LAZY_MODULES})


__all__ = [
    "Catch",
    "Choice",
    "Fail",
    "Graph",
    "Map",
    "Parallel",
    "Pass",
    "RawRule",
    "Retry",
    "SdkInteropError",
    "Succeed",
    "Task",
    "Wait",
    "create_or_update",
    "from_sdk",
    "inputs",
    "steps",
    "to_sdk",
    "workflow",
]
