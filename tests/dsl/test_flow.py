"""The builder compiles each state kind to the ASL the brief specifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import BaseModel

from orderflow import ServiceError, WorkflowBuildError
from orderflow.dsl import (
    FAIL,
    LAMBDA_INVOKE,
    Catch,
    CaughtError,
    Flow,
    Retry,
    Workflow,
    compile_workflow,
    contracts_for,
    eq,
    functions,
    gt,
    render,
    workflow,
)
from orderflow.runtime import Service


class Start(BaseModel):
    key: str
    amount: int
    lines: list[Line]


class Line(BaseModel):
    sku: str
    qty: int


Start.model_rebuild()


class LookupIn(BaseModel):
    key: str


class Account(BaseModel):
    key: str
    email: str
    vip: bool
    limit: int


class ChargeIn(BaseModel):
    key: str
    amount: int
    note: str = "-"


class Receipt(BaseModel):
    receipt_id: str
    amount: int


class LineIn(BaseModel):
    sku: str
    qty: int
    owner: str


class LineOut(BaseModel):
    sku: str
    held: int


class Declined(ServiceError):
    pass


class Flaky(ServiceError):
    pass


def _handler(request: Any, deps: Any) -> Any:  # never called: compilation only
    raise NotImplementedError


lookup: Service[LookupIn, Account] = Service("lookup", _handler, LookupIn, Account)
charge: Service[ChargeIn, Receipt] = Service(
    "charge", _handler, ChargeIn, Receipt, errors=(Declined, Flaky), retryable=(Flaky,)
)
hold: Service[LineIn, LineOut] = Service("hold", _handler, LineIn, LineOut)
echo: Service[Start, Start] = Service("echo", _handler, Start, Start)


def states_of(wf: Workflow[Any]) -> dict[str, Any]:
    return render(wf).states


def test_task_compiles_to_lambda_invoke_with_payload_selector_and_result_path() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    state = states_of(wf)["GetAccount"]
    assert state["Resource"] == LAMBDA_INVOKE
    assert state["Parameters"] == {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:orderflow-lookup",
        "Payload": {"key.$": "$.key"},
    }
    assert state["ResultSelector"] == {
        "key.$": "$.Payload.key",
        "email.$": "$.Payload.email",
        "vip.$": "$.Payload.vip",
        "limit.$": "$.Payload.limit",
    }
    assert state["ResultPath"] == "$.get_account"
    assert state["End"] is True


def test_references_walk_fields_and_literals_are_validated_and_embedded() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        account = flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)
        flow.task("Charge", charge, result_key="paid").call(
            ChargeIn, key=account.key, amount=account.limit, note="vip"
        )

    states = states_of(wf)
    assert states["GetAccount"]["Next"] == "Charge"
    assert states["Charge"]["Parameters"]["Payload"] == {
        "key.$": "$.get_account.key",
        "amount.$": "$.get_account.limit",
        "note": "vip",
    }
    assert states["Charge"]["ResultPath"] == "$.paid"


def test_arns_come_from_account_region_and_prefix() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    definition = render(wf, account="111122223333", region="eu-west-1", prefix="shop")
    arn = definition.states["GetAccount"]["Parameters"]["FunctionName"]
    assert arn == "arn:aws:lambda:eu-west-1:111122223333:function:shop-lookup"
    contracts = contracts_for(wf, account="111122223333", region="eu-west-1", prefix="shop")
    assert contracts[arn] == (LookupIn, Account)
    assert contracts["shop-lookup"] == (LookupIn, Account)
    assert [s.name for s in functions(wf)] == ["lookup"]
    compiled = compile_workflow(wf)
    assert compiled.tasks == {"GetAccount": lookup}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"account": "abc"}, "account"),
        ({"account": "1234567890123"}, "account"),
        ({"region": ""}, "region"),
        ({"region": "US-EAST-1"}, "region"),
        ({"region": "us-east-1/x"}, "region"),
        ({"prefix": "bad name!"}, "prefix"),
        ({"prefix": "a:b"}, "prefix"),
    ],
)
def test_bad_account_region_or_prefix_is_refused(options: dict[str, str], field: str) -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    with pytest.raises(WorkflowBuildError) as info:
        render(wf, **options)
    assert info.value.field == field
    assert repr(options[field]) in str(info.value)
    with pytest.raises(WorkflowBuildError):
        contracts_for(wf, **options)


def test_function_name_over_64_characters_is_refused_naming_the_state() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    prefix = "p" * (64 - len("-lookup"))
    assert (
        render(wf, prefix=prefix)
        .states["GetAccount"]["Parameters"]["FunctionName"]
        .endswith(f":function:{prefix}-lookup")
    )
    with pytest.raises(WorkflowBuildError) as info:
        render(wf, prefix=prefix + "p")
    assert info.value.state == "GetAccount" and info.value.field == "prefix"
    assert "65 characters" in str(info.value)


@pytest.mark.parametrize("region", ["us-gov-west-1", "cn-north-1", "ap-southeast-4"])
def test_every_region_shape_is_accepted(region: str) -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    arn = render(wf, region=region, prefix="").states["GetAccount"]["Parameters"]["FunctionName"]
    assert arn == f"arn:aws:lambda:{region}:123456789012:function:lookup"


def test_call_with_passes_a_whole_reference_as_the_payload() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("Echo", echo).call_with(flow.input)

    assert states_of(wf)["Echo"]["Parameters"]["Payload.$"] == "$"


def test_retry_and_catch_with_classes_strings_and_a_shared_handler() -> None:
    def give_up(flow: Flow[Start], error: CaughtError) -> None:
        flow.fail("Rejected", error=error.Error, cause=error.Cause)

    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        account = flow.task(
            "GetAccount",
            lookup,
            retry=[Retry(["Lambda.ServiceException"], max_attempts=2, jitter="FULL")],
            catch=[Catch(["States.Timeout"], then=give_up)],
            timeout_seconds=5,
        ).call(LookupIn, key=flow.input.key)
        flow.task(
            "Charge",
            charge,
            retry=[Retry([Flaky], interval_seconds=2, backoff_rate=1.5, max_delay_seconds=9)],
            catch=[Catch([Declined], then=give_up)],
        ).call(ChargeIn, key=account.key, amount=flow.input.amount)

    states = states_of(wf)
    assert states["GetAccount"]["Retry"] == [
        {"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2, "JitterStrategy": "FULL"}
    ]
    assert states["GetAccount"]["TimeoutSeconds"] == 5
    assert states["Charge"]["Retry"] == [
        {"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "BackoffRate": 1.5, "MaxDelaySeconds": 9}
    ]
    for name, errors in (("GetAccount", ["States.Timeout"]), ("Charge", ["Declined"])):
        assert states[name]["Catch"] == [
            {"ErrorEquals": errors, "ResultPath": "$.error", "Next": "Rejected"}
        ]
    assert states["Rejected"] == {
        "Type": "Fail",
        "ErrorPath": "$.error.Error",
        "CausePath": "$.error.Cause",
    }
    assert list(states) == ["GetAccount", "Charge", "Rejected"]


def test_retrying_a_declared_business_error_is_refused() -> None:
    for errors in ([Declined], ["States.ALL"], ["States.TaskFailed"]):

        @workflow("t", input_model=Start)
        def wf(flow: Flow[Start], errors: Any = errors) -> None:
            flow.task("Charge", charge, retry=[Retry(errors)]).call(
                ChargeIn, key=flow.input.key, amount=flow.input.amount
            )

        with pytest.raises(WorkflowBuildError, match="Declined") as info:
            render(wf)
        assert info.value.state == "Charge"


def test_states_all_must_stand_alone_and_come_last() -> None:
    @workflow("t", input_model=Start)
    def alone(flow: Flow[Start]) -> None:
        flow.task("A", lookup, retry=[Retry(["States.ALL", "X"])]).call(
            LookupIn, key=flow.input.key
        )

    @workflow("t", input_model=Start)
    def last(flow: Flow[Start]) -> None:
        flow.task(
            "A", lookup, catch=[Catch(["States.ALL"], then="B"), Catch(["X"], then="B")]
        ).call(LookupIn, key=flow.input.key)
        flow.succeed("B")

    with pytest.raises(WorkflowBuildError, match="stand alone"):
        render(alone)
    with pytest.raises(WorkflowBuildError, match="must be last"):
        render(last)


def test_parallel_branch_outputs_are_exactly_the_returned_values() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        account, receipt = flow.parallel(
            "Both",
            lambda b: b.task("GetAccount", lookup).call(LookupIn, key=flow.input.key),
            lambda b: b.task("Charge", charge).call(
                ChargeIn, key=flow.input.key, amount=flow.input.amount
            ),
        )
        flow.task("Again", charge).call(ChargeIn, key=account.email, amount=receipt.amount)

    states = states_of(wf)
    both = states["Both"]
    assert both["ResultPath"] == "$.both"
    first, second = both["Branches"]
    assert first["States"]["GetAccount"]["OutputPath"] == "$.get_account"
    assert first["States"]["GetAccount"]["End"] is True
    assert second["States"]["Charge"]["OutputPath"] == "$.charge"
    assert states["Again"]["Parameters"]["Payload"] == {
        "key.$": "$.both[0].email",
        "amount.$": "$.both[1].amount",
    }


def test_parallel_branch_may_return_an_outer_reference_or_a_field() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        (key,) = flow.parallel(
            "One",
            lambda b: b.task("GetAccount", lookup).call(LookupIn, key=flow.input.key).email,
        )
        flow.task("Use", lookup).call(LookupIn, key=key)

    states = states_of(wf)
    assert states["One"]["Branches"][0]["States"]["GetAccount"]["OutputPath"] == (
        "$.get_account.email"
    )
    assert states["Use"]["Parameters"]["Payload"] == {"key.$": "$.one[0]"}


def test_map_imports_outer_references_through_the_item_selector() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        held = flow.map(
            "HoldEach",
            flow.input.lines,
            lambda body, line: body.task("Hold", hold).call(
                LineIn, sku=line.sku, qty=line.qty, owner=flow.input.key
            ),
            max_concurrency=2,
        )
        flow.task("First", lookup).call(LookupIn, key=held[0].sku)

    states = states_of(wf)
    each = states["HoldEach"]
    assert each["ItemsPath"] == "$.lines"
    assert each["MaxConcurrency"] == 2
    assert each["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "outer_key.$": "$.key"}
    body = each["ItemProcessor"]
    assert body["ProcessorConfig"] == {"Mode": "INLINE"}
    assert body["States"]["Hold"]["Parameters"]["Payload"] == {
        "sku.$": "$.item.sku",
        "qty.$": "$.item.qty",
        "owner.$": "$.outer_key",
    }
    assert body["States"]["Hold"]["OutputPath"] == "$.hold"
    assert each["ResultPath"] == "$.hold_each"
    assert states["First"]["Parameters"]["Payload"] == {"key.$": "$.hold_each[0].sku"}


def test_choice_branches_rejoin_and_pick_operators_by_annotation() -> None:
    def big(flow: Flow[Start]) -> None:
        flow.wait("Cool", seconds=5)

    def vip(flow: Flow[Start]) -> None:
        flow.fail("NoVip", error="Vip", cause="vip accounts are handled by hand")

    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        account = flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)
        flow.choice(
            "Route",
            [(eq(account.vip, True), vip), (gt(flow.input.amount, account.limit), big)],
            otherwise=lambda f: f.pass_("Note").call(LookupIn, key=account.email),
        )
        flow.succeed("Done")

    states = states_of(wf)
    route = states["Route"]
    assert route["Choices"] == [
        {"Variable": "$.get_account.vip", "BooleanEquals": True, "Next": "NoVip"},
        {"Variable": "$.amount", "NumericGreaterThanPath": "$.get_account.limit", "Next": "Cool"},
    ]
    assert route["Default"] == "Note"
    assert states["Cool"] == {"Type": "Wait", "Seconds": 5, "Next": "Done"}
    assert states["Note"] == {
        "Type": "Pass",
        "Parameters": {"key.$": "$.get_account.email"},
        "ResultPath": "$.note",
        "Next": "Done",
    }
    assert states["NoVip"]["Type"] == "Fail" and "Next" not in states["NoVip"]
    assert states["Done"] == {"Type": "Succeed"}


def test_empty_choice_branch_at_the_end_gets_a_state_to_end_in() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.choice("Route", [(gt(flow.input.amount, 5), lambda f: None)], otherwise=FAIL)

    states = states_of(wf)
    assert states["Route"]["Choices"][0]["Next"] == "Route Done"
    assert states["Route Done"] == {"Type": "Pass", "End": True}


def test_wait_timestamp_reference_succeed_output_and_raw_states() -> None:
    class When(BaseModel):
        at: dt.datetime
        key: str

    @workflow("t", input_model=When)
    def wf(flow: Flow[When]) -> None:
        flow.wait("Until", timestamp=flow.input.at)
        flow.wait("Fixed", timestamp=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        flow.raw("Tag", {"Type": "Pass", "Result": {"tag": 1}, "ResultPath": "$.tag"})
        flow.succeed("Out", output=flow.input.key)

    states = states_of(wf)
    assert states["Until"] == {"Type": "Wait", "TimestampPath": "$.at", "Next": "Fixed"}
    assert states["Fixed"]["Timestamp"] == "2030-01-01T00:00:00Z"
    assert states["Tag"] == {
        "Type": "Pass",
        "Result": {"tag": 1},
        "ResultPath": "$.tag",
        "Next": "Out",
    }
    assert states["Out"] == {"Type": "Succeed", "OutputPath": "$.key"}


def test_workflow_class_and_decorator_build_the_same_definition() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    by_class = Workflow("t", Start, build, comment="c", timeout_seconds=60)
    by_decorator = workflow("t", input_model=Start, comment="c", timeout_seconds=60)(build)
    assert render(by_class) == render(by_decorator)
    assert render(by_class).data["TimeoutSeconds"] == 60
    assert render(by_class).data["Comment"] == "c"


def test_rendering_is_deterministic() -> None:
    def build(flow: Flow[Start]) -> None:
        flow.task("GetAccount", lookup).call(LookupIn, key=flow.input.key)

    first = render(Workflow("t", Start, build)).to_json()
    assert first == render(Workflow("t", Start, build)).to_json()


def test_a_task_never_given_its_payload_is_an_error_not_silently_dropped() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        flow.task("Forgotten", lookup)

    with pytest.raises(WorkflowBuildError, match=r"never added.*\.call") as info:
        render(wf)
    assert info.value.state == "Forgotten"


def test_a_branch_ending_in_a_choice_gives_every_exit_the_branch_output() -> None:
    @workflow("t", input_model=Start)
    def wf(flow: Flow[Start]) -> None:
        def branch(b: Flow[Start]) -> Start:
            b.choice(
                "Big",
                [(gt(flow.input.amount, 10), lambda f: f.wait("Slow", seconds=1))],
                otherwise=lambda f: None,
            )
            return flow.input

        flow.parallel("P", branch)

    branch = states_of(wf)["P"]["Branches"][0]["States"]
    assert branch["Slow"] == {"Type": "Wait", "Seconds": 1, "OutputPath": "$", "End": True}
    assert branch["Big"]["Default"] == "Big Done"
    assert branch["Big Done"] == {"Type": "Pass", "OutputPath": "$", "End": True}


def test_nested_maps_import_outer_values_level_by_level() -> None:
    class Grid(BaseModel):
        key: str
        rows: list[list[Line]]

    @workflow("t", input_model=Grid)
    def wf(flow: Flow[Grid]) -> None:
        def row(outer: Flow[Grid], cells: list[Line]) -> list[LineOut]:
            return outer.map(
                "Cells",
                cells,
                lambda inner, cell: inner.task("Hold", hold).call(
                    LineIn, sku=cell.sku, qty=cell.qty, owner=flow.input.key
                ),
            )

        flow.map("EachRow", flow.input.rows, row)

    rows = states_of(wf)["EachRow"]
    assert rows["ItemSelector"] == {"item.$": "$$.Map.Item.Value", "outer_key.$": "$.key"}
    cells = rows["ItemProcessor"]["States"]["Cells"]
    assert cells["ItemsPath"] == "$.item"
    assert cells["ItemSelector"] == {
        "item.$": "$$.Map.Item.Value",
        "outer_outer_key.$": "$.outer_key",
    }
    hold_state = cells["ItemProcessor"]["States"]["Hold"]
    assert hold_state["Parameters"]["Payload"]["owner.$"] == "$.outer_outer_key"
    assert rows["ItemProcessor"]["States"]["Cells"]["OutputPath"] == "$.cells"
