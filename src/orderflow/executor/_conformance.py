"""Run the executor against executions recorded on real AWS and count the agreements.

The corpus (``../shared/conformance/executions`` next to the repository) holds executions
AWS really ran: definition, input, the Lambda calls AWS made and the final status, output
or error and cause. Each in-scope case (no service but Lambda, a terminal status) is run
locally with its Lambda calls replayed, and the outcome compared with AWS's, treating the
recording's normalised placeholders (``<uuid:1>``, ``date``, ``<ArnPart_0idx>``…) as
wildcards.

Run ``python -m orderflow.executor._conformance`` (or ``benchmarks/conformance_report.py``)
for a report by category.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from orderflow._errors import OrderflowError, TaskFailure
from orderflow._progress import Progress
from orderflow.asl import JSON
from orderflow.executor._clock import DEFAULT_START, VirtualClock
from orderflow.executor._execution import start_execution
from orderflow.executor._lambda import LambdaFunctionError
from orderflow.executor._timestamps import parse_timestamp

IN_SCOPE_NEEDS = ("none", "lambda")
TERMINAL = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")

# Values the recording replaced wholesale: any value matches them.
_WHOLE_VALUE = frozenset(
    {
        "date",
        "timestamp",
        "datetime",
        "RequestId",
        "x-amzn-RequestId",
        "X-Amzn-Trace-Id",
        "x-amz-crc32",
        "snf_role_arn",
        "sfn_role_arn",
        "start-time",
        "entered-time",
        "<omitted>",
    }
)
_TOKEN = re.compile(r"<[A-Za-z][A-Za-z0-9_:-]*>")
_DATE = re.compile(r"(?<![A-Za-z])date(?![A-Za-z])")
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})")


def corpus_root() -> Path:
    """Where the shared corpus lives, relative to the repository root."""
    return Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance"


@dataclass(frozen=True)
class Case:
    """One recorded execution."""

    name: str
    category: str
    data: dict[str, Any]

    @property
    def expected(self) -> dict[str, Any]:
        result: dict[str, Any] = self.data["expected"]
        return result

    @property
    def has_placeholders(self) -> bool:
        return bool(_TOKEN.search(json.dumps(self.expected)))


def load_cases(root: Path | None = None) -> list[Case]:
    """Every in-scope case: needs no service but Lambda, and AWS recorded an end."""
    base = (root or corpus_root()) / "executions"
    cases: list[Case] = []
    for path in sorted(base.glob("*/*.json")):
        if path.name == "index.json":
            continue
        data = json.loads(path.read_text())
        if data.get("needs") not in IN_SCOPE_NEEDS:
            continue
        if data.get("expected", {}).get("status") not in TERMINAL:
            continue
        cases.append(Case(path.stem, path.parent.name, data))
    return cases


# --- comparing with wildcards -------------------------------------------------------


@lru_cache(maxsize=4096)
def _pattern(expected: str) -> re.Pattern[str]:
    parts: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(expected):
        parts.append(re.escape(expected[pos : match.start()]))
        parts.append("(?:.+?)" if match.group() != "<partition>" else "aws[a-z-]*")
        pos = match.end()
    parts.append(re.escape(expected[pos:]))
    text = "".join(parts).replace("111111111111", r"\d{12}")
    # ISO timestamps anywhere were rewritten to "date".
    text = re.sub(r"(?<![A-Za-z])date(?![A-Za-z])", lambda _: f"(?:date|{_ISO.pattern})", text)
    return re.compile(text, re.DOTALL)


def _parse_json_text(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return None


# Per-test tokens the recording put in place of random numbers (States.MathRandom,
# $randomSeeded): they stand for any number.
_RANDOM_NUMBER = "RandomNumberGenerated"


def matches(expected: JSON, actual: JSON, *, loose_length: bool = False) -> bool:
    """Whether ``actual`` agrees with the recorded ``expected`` (placeholders are wildcards).

    ``loose_length`` lets ``Content-Length`` headers differ: set for a Lambda response
    whose recorded payload holds placeholders, since the recording replaced names with
    tokens of another length and the true byte count cannot be rebuilt.
    """
    if isinstance(expected, str):
        if expected in _WHOLE_VALUE:
            return True
        if expected == _RANDOM_NUMBER:
            return isinstance(actual, (int, float)) and not isinstance(actual, bool)
        if isinstance(actual, str):
            if expected == actual:
                return True
            if _TOKEN.search(expected) or "111111111111" in expected or _DATE.search(expected):
                return _pattern(expected).fullmatch(actual) is not None
            return False
        return False
    if isinstance(expected, bool) or expected is None:
        return actual is expected
    if isinstance(expected, (int, float)):
        return (
            not isinstance(actual, bool) and isinstance(actual, (int, float)) and expected == actual
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(
                matches(e, a, loose_length=loose_length)
                for e, a in zip(expected, actual, strict=True)
            )
        )
    if isinstance(expected, dict):
        if isinstance(actual, str) and actual.startswith("{"):
            # The recording parsed JSON text that starts with "{" into objects.
            actual = _parse_json_text(actual)
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return False
        if "Payload" in expected and "SdkHttpMetadata" in expected:
            loose_length = loose_length or bool(_TOKEN.search(json.dumps(expected["Payload"])))
        for key, value in expected.items():
            if loose_length and key == "Content-Length":
                if not _digits(value) or not _digits(actual[key]):
                    return False
            elif not matches(value, actual[key], loose_length=loose_length):
                return False
        return True
    return False


def _digits(value: JSON) -> bool:
    if isinstance(value, list):
        return len(value) == 1 and _digits(value[0])
    return isinstance(value, str) and value.isdigit()


# --- replaying Lambda -----------------------------------------------------------------


_RAISE_EXCEPTION_TRACE = (
    '  File "/var/task/handler.py", line 2, in handler\n'
    '    raise Exception("Some exception was raised.")\n'
)


def _emulate(handler_file: str, payload: JSON, request_id: str) -> Any:
    """The corpus README's description of its Lambda functions, for cases (EXPRESS sync
    runs) whose recording holds no calls to replay."""
    name = handler_file.rsplit("/", 1)[-1].removesuffix(".py")
    if name == "id_function":
        return payload
    if name == "echo_function":
        return {"Return": "HelloWorld"}
    if name == "return_bytes_str":
        return b"HelloWorld!"
    if name == "raise_exception":
        raise LambdaFunctionError(
            "Exception",
            {
                "errorMessage": "Some exception was raised.",
                "errorType": "Exception",
                "requestId": request_id,
                "stackTrace": [_RAISE_EXCEPTION_TRACE],
            },
        )
    raise LookupError(f"no recorded call and no known behaviour for {handler_file}")


class Replay:
    """Answers Lambda calls with the recorded results: by payload first, then by order."""

    def __init__(
        self,
        calls: Sequence[dict[str, Any]],
        clock: VirtualClock,
        functions: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.calls = list(calls)
        self.used = [False] * len(self.calls)
        self.clock = clock
        self.functions = list(functions)
        self.emulated = 0

    @staticmethod
    def _payload(call: dict[str, Any]) -> JSON:
        if "parameters" in call:
            params = call["parameters"]
            return params.get("Payload") if isinstance(params, dict) else None
        return call.get("input")

    def _pick(self, payload: JSON) -> dict[str, Any]:
        for i, call in enumerate(self.calls):
            if not self.used[i] and matches(self._payload(call), payload):
                self.used[i] = True
                return call
        for i, call in enumerate(self.calls):
            if not self.used[i]:
                self.used[i] = True
                return call
        raise LookupError("more Lambda calls than the recording holds")

    def __call__(self, name: str, payload: JSON) -> Any:
        if not self.calls and len(self.functions) == 1:
            self.emulated += 1
            return _emulate(self.functions[0]["handler_file"], payload, f"request-{self.emulated}")
        call = self._pick(payload)
        event = call.get("event", "")
        if event.endswith("TimedOut"):
            # The function outlived the task's timeout; let that time pass.
            self.clock.sleep(10**7)
            return {}
        if "error" in call and "output" not in call:
            cause = call.get("cause")
            if isinstance(cause, dict):
                # The recording parsed the function's error object; hand it back as one.
                raise LambdaFunctionError(call["error"], cause)
            raise TaskFailure(call["error"], cause)
        output = call.get("output")
        if "parameters" in call and isinstance(output, dict) and "Payload" in output:
            return output["Payload"]
        return output


# --- running --------------------------------------------------------------------------

_ARN_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_-]+)>")


def denormalise(definition: JSON) -> JSON:
    """The definition with the recording's placeholder tokens inside ARNs made concrete.

    The recording wrote ``function:<lambda_function_name>`` where AWS saw a real name; a
    token's own text without its brackets is a value of the right form, so AWS (and the
    validator, which the executor runs first) accepts it. This is exactly the
    normalisation ``tests/validation/test_corpus.py`` applies before validating the same
    definitions (it calls this function); replayed calls are matched by payload and order,
    not by name.
    """
    if isinstance(definition, dict):
        return {key: denormalise(value) for key, value in definition.items()}
    if isinstance(definition, list):
        return [denormalise(value) for value in definition]
    if isinstance(definition, str) and definition.startswith("arn:"):
        return _ARN_PLACEHOLDER.sub(lambda m: m.group(1), definition)
    return definition


@dataclass
class Result:
    """The outcome of one case."""

    case: Case
    passed: bool
    status: str = ""
    detail: str = ""
    history_matches: bool | None = None
    """Whether the event types equal AWS's recorded ones, in order (None: nothing recorded)."""


def _recorded_now(value: Any) -> datetime:
    """When the recorded test built its input, as far as the input tells.

    Some tests build input timestamps from their own clock ("wait until now"), and the
    corpus keeps those values. Starting the virtual clock at the fixed default would put
    such a wait years ahead, past AWS's one-year limit on a Standard execution. The latest
    timestamp in the input that is already past by the wall clock was "now" (or earlier)
    for the test; later ones (built as now plus a long delay) give no hint, and an input
    without timestamps runs from the default start.
    """
    wall = datetime.now(UTC)
    found: list[datetime] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            moment = parse_timestamp(item)
            if moment is not None and moment <= wall:
                found.append(moment)
    return max(found) if found else DEFAULT_START


def run_case(case: Case) -> Result:
    """Run one recorded case and compare it with AWS's outcome."""
    data = case.data
    clock = VirtualClock(_recorded_now(data.get("input")))
    replay = Replay(data.get("service_calls") or [], clock, data.get("lambda_functions") or ())
    try:
        execution = start_execution(
            denormalise(data["definition"]),
            data.get("input"),
            lambda_handler=replay,
            state_machine_type=data.get("state_machine_type", "STANDARD"),
            clock=clock,
            account="111111111111",
            record_history=True,
        )
    except (OrderflowError, LookupError) as exc:
        return Result(case, False, "ERROR", f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a crash in the executor is a failed case, reported with its place
        import traceback

        where = traceback.extract_tb(exc.__traceback__)[-1]
        return Result(
            case, False, "CRASH", f"{type(exc).__name__}: {exc} at {where.filename}:{where.lineno}"
        )
    recorded = data.get("history")
    history_matches = (
        [event["type"] for event in recorded] == execution.history_types if recorded else None
    )
    result = _compare(case, execution.status, execution.output, execution.error, execution.cause)
    result.history_matches = history_matches
    return result


def _compare(case: Case, status: str, output: JSON, error: str | None, cause: str | None) -> Result:
    expected = case.expected
    if status != expected["status"]:
        return Result(
            case,
            False,
            status,
            f"status {status} != {expected['status']}: {error} {cause}",
        )
    if status == "SUCCEEDED" and not matches(expected.get("output"), output):
        return Result(
            case,
            False,
            status,
            f"output {json.dumps(output)[:300]} != {json.dumps(expected.get('output'))[:300]}",
        )
    if status == "FAILED":
        for key, actual in (("error", error), ("cause", cause)):
            want = expected.get(key)
            if not (
                matches(want, actual)
                or (isinstance(want, dict) and matches(want, _parse_json_text(actual or "")))
            ):
                return Result(case, False, status, f"{key} {actual!r} != {want!r}")
    return Result(case, True, status)


@dataclass
class Report:
    """Pass counts overall and by category."""

    results: list[Result] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def total(self) -> int:
        return len(self.results)

    def by_category(self) -> dict[str, tuple[int, int]]:
        totals: Counter[str] = Counter()
        passes: Counter[str] = Counter()
        for r in self.results:
            totals[r.case.category] += 1
            passes[r.case.category] += r.passed
        return {c: (passes[c], totals[c]) for c in sorted(totals)}

    def failures(self) -> Iterator[Result]:
        return (r for r in self.results if not r.passed)

    def render(self, *, verbose: bool = False) -> str:
        lines = [f"{'category':<22}{'passed':>8}{'total':>8}{'rate':>9}"]
        for category, (passed, total) in self.by_category().items():
            lines.append(f"{category:<22}{passed:>8}{total:>8}{100 * passed / total:>8.1f}%")
        with_tokens = [r for r in self.results if r.case.has_placeholders]
        rate = 100 * self.passed / max(self.total, 1)
        lines.append(f"{'ALL':<22}{self.passed:>8}{self.total:>8}{rate:>8.1f}%")
        lines.append(
            f"(cases whose expected values hold placeholders: {sum(r.passed for r in with_tokens)}"
            f"/{len(with_tokens)} passed; ran in {self.seconds:.1f}s)"
        )
        histories = [r.history_matches for r in self.results if r.history_matches is not None]
        lines.append(
            f"(history event types equal to AWS's, in order: {sum(histories)}/{len(histories)} "
            "recorded histories; the recording sorts and renumbers events inside Parallel states)"
        )
        if verbose:
            for r in self.failures():
                lines.append(f"FAIL {r.case.category}/{r.case.name}: {r.detail}")
        return "\n".join(lines)


def run_corpus(root: Path | None = None, *, only: str | None = None) -> Report:
    """Run every in-scope case (optionally only those whose name contains ``only``)."""
    started = time.perf_counter()
    report = Report()
    cases = [c for c in load_cases(root) if not only or only in f"{c.category}/{c.name}"]
    # A counter on stderr when it is a terminal; nothing in logs or under pytest.
    with Progress("conformance cases", total=len(cases)) as progress:
        for case in cases:
            report.results.append(run_case(case))
            progress.advance()
    report.seconds = time.perf_counter() - started
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Print pass counts by category; ``-v`` lists every failure, ``-k TEXT`` filters."""
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    only = args[args.index("-k") + 1] if "-k" in args else None
    root = corpus_root()
    if not (root / "executions").is_dir():
        print(f"conformance corpus not found at {root}", file=sys.stderr)
        return 2
    print(run_corpus(root, only=only).render(verbose=verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "Case",
    "Replay",
    "Report",
    "Result",
    "corpus_root",
    "denormalise",
    "load_cases",
    "main",
    "matches",
    "run_case",
    "run_corpus",
]
