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


@pytest.mark.parametrize(
    ("text", "token", "where"),
    [
        ('{"StartAt":"A","States":{"A":{"Type":"Pass","Result":NaN,"End":true}}}', "NaN", "1, 54"),
        ('{\n "Comment": "NaN 1e999",\n "Result": [1, -Infinity]}', "-Infinity", "3, 16"),
        ('{"a": Infinity}', "Infinity", "1, 7"),
        ('{"Result": 1e999}', "1e999", "1, 12"),
        ('{"Result": -2.5E+400}', "-2.5E+400", "1, 12"),
    ],
)
def test_parse_refuses_non_standard_and_non_finite_numbers(
    text: str, token: str, where: str
) -> None:
    with pytest.raises(DefinitionError) as info:
        parse_definition(text, file="m.json")
    message = str(info.value)
    assert message.startswith("m.json: invalid JSON at line ")
    assert f"line {where.replace(', ', ', column ')}: {token} is not a JSON number" in message


def test_parse_keeps_large_but_finite_numbers() -> None:
    data = parse_definition('{"a": 1.5e308, "b": 123456789012345678901234567890}').data
    assert data == {"a": 1.5e308, "b": 123456789012345678901234567890}


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_dumps_refuses_non_finite_numbers_naming_where(bad: float) -> None:
    data = {"StartAt": "A", "States": {"A/B": {"Type": "Pass", "Result": {"x": [1, bad]}}}}
    with pytest.raises(DefinitionError) as info:
        dumps(data)
    assert info.value.pointer == "/States/A~1B/Result/x/1"
    with pytest.raises(DefinitionError):
        Definition(data).to_json()
