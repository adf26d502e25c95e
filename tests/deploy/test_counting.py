"""Deploy's and destroy's counter: drawn under the lines on a terminal, absent elsewhere."""

from __future__ import annotations

import io

import pytest

from orderflow.deploy import Aws, destroy
from orderflow.deploy._counting import counting
from orderflow.deploy._deploy import stderr_progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_each_line_is_written_whole_and_the_count_follows() -> None:
    stream = Terminal()
    lines: list[str] = []

    def write(line: str) -> None:
        lines.append(line)
        stream.write(line + "\n")

    with counting(write, "deploy shop", 2, stream=stream) as report:
        report("created SNS topic shop-alarms")
        report("created CloudWatch dashboard shop-dashboard")
    assert lines == ["created SNS topic shop-alarms", "created CloudWatch dashboard shop-dashboard"]
    text = stream.getvalue()
    assert text.endswith("\rdeploy shop: 2/2 (100%)\n")
    # The counter is blanked before each line, so every line starts at column 0.
    shown = text.split("\n")
    assert shown[1].endswith("\rcreated CloudWatch dashboard shop-dashboard")
    assert "deploy shop: 1/2 (50%)" in text


def test_elsewhere_the_lines_are_passed_through_untouched() -> None:
    stream = io.StringIO()
    lines: list[str] = []
    with counting(lines.append, "deploy shop", 2, stream=stream) as report:
        assert report == lines.append
        report("created SNS topic shop-alarms")
    assert stream.getvalue() == "" and lines == ["created SNS topic shop-alarms"]


@pytest.mark.moto
def test_destroy_from_the_cli_draws_no_counter_when_stderr_is_not_a_terminal(
    aws: Aws, capsys: pytest.CaptureFixture[str]
) -> None:
    destroy(aws, prefix="shop", progress=stderr_progress)
    assert capsys.readouterr().err == "nothing to destroy for prefix shop in us-east-1\n"
