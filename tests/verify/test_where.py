"""verify.where: the `handbp equations --where` plugin finds every entry's JAX reference."""

from pathlib import Path

import pytest

from handbp import locate
from handbp.equations import BEYOND, CATALOGUE
from verify.references import REFERENCES
from verify.where import reference_places


@pytest.mark.parametrize("equation_id", list(CATALOGUE))
def test_every_catalogue_entry_has_a_reference_place(equation_id):
    ((path, line, what),) = reference_places(equation_id)
    text = Path(path).read_text(encoding="utf-8").splitlines()[line - 1]
    assert f'"{equation_id}"' in text or "def " in text
    assert what == REFERENCES[equation_id].quantity


def test_an_unknown_id_has_no_place():
    assert reference_places("no_such_equation") == []


def test_handbp_locate_asks_the_plugin():
    (place,) = locate.where("weights_2_update").references
    assert place.path.startswith("verify/table/") and place.line > 0


@pytest.mark.parametrize("equation_id", list(BEYOND))
def test_every_chapter_2_entry_has_a_check_place(equation_id):
    ((path, line, what),) = reference_places(equation_id)
    text = Path(path).read_text(encoding="utf-8").splitlines()[line - 1]
    assert equation_id in text and not text.lstrip().startswith(("from ", "import "))
    assert what.startswith("checked")
