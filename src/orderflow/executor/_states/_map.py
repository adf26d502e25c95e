"""The Map state: run the item processor once per item; the output is their list.

Iterations run side by side on the simulated clock (see
:mod:`orderflow.executor._scheduler`) on ``MaxConcurrency`` slots (40 when it is 0, AWS's
inline limit): the first ones start together at the state's start, each later one, in
item order, when a running one ends; their steps interleave in simulated-time order and
the state ends with its last iteration. ``ToleratedFailureCount`` and
``ToleratedFailurePercentage`` let some iterations fail; without them the first failure,
earliest in simulated time, fails the state at that moment and stops the running
iterations there (``MapIterationAborted``; a Task they already invoked completes, its
result discarded) and no further iteration starts. Outputs are in item order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from orderflow.asl import JSON
from orderflow.asl.expressions import json_type_name
from orderflow.executor._expr import Jsonata, Payload, ValueReader, path_or_intrinsic
from orderflow.executor._failure import QUERY_EVALUATION, StateFailure, runtime_failure
from orderflow.executor._history import Cursor, History, to_json_text
from orderflow.executor._interpreter import never_sleeps
from orderflow.executor._retry import error_output
from orderflow.executor._runtime import Frame, Runtime, TaskHandler
from orderflow.executor._scheduler import Stopped, Unit
from orderflow.executor._states._base import Outcome, PlanContext, check_size
from orderflow.executor._states._guarded import GuardedState
from orderflow.executor._timeline import map_slots

# Exact types, not isinstance: anything else a JSONata expression hands back (a function,
# an evaluator-internal object) is "an unsupported result type" to AWS, not a typed mismatch.
_JSON_VALUE_TYPES = frozenset({dict, list, str, bool, int, float, type(None)})


def _show(value: JSON) -> str:
    return value if isinstance(value, str) else to_json_text(value)


def _jsonata_text(value: JSON) -> str:
    text = str(value).strip()
    if text.startswith("{%") and text.endswith("%}"):
        text = text[2:-2].strip()
    return text


class _Setting:
    """A numeric Map setting given as a literal, a ``*Path`` or a JSONata expression."""

    __slots__ = ("jsonata", "literal", "name", "path", "path_text")

    def __init__(self, data: Mapping[str, JSON], name: str, jsonata: bool) -> None:
        self.name = name
        raw = data.get(name)
        self.literal: JSON = raw
        self.jsonata: Jsonata | None = (
            Jsonata(raw, name) if jsonata and isinstance(raw, str) else None
        )
        self.path_text = str(data.get(f"{name}Path", ""))
        self.path: ValueReader | None = (
            path_or_intrinsic(self.path_text, field=f"{name}Path")
            if f"{name}Path" in data
            else None
        )

    def value(
        self,
        effective: JSON,
        ctx: JSON,
        states: dict[str, JSON] | None,
        variables: Mapping[str, JSON],
        state: str,
        entered_id: int,
        kind: str,
        rt: Runtime,
    ) -> float | None:
        if self.path is not None:
            value = self.path.get(effective, ctx, variables)
            if isinstance(value, str):
                # AWS parses numeric text ("1") the way Java's Integer/Double parsers do.
                try:
                    value = int(value) if kind == "integer" else float(value)
                except ValueError:
                    value = value
            ok = not isinstance(value, bool) and isinstance(value, (int, float))
            if kind == "integer":
                ok = ok and float(value).is_integer()
            if not ok:
                raise runtime_failure(
                    state,
                    entered_id,
                    f'The {self.name}Path field refers to value "{_show(value)}" which is not a '
                    f"valid {kind}: {self.path_text}",
                )
            return float(value)
        value = self.literal
        if self.jsonata is not None and states is not None:
            value = self.jsonata.evaluate(states, variables, rt)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise runtime_failure(
                state,
                entered_id,
                f"The {self.name} field must be a number, but was: {_show(value)}",
                QUERY_EVALUATION,
            )
        return float(value)


class MapState(GuardedState):
    """Run ``ItemProcessor`` (or the legacy ``Iterator``) for every item."""

    type_name = "Map"
    failed_event = "MapStateFailed"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        processor = data.get("ItemProcessor") or data.get("Iterator") or {}
        language = "JSONata" if self.jsonata else "JSONPath"
        self.processor = plan.compile_machine(processor, language)
        self.instant = never_sleeps(self.processor)
        config = processor.get("ProcessorConfig") if isinstance(processor, dict) else None
        self.distributed = isinstance(config, dict) and config.get("Mode") == "DISTRIBUTED"
        self.items_path: ValueReader | None = None
        self.items_jsonata: Jsonata | None = None
        self.items_literal: JSON = None
        self.item_selector: Payload | None = None
        self.item_selector_jsonata: Jsonata | None = None
        selector = data.get("ItemSelector", data.get("Parameters"))
        if self.jsonata:
            if "Items" in data:
                # An array may hold {% %} expressions too; it is a JSONata template.
                self.items_jsonata = Jsonata(data["Items"], "Items")
            if "ItemSelector" in data:
                self.item_selector_jsonata = Jsonata(data["ItemSelector"], "ItemSelector")
        else:
            items_path = data.get("ItemsPath", "$")
            if items_path != "$":
                self.items_path = path_or_intrinsic(str(items_path), field="ItemsPath")
            if selector is not None:
                self.item_selector = Payload(selector, "ItemSelector")
            # Parameters of a Map is the legacy ItemSelector, not a state-level template.
            self.parameters = None
        self.items_text = _jsonata_text(data.get("Items", ""))
        self.max_concurrency = _Setting(data, "MaxConcurrency", self.jsonata)
        self.tolerated_count = _Setting(data, "ToleratedFailureCount", self.jsonata)
        self.tolerated_percentage = _Setting(data, "ToleratedFailurePercentage", self.jsonata)
        batcher = data.get("ItemBatcher")
        self.batcher: dict[str, Any] | None = dict(batcher) if isinstance(batcher, dict) else None
        reader = data.get("ItemReader")
        self.reader: dict[str, Any] | None = dict(reader) if isinstance(reader, dict) else None
        writer = data.get("ResultWriter")
        self.writer: dict[str, Any] | None = dict(writer) if isinstance(writer, dict) else None
        self.reader_args = self._io_template(self.reader)
        self.writer_args = self._io_template(self.writer)
        self.tolerates = any(
            f"{name}{suffix}" in data
            for name in ("ToleratedFailureCount", "ToleratedFailurePercentage")
            for suffix in ("", "Path")
        )

    def _io_template(self, spec: dict[str, Any] | None) -> Payload | Jsonata | None:
        if spec is None:
            return None
        key = "Arguments" if self.jsonata else "Parameters"
        if key not in spec:
            return None
        return Jsonata(spec[key], f"ItemReader/{key}") if self.jsonata else Payload(spec[key], key)

    def _io_handler(
        self, spec: dict[str, Any], rt: Runtime, does: str, contract: str
    ) -> TaskHandler:
        """The handler answering ``spec``'s ``Resource``, or a message saying what to pass."""
        resource = str(spec.get("Resource", ""))
        handler = rt.handlers.get(resource)
        if handler is None:
            from orderflow._errors import ExecutionError

            raise ExecutionError(
                f"Map state {self.name!r} {does} {resource!r}; pass "
                f"handlers={{resource: callable}} {contract}"
            )
        return handler

    def _render_io(
        self,
        template: Payload | Jsonata | None,
        effective: JSON,
        ctx: JSON,
        states: dict[str, JSON] | None,
        variables: Mapping[str, JSON],
        rt: Runtime,
    ) -> JSON:
        if template is None:
            return {}
        if isinstance(template, Jsonata):
            return template.evaluate(states or {"input": effective}, variables, rt)
        return template.render(effective, ctx, variables, rt.rng)

    def _read_items(
        self,
        effective: JSON,
        ctx: JSON,
        states: dict[str, JSON] | None,
        variables: Mapping[str, JSON],
        rt: Runtime,
    ) -> JSON:
        """Items from the ``ItemReader`` resource's handler (S3 and the like)."""
        assert self.reader is not None
        handler = self._io_handler(
            self.reader, rt, "reads its items from", "returning the list of items"
        )
        params = self._render_io(self.reader_args, effective, ctx, states, variables, rt)
        # A handler that reads files itself (the S3 fake) also needs the ReaderConfig.
        read_items = getattr(handler, "read_items", None)
        try:
            items = read_items(params, self.reader) if callable(read_items) else handler(params)
        except Exception as exc:
            raise StateFailure("States.ItemReaderFailed", str(exc)) from None
        config = self.reader.get("ReaderConfig") or {}
        limit = config.get("MaxItems") if isinstance(config, dict) else None
        if isinstance(items, list) and isinstance(limit, int) and limit > 0:
            items = items[:limit]
        return items

    def _write_results(
        self,
        results: list[JSON],
        effective: JSON,
        ctx: JSON,
        states: dict[str, JSON] | None,
        variables: Mapping[str, JSON],
        rt: Runtime,
    ) -> JSON:
        """Hand the results to the ``ResultWriter`` handler; the output then describes them."""
        assert self.writer is not None
        handler = self._io_handler(
            self.writer, rt, "writes its results to", "accepting {'Parameters', 'Results'}"
        )
        params = self._render_io(self.writer_args, effective, ctx, states, variables, rt)
        details = handler({"Parameters": params, "Results": results})
        return {"MapRunArn": self._map_run_arn(rt), "ResultWriterDetails": details}

    # --- items -----------------------------------------------------------------------

    def _items(
        self,
        raw: JSON,
        effective: JSON,
        ctx: JSON,
        states: dict[str, JSON] | None,
        variables: Mapping[str, JSON],
        entered_id: int,
        rt: Runtime,
    ) -> list[JSON]:
        if states is not None:
            if self.items_jsonata is not None:
                items = self.items_jsonata.evaluate(states, variables, rt)
                if not isinstance(items, list):
                    if callable(items) or type(items) not in _JSON_VALUE_TYPES:
                        detail = "returned an unsupported result type."
                    else:
                        detail = (
                            f"returned an unexpected result type. Expected 'array', but was "
                            f"'{json_type_name(items)}' for value: {to_json_text(items)}"
                        )
                    raise runtime_failure(
                        self.name,
                        entered_id,
                        f"The JSONata expression '{self.items_text}' specified for the field "
                        f"'Items' {detail}",
                        QUERY_EVALUATION,
                    )
                return items
            items = self.items_literal if self.items_literal is not None else raw
            error = QUERY_EVALUATION
        else:
            items = (
                effective
                if self.items_path is None
                else self.items_path.get(effective, ctx, variables)
            )
            error = "States.Runtime"
        if not isinstance(items, list):
            raise runtime_failure(
                self.name,
                entered_id,
                f"Map state input must be an array but was: {to_json_text(items)}",
                error,
            )
        return items

    def _batches(
        self,
        items: list[JSON],
        effective: JSON,
        ctx: JSON,
        variables: Mapping[str, JSON],
        rt: Runtime,
    ) -> list[JSON]:
        assert self.batcher is not None
        size = self.batcher.get("MaxItemsPerBatch")
        if "MaxItemsPerBatchPath" in self.batcher:
            size = path_or_intrinsic(
                str(self.batcher["MaxItemsPerBatchPath"]), field="MaxItemsPerBatchPath"
            ).get(effective, ctx, variables)
        step = int(size) if isinstance(size, (int, float)) and size > 0 else len(items) or 1
        batch_input = self.batcher.get("BatchInput")
        batches: list[JSON] = []
        for start in range(0, len(items), step):
            batch: dict[str, JSON] = {}
            if batch_input is not None:
                batch["BatchInput"] = (
                    Payload(batch_input, "BatchInput").render(effective, ctx, variables, rt.rng)
                    if not self.jsonata
                    else batch_input
                )
            batch["Items"] = items[start : start + step]
            batches.append(batch)
        return batches

    # --- the run ---------------------------------------------------------------------

    def attempt(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int, retry: int) -> Outcome:
        from orderflow.executor._interpreter import run_machine

        variables = frame.variables
        entered = self.entered_time(rt)
        ctx = self.context(rt, entered) if self.uses_context else None
        states: dict[str, JSON] | None = None
        if self.jsonata:
            states = {"input": raw}
            if ctx is not None:
                states["context"] = ctx
            effective = raw
        else:
            effective = self.effective_input(raw, ctx, variables)
        if self.reader is not None:
            source = self._read_items(effective, ctx, states, variables, rt)
            # ItemsPath (JSONPath) picks the array out of what the reader produced.
            items = self._items(source, source, ctx, None, variables, entered_id, rt)
        else:
            items = self._items(raw, effective, ctx, states, variables, entered_id, rt)
        max_concurrency = self.max_concurrency.value(
            effective, ctx, states, variables, self.name, entered_id, "integer", rt
        )
        count = self.tolerated_count.value(
            effective, ctx, states, variables, self.name, entered_id, "integer", rt
        )
        percentage = self.tolerated_percentage.value(
            effective, ctx, states, variables, self.name, entered_id, "float", rt
        )
        if count is not None and count < 0:
            raise runtime_failure(
                self.name, entered_id, "ToleratedFailureCount cannot be negative."
            )
        if percentage is not None and not 0 <= percentage <= 100:
            raise runtime_failure(
                self.name, entered_id, "ToleratedFailurePercentage must be between 0 and 100."
            )
        if self.batcher is not None:
            items = self._batches(items, effective, ctx, variables, rt)
        history, clock, cursor = rt.history, rt.clock, frame.cursor
        history.record("MapStateStarted", cursor, clock.now(), {"length": len(items)})
        if self.distributed:
            history.record(
                "MapRunStarted", cursor, clock.now(), {"mapRunArn": self._map_run_arn(rt)}
            )
        results: list[JSON] = [None] * len(items)
        failures = 0
        last_success = 0
        # Where the next iteration's first event links: the last event of the iteration
        # that ended last (the Map's start for the first ones), as AWS chains them.
        chain = cursor.last
        failed: list[tuple[StateFailure, int]] = []
        name = self.name
        processor = self.processor
        selector = self.item_selector
        selector_jsonata = self.item_selector_jsonata
        inline = not self.distributed
        # A distributed Map runs child executions: their events are not in this history.
        child_rt = rt if inline else dataclasses.replace(rt, history=History(enabled=False))

        def run_item(index: int, unit: Unit | None) -> bool:
            nonlocal failures, last_success, chain
            item = items[index]
            child = Frame(Cursor(chain), dict(variables), unit)
            if inline:
                history.record(
                    "MapIterationStarted", child.cursor, clock.now(), {"index": index, "name": name}
                )
            if selector is not None or selector_jsonata is not None:
                item_ctx = self.context(rt, entered)
                item_ctx["Map"] = {"Item": {"Index": index, "Value": item}}
                if selector is not None:
                    item_input = selector.render(effective, item_ctx, variables, rt.rng)
                else:
                    assert selector_jsonata is not None
                    item_input = selector_jsonata.evaluate(
                        {"input": raw, "context": item_ctx}, variables, rt
                    )
            else:
                item_input = item
            try:
                results[index] = run_machine(processor, child_rt, child, item_input)
            except StateFailure as failure:
                if inline:
                    history.record(
                        "MapIterationFailed",
                        child.cursor,
                        clock.now(),
                        {"index": index, "name": name},
                        advance=False,
                    )
                chain = child.cursor.last
                failures += 1
                if self._tolerated(failures, len(items), count, percentage):
                    results[index] = error_output(failure)
                    return False
                failed.append((failure, chain))
                return True
            except Stopped:
                if inline:
                    history.record(
                        "MapIterationAborted",
                        child.cursor,
                        clock.now(),
                        {"index": index, "name": name},
                        advance=False,
                    )
                raise
            if inline:
                last_success = history.record(
                    "MapIterationSucceeded",
                    child.cursor,
                    clock.now(),
                    {"index": index, "name": name},
                    advance=False,
                )
            chain = child.cursor.last
            return False

        slots = map_slots(max_concurrency, distributed=self.distributed)
        rt.scheduler.run(clock, len(items), slots, run_item, never_sleeps=self.instant)
        if failed:
            failure, cursor.last = failed[0]
            if self.distributed:
                history.record("MapRunFailed", cursor, clock.now())
            if self.tolerates:
                raise StateFailure(
                    "States.ExceedToleratedFailureThreshold",
                    "The specified tolerated failure threshold was exceeded",
                ) from None
            raise failure
        # AWS chains MapStateSucceeded to the last MapIterationSucceeded and the state's exit
        # to the same event (MapStateSucceeded hangs off to the side).
        cursor.last = last_success or chain
        if self.distributed:
            history.record("MapRunSucceeded", cursor, clock.now())
        history.record("MapStateSucceeded", cursor, clock.now(), advance=False)
        if self.writer is not None:
            result: JSON = self._write_results(results, effective, ctx, states, variables, rt)
        else:
            check_size(results, self.name)
            result = results
        if states is not None:
            states["result"] = result
            output, assigned = self.finish_jsonata(states, variables, result, rt)
        else:
            output, assigned = self.finish_jsonpath(raw, result, ctx, variables, rt)
        return Outcome(output, self.next, assigned)

    def _map_run_arn(self, rt: Runtime) -> str:
        machine = rt.identity.state_machine_arn.replace(":stateMachine:", ":mapRun:")
        return f"{machine}/{self.name}:{rt.new_uuid()}"

    @staticmethod
    def _tolerated(
        failures: int, total: int, count: float | None, percentage: float | None
    ) -> bool:
        if count is not None and failures <= count:
            return True
        return bool(percentage is not None and total and failures * 100 <= percentage * total)


__all__ = ["MapState"]
