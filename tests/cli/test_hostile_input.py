"""Ordinary bad input exits 1 or 2 with a message, never 70 (a bug) or a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orderflow.cli import main

PASS = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    path = tmp_path / "m.json"
    path.write_text(PASS)
    return path


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(argv)
    _, err = capsys.readouterr()
    assert "Traceback" not in err and "internal error" not in err
    return code, err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"a": 1, "a": 2}', "the key 'a' appears twice"),
        (b'{"a": NaN}', "NaN is not a JSON number"),
        (b"[Infinity]", "Infinity is not a JSON number"),
        (b"[1e999]", "1e999 is out of range"),
        (b"1" * 5000, "more digits than Python converts"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'"\xff\xfe"', "not UTF-8 text"),
        (b'{"a": }', "line 1, column 7"),
    ],
)
def test_bad_input_files_exit_2_with_the_reason(
    tmp_path: Path,
    machine: Path,
    content: bytes,
    message: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "input.json"
    source.write_bytes(content)
    code, err = _run(["run", str(machine), "--input", f"@{source}"], capsys)
    assert code == 2
    assert message in err and "input.json is not JSON" in err


def test_bad_inline_input_exits_2(machine: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(["run", str(machine), "--input", '{"x": NaN}'], capsys)
    assert code == 2 and "--input is not JSON" in err


def test_an_input_of_200011_compact_bytes_runs(
    machine: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = '{"a":"' + "x" * (200_011 - 8) + '"}'
    code = main(["run", str(machine), "--input", text])
    out, _ = capsys.readouterr()
    assert code == 0 and json.loads(out) == json.loads(text)


def test_run_refuses_duplicate_keys_like_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dup.json"
    path.write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}, "A": {"Type": "Succeed"}}}'
    )
    run_code, run_err = _run(["run", str(path), "--input", "{}"], capsys)
    check_code, check_err = _run(["check", str(path)], capsys)
    assert run_code == check_code == 1
    assert "duplicate-state-name" in run_err and "duplicate-state-name" in check_err


@pytest.mark.parametrize("command", ["run", "check"])
def test_a_5000_digit_integer_in_a_definition_is_bad_input(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"StartAt": "A", "TimeoutSeconds": ' + "9" * 5000 + ', "States": {}}')
    code, err = _run([command, str(path)], capsys)
    assert code == 2 and "a number is too long to read" in err


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", ["run", "check"])
def test_dev_zero_is_refused_after_a_bounded_read(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _run([command, "/dev/zero"], capsys)
    assert code == 2 and "bytes are not read" in err


def test_string_to_json_on_deep_text_fails_the_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps(
            {
                "StartAt": "A",
                "States": {
                    "A": {
                        "Type": "Pass",
                        "Parameters": {"v.$": "States.StringToJson($.t)"},
                        "End": True,
                    }
                },
            }
        )
    )
    deep = "[" * 100_000 + "]" * 100_000
    code, err = _run(["run", str(path), "--input", json.dumps({"t": deep})], capsys)
    assert code == 1 and "States.IntrinsicFailure" in err and "nested too deeply" in err


# --- render -o ---------------------------------------------------------------------------


def test_render_writes_atomically_with_no_temp_file_left(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    assert main(["render", "-o", str(out)]) == 0
    assert json.loads(out.read_text())["StartAt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_render_refuses_to_follow_a_symlink_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere.json"
    target.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    code, err = _run(["render", "-o", str(link)], capsys)
    assert code == 2 and "symbolic link" in err and "--follow-symlinks" in err
    assert target.read_text() == "precious"
    assert main(["render", "-o", str(link), "--follow-symlinks"]) == 0
    assert link.is_symlink() and json.loads(target.read_text())["StartAt"]


def test_a_failed_write_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    out.write_text("old content")

    def full_disk(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, err = _run(["render", "-o", str(out)], capsys)
    assert code == 2 and "No space left on device" in err
    assert out.read_text() == "old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]
