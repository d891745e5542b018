"""The tutorials: every one runs top to bottom, and together they teach the whole catalogue.

A tutorial asserts what it shows, so running it is a test of handbp as much as of the
tutorial. Beyond "it ran", these tests ask that each catalogue equation is taught in the
tutorial of its part: the equation in LaTeX, its function's source read with ``inspect``,
and its check by ``verify``; and each equation beyond the series (chapter 2 of the
catalogue) in one of the chapters, with its LaTeX and its source.
"""

import ast
import inspect
import re
import textwrap
from pathlib import Path

import pytest

from handbp.equations import BEYOND, CATALOGUE, Equation
from handbp_site.execute import (
    chapter_paths,
    part_number,
    read,
    series_paths,
    tutorial_paths,
)

PATHS = tutorial_paths()
SERIES = series_paths()
CHAPTERS = chapter_paths()


def tutorial_of_part(part: int) -> Path:
    """The tutorial that teaches a part: its own, or the one it shares (part 4 is in part03.md)."""
    return max((p for p in SERIES if part_number(p) <= part), key=part_number)


def sources(path: Path, cell_type: str) -> str:
    """All cells of one type (``"markdown"`` or ``"code"``) of a tutorial, joined."""
    return "\n".join(cell.source for cell in read(path).cells if cell.cell_type == cell_type)


def test_one_tutorial_per_part_of_the_series_parts_3_and_4_together():
    assert [part_number(path) for path in SERIES] == [2, 3, *range(5, 15)]
    assert "Parts 3 and 4" in sources(tutorial_of_part(4), "markdown")


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.stem)
def test_tutorial_runs_top_to_bottom_with_every_cell_quiet(path, executed):
    notebook = executed(path)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells, f"{path.name} has no code"
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))
    for cell in code_cells:
        for output in cell.outputs:
            # a warning, or anything else on stderr, is a flaw the reader would see
            assert output.get("name") != "stderr", f"{path.name}: {cell.source}\n{output.text}"


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.stem)
def test_tutorial_asserts_what_it_shows_and_checks_with_verify(path):
    code = sources(path, "code")
    assert len(re.findall(r"^\s*(assert |np\.testing\.assert_)", code, flags=re.M)) >= 3
    assert "import verify" in code


@pytest.mark.parametrize("equation", CATALOGUE.values(), ids=lambda equation: equation.id)
def test_every_equation_is_taught_in_its_part(equation: Equation):
    path = tutorial_of_part(equation.part)
    markdown, code = sources(path, "markdown"), sources(path, "code")
    name = equation.function.__name__
    assert equation.latex in markdown, f"{path.name} does not show the LaTeX of {equation.id}"
    assert re.search(rf"inspect\.getsource\(([\w.]+\.)?{name}\)", code), (
        f"{path.name} does not show the source of {equation.qualified_name}"
    )
    assert re.search(rf"verify\.check_equation\(\s*[\"']{equation.id}[\"']", code), (
        f"{path.name} does not check {equation.id} with verify.check_equation"
    )


@pytest.mark.parametrize("equation", BEYOND.values(), ids=lambda equation: equation.id)
def test_every_equation_beyond_the_series_is_taught_in_a_chapter(equation: Equation):
    """Its LaTeX and its function's source in one chapter (each chapter checks with verify)."""
    name = equation.function.__name__
    teaching = [
        path.name
        for path in CHAPTERS
        if equation.latex in sources(path, "markdown")
        and re.search(rf"inspect\.getsource\(([\w.]+\.)?{name}\)", sources(path, "code"))
    ]
    assert teaching, f"no chapter shows the LaTeX and the source of {equation.id}"


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.stem)
def test_tutorials_import_the_library_and_never_redefine_it(path):
    defined = set(re.findall(r"^\s*def (\w+)\(", sources(path, "code"), flags=re.M))
    library = {equation.function.__name__ for equation in [*CATALOGUE.values(), *BEYOND.values()]}
    assert not defined & library, f"{path.name} redefines {sorted(defined & library)}"


@pytest.mark.parametrize("equation", CATALOGUE.values(), ids=lambda equation: equation.id)
def test_the_function_a_tutorial_shows_is_the_slide_line(equation: Equation):
    """``inspect.getsource`` shows the docstring and the maths, no checks."""
    source = textwrap.dedent(inspect.getsource(equation.function))
    (function,) = ast.parse(source).body
    assert isinstance(function, ast.FunctionDef)
    assert function.decorator_list == []  # the checks are declared apart, in function.checks
    assert equation.function.checks
    body = function.body[1:]  # after the docstring
    assert ast.get_docstring(function) and body
    for node in (node for statement in body for node in ast.walk(statement)):
        assert not isinstance(node, ast.Raise), f"{equation.id} validates in its body"


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.stem)
def test_exercise_checks_are_folded_so_their_diagnosis_does_not_give_the_answer_away(path):
    cells = [cell for cell in read(path).cells if "import exercises." in cell.source]
    if path in SERIES:  # from part 9 on, each part ends with one exercise
        assert len(cells) == (1 if part_number(path) >= 9 else 0)
    for cell in cells:
        assert "hide-output" in cell.metadata.get("tags", [])


def test_the_readme_commands_use_the_venvs_programs():
    """Every command in tutorials/README.md runs the .venv's program, never a bare ``python``."""
    readme = (PATHS[0].parent / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) >= 6
    for command in commands:
        assert command.startswith(".venv/bin/"), command
    # a program's name followed by its arguments (not a module path such as handbp.training)
    inline = re.findall(r"`((?:python|pip|pytest|jupytext|handbp)(?:\s[^`]*)?)`", readme)
    assert inline == [], inline
