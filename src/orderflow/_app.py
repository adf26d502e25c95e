"""An app: one system built on orderflow, the unit every command works on.

An :class:`App` names a system and holds what it is made of: its services (their own
:class:`~orderflow.runtime.Service` objects, compensations included), its workflows, the
tables their declarations imply (name -> partition key), and the EventBridge triggers that
start its workflows. ``orderflow render/check/run/deploy/...`` and the pytest plugin find
the app with ``--app MODULE:ATTR``, else ``[tool.orderflow] app`` in the nearest
``pyproject.toml``, else the bundled order app (``orderflow.orders.app:app``).

Everything is checked when the app is built, so a wiring mistake is a
:class:`~orderflow.ConfigurationError` naming the app and the culprit, never a task failure
found at run time.

Example:
    >>> app = App(
    ...     "travel",
    ...     services=[search_flights, book_flight, cancel_flight],
    ...     workflows=[trip_workflow],
    ...     tables={"bookings": "booking_id"},
    ...     triggers=[Trigger("trip", source="travel.bookings", detail_type="Trip Requested")],
    ... )  # doctest: +SKIP
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from orderflow._errors import ConfigurationError
from orderflow.runtime._deps import ServiceDeps
from orderflow.runtime._registry import resolve_service
from orderflow.runtime._service import Service, check_archives
from orderflow.runtime._storage import Store

if TYPE_CHECKING:
    from orderflow.dsl import Workflow

# Every deployed name starts with the prefix (by default the app's name): lowercase, digits
# and single hyphens, at most 32 characters, so the longest derived name still fits AWS.
_APP_NAME: Final = re.compile(r"[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,31}\Z")
# Workflow names become part of state machine, rule and log group names.
_WORKFLOW_NAME: Final = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_]|-(?=[A-Za-z0-9_])){0,39}\Z")
# DynamoDB's table-name alphabet, leaving room for the prefix.
_TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.-]{1,200}\Z")
# SNS's topic-name alphabet and length.
_TOPIC_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,256}\Z")
_PACKAGE: Final = re.compile(r"[^\W\d]\w*(?:\.[^\W\d]\w*)*\Z")

SeedData = Callable[[Store], object]
"""Writes an app's sample rows into a store (its return value is ignored)."""


def slug(text: str) -> str:
    """``"Trip Requested"`` -> ``"trip-requested"``: lowercase words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


@dataclass(frozen=True)
class Trigger:
    """An EventBridge rule starting a workflow of the app.

    Deploy creates one rule per trigger, named ``{prefix}-{workflow}-{slug(detail_type)}``,
    matching ``{"source": [source], "detail-type": [detail_type]}`` on the default bus and
    passing ``input_path`` of the event (by default its ``detail``) as the execution input.

    Attributes:
        workflow: the name of the workflow to start.
        source: the events' ``source``.
        detail_type: the events' ``detail-type``.
        input_path: the part of the event that becomes the execution input.
    """

    workflow: str
    source: str
    detail_type: str
    input_path: str = "$.detail"

    def __init__(
        self, workflow: str, *, source: str, detail_type: str, input_path: str = "$.detail"
    ) -> None:
        for label, value in (
            ("workflow", workflow),
            ("source", source),
            ("detail_type", detail_type),
        ):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"Trigger: {label} must be a non-empty string")
        if not slug(detail_type):
            raise ConfigurationError(
                f"Trigger for {workflow!r}: detail_type {detail_type!r} needs a letter or digit"
            )
        if not isinstance(input_path, str) or not input_path.startswith("$"):
            raise ConfigurationError(
                f"Trigger for {workflow!r}: input_path must be a JSONPath starting with $, "
                f"not {input_path!r}"
            )
        object.__setattr__(self, "workflow", workflow)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "detail_type", detail_type)
        object.__setattr__(self, "input_path", input_path)

    @property
    def pattern(self) -> dict[str, list[str]]:
        """The rule's event pattern."""
        return {"source": [self.source], "detail-type": [self.detail_type]}

    @property
    def slug(self) -> str:
        """The detail-type as it appears in the rule's name."""
        return slug(self.detail_type)


def _caller_package() -> str:
    # The top-level package of the module that called App(...), found by walking out of
    # this module's frames.
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
    module = frame.f_globals.get("__name__", "") if frame is not None else ""
    return str(module).partition(".")[0] or "__main__"


class App:
    """One system: its services, workflows, tables and triggers.

    Args:
        name: ``[a-z][a-z0-9-]*`` (at most 32 characters); the default deploy prefix.
        services: every service, compensations too.
        workflows: the workflows (made with :func:`orderflow.dsl.workflow`).
        tables: table name -> partition key attribute; exactly the tables the services
            read, write, delete from or scan.
        triggers: EventBridge rules starting workflows.
        topics: the SNS topics the workflows publish to that deploy creates (and destroy
            removes), by the name the workflows use (e.g. an approvals topic);
            ``{prefix}`` in a name stands for the deploy prefix, as in the workflow
            (``"{prefix}-approvals"``). The state machine role may publish to exactly the
            topics its workflow names.
        packages: import packages shipped in each Lambda zip (default: the top-level
            package of the module calling ``App``).
        requirements: extra PyPI distributions for the Lambda zips (pydantic and
            orderflow's runtime are always in).
        seed_data: ``seed_data(store)`` writes sample rows, for local runs and
            ``deploy --seed-sample-data``.
        sample_inputs: workflow name -> a valid execution input, used by ``orderflow run``
            when no ``--input`` is given.
        buckets: object-storage buckets (S3 once deployed, as ``{prefix}-{bucket}``); the
            buckets the services' ``archives`` name are added when not listed, and a listed
            bucket no service archives to is refused.
        default_workflow: the workflow commands use when none is named (by default the
            only one; an app with several must name one here or on every command).

    Raises:
        ConfigurationError: names the app and the culprit: a bad or duplicate name, a table
            a service uses without a key (or a declared table no service uses), a trigger
            naming no workflow, a workflow task calling a service the app does not have, a
            sample input for no workflow, a bucket no service archives to, an unknown
            default workflow.
        WorkflowBuildError: a workflow is wired wrongly (its build function runs here).
    """

    def __init__(
        self,
        name: str,
        *,
        services: Iterable[Service[Any, Any]],
        workflows: Iterable[Workflow[Any]],
        tables: Mapping[str, str] | None = None,
        triggers: Iterable[Trigger] = (),
        topics: Iterable[str] = (),
        packages: Iterable[str] | None = None,
        requirements: Iterable[str] = (),
        seed_data: SeedData | None = None,
        sample_inputs: Mapping[str, Any] | None = None,
        buckets: Iterable[str] = (),
        default_workflow: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not _APP_NAME.match(name):
            raise ConfigurationError(
                f"app name {name!r}: use 1-32 lowercase letters, digits and single hyphens, "
                "starting with a letter (it prefixes every deployed resource)"
            )
        self.name = name
        self._services = self._index_services(services)
        self._workflows = self._index_workflows(workflows)
        self._tables = self._check_tables(dict(tables or {}))
        self.triggers: tuple[Trigger, ...] = tuple(triggers)
        self.topics: tuple[str, ...] = self._check_topics(topics)
        self.packages: tuple[str, ...] = (
            tuple(packages) if packages is not None else (_caller_package(),)
        )
        self.requirements: tuple[str, ...] = tuple(requirements)
        self.seed_data = seed_data
        self._sample_inputs = dict(sample_inputs or {})
        self.buckets: tuple[str, ...] = self._check_buckets(buckets)
        if default_workflow is not None and default_workflow not in self._workflows:
            raise self._fail(
                f"default_workflow {default_workflow!r} is not one of its workflows "
                f"({', '.join(self._workflows)})"
            )
        self.default_workflow = default_workflow
        self._check_rest()
        self._check_workflow_services()

    # --- construction checks ------------------------------------------------------------

    def _fail(self, message: str) -> ConfigurationError:
        return ConfigurationError(f"app {self.name!r}: {message}")

    def _index_services(
        self, services: Iterable[Service[Any, Any]]
    ) -> dict[str, Service[Any, Any]]:
        found: dict[str, Service[Any, Any]] = {}
        for service in services:
            if not isinstance(service, Service):
                raise self._fail(
                    f"services= holds a {type(service).__name__}, not an orderflow Service"
                )
            if service.name in found:
                raise self._fail(f"two services are named {service.name!r}")
            found[service.name] = service
        if not found:
            raise self._fail("it has no services")
        return found

    def _index_workflows(self, workflows: Iterable[Workflow[Any]]) -> dict[str, Workflow[Any]]:
        from orderflow.dsl import Workflow

        found: dict[str, Workflow[Any]] = {}
        for workflow in workflows:
            if not isinstance(workflow, Workflow):
                raise self._fail(
                    f"workflows= holds a {type(workflow).__name__}, not a Workflow "
                    "(make one with orderflow.dsl.workflow)"
                )
            if not _WORKFLOW_NAME.match(workflow.name):
                raise self._fail(
                    f"workflow name {workflow.name!r}: use 1-40 letters, digits, '_' and "
                    "single hyphens (it names the state machine, rule and log group)"
                )
            if workflow.name in found:
                raise self._fail(f"two workflows are named {workflow.name!r}")
            found[workflow.name] = workflow
        if not found:
            raise self._fail("it has no workflows")
        return found

    def _check_tables(self, tables: dict[str, str]) -> dict[str, str]:
        for table, key in tables.items():
            if not isinstance(table, str) or not _TABLE_NAME.match(table):
                raise self._fail(f"table name {table!r}: use letters, digits, '_', '-', '.'")
            if not isinstance(key, str) or not key:
                raise self._fail(f"table {table!r} needs its partition key attribute, a string")
        used: dict[str, list[str]] = {}
        for service in self._services.values():
            for table in service.access:
                used.setdefault(table, []).append(service.name)
        missing = sorted(set(used) - set(tables))
        if missing:
            detail = "; ".join(f"{t} (used by {', '.join(used[t])})" for t in missing)
            raise self._fail(
                f"no key declared for table(s) {detail}; add them to tables= as "
                "name -> partition key attribute"
            )
        unused = sorted(set(tables) - set(used))
        if unused:
            raise self._fail(
                f"table(s) {', '.join(unused)} in tables= are used by no service "
                "(declare reads/writes/deletes/scans on the services, or drop them)"
            )
        return tables

    def _check_buckets(self, buckets: Iterable[str]) -> tuple[str, ...]:
        if isinstance(buckets, str):
            raise self._fail(f"buckets= must be a list of names, not the string {buckets!r}")
        declared = tuple(buckets)
        for bucket in declared:
            if not isinstance(bucket, str):
                raise self._fail(f"buckets= entry {bucket!r} is not a bucket name")
            # The same naming rule as a service's archives= (it becomes an S3 bucket name).
            check_archives(f"app {self.name}", [(bucket, "-")])
        if len(set(declared)) != len(declared):
            raise self._fail(f"buckets= names a bucket twice: {', '.join(declared)}")
        used: dict[str, list[str]] = {}
        for service in self._services.values():
            for bucket, _prefix in service.archives:
                used.setdefault(bucket, []).append(service.name)
        # A bucket a service archives to is the app's even when not listed (a bucket has
        # no key to declare, unlike a table), so apps reusing such a service keep working.
        declared = (*declared, *sorted(set(used) - set(declared)))
        unused = sorted(set(declared) - set(used))
        if unused:
            raise self._fail(
                f"bucket(s) {', '.join(unused)} in buckets= are archived to by no service "
                "(declare archives= on the services, or drop them)"
            )
        return tuple(sorted(declared))

    def _check_topics(self, topics: Iterable[str]) -> tuple[str, ...]:
        if isinstance(topics, str):
            raise self._fail(f"topics= must be a list of topic names, not the string {topics!r}")
        found: list[str] = []
        for topic in topics:
            if not isinstance(topic, str) or not _TOPIC_NAME.match(topic.replace("{prefix}", "p")):
                raise self._fail(
                    f"topic name {topic!r}: use 1-256 letters, digits, '-' and '_' (an SNS "
                    "topic name, as the workflows' sns:publish tasks name it; {prefix} "
                    "stands for the deploy prefix)"
                )
            if not topic.startswith("{prefix}-"):
                raise self._fail(
                    f"topic name {topic!r} must start with '{{prefix}}-' (as in the workflow): "
                    "each deployed stack gets its own topic, and destroy finds it by the prefix"
                )
            if topic in found:
                raise self._fail(f"topic {topic!r} is declared twice in topics=")
            found.append(topic)
        return tuple(found)

    def _check_rest(self) -> None:
        for trigger in self.triggers:
            if not isinstance(trigger, Trigger):
                raise self._fail(f"triggers= holds a {type(trigger).__name__}, not a Trigger")
            if trigger.workflow not in self._workflows:
                raise self._fail(
                    f"trigger {trigger.source}/{trigger.detail_type!r} names unknown workflow "
                    f"{trigger.workflow!r}; workflows: {', '.join(self._workflows)}"
                )
        rules: dict[tuple[str, str], Trigger] = {}
        for trigger in self.triggers:
            key = (trigger.workflow, trigger.slug)
            if key in rules:
                raise self._fail(
                    f"two triggers of workflow {trigger.workflow!r} have detail types that "
                    f"name the same rule ({trigger.slug!r})"
                )
            rules[key] = trigger
        for package in self.packages:
            if not isinstance(package, str) or not _PACKAGE.match(package):
                raise self._fail(f"packages= entry {package!r} is not an import name")
        for requirement in self.requirements:
            if not isinstance(requirement, str) or not requirement.strip():
                raise self._fail(f"requirements= entry {requirement!r} is not a requirement")
        if self.seed_data is not None and not callable(self.seed_data):
            raise self._fail("seed_data must be a callable taking the store")
        unknown = sorted(set(self._sample_inputs) - set(self._workflows))
        if unknown:
            raise self._fail(
                f"sample_inputs for unknown workflow(s) {', '.join(unknown)}; workflows: "
                f"{', '.join(self._workflows)}"
            )

    def _check_workflow_services(self) -> None:
        from orderflow.dsl import functions

        for workflow in self._workflows.values():
            for service in functions(workflow):
                mine = self._services.get(service.name)
                if mine is None:
                    raise self._fail(
                        f"workflow {workflow.name!r} calls service {service.name!r}, which "
                        f"is not in services= ({', '.join(self._services)})"
                    )
                if mine is not service:
                    raise self._fail(
                        f"workflow {workflow.name!r} calls a service named {service.name!r} "
                        "that is a different object from the app's service of that name"
                    )

    # --- lookups ------------------------------------------------------------------------

    @property
    def services(self) -> Mapping[str, Service[Any, Any]]:
        """Service name -> service, in declaration order (read-only)."""
        return MappingProxyType(self._services)

    @property
    def workflows(self) -> Mapping[str, Workflow[Any]]:
        """Workflow name -> workflow, in declaration order (read-only)."""
        return MappingProxyType(self._workflows)

    @property
    def tables(self) -> Mapping[str, str]:
        """Table name -> partition key attribute (read-only)."""
        return MappingProxyType(self._tables)

    @property
    def sample_inputs(self) -> Mapping[str, Any]:
        """Workflow name -> a valid sample execution input (read-only)."""
        return MappingProxyType(self._sample_inputs)

    def service(self, name: str) -> Service[Any, Any]:
        """The service called ``name``.

        Raises:
            ConfigurationError: no such service; the message lists the app's services.
        """
        try:
            return self._services[name]
        except KeyError:
            raise self._fail(
                f"no service named {name!r}; its services: {', '.join(self._services)}"
            ) from None

    def workflow(self, name: str | None = None) -> Workflow[Any]:
        """The workflow called ``name``; without a name, the default workflow (or the
        app's only one).

        Raises:
            ConfigurationError: no such workflow, or no name given and the app has several;
                the message lists the app's workflows.
        """
        if name is None:
            if self.default_workflow is not None:
                return self._workflows[self.default_workflow]
            if len(self._workflows) == 1:
                return next(iter(self._workflows.values()))
            raise self._fail(
                f"it has {len(self._workflows)} workflows ({', '.join(self._workflows)}); "
                "name one (--workflow NAME)"
            )
        try:
            return self._workflows[name]
        except KeyError:
            raise self._fail(
                f"no workflow named {name!r}; its workflows: {', '.join(self._workflows)}"
            ) from None

    def triggers_of(self, workflow: str) -> tuple[Trigger, ...]:
        """The triggers that start ``workflow``."""
        return tuple(t for t in self.triggers if t.workflow == workflow)

    # --- running ------------------------------------------------------------------------

    def check_failure_rates(self, failure_rates: Mapping[str, float]) -> dict[str, float]:
        """``failure_rates`` with every name checked to be one of the app's services.

        Raises:
            ConfigurationError: a name is not a service of the app (a misspelt name would
                simulate nothing and the run would look healthy).
        """
        for service in failure_rates:
            if service not in self._services:
                raise self._fail(
                    f"unknown service {service!r} in the failure rates; its services: "
                    f"{', '.join(self._services)}"
                )
        return dict(failure_rates)

    def deps(
        self,
        *,
        seed: int = 0,
        clock: Callable[[], datetime] | None = None,
        failure_rates: Mapping[str, float] | None = None,
    ) -> ServiceDeps:
        """Deterministic local deps: an in-memory store with exactly the app's tables,
        filled by ``seed_data``; empty in-memory buckets; a stepping clock (unless
        ``clock``); ``Random(seed)``.

        Raises:
            ConfigurationError: a failure rate names a service the app does not have.
            ContractError: a failure rate is not a number in [0, 1].
        """
        rates = self.check_failure_rates(failure_rates or {})
        deps = ServiceDeps.in_memory(
            self._tables, seed=seed, clock=clock, failure_rates=rates, buckets=self.buckets
        )
        if self.seed_data is not None:
            self.seed_data(deps.store)
        return deps

    def local_handler(self, deps: ServiceDeps | None = None) -> Callable[[str, Any], Any]:
        """The ``lambda_handler(name, payload)`` the local executor calls.

        Any Lambda function-name form (``{prefix}-{service}``, ARNs, qualifiers) resolves
        to the app's service, which runs on the payload as the deployed function would.

        Args:
            deps: shared by every call; by default :meth:`deps`.

        Returns:
            The handler. It raises ``UnknownServiceError`` (a ConfigurationError, which
            the executor never turns into a task failure) for a name no service has.
        """
        shared = deps if deps is not None else self.deps()
        services = self._services
        name = self.name

        def handle(function: str, payload: Any) -> Any:
            return resolve_service(function, services, app=name).invoke_json(payload, shared)

        return handle

    def __repr__(self) -> str:
        return (
            f"App({self.name!r}, services={list(self._services)}, "
            f"workflows={list(self._workflows)})"
        )


__all__ = ["App", "SeedData", "Trigger", "slug"]
