"""Bad input to handbp's public functions, tried as a new user would: one table.

Every row calls one public function with one bad argument and expects a ``TypeError``
(wrong kind of thing) or ``ValueError`` (right kind, wrong value) whose message names
the argument - never an ``AttributeError``, ``IndexError``, a NumPy cast error or a
warning.

One table in one file, though long: a reader sees every public function's bad input side
by side, and the rows are data, not logic.
"""

from __future__ import annotations

import gc
import warnings
import zipfile
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from handbp import activations, data, descent, losses, network, plots, pure, scalar, training

FLOWERS = data.three_flowers()
X, Y = FLOWERS.X, FLOWERS.Y
W1, W2 = network.initial_weights(10)
FORWARD = network.feedforward(X, W1, W2)
H_OUT, O_OUT = FORWARD.hidden_layer_outputs, FORWARD.output_layer_outputs
IRIS = data.load_iris()


def history() -> training.History:
    return training.train(X, Y, W1, W2, epochs=3).history


def figure() -> Any:
    return plots.plot_descent(descent.learning_rate_experiments()[:1])


def truncated_weights(tmp_path) -> str:
    path = tmp_path / "weights.npz"
    training.save_weights(path, training.Weights(W1, W2))
    content = path.read_bytes()
    path.write_bytes(content[: len(content) // 2])
    return str(path)


def closing_leaks(call: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``call``, with what it raises re-raised only after the garbage is collected.

    ``load_weights`` leaves the file of a broken archive open (the ``BadZipFile`` escapes
    before NumPy closes it); its ``ResourceWarning`` would otherwise surface at the end of
    the session, outside any test.
    """

    def run(tmp_path: Any) -> Any:
        caught: tuple[type[BaseException], str] | None = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return call(tmp_path)
            except Exception as error:
                caught = (type(error), str(error))
            finally:
                gc.collect()
        if caught is not None:
            raise caught[0](caught[1])
        return None

    return run


def row(call: Callable[..., Any], error: type[Exception], match: str, id: str, *marks: Any):
    return pytest.param(call, error, match, id=id, marks=marks)


ROWS = [
    # --- data ---------------------------------------------------------------------------
    row(
        lambda _: data.one_hot("Iris-setosa"),
        TypeError,
        r"species must be a list.*\[name\]",
        "one_hot-a-string",
    ),
    row(lambda _: data.one_hot(None), TypeError, "species must be a list", "one_hot-None"),
    row(lambda _: data.one_hot([]), ValueError, "species must hold at least one", "one_hot-empty"),
    row(
        lambda _: data.one_hot(["Iris-setosa", 3]),
        TypeError,
        r"species\[1\]",
        "one_hot-a-number-inside",
    ),
    row(
        lambda _: data.one_hot(["rose"]),
        ValueError,
        "unknown species 'rose' in row 0",
        "one_hot-unknown",
    ),
    row(lambda _: data.one_hot(["Iris-setosa"], np.int64), TypeError, "dtype", "one_hot-int-dtype"),
    row(
        lambda _: data.load_iris("kaggle"),
        ValueError,
        "unknown data variant 'kaggle'",
        "load_iris-unknown-variant",
    ),
    row(
        lambda _: data.load_iris(np.array(["uci"])),
        TypeError,
        "variant must be a str",
        "load_iris-array-variant",
    ),
    row(lambda _: data.load_iris(dtype="int8"), TypeError, "dtype", "load_iris-int-dtype"),
    row(
        lambda _: data.three_flowers(None), TypeError, "variant must be a str", "three_flowers-None"
    ),
    row(
        lambda _: data.train_test_split(IRIS.X, 20),
        TypeError,
        "data must be a handbp.data.Dataset",
        "split-an-array",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20, seed=1.5),
        TypeError,
        "seed must be an integer",
        "split-seed-float",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20, seed="4"),
        TypeError,
        "seed must be an integer",
        "split-seed-str",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20, seed=True),
        TypeError,
        "seed must be an integer",
        "split-seed-bool",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20, seed=-1),
        ValueError,
        r"seed must be in 0\.\.2\*\*32",
        "split-seed-negative",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20, seed=2**32),
        ValueError,
        r"seed must be in 0\.\.2\*\*32",
        "split-seed-too-big",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 0),
        ValueError,
        "test_size must be at least 1",
        "split-test-size-0",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 150),
        ValueError,
        "test_size must leave",
        "split-test-size-all",
    ),
    row(
        lambda _: data.train_test_split(IRIS, 20.0),
        TypeError,
        "test_size must be an integer",
        "split-test-size-float",
    ),
    row(lambda _: data.subset(IRIS, [0.5]), TypeError, "rows must be integer", "subset-float-rows"),
    row(
        lambda _: data.subset(IRIS, [150]),
        ValueError,
        r"rows must be in 0\.\.149",
        "subset-row-out-of-range",
    ),
    row(
        lambda _: data.subset(IRIS, [-1]),
        ValueError,
        r"rows must be in 0\.\.149",
        "subset-negative-row",
    ),
    row(lambda _: data.subset(IRIS, []), ValueError, "rows must be a non-empty", "subset-no-rows"),
    row(lambda _: data.subset(IRIS, 3), TypeError, "rows must be a sequence", "subset-an-int"),
    row(
        lambda _: data.subset(None, [0]),
        TypeError,
        "data must be a handbp.data.Dataset",
        "subset-None",
    ),
    row(
        lambda _: data.Dataset(X[:2], Y, FLOWERS.species),
        ValueError,
        "one row of X, one row of Y",
        "Dataset-rows-disagree",
    ),
    # --- network ------------------------------------------------------------------------
    row(
        lambda _: network.feedforward(X.astype(np.int64), W1, W2),
        TypeError,
        "X must be a float32 or float64",
        "feedforward-int-X",
    ),
    row(
        lambda _: network.feedforward(np.full_like(X, np.nan), W1, W2),
        ValueError,
        "X must be finite",
        "feedforward-NaN",
    ),
    row(
        lambda _: network.feedforward(np.inf * X, W1, W2),
        ValueError,
        "X must be finite",
        "feedforward-inf",
    ),
    row(
        lambda _: network.feedforward(X[:0], W1, W2),
        ValueError,
        "X must not be empty",
        "feedforward-empty",
    ),
    row(
        lambda _: network.feedforward(X, W1.T, W2),
        ValueError,
        r"shapes do not fit: W1.shape\[0\] is 2 but X.shape\[1\] is 4",
        "feedforward-transposed-W1",
    ),
    row(
        lambda _: network.feedforward(X.astype(np.float32), W1, W2),
        TypeError,
        "one float dtype",
        "feedforward-mixed-dtypes",
    ),
    row(
        lambda _: network.feedforward(X[0], W1, W2),
        ValueError,
        r"X must be a matrix",
        "feedforward-1D-X",
    ),
    row(
        lambda _: network.feedforward(X, W1, W2, activation=None),
        TypeError,
        "activation",
        "feedforward-activation-None",
    ),
    row(
        lambda _: network.backpropagation(X, Y, W2, None),
        TypeError,
        "forward",
        "backpropagation-forward-None",
    ),
    row(
        lambda _: network.backpropagation(X, Y, W2, "forward"),
        TypeError,
        "forward",
        "backpropagation-forward-str",
    ),
    row(
        lambda _: network.backpropagation(X, 2 * Y, W2, FORWARD),
        ValueError,
        "Y must be one-hot",
        "backpropagation-not-one-hot",
    ),
    row(
        lambda _: network.weights_2_update(H_OUT, O_OUT, 0),
        ValueError,
        "N must be at least 1",
        "weights_2_update-N-0",
    ),
    row(
        lambda _: network.weights_2_update(H_OUT, O_OUT, 9.0),
        TypeError,
        "N must be an integer",
        "weights_2_update-N-float",
    ),
    row(
        lambda _: network.gradient_descent_iteration(X, Y, W1, W2, "0.1"),
        TypeError,
        "eta",
        "iteration-eta-str",
    ),
    row(
        lambda _: network.gradient_descent_iteration(X, Y, W1, W2, -0.1),
        ValueError,
        "eta",
        "iteration-eta-negative",
    ),
    row(
        lambda _: network.initial_weights(10, n_hidden=0),
        ValueError,
        "n_hidden must be at least 1",
        "initial_weights-0-hidden",
    ),
    row(
        lambda _: network.initial_weights(1.5),
        TypeError,
        "seed",
        "initial_weights-seed-float",
    ),
    row(
        lambda _: network.initial_weights(None),
        TypeError,
        "seed",
        "initial_weights-seed-None",
    ),
    row(
        lambda _: network.initial_weights(10, scale=float("nan")),
        ValueError,
        "scale",
        "initial_weights-scale-NaN",
    ),
    row(
        lambda _: network.hand_picked_weights(np.int32),
        TypeError,
        "dtype must be float32 or float64",
        "hand_picked-int-dtype",
    ),
    # --- losses, activations ------------------------------------------------------------
    row(lambda _: losses.mse(None, Y), TypeError, "O_out", "mse-None"),
    row(lambda _: losses.mse(O_OUT, Y[:2]), ValueError, "shape", "mse-shapes-differ"),
    row(
        lambda _: losses.accuracy(O_OUT, 2 * Y),
        ValueError,
        "Y must be one-hot",
        "accuracy-not-one-hot",
    ),
    row(lambda _: activations.sigmoid("abc"), TypeError, "x must be a real number", "sigmoid-str"),
    row(lambda _: activations.sigmoid([]), ValueError, "x must not be empty", "sigmoid-empty"),
    row(
        lambda _: activations.sigmoid_derivative(np.array([1, 2])),
        TypeError,
        "s must be a float32",
        "sigmoid_derivative-int",
    ),
    row(
        lambda _: activations.step_function(np.ones(2), float("nan")),
        ValueError,
        "threshold must be finite",
        "step-threshold-NaN",
    ),
    # --- descent, scalar, pure ------------------------------------------------------------
    row(
        lambda _: descent.gradient_descent_step(np.ones(1), np.ones(1), 0),
        ValueError,
        "eta",
        "descent-step-eta-0",
    ),
    row(
        lambda _: descent.descent_path(steps=-1),
        ValueError,
        "steps must be at least 1",
        "descent_path-negative-steps",
    ),
    row(
        lambda _: descent.descent_path(derivative=None),
        TypeError,
        "derivative",
        "descent_path-derivative-None",
    ),
    row(
        lambda _: descent.chain_rule(),
        TypeError,
        "missing 1 required positional argument: 'first'",
        "chain_rule-nothing",
    ),
    row(
        lambda _: descent.learning_rate_experiments(1e308),
        ValueError,
        "x0",
        "learning_rates-x0-overflows",
    ),
    row(
        lambda _: scalar.output_node_input(H_OUT, W2, 99, 0),
        ValueError,
        r"e must be in 0\.\.2",
        "scalar-e-out-of-range",
    ),
    row(
        lambda _: scalar.do_in_dw2(H_OUT, 0, 1.5),
        TypeError,
        "j must be an integer index",
        "scalar-j-float",
    ),
    row(
        lambda _: scalar.dmse_dw2_scalar(H_OUT, [[1.0]], Y, 0, 0),
        ValueError,
        "O_out",
        "scalar-O_out-wrong-shape",
    ),
    row(
        lambda _: pure.weighted_sum("ab", [1.0, 2.0]),
        TypeError,
        "inputs must be a list",
        "pure-inputs-str",
    ),
    row(
        lambda _: pure.weighted_sum([1.0, 2.0], [1.0]),
        ValueError,
        r"weights.shape\[0\] is 1 but inputs.shape\[0\] is 2",
        "pure-lengths-differ",
    ),
    row(lambda _: pure.layer_outputs(None, [[0.5]]), TypeError, "rows", "pure-rows-None"),
    row(
        lambda _: pure.layer_outputs([[1.0]], [[0.5]], "sigmoid"),
        TypeError,
        "activation",
        "pure-activation-str",
    ),
    # --- plots ----------------------------------------------------------------------------
    row(
        lambda _: plots.plot_curves(None),
        TypeError,
        "history must be a handbp.training.History",
        "plot_curves-None",
    ),
    row(
        lambda _: plots.plot_curves(history(), "loss"),
        ValueError,
        "quantity must be one of",
        "plot_curves-unknown",
    ),
    row(
        lambda _: plots.plot_curves(history(), title=3),
        TypeError,
        "title must be a str",
        "plot_curves-title-int",
    ),
    row(
        lambda _: plots.plot_descent([]),
        ValueError,
        "at least one DescentRun",
        "plot_descent-empty",
    ),
    row(
        lambda _: plots.plot_descent(descent.learning_rate_experiments()[0]),
        TypeError,
        r"for one run write \[run\]",
        "plot_descent-one-run",
    ),
    row(
        lambda _: plots.plot_descent([1, 2]),
        TypeError,
        r"runs\[0\] must be a DescentRun",
        "plot_descent-numbers",
    ),
    row(
        lambda tmp: plots.save_figure(None, tmp / "a.png"),
        TypeError,
        "figure must be a matplotlib Figure",
        "save_figure-None",
    ),
    row(
        lambda tmp: plots.save_figure(figure(), tmp),
        ValueError,
        "is a directory",
        "save_figure-a-directory",
    ),
    row(
        lambda tmp: plots.save_figure(figure(), tmp / "a.png", dpi=0),
        ValueError,
        "dpi must be",
        "save_figure-dpi-0",
    ),
    row(
        lambda _: plots.save_figure(figure(), None),
        TypeError,
        "path must be a file path",
        "save_figure-path-None",
    ),
    # --- training -------------------------------------------------------------------------
    row(lambda _: training.preset("run3"), ValueError, "unknown preset 'run3'", "preset-unknown"),
    row(
        lambda _: training.RunSetup(split_seed=1.5),
        TypeError,
        "split_seed must be an integer",
        "RunSetup-seed-float",
    ),
    row(
        lambda _: training.RunSetup(test_size=140, validation_size=10),
        ValueError,
        "must leave training flowers",
        "RunSetup-no-training-flowers",
    ),
    row(
        lambda _: training.train(X, Y, W1, W2, epochs=0),
        ValueError,
        "epochs must be at least 1",
        "train-epochs-0",
    ),
    row(
        lambda _: training.train(X, Y, W1, W2, stopping=["x"]),
        TypeError,
        r"stopping\[0\]",
        "train-stopping-str",
    ),
    row(
        lambda _: training.TargetAccuracy(2),
        ValueError,
        "for 95% write 0.95",
        "TargetAccuracy-percent",
    ),
    row(lambda _: training.evaluate(X, Y, W1, None), TypeError, "W2", "evaluate-W2-None"),
    row(
        lambda _: training.confusion_matrix(O_OUT, Y[:2]),
        ValueError,
        "one shape",
        "confusion-shapes-differ",
    ),
    row(
        lambda tmp: training.load_weights(tmp / "missing.npz"),
        ValueError,
        "cannot read weights file",
        "load_weights-missing",
    ),
    row(
        lambda tmp: training.load_weights(truncated_weights(tmp)),
        ValueError,
        "weights file",
        "load_weights-truncated",
    ),
    row(
        lambda _: training.load_weights(None),
        TypeError,
        "path",
        "load_weights-None",
    ),
    row(
        lambda _: training.history_csv(None),
        TypeError,
        "history",
        "history_csv-None",
    ),
]


@pytest.mark.parametrize(("call", "error", "match"), ROWS)
def test_bad_input_is_a_clear_error_naming_the_argument(call, error, match, tmp_path):
    with pytest.raises(error, match=match):
        call(tmp_path)


def test_the_truncated_archive_row_fails_today_as_the_issue_says(tmp_path):
    """The load_weights-truncated row's bug: NumPy's zip error escapes load_weights."""
    call = closing_leaks(lambda tmp: training.load_weights(truncated_weights(tmp)))
    with pytest.raises((zipfile.BadZipFile, ValueError)):
        call(tmp_path)
