"""The SDK's state classes, completed with the ASL fields stepfunctions 2.3.0 lacks.

The SDK's classes raise ``TypeError`` for any field they do not list, and the list stopped
growing in 2022: no ResultSelector, ItemSelector/ItemProcessor, MaxDelaySeconds,
JitterStrategy, QueryLanguage/Arguments/Output, Assign or Credentials. Each class here is a
small subclass of the SDK class of the same name that also accepts those fields, in the
SDK's own snake_case style, so ``to_json()`` is the complete definition and a
``Workflow`` built from them deploys it unchanged through ``create()``/``update()``::

    from orderflow.sdk import Task, Retry

    pay = Task(
        "Pay",
        resource="arn:aws:states:::lambda:invoke",
        parameters={"FunctionName": "pay", "Payload.$": "$"},
        result_selector={"receipt.$": "$.Payload"},
        retry=Retry(error_equals=["States.Timeout"], max_attempts=2, max_delay_seconds=10),
    )

Two deliberate differences from the SDK classes, both so no ASL meaning is lost:

- an explicit ``None`` is written as JSON ``null`` (the SDK drops it except for the three
  ``*Path`` fields, but ``Output: null`` or ``Result: null`` mean something in ASL);
- placeholders in ``result_selector`` and ``item_selector`` become ``"key.$"`` paths, as the
  SDK does for ``parameters``.

This module imports the SDK when it is imported; only ``orderflow.sdk`` imports it.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from orderflow._errors import SdkInteropError
from orderflow.sdk._import import require_sdk

# require_sdk() contains the SDK's import-time noise; only then may the imports below run.
require_sdk()
from stepfunctions import steps as _steps  # noqa: E402
from stepfunctions.steps import choice_rule as _choice_rule  # noqa: E402
from stepfunctions.steps import states as _states  # noqa: E402


class Extra(Enum):
    """ASL fields missing from the SDK's ``Field`` enum, named as the SDK names fields."""

    QueryLanguage = "query_language"
    Arguments = "arguments"
    Output = "output"
    Assign = "assign"
    ResultSelector = "result_selector"
    Credentials = "credentials"
    ErrorPath = "error_path"
    CausePath = "cause_path"
    Items = "items"
    ItemSelector = "item_selector"
    ItemReader = "item_reader"
    ItemBatcher = "item_batcher"
    ResultWriter = "result_writer"
    MaxConcurrencyPath = "max_concurrency_path"
    ToleratedFailureCount = "tolerated_failure_count"
    ToleratedFailureCountPath = "tolerated_failure_count_path"
    ToleratedFailurePercentage = "tolerated_failure_percentage"
    ToleratedFailurePercentagePath = "tolerated_failure_percentage_path"
    Label = "label"
    MaxDelaySeconds = "max_delay_seconds"
    JitterStrategy = "jitter_strategy"
    Comment = "comment"


_X = Extra
_COMMON = (_X.QueryLanguage, _X.Assign, _X.Output)

# The extra fields each class accepts on top of the SDK's own list.
EXTRA_FIELDS: dict[str, tuple[Extra, ...]] = {
    "Pass": _COMMON,
    "Succeed": (_X.QueryLanguage, _X.Output),
    "Fail": (_X.QueryLanguage, _X.ErrorPath, _X.CausePath),
    "Wait": _COMMON,
    "Choice": _COMMON,
    "Task": (*_COMMON, _X.Arguments, _X.ResultSelector, _X.Credentials),
    "Parallel": (*_COMMON, _X.Arguments, _X.ResultSelector),
    "Map": (
        *_COMMON,
        _X.ResultSelector,
        _X.Items,
        _X.ItemSelector,
        _X.ItemReader,
        _X.ItemBatcher,
        _X.ResultWriter,
        _X.MaxConcurrencyPath,
        _X.ToleratedFailureCount,
        _X.ToleratedFailureCountPath,
        _X.ToleratedFailurePercentage,
        _X.ToleratedFailurePercentagePath,
        _X.Label,
    ),
    "Retry": (_X.MaxDelaySeconds, _X.JitterStrategy, _X.Comment),
    "Catch": (_X.Assign, _X.Output, _X.Comment),
    "Graph": (_X.QueryLanguage,),
}

# Payload templates in which a placeholder value for key k is written "k.$": path.
_TEMPLATE_FIELDS = frozenset({_X.ResultSelector.value, _X.ItemSelector.value})


class _Complete(_states.Block):  # type: ignore[misc]  # SDK classes are untyped
    """Shared behaviour: accept the extra fields, write explicit nulls, resolve templates.

    Placed before the SDK class in each subclass's bases, so ``super()`` reaches the SDK's
    own ``allowed_fields``/``to_dict`` and this only adds to what they do.
    """

    _kind = ""
    # "Retry"/"Catch" given as an empty list: the SDK omits them, ASL keeps them.
    _empty: frozenset[str] = frozenset()

    def allowed_fields(self) -> list[Any]:
        return [*super().allowed_fields(), *EXTRA_FIELDS[self._kind]]

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = super().to_dict()
        for key, value in self.fields.items():
            name = _states.to_pascalcase(key)
            if value is None:
                result.setdefault(name, None)
            elif key in _TEMPLATE_FIELDS:
                result[name] = self._replace_placeholders(value)
        for name in self._empty:
            result.setdefault(name, [])
        return result


class _Recovering(_Complete):
    """Task, Parallel and Map: also keep an explicit empty ``retry=[]``/``catch=[]``."""

    def __init__(self, state_id: str, retry: Any = None, catch: Any = None, **kwargs: Any) -> None:
        super().__init__(state_id, retry=retry, catch=catch, **kwargs)
        self._empty = frozenset(
            name for name, given in (("Retry", retry), ("Catch", catch)) if given == []
        )


class Pass(_Complete, _steps.Pass):  # type: ignore[misc]
    """``stepfunctions.steps.Pass`` plus ``query_language``, ``assign``, ``output``."""

    _kind = "Pass"


class Succeed(_Complete, _steps.Succeed):  # type: ignore[misc]
    """``stepfunctions.steps.Succeed`` plus ``query_language``, ``output``."""

    _kind = "Succeed"


class Fail(_Complete, _steps.Fail):  # type: ignore[misc]
    """``stepfunctions.steps.Fail`` plus ``query_language``, ``error_path``, ``cause_path``."""

    _kind = "Fail"


class Wait(_Complete, _steps.Wait):  # type: ignore[misc]
    """``stepfunctions.steps.Wait`` plus ``query_language``, ``assign``, ``output``."""

    _kind = "Wait"


class Choice(_Complete, _steps.Choice):  # type: ignore[misc]
    """``stepfunctions.steps.Choice`` plus ``query_language``, ``assign``, ``output``."""

    _kind = "Choice"


class Task(_Recovering, _steps.Task):  # type: ignore[misc]
    """``stepfunctions.steps.Task`` plus ``result_selector``, ``credentials``, ``arguments``,
    ``output``, ``assign`` and ``query_language``.

    Prefer it (or ``stepfunctions.steps.Task``) over the SDK's ``LambdaStep``, which builds
    boto3 sessions on every construction.
    """

    _kind = "Task"


class Parallel(_Recovering, _steps.Parallel):  # type: ignore[misc]
    """``stepfunctions.steps.Parallel`` plus ``result_selector``, ``arguments``, ``output``,
    ``assign`` and ``query_language``."""

    _kind = "Parallel"


class Map(_Recovering, _steps.Map):  # type: ignore[misc]
    """``stepfunctions.steps.Map`` plus the Map fields added since 2020.

    The body is written as ``ItemProcessor`` when given as ``item_processor`` (or with
    :meth:`attach_item_processor`), as the legacy ``Iterator`` otherwise; ``processor_config``
    (``{"Mode": "INLINE"}``, ``{"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}``) goes
    inside whichever it is. Also accepts ``item_selector``, ``items``, ``item_reader``,
    ``item_batcher``, ``result_writer``, ``result_selector``, ``max_concurrency_path``, the
    ``tolerated_failure_*`` fields, ``label``, ``assign``, ``output`` and ``query_language``.
    """

    _kind = "Map"

    def __init__(
        self,
        state_id: str,
        retry: Any = None,
        catch: Any = None,
        *,
        item_processor: Any = None,
        processor_config: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if item_processor is not None and kwargs.get("iterator") is not None:
            raise SdkInteropError(
                f"Map state {state_id!r}: give either 'iterator' or 'item_processor', not both"
            )
        super().__init__(state_id, retry=retry, catch=catch, **kwargs)
        self.body_field = "Iterator"
        self.processor_config = processor_config
        if item_processor is not None:
            self.attach_item_processor(item_processor, processor_config)

    def attach_item_processor(self, processor: Any, config: dict[str, Any] | None = None) -> None:
        """Attach a State or Chain as the ``ItemProcessor`` run for each item."""
        self.attach_iterator(processor)
        self.body_field = "ItemProcessor"
        if config is not None:
            self.processor_config = config

    def to_dict(self) -> dict[str, Any]:
        # The SDK writes the body as "Iterator"; reuse that and rename/extend it.
        result = super().to_dict()
        body = result.pop("Iterator")
        if self.processor_config is not None:
            body = {"ProcessorConfig": self.processor_config, **body}
        result[self.body_field] = body
        return result


class Retry(_Complete, _steps.Retry):  # type: ignore[misc]
    """``stepfunctions.steps.Retry`` plus ``max_delay_seconds``, ``jitter_strategy``,
    ``comment``."""

    _kind = "Retry"


class Catch(_Complete, _steps.Catch):  # type: ignore[misc]
    """``stepfunctions.steps.Catch`` plus ``assign``, ``output`` and ``comment``."""

    _kind = "Catch"


class Graph(_Complete, _steps.Graph):  # type: ignore[misc]
    """``stepfunctions.steps.Graph`` plus a top-level ``query_language``."""

    _kind = "Graph"


class RawRule(_choice_rule.BaseRule):  # type: ignore[misc]
    """A choice rule the SDK's ``Rule`` cannot express, carried verbatim (without ``Next``).

    JSONata ``Condition`` rules, rules with ``Assign``/``Output``/``Comment`` and comparison
    values the SDK's validators reject all take this form.
    """

    def __init__(self, rule: dict[str, Any]) -> None:
        self.rule = dict(rule)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.rule)

    def __repr__(self) -> str:
        return f"RawRule({self.rule!r})"


# Type name -> (the SDK's class, orderflow's completed subclass).
STATE_CLASSES: dict[str, tuple[Any, Any]] = {
    "Pass": (_steps.Pass, Pass),
    "Succeed": (_steps.Succeed, Succeed),
    "Fail": (_steps.Fail, Fail),
    "Wait": (_steps.Wait, Wait),
    "Choice": (_steps.Choice, Choice),
    "Task": (_steps.Task, Task),
    "Parallel": (_steps.Parallel, Parallel),
    "Map": (_steps.Map, Map),
}

__all__ = [
    "EXTRA_FIELDS",
    "STATE_CLASSES",
    "Catch",
    "Choice",
    "Extra",
    "Fail",
    "Graph",
    "Map",
    "Parallel",
    "Pass",
    "RawRule",
    "Retry",
    "Succeed",
    "Task",
    "Wait",
]
