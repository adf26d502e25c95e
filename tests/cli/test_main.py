"""`orderflow.cli.main`: exit codes and no tracebacks, whatever goes wrong."""

import click
import pytest

from orderflow import DefinitionError, DeployError, InvalidDefinition
from orderflow.cli import COMMANDS, cli, main


@pytest.fixture
def failing_command(monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """A temporary `boom` command raising whatever the test puts in the list."""
    raised: list[BaseException] = []

    @click.command("boom")
    def boom() -> None:
        raise raised[0]

    monkeypatch.setitem(COMMANDS, "boom", f"{__name__}:_BOOM")
    monkeypatch.setitem(globals(), "_BOOM", boom)
    return raised


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidDefinition("bad machine", []), 1),
        (DeployError("CreateRole failed"), 1),
        (DefinitionError("unreadable", file="x.json"), 2),
        (ZeroDivisionError("division by zero"), 70),
    ],
)
def test_errors_map_to_documented_exit_codes_without_traceback(
    failing_command: list[BaseException],
    error: BaseException,
    code: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ORDERFLOW_DEBUG", raising=False)
    failing_command.append(error)
    assert main(["boom"]) == code
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert str(error) in captured.err


def test_debug_shows_the_traceback_of_an_internal_error(
    failing_command: list[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORDERFLOW_DEBUG", "1")
    failing_command.append(ZeroDivisionError("division by zero"))
    with pytest.raises(ZeroDivisionError):
        main(["boom"])


def test_unknown_command_and_option_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert main(["render", "--no-such-option"]) == 2
    assert capsys.readouterr().out == ""


def test_every_listed_command_imports() -> None:
    context = click.Context(cli)
    for name in COMMANDS:
        assert cli.get_command(context, name) is not None, name
