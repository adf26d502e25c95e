"""Progress on a terminal only: the counter, its throttling, and a big Map in a real run."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from orderflow._progress import MapProgress, Progress, progress_of_maps
from orderflow.cli import main
from orderflow.executor import start_execution


class Terminal(io.StringIO):
    """A stream that says it is a TTY."""

    def isatty(self) -> bool:
        return True


BIG_MAP = {
    "StartAt": "Each",
    "States": {
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Inner",
                "States": {
                    "Inner": {
                        "Type": "Map",
                        "ItemsPath": "$.pair",
                        "ItemProcessor": {
                            "ProcessorConfig": {"Mode": "INLINE"},
                            "StartAt": "Keep",
                            "States": {"Keep": {"Type": "Pass", "End": True}},
                        },
                        "End": True,
                    }
                },
            },
            "End": True,
        }
    },
}


def _input(count: int) -> dict[str, object]:
    return {"items": [{"pair": [i, i]} for i in range(count)]}


def test_nothing_is_drawn_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with Progress("work", total=3, stream=stream) as progress:
        for _ in range(3):
            progress.advance()
    assert progress.done == 3
    assert stream.getvalue() == ""


def test_redraws_are_throttled_and_the_last_count_is_drawn() -> None:
    stream = Terminal()
    ticks = iter([0.0, 0.01, 0.02, 0.5, 0.51, 0.52])
    with Progress("cases", total=5, stream=stream, interval=0.1, clock=lambda: next(ticks)) as p:
        for _ in range(5):
            p.advance()
    drawn = stream.getvalue().split("\r")[1:]
    # Drawn at 0.0 (1/5) and 0.5 (4/5), then once more on close (5/5), and the line ends.
    assert [d.strip() for d in drawn] == [
        "cases: 1/5 (20%)",
        "cases: 4/5 (80%)",
        "cases: 5/5 (100%)",
    ]
    assert stream.getvalue().endswith("\n")


def test_a_big_map_shows_its_iterations_and_only_the_outer_map_counts() -> None:
    stream = Terminal()
    observer = MapProgress(stream=stream, threshold=100, interval=0.0)
    execution = start_execution(BIG_MAP, _input(120), on_event=observer)
    observer.close()
    assert execution.status == "SUCCEEDED"
    lines = [line.strip() for line in stream.getvalue().split("\r") if line.strip()]
    assert lines[0] == "Map Each: 1/120 (0%)"
    assert lines[-1] == "Map Each: 120/120 (100%)"
    assert len(lines) == 121  # every iteration, plus the final redraw on close
    assert stream.getvalue().endswith("\n")


def test_a_small_map_shows_nothing() -> None:
    stream = Terminal()
    observer = MapProgress(stream=stream, threshold=100, interval=0.0)
    start_execution(BIG_MAP, _input(99), on_event=observer)
    observer.close()
    assert stream.getvalue() == ""


def test_progress_of_maps_costs_nothing_off_a_terminal() -> None:
    with progress_of_maps(io.StringIO()) as observer:
        assert observer is None
    with progress_of_maps(Terminal()) as observer:
        assert isinstance(observer, MapProgress)


def test_orderflow_run_prints_no_progress_into_a_captured_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    machine = tmp_path / "map.json"
    machine.write_text(json.dumps(BIG_MAP))
    code = main(["run", str(machine), "--input", json.dumps(_input(300))])
    captured = capsys.readouterr()
    assert code == 0
    assert len(json.loads(captured.out)) == 300
    assert "Map Each" not in captured.err and "\r" not in captured.err
