"""The orderflow pytest plugin: contract tests for users' own workflows and services.

Installed with orderflow (entry point ``pytest11``: ``orderflow``) and inert until a test
asks for one of its four parametrized arguments; each becomes one generated test per item:

* ``orderflow_workflow`` — one per workflow: the data-flow checker finds no error with the
  workflow's contracts and input model;
* ``orderflow_edge`` — one per edge (producer task -> consumer task): the producer's output
  contract, carried through the edge's real path expressions, fits the consumer's input
  contract, statically and on hypothesis-drawn payloads run through the local executor;
* ``orderflow_contract`` — one per service contract (input and output): the JSON Schema
  matches its committed snapshot in ``contracts/`` or changes compatibly (``backward``,
  ``forward``, ``full``, ``auto``, ``none``);
* ``orderflow_provider`` — one per service: any valid input gives a valid output or a
  declared error.

A test module using all four::

    def test_workflow(orderflow_workflow): orderflow_workflow.verify()
    def test_edge(orderflow_edge): orderflow_edge.verify()
    def test_contract(orderflow_contract): orderflow_contract.verify()
    def test_provider(orderflow_provider): orderflow_provider.verify()

With no configuration, the tests cover the app (an :class:`orderflow.App`, found as every
``orderflow`` command finds it: ``orderflow_app``, else ``[tool.orderflow] app`` in the
nearest ``pyproject.toml`` from where pytest runs, else the bundled order app): its
workflows, its services, and ``app.deps()`` for them. Configuration, in ``pyproject.toml``
(``[tool.pytest.ini_options]``) or ``pytest.ini``, overrides that::

    orderflow_app = shop.app:app                            # the app (MODULE:ATTR)
    orderflow_workflows = shop.workflows:order_workflow     # MODULE:ATTR, one per line
    orderflow_services = shop.services:SERVICES             # mapping or list of Services
    orderflow_contracts_dir = contracts                     # relative to the rootdir
    orderflow_compatibility = auto                          # backward|forward|full|auto|none
    orderflow_max_examples = 25
    orderflow_deps = shop.services:make_deps                # builds a service's deps

``@pytest.mark.orderflow(workflows=[...], services=..., ...)`` on a module or test
overrides any of these (values may be objects or ``MODULE:ATTR`` strings).
``pytest --orderflow-update-contracts`` writes the snapshots (never in CI).

The property-based halves (edges by example, provider verification) need hypothesis, which
the ``testing`` extra installs (``pip install 'orderflow[testing]'``). Without it those
tests fail with that instruction; the workflow and snapshot tests run as usual.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from orderflow._errors import ContractError

if TYPE_CHECKING:
    from orderflow.testing._contracts import Mode, Role
    from orderflow.testing._edges import Edge

# The checker, hypothesis and the executor are imported only when a test asks for a case:
# the entry point loads this module into every pytest run of every project that has
# orderflow installed, and it must cost nothing (and need nothing) there. hypothesis, an
# optional extra, is imported only by the generated tests that draw payloads.

ARGS: Final = ("orderflow_workflow", "orderflow_edge", "orderflow_contract", "orderflow_provider")
_OPTIONS: Final[dict[str, tuple[str, str, Any]]] = {
    "app": ("string", "MODULE:ATTR of the orderflow.App (default: found like the CLI)", None),
    "workflows": ("linelist", "MODULE:ATTR of each workflow to contract-test", []),
    "services": ("string", "MODULE:ATTR of the services (mapping or list)", None),
    "contracts_dir": ("string", "folder of contract snapshots", "contracts"),
    "compatibility": ("string", "backward, forward, full, auto or none", "auto"),
    "max_examples": ("string", "hypothesis examples per generated test", "25"),
    "deps": ("string", "MODULE:ATTR of a callable building a service's deps", None),
}


class PluginConfigError(ContractError):
    """The plugin's configuration names something unusable."""


@dataclass(frozen=True, slots=True)
class WorkflowSpec:
    """A workflow given as raw ASL (not a DSL workflow).

    Attributes:
        name: used in test ids.
        definition: anything :func:`orderflow.asl.as_definition` accepts.
        contracts: Lambda function name or ARN -> ``(InputModel, OutputModel)``.
        input_model: the execution input's model, if known.
    """

    name: str
    definition: Any
    contracts: Mapping[str, Any]
    input_model: Any = None


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register ``--orderflow-update-contracts`` and the ``orderflow_*`` ini options."""
    group = parser.getgroup("orderflow", "orderflow contract tests")
    group.addoption(
        "--orderflow-update-contracts",
        action="store_true",
        default=False,
        help="write the contract snapshots instead of only comparing them",
    )
    for key, (kind, help_text, default) in _OPTIONS.items():
        parser.addini(f"orderflow_{key}", help_text, type=kind, default=default)  # type: ignore[arg-type]


def pytest_configure(config: pytest.Config) -> None:
    """Declare the ``orderflow`` marker."""
    config.addinivalue_line(
        "markers", "orderflow(**options): override orderflow contract-test settings"
    )


# --- configuration ---------------------------------------------------------------------


@dataclass(slots=True)
class Settings:
    """The resolved configuration for one test function."""

    workflows: list[WorkflowSpec] = field(default_factory=list)
    services: dict[str, Any] = field(default_factory=dict)
    contracts_dir: Path = Path("contracts")
    mode: Mode = "auto"
    max_examples: int = 25
    deps: Any = None
    update: bool = False


def _load(value: Any, what: str) -> Any:
    from orderflow._targets import import_attribute

    return import_attribute(value, what=what) if isinstance(value, str) else value


def _as_spec(value: Any, *, prefix: str = "orderflow") -> WorkflowSpec:
    if isinstance(value, WorkflowSpec):
        return value
    from orderflow import dsl  # only a DSL workflow needs the compiler

    if isinstance(value, dsl.Workflow):
        return WorkflowSpec(
            value.name,
            dsl.render(value, prefix=prefix),
            dsl.contracts_for(value, prefix=prefix),
            value.input_model,
        )
    raise PluginConfigError(
        f"{value!r} is not a workflow: give a DSL workflow or an orderflow.testing.plugin."
        "WorkflowSpec"
    )


def _settings(config: pytest.Config, marker: pytest.Mark | None) -> Settings:
    from orderflow.testing._contracts import check_mode, names

    given = dict(marker.kwargs) if marker is not None else {}

    def option(key: str) -> Any:
        return given[key] if key in given else config.getini(f"orderflow_{key}")

    app = _App(option("app"), config.invocation_params.dir)
    workflows_value = option("workflows") or []
    services_setting = option("services")
    use_app = not workflows_value and services_setting is None
    if isinstance(workflows_value, (str, WorkflowSpec)) or not isinstance(
        workflows_value, Sequence
    ):
        workflows_value = [workflows_value]
    workflows: list[WorkflowSpec] = []
    for item in workflows_value:
        loaded = _load(item, "orderflow_workflows")
        items = loaded if isinstance(loaded, (list, tuple)) else [loaded]
        workflows.extend(_as_spec(w) for w in items)
    services_value = _load(services_setting, "orderflow_services")
    services = names(services_value) if services_value is not None else {}
    if use_app:
        # Nothing configured: the app's own workflows and services.
        found = app.get()
        workflows = [_as_spec(w, prefix=found.name) for w in found.workflows.values()]
        services = dict(found.services)
    try:
        max_examples = int(option("max_examples"))
    except (TypeError, ValueError):
        raise PluginConfigError(
            f"orderflow_max_examples must be an integer, got {option('max_examples')!r}"
        ) from None
    directory = Path(str(option("contracts_dir")))
    if not directory.is_absolute():
        directory = config.rootpath / directory
    return Settings(
        workflows=workflows,
        services=services,
        contracts_dir=directory,
        mode=check_mode(str(option("compatibility"))),
        max_examples=max_examples,
        deps=_load(option("deps"), "orderflow_deps") or app.deps_factory(),
        update=bool(config.getoption("orderflow_update_contracts")),
    )


class _App:
    """The app the tests cover, found (and imported) only when a setting needs it."""

    def __init__(self, spec: Any, cwd: Path) -> None:
        self._spec = spec
        self._cwd = cwd
        self._app: Any = None

    def get(self) -> Any:
        if self._app is None:
            from orderflow._app import App
            from orderflow._targets import find_app, load_app

            if isinstance(self._spec, App):
                self._app = self._spec
            else:
                spec = self._spec if isinstance(self._spec, str) else None
                self._app = load_app(find_app(spec, cwd=self._cwd))
        return self._app

    def deps_factory(self) -> Any:
        """``app.deps``, the app found when a provider test first needs deps."""
        return lambda: self.get().deps()


# --- generated cases -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkflowCase:
    """One workflow to check end to end with its contracts."""

    spec: WorkflowSpec

    @property
    def id(self) -> str:
        return self.spec.name

    def verify(self) -> None:
        """Fail if the data-flow checker finds an error."""
        from orderflow.checker import check_dataflow

        found = check_dataflow(
            self.spec.definition, contracts=self.spec.contracts, input_model=self.spec.input_model
        )
        errors = [d for d in found if d.severity == "error"]
        for d in found:
            if d.severity == "warning":
                # Visible in pytest's warnings summary; they fail only under -W error.
                warnings.warn(f"workflow {self.spec.name!r}: {d.message}", stacklevel=2)
        if errors:
            pytest.fail(
                f"workflow {self.spec.name!r}: {len(errors)} data-flow error(s):\n"
                + "\n".join(f"  {d.message}" for d in errors),
                pytrace=False,
            )


@dataclass(frozen=True, slots=True)
class EdgeCase:
    """One producer -> consumer edge of a workflow."""

    edge: Edge
    spec: WorkflowSpec
    max_examples: int

    @property
    def id(self) -> str:
        return self.edge.id

    def verify(self) -> int:
        """Check the edge statically and by example; returns the runs that reached it."""
        from orderflow.testing._contracts import MissingTestingExtra
        from orderflow.testing._edges import verify_edge

        try:
            return verify_edge(
                self.edge,
                self.spec.definition,
                self.spec.contracts,
                input_model=self.spec.input_model,
                max_examples=self.max_examples,
            )
        except MissingTestingExtra as exc:
            missing = str(exc)
        # Outside the handler, so the report is the instruction alone, not a chained trace.
        pytest.fail(missing, pytrace=False)


@dataclass(frozen=True, slots=True)
class SnapshotCase:
    """One service contract (input or output) against its snapshot."""

    service: str
    role: Role
    model: Any
    settings: Settings

    @property
    def id(self) -> str:
        return f"{self.service}.{self.role}"

    def verify(self) -> str:
        """Compare with (or, when updating, write) the snapshot; returns what happened."""
        from orderflow.testing._contracts import contract_schema, verify_snapshot

        return verify_snapshot(
            self.settings.contracts_dir,
            self.service,
            self.role,
            contract_schema(self.model, self.role),
            mode=self.settings.mode,
            update=self.settings.update,
        )


@dataclass(frozen=True, slots=True)
class ProviderCase:
    """One service verified against its own contract."""

    name: str
    service: Any
    settings: Settings

    @property
    def id(self) -> str:
        return self.name

    def verify(self) -> None:
        """Draw valid inputs; every answer must be a valid output or a declared error."""
        from orderflow.testing._contracts import MissingTestingExtra, verify_provider

        deps = self.settings.deps
        try:
            verify_provider(self.name, self.service, deps, max_examples=self.settings.max_examples)
            return
        except MissingTestingExtra as exc:
            missing = str(exc)
        pytest.fail(missing, pytrace=False)


def _cases(arg: str, settings: Settings) -> list[Any]:
    from orderflow.testing._edges import find_edges

    if arg == "orderflow_workflow":
        return [WorkflowCase(spec) for spec in settings.workflows]
    if arg == "orderflow_edge":
        return [
            EdgeCase(edge, spec, settings.max_examples)
            for spec in settings.workflows
            for edge in find_edges(spec.name, spec.definition, spec.contracts)
        ]
    if arg == "orderflow_contract":
        out: list[Any] = []
        for name, service in settings.services.items():
            models = (
                service
                if isinstance(service, tuple)
                else (
                    service.input_model,
                    service.output_model,
                )
            )
            out.append(SnapshotCase(name, "input", models[0], settings))
            out.append(SnapshotCase(name, "output", models[1], settings))
        return out
    return [ProviderCase(name, service, settings) for name, service in settings.services.items()]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize the ``orderflow_*`` arguments a test asks for."""
    wanted = [arg for arg in ARGS if arg in metafunc.fixturenames]
    if not wanted:
        return
    try:
        settings = _settings(metafunc.config, metafunc.definition.get_closest_marker("orderflow"))
        for arg in wanted:
            cases = _cases(arg, settings)
            metafunc.parametrize(arg, cases, ids=[case.id for case in cases])
    except ContractError as exc:
        raise pytest.UsageError(f"orderflow plugin: {exc}") from None
    except Exception as exc:  # a broken user module must name itself, not dump a traceback
        raise pytest.UsageError(
            f"orderflow plugin: cannot build the contract tests: {type(exc).__name__}: {exc}"
        ) from None


__all__ = [
    "ARGS",
    "EdgeCase",
    "PluginConfigError",
    "ProviderCase",
    "Settings",
    "SnapshotCase",
    "WorkflowCase",
    "WorkflowSpec",
    "pytest_addoption",
    "pytest_configure",
    "pytest_generate_tests",
]
