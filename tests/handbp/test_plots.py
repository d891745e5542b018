"""handbp.plots: the curves of part 14 and part 7's learning rates, drawn without pyplot."""

import subprocess
import sys

import numpy as np
import pytest

from handbp import data, descent, network, plots, training

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def history():
    split = data.train_test_split(data.load_iris("uci"), 20, seed=4)
    held = data.train_test_split(split.train, 20, seed=4)
    return training.train(
        held.train.X,
        held.train.Y,
        *network.initial_weights(10),
        5.0,
        3000,
        validation=held.test,
        test=split.test,
        stopping=[training.EarlyStopping(200)],
    ).history


@pytest.mark.parametrize("quantity", ["mse", "accuracy"])
def test_curves_plot_one_line_per_monitored_set(history, quantity):
    figure = plots.plot_curves(history, quantity)
    (axes,) = figure.axes
    lines = {line.get_label(): line for line in axes.get_lines()}
    for name in ("train", "validation", "test"):
        x, y = lines[name].get_data()
        np.testing.assert_array_equal(x, np.arange(history.epochs))
        np.testing.assert_array_equal(y, getattr(history.curves()[name], quantity))
    assert axes.get_xlabel() == "epoch"
    assert axes.get_ylabel() == plots.QUANTITIES[quantity]


def test_curves_mark_the_restored_epoch(history):
    assert history.stop.rule == "early_stopping"
    best = history.stop.weights_epoch
    lines = plots.plot_curves(history).axes[0].get_lines()
    marker = [line for line in lines if line.get_label().startswith("weights returned")]
    assert len(marker) == 1 and list(marker[0].get_xdata()) == [best, best]


def test_curves_refuse_an_unknown_quantity(history):
    with pytest.raises(ValueError, match="quantity must be one of mse, accuracy"):
        plots.plot_curves(history, "loss")


def test_descent_draws_each_of_part_7s_runs():
    runs = descent.learning_rate_experiments()
    figure = plots.plot_descent()
    assert len(figure.axes) == len(runs) == 6
    for axes, run in zip(figure.axes, runs, strict=True):
        path_line = axes.get_lines()[1]
        x = 5.0
        expected = [x]
        for _ in range(run.steps):  # x <- x - eta * 2x, by hand
            x = x - run.eta * 2 * x
            expected.append(x)
        np.testing.assert_allclose(path_line.get_xdata(), expected, rtol=1e-12)
        np.testing.assert_allclose(path_line.get_ydata(), np.square(expected), rtol=1e-12)
        assert f"eta = {run.eta:g}" in axes.get_title()
    with pytest.raises(ValueError, match="at least one DescentRun"):
        plots.plot_descent([])


def test_save_figure_writes_a_png(tmp_path, history):
    path = tmp_path / "mse.png"
    plots.save_figure(plots.plot_curves(history), path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_plotting_leaves_pyplot_and_the_backend_alone():
    """Backends are chosen and switched through pyplot; drawing never imports it."""
    code = (
        "import sys; from handbp import plots; plots.plot_descent().savefig(sys.argv[1]); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, "/dev/null"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


def test_figures_show_in_jupyter_without_pyplot(history):
    """Jupyter displays an object through _repr_png_; handbp's figures carry one."""
    png = plots.plot_curves(history)._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000
