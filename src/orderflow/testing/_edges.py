"""Contract tests along a workflow's edges: does what one service produces fit the next?

An *edge* is a pair of Lambda tasks (producer -> consumer) where the consumer's payload is
built, through the workflow's actual path expressions, from the producer's result. Edges
are found by the data-flow checker: the consumer's payload shape is computed once with the
producer's output contract known and once with it unknown; if the two differ, data flows
along the edge.

Each edge is verified two ways:

* statically — the producer's output schema, carried through ResultSelector, ResultPath,
  OutputPath, Parameters (whatever lies between), must fit the consumer's input schema:
  the checker's findings at the consumer that appear only because the producer is known;
* by example — payloads drawn from the producer's output contract (hypothesis) are run
  through the executor's real path machinery (the whole workflow runs locally, every other
  service answering with valid outputs drawn from its own contract) and whatever reaches the
  consumer must validate against its input model.

Only the by-example half needs hypothesis (the ``testing`` extra); it is imported there, so
finding edges and the static check work without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from orderflow._errors import ContractError
from orderflow.asl import Definition, as_definition, is_lambda_function_arn
from orderflow.checker import Contract, ContractTable, analyze
from orderflow.checker._shape import ANY, Obj, Shape
from orderflow.testing._contracts import require_hypothesis
from orderflow.testing._run import run_asl
from orderflow.validation import Diagnostic

Models = tuple[type[BaseModel], type[BaseModel]]


class EdgeContractError(ContractError, AssertionError):
    """An edge's producer output does not fit its consumer's input (fails the test)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """Data flowing from one Lambda task to another.

    Attributes:
        workflow: the workflow's name, for test ids.
        producer: the producing Task state.
        consumer: the consuming Task state.
        producer_key: the producer's key in the contracts mapping.
        consumer_key: the consumer's key in the contracts mapping.
        fields: the consumer payload's top-level fields that carry the producer's data.
    """

    workflow: str
    producer: str
    consumer: str
    producer_key: str
    consumer_key: str
    fields: tuple[str, ...] | None = None
    """The consumer's payload fields built from the producer's data (None: all of them)."""

    @property
    def id(self) -> str:
        return f"{self.workflow}:{self.producer}->{self.consumer}"


def _lambda_tasks(definition: Definition, table: ContractTable) -> dict[str, Contract]:
    """Every Task state calling a Lambda function that has a contract, by state name."""
    found: dict[str, Contract] = {}
    for _, name, state in definition.iter_states():
        if state.get("Type") != "Task":
            continue
        resource = state.get("Resource")
        reference: Any = None
        if resource == "arn:aws:states:::lambda:invoke":
            args = state.get("Parameters", state.get("Arguments"))
            reference = args.get("FunctionName") if isinstance(args, dict) else None
        elif isinstance(resource, str) and is_lambda_function_arn(resource):
            reference = resource
        if isinstance(reference, str) and not reference.startswith("{%"):
            contract = table.find(reference)
            if contract is not None:
                found[name] = contract
    return found


def _unknown_output(contract: Contract) -> Contract:
    return Contract(contract.key, contract.input, ANY, contract.input_name, "unknown")


def _unknown_input(contract: Contract) -> Contract:
    return Contract(contract.key, ANY, contract.output, "unknown", contract.output_name)


def find_edges(
    workflow: str, definition: Definition | Mapping[str, Any], contracts: Mapping[str, Any]
) -> list[Edge]:
    """The edges of a workflow, in state order (producers first, then consumers)."""
    document = as_definition(definition)
    table = ContractTable(contracts)
    tasks = _lambda_tasks(document, table)
    blind = ContractTable.of([_unknown_output(c) for c in tasks.values()])
    baseline = analyze(document, contracts=blind).payloads
    edges: list[Edge] = []
    for producer, contract in tasks.items():
        others = [_unknown_output(c) for name, c in tasks.items() if c.key != contract.key]
        known = analyze(document, contracts=ContractTable.of([contract, *others])).payloads
        for consumer, consumer_contract in tasks.items():
            if consumer == producer:
                continue
            mine, blind_payload = known.get(consumer), baseline.get(consumer)
            if mine != blind_payload:
                fields = _differing_fields(mine, blind_payload)
                edges.append(
                    Edge(workflow, producer, consumer, contract.key, consumer_contract.key, fields)
                )
    return edges


def _differing_fields(a: Shape | None, b: Shape | None) -> tuple[str, ...] | None:
    if not isinstance(a, Obj) or not isinstance(b, Obj):
        return None
    return tuple(p.name for p in a.props if b.get(p.name) != p)


def static_findings(
    edge: Edge, definition: Definition | Mapping[str, Any], contracts: Mapping[str, Any]
) -> list[Diagnostic]:
    """Findings at the consumer caused by the producer's output contract.

    The workflow is checked with only the producer's output and the consumer's input known
    (everything else unknown), then with the producer's output unknown as well; what the
    first run finds at the consumer and the second does not is the edge's fault.
    """
    document = as_definition(definition)
    table = ContractTable(contracts)
    producer = table.find(edge.producer_key)
    consumer = table.find(edge.consumer_key)
    if producer is None or consumer is None:
        raise ContractError(f"edge {edge.id}: a contract disappeared from the mapping")
    with_producer = analyze(
        document, contracts=ContractTable.of([_unknown_input(producer), consumer])
    ).diagnostics
    without = analyze(
        document,
        contracts=ContractTable.of([_unknown_output(_unknown_input(producer)), consumer]),
    ).diagnostics
    before = {(d.code, d.pointer, d.message) for d in without}
    return [
        d
        for d in with_producer
        if d.state == edge.consumer and (d.code, d.pointer, d.message) not in before
    ]


def _models(contracts: Mapping[str, Any], key: str) -> Models:
    value = contracts[key]
    if isinstance(value, tuple):
        return value[0], value[1]
    return value.input_model, value.output_model


def verify_edge(
    edge: Edge,
    definition: Definition | Mapping[str, Any],
    contracts: Mapping[str, Any],
    *,
    input_model: type[BaseModel] | None,
    max_examples: int = 25,
) -> int:
    """Verify an edge statically and by example; returns how many runs reached the consumer.

    Raises:
        EdgeContractError: a static finding (error) or a payload the consumer rejects.
        MissingTestingExtra: the by-example check is due (an input model is known) and
            hypothesis is not installed; the static check has passed by then.
    """
    errors = [d for d in static_findings(edge, definition, contracts) if d.severity == "error"]
    if errors:
        raise EdgeContractError(
            f"edge {edge.id}: the output of {edge.producer!r} does not fit the input of "
            f"{edge.consumer!r}:\n" + "\n".join(f"  {d.message}" for d in errors)
        )
    if input_model is None:
        return 0
    require_hypothesis(f"the by-example check of edge {edge.id}")
    return _verify_by_example(edge, as_definition(definition), contracts, input_model, max_examples)


def _verify_by_example(
    edge: Edge,
    definition: Definition,
    contracts: Mapping[str, Any],
    input_model: type[BaseModel],
    max_examples: int,
) -> int:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st

    from orderflow.testing._strategies import json_from_model

    table = ContractTable(contracts)
    consumer_in, _ = _models(contracts, edge.consumer_key)
    reached = 0

    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        # Shrinking a whole-workflow run takes far longer than finding the failure, and the
        # report already shows every drawn output; report the first failing example.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        nonlocal reached
        execution_input = data.draw(json_from_model(input_model), label="execution input")
        received: list[Any] = []

        def handler(function: str, payload: Any) -> Any:
            contract = table.find(function)
            if contract is None:
                raise ContractError(f"no contract for Lambda function {function!r}")
            if contract.key == edge.consumer_key:
                received.append(payload)
            _, output_model = _models(contracts, contract.key)
            label = f"output of {function}"
            return data.draw(json_from_model(output_model), label=label)

        run_asl(definition, execution_input, lambda_handler=handler)
        for payload in received:
            try:
                consumer_in.model_validate(payload)
            except ValidationError as exc:
                # Other producers feed the same payload; blame this edge only for the
                # fields its producer's data reaches.
                if edge.fields is not None and not any(
                    err["loc"] and err["loc"][0] in edge.fields for err in exc.errors()
                ):
                    continue
                raise EdgeContractError(
                    f"edge {edge.id}: {edge.consumer!r} received a payload its input model "
                    f"{consumer_in.__name__} rejects: {exc}\npayload: {payload!r}"
                ) from None
        if received:
            reached += 1

    run()
    return reached


__all__ = ["Edge", "EdgeContractError", "find_edges", "static_findings", "verify_edge"]
