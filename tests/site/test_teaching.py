"""The teacher pages: generated from the catalogue, the declared shapes and the checker."""

import re

import pytest

from handbp import checks
from handbp.equations import BEYOND, CATALOGUE
from handbp_site import derivation, mistakes, teaching


def test_the_net_shows_every_quantity_with_the_shape_its_functions_declare():
    quantities = teaching.series_quantities()
    symbols = {entry.symbol for entry in CATALOGUE.values() if entry.symbol in quantities}
    assert {"H_in", "H_out", "O_in", "O_out", "O_error", "O_delta", "H_error", "H_delta"} <= symbols
    assert {"W1_update", "W2_update", "X", "Y", "W1", "W2"} <= set(quantities)
    for name, (_, dims) in teaching.INPUTS.items():
        sizes = tuple(teaching.SERIES_SIZES[letter] for letter in dims.split())
        assert quantities[name][1] == sizes
    # a quantity has the shape that the functions taking it declare for it
    for entry in CATALOGUE.values():
        for argument, dims in teaching.argument_shapes(entry):
            if argument in quantities and argument not in ("W1", "W2", "X", "Y"):
                sizes = tuple(teaching.SERIES_SIZES[letter] for letter in dims.split())
                assert quantities[argument][1] == sizes, (entry.id, argument)


def test_the_net_drawing_is_written(tmp_path):
    page = teaching.net_page(tmp_path)
    assert (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
    assert "```{image} images/net.png" in page
    for part in sorted({entry.part for entry in CATALOGUE.values()}):
        assert ("### Parts 3 and 4" if part == 3 else f"### Part {part}\n") in page
    for letter, meaning in checks.DIMENSIONS.items():
        assert f"`{letter}` {meaning}" in page


def test_a_shape_table_gives_each_argument_its_declared_dimensions_and_sizes():
    table = teaching.shape_table(12)
    row = next(line for line in table.splitlines() if line.startswith("| `hidden_layer_delta`"))
    times = teaching.TIMES
    assert f"`H_error`: e {times} j = 3 {times} 2; `H_out`: e {times} j = 3 {times} 2" in row
    assert row.endswith(f"| 3 {times} 2 |")
    assert teaching.shape_table(6).splitlines()[2].endswith("| scalar |")  # the MSE


@pytest.fixture(scope="module")
def staged(site):
    """The generated pages of this session's site build (markdown, as they were staged)."""
    source = site.html.parent / "source" / "teaching"
    return {path.stem: path.read_text() for path in source.glob("*.md")}


def test_the_index_has_a_row_per_equation_linking_its_function_check_and_section(staged):
    rows = [line for line in staged["equations"].splitlines() if line.startswith("| {py:func}")]
    entries = [*CATALOGUE.values(), *BEYOND.values()]
    assert len(rows) == len(entries)
    for row, entry in zip(rows, entries, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[0].endswith(f".{entry.id} <{entry.qualified_name}>`")
        assert cells[1] == (str(entry.part) if entry.chapter == 1 else entry.section)
        assert cells[2].startswith(("pass: ", "pass (in "))
        section = teaching.section_of(entry)
        assert f"tutorials/{section.path.stem}.ipynb#{section.anchor})" in cells[3]
        assert entry.latex in section.path.read_text()


def test_the_section_of_an_equation_is_the_heading_above_its_latex():
    section = teaching.section_of(CATALOGUE["hidden_layer_delta"])
    assert (section.path.name, section.heading) == ("part12.md", "The hidden layer's delta")
    assert section.anchor == "the-hidden-layers-delta"
    assert teaching.section_of(CATALOGUE["weights_2_update"]).anchor == "the-gradient-for-"


def test_sections_are_read_once_per_version_of_a_tutorial(tmp_path, monkeypatch):
    tutorial = tmp_path / "part02.md"
    tutorial.write_text("## First\n\n$a$\n")
    monkeypatch.setattr(teaching, "series_paths", lambda: [tutorial])
    monkeypatch.setattr(teaching, "chapter_paths", lambda: [])
    assert [heading for _, heading, _ in teaching.sections()] == ["First"]
    assert [heading for _, heading, _ in teaching.sections()] == ["First"]  # from the cache
    tutorial.write_text("## Second, renamed\n\n$a$\n")  # a new size: read again
    assert [heading for _, heading, _ in teaching.sections()] == ["Second, renamed"]


def test_the_derivation_has_every_equation_of_parts_9_to_12_in_order():
    page = derivation.derivation_page()
    entries = [entry for entry in CATALOGUE.values() if entry.part in derivation.PARTS]
    places = [page.index(f"$$\n{entry.latex}\n$$") for entry in entries]
    assert places == sorted(places) and len(entries) == 12
    assert all(f"(`{entry.id}`, computed by" in page for entry in entries)


def test_the_derivation_refuses_an_equation_without_its_step(monkeypatch):
    monkeypatch.delitem(derivation.STEPS, "hidden_layer_delta")
    with pytest.raises(ValueError, match=r"no step for \['hidden_layer_delta'\]"):
        derivation.derivation_page()


def test_the_mistakes_page_shows_each_wrong_line_and_the_checkers_words(staged):
    page = staged["mistakes"]
    sections = page.split("\n## ")[1:]
    assert len(sections) == len(mistakes.MISTAKES)
    for section, mistake in zip(sections, mistakes.MISTAKES, strict=True):
        right, wrong = mistake.lines()
        assert section.startswith(mistake.title)
        assert f"```python\n{wrong}\n```" in section and f"```python\n{right}\n```" in section
        assert re.search(r"first wrong quantity is `\w+`, mistake `[\w/]+`", section)
        assert re.search(r"\n> \w+: .+", section)


def test_a_mistake_is_one_line_of_its_template_and_the_checker_must_catch_it():
    mistake = mistakes.Mistake("Sign", "backpropagation", "O_out - Y", "Y - O_out")
    right, wrong = mistake.lines()
    assert (right, wrong) == ("O_error = O_out - Y", "O_error = Y - O_out")
    with pytest.raises(ValueError, match="not one line"):
        mistakes.Mistake("Nowhere", "mse", "no such text", "x").source()
    harmless = mistakes.Mistake("Same", "mse", "(2 * Y.size)", "(Y.size * 2)")
    with pytest.raises(ValueError, match="the checker passes"):
        mistakes.diagnose(harmless)
