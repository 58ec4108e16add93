import pytest

from skyshield.documents import ScenarioError, loads_yaml


def test_every_field_knows_its_line() -> None:
    data, lines = loads_yaml("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n  - x: 3\n")
    assert data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}, {"x": 3}]}
    assert lines[("a",)] == 1
    assert lines[("b", 0, "y")] == 4
    assert lines[("b", 1, "x")] == 5


def test_duplicate_keys_are_errors_not_silent_overwrites() -> None:
    with pytest.raises(ScenarioError) as exc:
        loads_yaml("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert str(exc.value) == "f.yaml:3: a: duplicate key"


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(ScenarioError) as exc:
        loads_yaml("a: [1, 2\nb: 3\n", "f.yaml")
    assert exc.value.problems[0].line == 2
    assert "malformed YAML" in str(exc.value)
