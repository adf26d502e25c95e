import json
from pathlib import Path

import pytest

from orderflow import DefinitionError
from orderflow.asl import Definition, as_definition, dumps, load_definition, parse_definition


def test_dumps_orders_fields_canonically_and_keeps_user_data_order() -> None:
    data = {
        "States": {
            "B": {"End": True, "Parameters": {"z": 1, "a": 2}, "Type": "Pass"},
        },
        "StartAt": "B",
    }
    text = dumps(data)
    assert text.index('"StartAt"') < text.index('"States"')
    assert text.index('"Type"') < text.index('"Parameters"') < text.index('"End"')
    assert text.index('"z"') < text.index('"a"')
    assert json.loads(text) == data
    assert text.endswith("}\n")


def test_parse_reports_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "StartAt": "A",\n  "States": {,}\n}')
    with pytest.raises(DefinitionError) as info:
        load_definition(bad)
    message = str(info.value)
    assert str(bad) in message and "line 3, column" in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("[1, 2]", "JSON list"),
        ("null", "JSON null"),
        ("3", "JSON int"),
    ],
)
def test_parse_rejects_non_objects(text: str, fragment: str) -> None:
    with pytest.raises(DefinitionError, match=fragment):
        parse_definition(text, file="x.json")


def test_missing_file_is_a_definition_error(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="cannot read"):
        load_definition(tmp_path / "nope.json")


def test_as_definition_accepts_dict_text_and_definition() -> None:
    data = {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}
    from_dict = as_definition(data)
    assert as_definition(json.dumps(data)) == from_dict
    assert as_definition(from_dict) is from_dict
    with pytest.raises(DefinitionError):
        as_definition(42)  # type: ignore[arg-type]


def test_iter_states_walks_nested_scopes() -> None:
    definition = Definition(
        {
            "StartAt": "P",
            "States": {
                "P": {
                    "Type": "Parallel",
                    "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
                    "Next": "M",
                },
                "M": {
                    "Type": "Map",
                    "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Succeed"}}},
                    "End": True,
                },
            },
        }
    )
    pointers = [pointer for pointer, _, _ in definition.iter_states()]
    assert pointers == [
        "/States/P",
        "/States/P/Branches/0/States/A",
        "/States/M",
        "/States/M/ItemProcessor/States/I",
    ]
