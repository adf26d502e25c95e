"""The Choice state: pick the next state by the first rule that matches."""

from __future__ import annotations

from collections.abc import Mapping

from orderflow.asl import JSON
from orderflow.executor._conditions import Predicate, compile_rule
from orderflow.executor._expr import Jsonata, Payload
from orderflow.executor._failure import StateFailure
from orderflow.executor._runtime import Frame, Runtime
from orderflow.executor._states._base import Outcome, PlanContext, State


class _Branch:
    __slots__ = (
        "assign_jsonata",
        "assign_path",
        "condition",
        "constant",
        "next",
        "output",
        "predicate",
    )

    def __init__(self, rule: Mapping[str, JSON], jsonata: bool, index: int) -> None:
        self.next = str(rule.get("Next"))
        self.predicate: Predicate | None = None
        self.condition: Jsonata | None = None
        self.constant: bool | None = None
        self.output: Jsonata | None = None
        self.assign_jsonata: Jsonata | None = None
        self.assign_path: Payload | None = None
        if jsonata:
            condition = rule.get("Condition")
            if isinstance(condition, bool):
                self.constant = condition
            else:
                self.condition = Jsonata(condition, "Condition")
            if "Output" in rule:
                self.output = Jsonata(rule["Output"], "Output")
            if "Assign" in rule:
                self.assign_jsonata = Jsonata(rule["Assign"], "Assign")
        else:
            body = {k: v for k, v in rule.items() if k not in ("Next", "Assign", "Comment")}
            self.predicate = compile_rule(body)
            if "Assign" in rule:
                self.assign_path = Payload(rule["Assign"], "Assign")


class ChoiceState(State):
    """Evaluate ``Choices`` in order; take ``Default`` when none matches."""

    type_name = "Choice"

    def __init__(self, name: str, data: Mapping[str, JSON], plan: PlanContext) -> None:
        super().__init__(name, data, plan)
        self.branches = [
            _Branch(rule, self.jsonata, i) for i, rule in enumerate(data.get("Choices") or ())
        ]
        default = data.get("Default")
        self.default: str | None = default if isinstance(default, str) else None

    def execute(self, rt: Runtime, frame: Frame, raw: JSON, entered_id: int) -> Outcome:
        variables = frame.variables
        ctx = self.context(rt, self.entered_time(rt)) if self.uses_context else None
        if self.jsonata:
            states: dict[str, JSON] = {"input": raw}
            if ctx is not None:
                states["context"] = ctx
            for branch in self.branches:
                if branch.constant is not None:
                    matched = branch.constant
                else:
                    assert branch.condition is not None
                    value = branch.condition.evaluate(states, variables, rt)
                    if not isinstance(value, bool):
                        from orderflow.executor._failure import QUERY_EVALUATION, runtime_failure

                        raise runtime_failure(
                            self.name,
                            entered_id,
                            "The Condition field's JSONata expression must evaluate to a boolean "
                            f"value, but was: {value!r}",
                            QUERY_EVALUATION,
                        )
                    matched = value
                if matched:
                    assigned = None
                    if branch.assign_jsonata is not None:
                        assigned = branch.assign_jsonata.evaluate(states, variables, rt)
                    output = (
                        raw
                        if branch.output is None
                        else branch.output.evaluate(states, variables, rt)
                    )
                    return Outcome(output, branch.next, assigned)
            if self.default is None:
                raise StateFailure("States.NoChoiceMatched", f"No Matches! at state '{self.name}'")
            output, assigned = self.finish_jsonata(states, variables, raw, rt)
            return Outcome(output, self.default, assigned)
        effective = self.effective_input(raw, ctx, variables)
        for branch in self.branches:
            assert branch.predicate is not None
            if branch.predicate(effective, ctx, variables):
                assigned = None
                if branch.assign_path is not None:
                    assigned = branch.assign_path.render(effective, ctx, variables, rt.rng)
                return Outcome(
                    self.apply_output_path(effective, ctx, variables), branch.next, assigned
                )
        if self.default is None:
            raise StateFailure("States.NoChoiceMatched", f"No Matches! at state '{self.name}'")
        assigned = None
        if self.assign_path is not None:
            assigned = self.assign_path.render(effective, ctx, variables, rt.rng)
        return Outcome(self.apply_output_path(effective, ctx, variables), self.default, assigned)


__all__ = ["ChoiceState"]
