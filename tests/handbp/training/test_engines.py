"""handbp.training.engines: the fast engine is the simple one bit for bit, and both are the
series' notebook loop.

Where a test compares with ``assert_array_equal``, it compares two computations that must
perform the same floating-point operations (the in-place engine against the catalogue's
functions it claims to reproduce operation for operation, or one run split into blocks
against the same run in one block): bit-identity is then the property under test.
Everything else uses tolerances.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.series import SeriesRun, notebook_train
from handbp import network, training
from handbp.network import Weights
from handbp.training import ENGINES, FastEngine, SimpleEngine
from handbp.training import loop as training_loop
from tests.handbp import reference
from tests.handbp.strategies import nets


def one_block(engine, X, Y, W1, W2, eta, epochs):
    """``epochs`` epochs of ``engine`` in one block, without train's loop around it."""
    block = engine(X, Y, Weights(W1, W2), eta, epochs)
    block.run(epochs)
    return block


@settings(max_examples=40, deadline=None)
@given(
    net=nets(max_examples=7, max_width=5),
    eta=st.sampled_from([0.01, 0.1, 1.0, 5.0]),
    epochs=st.integers(1, 30),
)
def test_the_fast_engines_every_epoch_is_the_catalogues_bit_for_bit(net, eta, epochs):
    """Any net, dtype and learning rate: every epoch's MSE, accuracy and weights are
    exactly those of network.feedforward, losses.mse/accuracy, network.backpropagation and
    network.weights_update (the in-place loop performs the same floating-point operations
    in the same order)."""
    with np.errstate(over="ignore"):
        simple = one_block(SimpleEngine, net.X, net.Y, net.W1, net.W2, eta, epochs)
        fast = one_block(FastEngine, net.X, net.Y, net.W1, net.W2, eta, epochs)
    for name in ("mse", "accuracy", "W1", "W2"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(simple, name), err_msg=name)
    assert fast.W1.dtype == net.X.dtype and fast.mse.dtype == np.float64


@pytest.mark.parametrize("engine", ENGINES.values(), ids=list(ENGINES))
@settings(max_examples=25, deadline=None)
@given(
    net=nets(max_examples=7, max_width=5),
    eta=st.sampled_from([0.01, 0.1, 1.0, 5.0]),
    epochs=st.integers(1, 30),
    block=st.integers(1, 8),
)
def test_train_in_blocks_records_every_epoch_of_one_block(engine, net, eta, epochs, block):
    """train's blocks of any length drop or repeat no epoch: its curves and weights are
    those of the catalogue's loop run in one go."""
    with np.errstate(over="ignore"):
        simple = one_block(SimpleEngine, net.X, net.Y, net.W1, net.W2, eta, epochs)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(training_loop, "BLOCK_EPOCHS", block)
        result = training.train(net.X, net.Y, net.W1, net.W2, eta, epochs, engine=engine)
    history = result.history
    if history.stop.rule == "fixed_point":  # saturated: the rest would repeat this epoch
        epochs = history.epochs
        np.testing.assert_array_equal(simple.W1[epochs], simple.W1[epochs - 1])
    np.testing.assert_array_equal(history.train.mse, simple.mse[:epochs])
    np.testing.assert_array_equal(history.train.accuracy, simple.accuracy[:epochs])
    np.testing.assert_array_equal(result.weights.W1, simple.W1[history.stop.weights_epoch])
    np.testing.assert_array_equal(result.weights.W2, simple.W2[history.stop.weights_epoch])
    assert result.weights.W1.dtype == net.X.dtype


def test_first_epoch_mse_is_the_plain_python_reference(split, engine):
    W1, W2 = network.initial_weights(10)
    history = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 1, engine=engine).history
    O_out = reference.forward(
        reference.to_lists(split.train.X), reference.to_lists(W1), reference.to_lists(W2)
    )["O_out"]
    assert history.train.mse[0] == pytest.approx(
        reference.mse(O_out, reference.to_lists(split.train.Y)), rel=1e-12
    )


def test_agrees_with_the_series_notebook_loop(split, engine):
    W1, W2 = network.initial_weights(10)
    notebook = notebook_train(SeriesRun(split.train.X, split.train.Y, W1, W2, 0.1, 2000))
    result = training.train(split.train.X, split.train.Y, W1, W2, 0.1, 2000, engine=engine)
    np.testing.assert_allclose(result.history.train.mse, notebook.mse, rtol=1e-11)
    np.testing.assert_array_equal(result.history.train.accuracy, notebook.accuracy)
    np.testing.assert_allclose(result.weights.W1, notebook.W1, rtol=1e-10)
    np.testing.assert_allclose(result.weights.W2, notebook.W2, rtol=1e-10)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(training.PRESETS))
def test_every_preset_agrees_with_the_notebook_loop(name):
    setup = training.PRESETS[name].setup
    run = training.run_setup(setup)
    X, Y = run.split.train.X, run.split.train.Y
    notebook = notebook_train(SeriesRun(X, Y, *run.initial, setup.eta, setup.epochs))
    np.testing.assert_allclose(run.training.history.train.mse, notebook.mse, rtol=1e-9)
    np.testing.assert_allclose(run.training.weights.W1, notebook.W1, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(run.training.weights.W2, notebook.W2, rtol=1e-8, atol=1e-12)
    # the final figures: the notebook's feedforward of the test flowers
    hidden = 1 / (1 + np.exp(-np.dot(run.split.test.X, notebook.W1)))
    O_out = 1 / (1 + np.exp(-np.dot(hidden, notebook.W2)))
    predicted = O_out.argmax(axis=1) == run.split.test.Y.argmax(axis=1)
    assert run.final["test"].accuracy == pytest.approx(predicted.mean())


def test_engines_are_found_by_name():
    assert ENGINES == {"fast": FastEngine, "simple": SimpleEngine}
