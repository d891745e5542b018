"""``tutorials/build.py``: notebooks and HTML pages for reading outside the repository."""

import jupytext
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tests.tutorials.build_script import build


def test_builds_every_tutorial_into_a_valid_notebook_with_the_same_cells(tmp_path, capsys):
    assert build.main(["--no-execute", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for path in build.tutorial_paths():
        notebook = nbformat.read(tmp_path / f"{path.stem}.ipynb", as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata.kernelspec.name == "python3"
        source = jupytext.read(path)
        assert [c.source for c in notebook.cells] == [c.source for c in source.cells]
        assert f"{path.name}: {path.stem}.ipynb" in printed


def test_builds_only_the_parts_asked_for(tmp_path):
    written = build.build(parts=[9, 12], out=tmp_path, run=False)
    assert [path.name for path in written] == ["part09.ipynb", "part12.ipynb"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["part09.ipynb", "part12.ipynb"]


def test_unknown_part_and_html_without_outputs_are_refused(tmp_path):
    with pytest.raises(ValueError, match=r"no tutorial for part\(s\) \[4\]"):
        build.build(parts=[4], out=tmp_path, run=False)
    with pytest.raises(ValueError, match="--html"):
        build.build(parts=[2], out=tmp_path, run=False, html=True)
    with pytest.raises(SystemExit):
        build.main(["--no-execute", "--html", "--out", str(tmp_path)])


def test_html_page_renders_equations_and_embeds_figures(tmp_path, monkeypatch, jax_cache_env):
    # a reader's build: figures inline (ipykernel's default backend, not the tests' Agg)
    monkeypatch.delenv("MPLBACKEND", raising=False)
    for name, value in jax_cache_env.items():
        monkeypatch.setenv(name, value)
    written = build.build(parts=[7], out=tmp_path, html=True, quick=True)
    assert [path.name for path in written] == ["part07.ipynb", "part07.html"]
    page = (tmp_path / "part07.html").read_text(encoding="utf-8")
    assert "mathjax" in page.lower()
    assert r"x \leftarrow x - \eta\, f'(x)" in page
    # part 7's figure comes from handbp.plots, drawn outside pyplot: it must show all the same
    assert page.count('src="data:image/png;base64,') == 1
    executed = nbformat.read(tmp_path / "part07.ipynb", as_version=4)
    assert all(cell.execution_count for cell in executed.cells if cell.cell_type == "code")


def test_a_failing_cell_fails_the_build_after_the_others_are_written(tmp_path, monkeypatch, capsys):
    header = build.read(build.tutorial_paths()[0]).metadata  # a real tutorial's jupytext header
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, code in (
        ("part02.md", "assert len('ab') == 2"),
        ("part03.md", "assert len('ab') == 3"),
    ):
        notebook = nbformat.v4.new_notebook(metadata=header)
        notebook.cells = [nbformat.v4.new_code_cell(code)]
        jupytext.write(notebook, sources / name, fmt="md:myst")
    monkeypatch.setattr(build, "tutorial_paths", lambda: sorted(sources.glob("part*.md")))
    with pytest.raises(CellExecutionError, match=r"assert len\('ab'\) == 3"):
        build.build(out=tmp_path / "out")
    assert "part03.md: FAILED" in capsys.readouterr().out
    assert [path.name for path in (tmp_path / "out").iterdir()] == ["part02.ipynb"]
