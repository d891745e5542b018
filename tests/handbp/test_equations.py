"""handbp.equations: the catalogue covers every equation id of the series."""

import inspect
import re
from pathlib import Path

import pytest

from handbp.equations import BEYOND, CATALOGUE, SECTIONS, by_part, by_section, equation

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "docs" / "SERIES.md"
SHARED_SPEC = REPO.parent / "shared" / "SERIES.md"


def series_ids(text: str) -> dict[str, int]:
    """Equation ids of SERIES.md: list items '- `id`:' under '### Part N' headings."""
    ids, part = {}, None
    for line in text.splitlines():
        heading = re.match(r"### Parts? (\d+)", line)
        if heading:
            part = int(heading.group(1))
        elif line.startswith("## "):
            part = None
        item = re.match(r"- `([a-z_0-9]+)`:", line)
        if item and part is not None:
            ids[item.group(1)] = part
    return ids


def test_the_spec_copy_is_current():
    """docs/SERIES.md is the project's copy of shared/SERIES.md (compared when shared/ is beside the clone)."""
    text = SPEC.read_text()
    if SHARED_SPEC.exists():
        assert text == SHARED_SPEC.read_text()
    assert len(series_ids(text)) >= 25


@pytest.mark.parametrize("eq_id, part", sorted(series_ids(SPEC.read_text()).items()))
def test_every_series_id_is_in_the_catalogue_with_its_part(eq_id, part):
    assert eq_id in CATALOGUE, f"{eq_id} (part {part}) of SERIES.md is missing from the catalogue"
    assert CATALOGUE[eq_id].part == part


@pytest.mark.parametrize("entry", CATALOGUE.values(), ids=list(CATALOGUE))
def test_each_entry_documents_its_equation(entry):
    """The function is named by the id (or cites it), and its docstring gives part and LaTeX."""
    doc = inspect.getdoc(entry.function)
    assert doc, f"{entry.qualified_name} has no docstring"
    first_line = doc.splitlines()[0]
    assert re.match(rf"Parts? [^:]*\b{entry.part}\b", first_line), first_line
    assert entry.function.__name__ == entry.id or f"``{entry.id}``" in doc
    assert ":math:" in doc
    assert entry.latex


def test_lookup():
    assert equation("hidden_layer_delta").function.__name__ == "hidden_layer_delta"
    assert [e.id for e in by_part(11)] == [
        "output_layer_error",
        "output_layer_delta",
        "weights_2_update",
    ]
    with pytest.raises(ValueError, match="unknown equation id 'h_delta'"):
        equation("h_delta")


@pytest.mark.parametrize("entry", BEYOND.values(), ids=list(BEYOND))
def test_each_chapter_2_entry_documents_its_equation(entry):
    """Chapter 2's docstrings start 'Chapter 2 (section), ``id``: :math:`LaTeX`'."""
    first_line = inspect.getdoc(entry.function).splitlines()[0]
    assert first_line.startswith(f"Chapter 2 ({entry.section}), ``{entry.id}``: :math:`")
    assert entry.function.__name__ == entry.id and entry.chapter == 2 and entry.part is None
    assert entry.section in SECTIONS and entry.latex


def test_chapter_2_is_its_own_chapter():
    assert not set(BEYOND) & set(CATALOGUE)
    assert SECTIONS == ("layers", "activations", "losses", "initialisation", "optimizers")
    assert [e.id for e in by_section("initialisation")] == ["glorot_uniform", "he_normal"]
    assert equation("softmax_jvp") is BEYOND["softmax_jvp"]
    assert all(entry.chapter == 1 and entry.section == "" for entry in CATALOGUE.values())
