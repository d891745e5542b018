"""The exercises of parts 9-14: each untouched stub fails its check with a diagnosis naming its
mistake, each solution passes, and each tutorial runs the check on its exercise."""

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

import verify
from handbp import cli
from handbp_site.execute import TUTORIALS

EXERCISES = TUTORIALS / "exercises"
SOLUTIONS = TUTORIALS / "solutions"

# file -> (equation id checked, the mistake the untouched stub makes, words its diagnosis must say)
STUBS = {
    "part09_output_node_input": ("output_node_input", "missing_terms", "has only its term j = 0"),
    "part10_dmse_dw2_scalar": ("dmse_dw2_scalar", "missing_derivative", "O_out (1 - O_out)"),
    "part11_weights_2_update": ("weights_2_update", "factor_N", "1/N is missing"),
    "part12_hidden_layer_delta": ("hidden_layer_delta", "missing_derivative", "H_out (1 - H_out)"),
    "part13_backpropagation": (
        "backpropagation",
        "error_instead_of_delta",
        "O_error instead of O_delta",
    ),
    "part14_weights_update": ("weights_update", "missing_eta", "learning rate is missing"),
}


def load(path: Path) -> ModuleType:
    """A learner's file as a module, by path (as ``handbp check file.py:function`` loads it)."""
    spec = importlib.util.spec_from_file_location(f"{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(path: Path, equation_id: str):
    """The check the tutorial runs on the file's function."""
    if equation_id == "backpropagation":
        return verify.check_backprop(load(path).backpropagation)
    return verify.check_function(equation_id, getattr(load(path), equation_id))


def test_every_exercise_has_a_solution_and_every_part_from_9_has_an_exercise():
    stems = sorted(path.stem for path in EXERCISES.glob("part*.py"))
    assert stems == sorted(path.stem for path in SOLUTIONS.glob("part*.py"))
    assert stems == sorted(STUBS)
    assert sorted({int(stem[4:6]) for stem in stems}) == list(range(9, 15))


@pytest.mark.parametrize("stem", STUBS)
def test_untouched_exercise_fails_and_names_its_mistake(stem):
    equation_id, mistake, words = STUBS[stem]
    result = check(EXERCISES / f"{stem}.py", equation_id)
    assert not result.passed
    failure = result if equation_id != "backpropagation" else result.first_failure
    assert failure is not None and failure.mistake == mistake, str(result)
    assert words in failure.diagnosis


def test_backpropagation_exercise_is_wrong_from_the_hidden_layer_on_only():
    result = check(EXERCISES / "part13_backpropagation.py", "backpropagation")
    passed = [name for name, quantity in result.quantities.items() if quantity.passed]
    assert passed == ["output_layer_error", "output_layer_delta", "weights_2_update"]
    assert result.first_failure.id == "hidden_layer_error"
    for later in ("hidden_layer_delta", "weights_1_update"):
        assert result.quantities[later].mistake == "upstream"


@pytest.mark.parametrize("stem", STUBS)
def test_solution_passes(stem):
    equation_id = STUBS[stem][0]
    result = check(SOLUTIONS / f"{stem}.py", equation_id)
    assert result.passed, str(result)


@pytest.mark.parametrize("stem", STUBS)
def test_exercise_is_a_plausible_start_not_a_placeholder(stem):
    source = (EXERCISES / f"{stem}.py").read_text()
    for marker in ("NotImplementedError", "TODO", "FIXME", "...\n", "pass\n"):
        assert marker not in source
    assert re.search(r"# Start: .*\n\s*# Complete it: ", source), "the comment says what to do"
    assert f"handbp check tutorials/exercises/{stem}.py:" in source


@pytest.mark.parametrize("stem", STUBS)
def test_tutorial_of_its_part_runs_the_check_on_the_exercise(stem):
    equation_id = STUBS[stem][0]
    tutorial = TUTORIALS / f"{stem[:6]}.md"
    text = tutorial.read_text()
    assert f"import exercises.{stem} as exercise" in text
    assert f"solutions/{stem}.py" in text
    if equation_id == "backpropagation":
        assert "verify.check_backprop(exercise.backpropagation)" in text
    else:
        assert f'verify.check_function("{equation_id}", exercise.{equation_id})' in text


def test_check_command_of_the_exercise_files_explains_the_mistake(capsys, monkeypatch):
    monkeypatch.setenv("HANDBP_JAX_CACHE", "off")  # no compilation cache in the home folder
    stem = "part12_hidden_layer_delta"
    status = cli.main(["check", f"{EXERCISES / stem}.py:hidden_layer_delta"])
    assert status != 0
    assert "H_out (1 - H_out) is missing" in capsys.readouterr().out
    assert cli.main(["check", f"{SOLUTIONS / stem}.py:hidden_layer_delta"]) == 0
