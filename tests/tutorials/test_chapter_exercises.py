"""The exercises of the chapters beyond the series: each untouched stub fails its check with
the diagnosis of its mistake, each solution passes, and each chapter runs the check."""

from pathlib import Path
from types import ModuleType, SimpleNamespace

import numpy as np
import pytest

import verify
import verify.optimizers
from handbp import optimizers
from handbp_site.execute import TUTORIALS
from tests.tutorials.test_exercises import EXERCISES, SOLUTIONS, load

# file -> (the function the learner writes, the mistake the untouched stub makes, words its
# diagnosis must say); the layers' forward, shapes and labels are given in the exercise file
LAYERS = {
    "chapter01_dense_layer": ("dense_backward", "not_summed", "db is not summed over the batch"),
    "chapter02_sigmoid_cross_entropy": (
        "sigmoid_bce_backward",
        "derivative_kept",
        "the sigmoid's derivative is kept",
    ),
    "chapter05_softmax_layer": (
        "softmax_backward",
        "diagonal_only",
        "only the diagonal of the Jacobian",
    ),
}
ADAM = "chapter03_adam_update"
NET = "chapter04_net_backward"
"""A whole net's backward, checked node by node with verify.check_net."""
CHAPTERS = {stem[:9] for stem in [*LAYERS, ADAM, NET]}


def check_layer(stem: str, path: Path):
    """The check the chapter runs: the exercise's given forward, with ``path``'s backward."""
    given = load(EXERCISES / f"{stem}.py")
    backward = getattr(load(path), LAYERS[stem][0])
    forward = next(getattr(given, n) for n in dir(given) if n.endswith("_forward"))
    return verify.check_layer(
        forward, backward, given.SHAPES, constants=getattr(given, "CONSTANTS", None)
    )


def check_adam(module: ModuleType, dtype: str) -> verify.optimizers.OptimizerCheck:
    """Twelve steps of ``module.adam_update`` against optax's Adam with its defaults."""
    (case,) = (c for c in verify.optimizers.CASES if c.setting.startswith("optax's"))
    hand = SimpleNamespace(init=optimizers.adam_init, update=module.adam_update)
    return verify.optimizers.check_case(case, dtype, hand=hand)


def test_every_chapter_exercise_has_a_solution_and_every_chapter_an_exercise():
    stems = sorted(path.stem for path in EXERCISES.glob("chapter*.py"))
    assert stems == sorted(path.stem for path in SOLUTIONS.glob("chapter*.py"))
    assert stems == sorted([*LAYERS, ADAM, NET])
    assert CHAPTERS == {f"chapter0{n}" for n in range(1, 6)}
    assert CHAPTERS == {path.name[:9] for path in TUTORIALS.glob("chapter*.md")}


@pytest.mark.parametrize("stem", LAYERS)
def test_untouched_layer_exercise_fails_and_names_its_mistake(stem):
    _, mistake, words = LAYERS[stem]
    result = check_layer(stem, EXERCISES / f"{stem}.py")
    assert not result.passed and result.error is None
    assert result.mistake == mistake, str(result)
    assert words in result.first_failure.diagnosis


@pytest.mark.parametrize("stem", LAYERS)
def test_layer_solution_passes(stem):
    result = check_layer(stem, SOLUTIONS / f"{stem}.py")
    assert result.passed, str(result)
    assert len(result.trials) == 20


def test_untouched_adam_fails_from_its_first_step_in_the_weights_alone():
    """Without the bias correction the moments are right and the step is not."""
    stub = load(EXERCISES / f"{ADAM}.py")
    for dtype in ("float64", "float32"):
        check = check_adam(stub, dtype)
        first = check.steps[0]
        assert not first.passed and first.quantity == "W", check
    W, gradient = np.array([0.5, -1.0]), np.array([0.2, 0.3])
    state = optimizers.adam_init(W)
    W_stub, stub_state = stub.adam_update(W, gradient, state)
    W_right, right_state = optimizers.adam_update(W, gradient, state)
    assert stub_state.t == right_state.t == 1
    np.testing.assert_allclose(stub_state.m, right_state.m, rtol=1e-15)
    np.testing.assert_allclose(stub_state.v, right_state.v, rtol=1e-15)
    # step 1 without the correction: (1 - beta1) / sqrt(1 - beta2) = 3.16 times too far
    np.testing.assert_allclose(W - W_stub, 0.1 / np.sqrt(0.001) * (W - W_right), rtol=1e-4)


def test_adam_solution_passes_every_step_in_both_dtypes():
    solution = load(SOLUTIONS / f"{ADAM}.py")
    for dtype in ("float64", "float32"):
        check = check_adam(solution, dtype)
        assert check.passed and len(check.steps) == verify.optimizers.STEPS


def check_net(path: Path, dtype: str = "float64") -> verify.NetReport:
    """The check chapter 4 runs: ``path``'s backward on the exercise's net."""
    given = load(EXERCISES / f"{NET}.py")
    return verify.check_net(load(path).backward, given.NET, dtype)


def test_untouched_net_backward_fails_at_the_first_relu_delta_and_names_the_mistake():
    report = check_net(EXERCISES / f"{NET}.py")
    assert not report.passed and report.error is None
    assert report.mistake == "output_instead_of_derivative", str(report)
    first = report.first_failure
    assert first.name == "D2", str(report)  # the output layer's quantities are right
    assert "used as its derivative" in str(report)
    # everything below the first wrong delta follows from it or repeats the mistake
    assert {r.status for n in ("dW2", "db2", "E1") for r in report.rows[n]} == {"follows"}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_net_backward_solution_passes(dtype):
    report = check_net(SOLUTIONS / f"{NET}.py", dtype)
    assert report.passed, str(report)


@pytest.mark.parametrize("stem", [*LAYERS, ADAM, NET])
def test_exercise_is_a_plausible_start_not_a_placeholder(stem):
    source = (EXERCISES / f"{stem}.py").read_text()
    for marker in ("NotImplementedError", "TODO", "FIXME", "...\n", "pass\n"):
        assert marker not in source
    assert "# Start: " in source and "# Complete it: " in source


@pytest.mark.parametrize("stem", [*LAYERS, ADAM, NET])
def test_chapter_runs_the_check_on_its_exercise(stem):
    (chapter,) = TUTORIALS.glob(f"{stem[:9]}_*.md")
    text = chapter.read_text()
    assert f"import exercises.{stem} as exercise" in text
    assert f"solutions/{stem}.py" in text
    if stem in LAYERS:
        assert f"exercise.{LAYERS[stem][0]}, exercise.SHAPES" in text.replace("\n    ", " ")
    elif stem == NET:
        assert "verify.check_net(exercise.backward, exercise.NET)" in text
    else:
        assert "verify.optimizers.check_case(adam, dtype, hand=yours)" in text
