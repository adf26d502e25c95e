"""The travel example (examples/travel) works through the CLI as a user's own project would.

Every command runs in a subprocess started in the example's directory, so the app is found
the way a user's is: through ``[tool.orderflow] app = "travel.app:app"`` in the example's
pyproject.toml. The example's package is importable through ``PYTHONPATH`` (its ``src``),
as ``pip install -e examples/travel`` would make it, without building a venv per run.
Deploy and destroy run against moto's server on 127.0.0.1 with dummy credentials.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

import boto3
import pytest

from .._aws import REGION, reset_moto

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "travel"
GOLDEN = EXAMPLE / "golden"
REGENERATE = os.environ.get("ORDERFLOW_REGEN_GOLDEN") == "1"
SERVICES = (
    "validate-trip",
    "reserve-flight",
    "reserve-hotel",
    "reserve-car",
    "price-trip",
    "charge-card",
    "send-itinerary",
    "cancel-flight",
    "cancel-hotel",
    "cancel-car",
)
TABLES = ("flights", "hotels", "cars", "cards", "bookings", "payments", "itineraries")
CANCELS = ("> CancelCar (Task)", "> CancelFlight (Task)", "> CancelHotel (Task)")


@pytest.fixture(scope="module")
def sample_trip() -> dict[str, Any]:
    """The example's own sample trip, read from its package in a subprocess."""
    code = "import json; from travel.data import SAMPLE_TRIP; print(json.dumps(SAMPLE_TRIP))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=EXAMPLE,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    trip: dict[str, Any] = json.loads(result.stdout)
    return trip


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(EXAMPLE / "src")
    env.pop("ORDERFLOW_DEBUG", None)
    return env


def _orderflow(*args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """``orderflow ARGS`` run from the example's directory."""
    return subprocess.run(
        [sys.executable, "-m", "orderflow", *args],
        cwd=EXAMPLE,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _in_order(text: str, *needles: str) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} not found after offset {position} in:\n{text}"
        position = found + len(needle)


def _compensated(trace: str, after: str) -> None:
    """``after``, then the Compensate Parallel running every cancellation (its branches in
    whatever order they interleave), then the TripFailed state."""
    start = trace.index(after)
    compensate = trace.index("> Compensate (Parallel)", start)
    failed = trace.index("> TripFailed (Fail)", compensate)
    for cancel in CANCELS:
        assert compensate < trace.index(cancel, compensate) < failed, (cancel, trace)


def _clean_failure(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "internal error" not in result.stderr, result.stderr


# --- render / check ----------------------------------------------------------------------------


def test_render_finds_the_app_through_pyproject_and_names_functions_after_it() -> None:
    result = _orderflow("render")
    assert result.returncode == 0, result.stderr
    definition = json.loads(result.stdout)
    states = definition["States"]
    assert definition["StartAt"] == "ValidateTrip"
    book = states["BookTravel"]
    assert book["Type"] == "Parallel"
    branch_states = [branch["States"] for branch in book["Branches"]]
    assert any(s.get("ReserveHotels", {}).get("Type") == "Map" for s in branch_states)
    assert any(s.get("CarWanted", {}).get("Type") == "Choice" for s in branch_states)
    assert states["TripFailed"]["Type"] == "Fail"
    functions = set(re.findall(r"function:([a-z0-9-]+)", result.stdout))
    assert functions == {f"travel-{name}" for name in SERVICES}


@pytest.mark.parametrize(("fmt", "filename"), [("asl", "trip.asl.json"), ("mermaid", "trip.mmd")])
def test_render_matches_the_examples_golden_files(fmt: str, filename: str) -> None:
    result = _orderflow("render", "--format", fmt)
    assert result.returncode == 0, result.stderr
    for state in ("ValidateTrip", "BookTravel", "ChargeCard", "Compensate", "TripFailed"):
        assert state in result.stdout
    path = GOLDEN / filename
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with ORDERFLOW_REGEN_GOLDEN=1 to create it"
    assert result.stdout == path.read_text(encoding="utf-8"), (
        f"{filename} changed; if intended, regenerate with ORDERFLOW_REGEN_GOLDEN=1"
    )


def test_check_finds_no_problem_in_the_trip_workflow() -> None:
    result = _orderflow("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "travel:trip: no problems found" in result.stdout + result.stderr


# --- run ---------------------------------------------------------------------------------------


def test_run_books_the_sample_trip_end_to_end() -> None:
    result = _orderflow("run", "--trace")
    assert result.returncode == 0, result.stderr
    itinerary = json.loads(result.stdout)
    assert itinerary["to"] == "ada@example.com"
    assert "Charged EUR 889.00 to card tok_visa_ada" in "\n".join(itinerary["lines"])
    trace = result.stderr
    _in_order(
        trace,
        "> ValidateTrip (Task)",
        "> BookTravel (Parallel)",
        "< BookTravel",
        "> ChargeCard (Task)",
        "> SendItinerary (Task)",
        "> TripBooked (Succeed)",
        "SUCCEEDED",
    )
    for state in ("> ReserveFlight", "> ReserveCar", "call invoke travel-reserve-hotel"):
        assert state in trace
    assert trace.count("> ReserveHotel (Task)") == 2  # the Map: one per city
    assert "> Compensate" not in trace


def test_a_gateway_that_never_answers_is_retried_then_everything_is_cancelled() -> None:
    result = _orderflow("run", "--trace", "--fail", "charge-card=1")
    assert result.returncode == 1, result.stderr
    _clean_failure(result)
    assert result.stdout == ""
    _in_order(
        result.stderr,
        "> ChargeCard (Task)",
        "failed CardGatewayTimeout",
        "retry #3",
        "< ChargeCard",
        "> TripFailed (Fail)",
        "execution FAILED: CardGatewayTimeout",
    )
    _compensated(result.stderr, after="< ChargeCard")
    assert result.stderr.count("> CancelHotel (Task)") == 2  # one per stay


def test_a_declined_card_runs_the_compensations_and_fails(
    tmp_path: Path, sample_trip: dict[str, Any]
) -> None:
    trip = {**sample_trip, "request_id": "trip-declined", "card_token": "tok_small_limit"}
    path = tmp_path / "declined.json"
    path.write_text(json.dumps(trip))
    result = _orderflow("run", "--trace", "--input", f"@{path}")
    assert result.returncode == 1, result.stderr
    _clean_failure(result)
    _in_order(
        result.stderr,
        "> ChargeCard (Task)",
        "failed CardDeclined",
        "> TripFailed (Fail)",
        "execution FAILED: CardDeclined",
        "above the card's limit",
    )
    _compensated(result.stderr, after="failed CardDeclined")
    assert "retry #" not in result.stderr  # a business error is never retried


def test_a_full_flight_cancels_the_hotels_it_had_booked(sample_trip: dict[str, Any]) -> None:
    trip = {
        **sample_trip,
        "party_size": 3,
        "flight": {"origin": "LIS", "destination": "OPO", "departure_date": "2027-05-03"},
        "stays": [{"city": "Porto", "check_in": "2027-05-03", "nights": 2}],
        "car_days": 0,
    }
    result = _orderflow("run", "--trace", "--input", json.dumps(trip))
    assert result.returncode == 1, result.stderr
    _compensated(result.stderr, after="failed NoSeatsAvailable")
    assert "> ReserveCar" not in result.stderr  # car_days 0: the Choice skips it


def test_an_input_missing_a_field_exits_2_naming_the_field(sample_trip: dict[str, Any]) -> None:
    trip = {k: v for k, v in sample_trip.items() if k != "card_token"}
    result = _orderflow("run", "--input", json.dumps(trip))
    assert result.returncode == 2, result.stdout + result.stderr
    _clean_failure(result)
    assert "card_token" in result.stderr
    assert "TripRequest" in result.stderr


def test_fail_names_only_services_of_the_app() -> None:
    result = _orderflow("run", "--fail", "authorize-payment=1")
    assert result.returncode == 2, result.stderr
    _clean_failure(result)
    assert "authorize-payment" in result.stderr
    assert "charge-card" in result.stderr  # the known names are listed


# --- the example's own tests -------------------------------------------------------------------


def test_the_examples_own_tests_pass_through_the_plugin(tmp_path: Path) -> None:
    project = tmp_path / "travel"
    shutil.copytree(
        EXAMPLE,
        project,
        ignore=shutil.ignore_patterns(
            "__pycache__", ".*cache*", ".hypothesis", "*.egg-info", "build"
        ),
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-vv", "-p", "no:randomly"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    out = result.stdout
    for test_id in (
        "test_contracts.py::test_workflow[trip] PASSED",
        "test_contracts.py::test_edge[trip:ReserveHotel->PriceTrip] PASSED",
        "test_contracts.py::test_edge[trip:PriceTrip->ChargeCard] PASSED",
        "test_contracts.py::test_contract[charge-card.input] PASSED",
        "test_contracts.py::test_provider[cancel-hotel] PASSED",
        "test_workflow.py::test_a_declined_card_cancels_every_booking_then_fails PASSED",
    ):
        assert test_id in out, out[-6000:]
    for service in SERVICES:
        assert f"test_provider[{service}] PASSED" in out


# --- deploy to moto ----------------------------------------------------------------------------


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@pytest.fixture(scope="session")
def stand_in_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel cache with a tiny stand-in wheel for every installed distribution, so deploy
    runs offline (``--no-download``) whatever the Lambda packages turn out to need."""
    directory = tmp_path_factory.mktemp("travel-wheels")
    for dist in distributions():
        name, version = dist.metadata["Name"], dist.version
        if not name:
            continue
        path = directory / f"{_normalised(name)}-{version}-py3-none-any.whl"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"{_normalised(name)}_stand_in.txt", f"{name}=={version}\n")
    return directory


@pytest.fixture
def moto(moto_server_url: str, aws_test_env: dict[str, str]) -> Iterator[str]:
    """moto's server, reset; the environment holds dummy credentials only."""
    reset_moto(moto_server_url)
    yield moto_server_url
    reset_moto(moto_server_url)


def _client(url: str, service: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=url)


def _stack(url: str) -> dict[str, set[str]]:
    """Every resource of the kinds deploy makes, by name, as moto lists them."""
    lambdas = _client(url, "lambda").list_functions()["Functions"]
    tables = _client(url, "dynamodb").list_tables()["TableNames"]
    roles = _client(url, "iam").list_roles()["Roles"]
    machines = _client(url, "stepfunctions").list_state_machines()["stateMachines"]
    rules = _client(url, "events").list_rules()["Rules"]
    logs = _client(url, "logs").describe_log_groups(logGroupNamePrefix="/aws/vendedlogs/")
    return {
        "functions": {f["FunctionName"] for f in lambdas},
        "tables": set(tables),
        "roles": {r["RoleName"] for r in roles if r["Path"].startswith("/orderflow/")},
        "role paths": {r["Path"] for r in roles},
        "machines": {m["name"] for m in machines},
        "rules": {r["Name"] for r in rules},
        "log groups": {g["logGroupName"] for g in logs["logGroups"]},
    }


@pytest.mark.moto
def test_deploy_creates_the_travel_stack_then_no_changes_then_destroy_leaves_nothing(
    moto: str, stand_in_wheels: Path, sample_trip: dict[str, Any]
) -> None:
    connection = ["--endpoint-url", moto, "--region", REGION]
    wheels = ["--wheel-dir", str(stand_in_wheels), "--no-download"]

    first = _orderflow("deploy", *connection, *wheels, "--seed-sample-data")
    assert first.returncode == 0, first.stdout + first.stderr
    stack = _stack(moto)
    assert stack["functions"] == {f"travel-{name}" for name in SERVICES}
    assert stack["tables"] == {f"travel-{table}" for table in TABLES}
    assert stack["machines"] == {"travel-trip"}
    assert stack["rules"] == {"travel-trip-trip-requested"}
    assert stack["role paths"] == {"/orderflow/travel/"}
    assert stack["roles"] and all(role.startswith("travel-") for role in stack["roles"])
    assert stack["log groups"] == {"/aws/vendedlogs/states/travel-trip"}

    # Each function runs its own service from the example's package, on its own tables.
    functions = _client(moto, "lambda")
    charge = functions.get_function(FunctionName="travel-charge-card")["Configuration"]
    variables = charge["Environment"]["Variables"]
    assert "travel.payments:charge_card" in variables.values()
    assert json.loads(variables["ORDERFLOW_TABLES"]) == {
        "cards": "card_token",
        "payments": "payment_id",
    }
    cancel = functions.get_function(FunctionName="travel-cancel-car")["Configuration"]
    assert cancel["CodeSha256"] != charge["CodeSha256"]

    events = _client(moto, "events")
    rule = events.describe_rule(Name="travel-trip-trip-requested")
    assert json.loads(rule["EventPattern"]) == {
        "source": ["travel.bookings"],
        "detail-type": ["Trip Requested"],
    }
    (target,) = events.list_targets_by_rule(Rule="travel-trip-trip-requested")["Targets"]
    assert target["Arn"].endswith(":stateMachine:travel-trip")
    assert target["InputPath"] == "$.detail"
    flights = _client(moto, "dynamodb").scan(TableName="travel-flights")["Items"]
    assert len(flights) == 5  # the app's seed data

    # The execution commands find the app's machine by themselves. (send-event is left out:
    # moto cannot deliver a matching event to a Step Functions target.)
    started = _orderflow(
        "start-execution", *connection, "--input", json.dumps(sample_trip), "--name", "trip-1"
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().endswith(":execution:travel-trip:trip-1")
    listed = _orderflow("executions", *connection, "--json")
    assert listed.returncode == 0, listed.stderr
    assert "trip-1" in listed.stdout

    second = _orderflow("deploy", *connection, *wheels)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "no changes" in (second.stdout + second.stderr).lower()
    assert _stack(moto) == stack

    gone = _orderflow("destroy", *connection)
    assert gone.returncode == 0, gone.stdout + gone.stderr
    assert _stack(moto) == {
        "functions": set(),
        "tables": set(),
        "roles": set(),
        "role paths": set(),
        "machines": set(),
        "rules": set(),
        "log groups": set(),
    }
