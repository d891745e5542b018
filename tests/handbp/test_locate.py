"""handbp.locate and `handbp equations --where`: every place of an equation id."""

import json

import pytest

from handbp import locate
from handbp.cli import main
from handbp.equations import CATALOGUE


@pytest.mark.parametrize("equation_id", list(CATALOGUE))
def test_every_equation_has_a_function_a_tutorial_and_tests(equation_id):
    found = locate.where(equation_id)
    path = locate.CHECKOUT / found.function.path
    def_line = path.read_text(encoding="utf-8").splitlines()[found.function.line - 1]
    assert def_line.lstrip().startswith(f"def {equation_id}(")
    assert found.tutorials, f"no tutorial names {equation_id}"
    assert found.tests, f"no test names {equation_id}"
    for place in found.tutorials + found.tests:
        line = (
            (locate.CHECKOUT / place.path).read_text(encoding="utf-8").splitlines()[place.line - 1]
        )
        assert equation_id in line


def test_a_tutorial_place_names_its_section(tmp_path):
    (tmp_path / "tutorials").mkdir()
    (tmp_path / "tutorials" / "part99.md").write_text(
        "# Title\n\nintro\n\n## The delta\n\ntext\n\nH = hidden_layer_delta(E, H)\n"
    )
    (place,) = locate.tutorial_places("hidden_layer_delta", tmp_path)
    assert (place.line, place.what) == (9, "section: The delta")


def test_where_on_the_command_line(capsys):
    assert main(["equations", "--where", "weights_1_update"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "weights_1_update"
    assert "handbp/network.py:" in out and "tutorials/part12.md:" in out
    assert main(["equations", "--where", "weights_1_update", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["id"] == "weights_1_update" and listed["function"][0]["line"] > 1


@pytest.mark.parametrize(
    "argv, message",
    [
        (["equations", "--where", "nope"], "unknown equation id 'nope'"),
        (["equations", "--where", "mse", "--part", "6"], "does not go with --part or --chapter"),
    ],
)
def test_where_refuses_what_it_cannot_answer(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
