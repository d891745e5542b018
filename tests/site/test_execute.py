"""handbp_site.execute: tutorials run in quiet, encrypted kernels, cached by what they depend on."""

import os
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from handbp_site import execute as executing
from handbp_site.execute import (
    REPO,
    cache_key,
    chapter_paths,
    execute,
    part_number,
    read,
    series_paths,
    tutorial_paths,
)


def write_tutorial(folder: Path, name: str, *codes: str) -> Path:
    """A tutorial file with a real tutorial's jupytext header and the given code cells."""
    notebook = nbformat.v4.new_notebook(metadata=read(series_paths()[0]).metadata)
    notebook.cells = [nbformat.v4.new_code_cell(code) for code in codes]
    path = folder / name
    jupytext.write(notebook, path, fmt="md:myst")
    return path


def test_the_series_in_reading_order_then_the_chapters():
    assert [part_number(path) for path in series_paths()] == [2, 3, *range(5, 15)]
    assert tutorial_paths() == series_paths() + chapter_paths()
    assert all(path.name.startswith("chapter") for path in chapter_paths())
    with pytest.raises(ValueError, match=r"partNN\.md"):
        part_number(Path("chapter01_biases.md"))


def test_kernels_run_in_the_tutorials_folder_quietly(tmp_path, capfd):
    path = write_tutorial(tmp_path, "part99.md", "import os\nprint(os.getcwd())")
    (result,) = execute([path]).values()
    assert result.cells[0].outputs[0].text.strip() == str(tmp_path)
    # the kernel's own stderr reaches the terminal: no "running over TCP without encryption"
    assert "encryption" not in capfd.readouterr().err


def test_a_failing_cell_is_returned_as_its_error_and_the_others_run(tmp_path):
    good = write_tutorial(tmp_path, "part02.md", "assert len('ab') == 2")
    bad = write_tutorial(tmp_path, "part03.md", "assert len('ab') == 3")
    results = execute([good, bad])
    assert isinstance(results[bad], CellExecutionError)
    assert "assert len('ab') == 3" in str(results[bad])
    assert results[good].cells[0].execution_count == 1


def test_the_cache_serves_an_unchanged_tutorial_and_reruns_a_changed_one(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    path = write_tutorial(tmp_path, "part02.md", "print(6 * 7)")
    first = execute([path], cache=cache, env={"HANDBP_TUTORIAL_QUICK": "1"})[path]
    assert len(list(cache.glob("part02-*.ipynb"))) == 1

    def no_kernel(*args, **kwargs):
        raise AssertionError("ran a kernel for a cached tutorial")

    monkeypatch.setattr(executing, "_client", no_kernel)
    again = execute([path], cache=cache, env={"HANDBP_TUTORIAL_QUICK": "1"})[path]
    assert again.cells[0].outputs == first.cells[0].outputs
    # another environment, another text, or another library: another key, so it runs again
    env = {"HANDBP_TUTORIAL_QUICK": "1"}
    fingerprint = executing.library_fingerprint()
    key = cache_key(path, env, fingerprint)
    assert cache_key(path, {}, fingerprint) != key
    assert cache_key(path, env, "changed library") != key
    path.write_text(path.read_text().replace("6 * 7", "6 * 8"))
    assert cache_key(path, env, fingerprint) != key
    assert isinstance(execute([path], cache=cache, env=env)[path], AssertionError)
    monkeypatch.undo()
    execute([path], cache=cache, env=env)
    (kept,) = cache.glob("part02-*.ipynb")  # the run of the old text is gone
    assert kept.stem == cache_key(path, env, fingerprint)


def test_the_library_fingerprint_covers_handbp_verify_and_the_tutorials_own_code():
    """The exercises, and the modules a chapter imports (chapter 5's layers)."""
    assert executing.LIBRARY == ("handbp", "verify", "tutorials")
    assert len(executing.library_fingerprint()) == 64
    covered = {p for folder in executing.LIBRARY for p in (REPO / folder).rglob("*.py")}
    assert REPO / "tutorials" / "chapter05_layers.py" in covered
    assert REPO / "tutorials" / "exercises" / "part14_weights_update.py" in covered


def test_the_exercises_import_from_any_folder(tmp_path):
    """The tutorials' ``import exercises.<part>`` works wherever their kernel runs."""
    code = "import exercises.part14_weights_update as e; print(e.__file__)"
    env = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert (
        Path(done.stdout.strip()) == REPO / "tutorials" / "exercises" / "part14_weights_update.py"
    )
