"""The series' training run (part 14) and one gradient, written five ways.

The run: all 150 flowers of the UCI/Kaggle Iris copy the series loaded, split with
``S = 4`` (130 training flowers, 20 test), ``np.random.seed(10)`` weights, a 4-2-3 sigmoid
net, eta = 0.1, full-batch gradient descent for 15000 epochs in float64, with the MSE and
the accuracy of every epoch recorded from that epoch's feedforward, before its update.

Every implementation takes a :class:`SeriesRun` and returns a :class:`Trained`; the
benchmark checks that they all end on the same weights with the same curves
(:func:`assert_same_training`). NumPy and handbp live here, JAX in
:mod:`bench.jax_series` and PyTorch, which is not a dependency of the test suite, in
:mod:`bench.torch_series`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from handbp import data, losses, network, training, unchecked

SPLIT_SEED = 4
WEIGHTS_SEED = 10
ETA = 0.1
EPOCHS = 15000

# Agreement of two implementations of the same maths in float64: the sigmoids and
# exponentials of NumPy, XLA and PyTorch differ in the last bits, and 15000 epochs carry
# that along without amplifying it (the run converges).
WEIGHTS_RTOL = 1e-9
WEIGHTS_ATOL = 1e-12


@dataclass(frozen=True)
class SeriesRun:
    """The inputs of the series' training run (part 14, split S = 4, seed 10)."""

    X: np.ndarray
    Y: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    eta: float
    epochs: int


@dataclass(frozen=True)
class Trained:
    """Final weights and the curves monitored at every epoch."""

    W1: np.ndarray
    W2: np.ndarray
    mse: np.ndarray
    accuracy: np.ndarray


@dataclass(frozen=True)
class Gradients:
    """dMSE/dW1 and dMSE/dW2 (the series' ``weights_1_update`` and ``weights_2_update``)."""

    W1: np.ndarray
    W2: np.ndarray


def series_run(epochs: int = EPOCHS) -> SeriesRun:
    """Part 14's first run: 130 training flowers (S = 4), seed-10 weights, eta 0.1."""
    split = data.train_test_split(data.load_iris(data.SERIES_VARIANT), 20, seed=SPLIT_SEED)
    W1, W2 = network.initial_weights(WEIGHTS_SEED)
    return SeriesRun(split.train.X, split.train.Y, W1, W2, ETA, epochs)


# --- 1. The series' notebook loop (the baseline) ------------------------------------------


def _notebook_sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def _notebook_mean_squared_error(predictions: np.ndarray, labels: np.ndarray) -> float:
    N = labels.size
    return ((predictions - labels) ** 2).sum() / (2 * N)


def _notebook_accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    predictions_correct = predictions.argmax(axis=1) == labels.argmax(axis=1)
    return predictions_correct.mean()


def notebook_train(run: SeriesRun) -> Trained:
    """The series' part-14 notebook: np.dot, 1/(1+exp(-x)), lists appended every epoch."""
    X_train, y_train = run.X, run.Y
    weights_1, weights_2 = run.W1, run.W2
    learning_rate, N = run.eta, run.Y.size
    monitoring: dict[str, list[float]] = {"mean_squared_error": [], "accuracy": []}
    for _epoch in range(run.epochs):
        # feedforward
        hidden_layer_inputs = np.dot(X_train, weights_1)
        hidden_layer_outputs = _notebook_sigmoid(hidden_layer_inputs)
        output_layer_inputs = np.dot(hidden_layer_outputs, weights_2)
        output_layer_outputs = _notebook_sigmoid(output_layer_inputs)

        # monitor training process
        mse = _notebook_mean_squared_error(output_layer_outputs, y_train)
        acc = _notebook_accuracy(output_layer_outputs, y_train)
        monitoring["mean_squared_error"].append(mse)
        monitoring["accuracy"].append(acc)

        # backpropagation
        output_layer_error = output_layer_outputs - y_train
        output_layer_delta = output_layer_error * output_layer_outputs * (1 - output_layer_outputs)
        hidden_layer_error = np.dot(output_layer_delta, weights_2.T)
        hidden_layer_delta = hidden_layer_error * hidden_layer_outputs * (1 - hidden_layer_outputs)

        # weight updates
        weights_2_update = np.dot(hidden_layer_outputs.T, output_layer_delta) / N
        weights_1_update = np.dot(X_train.T, hidden_layer_delta) / N
        weights_2 = weights_2 - learning_rate * weights_2_update
        weights_1 = weights_1 - learning_rate * weights_1_update
    return Trained(
        weights_1,
        weights_2,
        np.array(monitoring["mean_squared_error"]),
        np.array(monitoring["accuracy"]),
    )


def notebook_gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> Gradients:
    """One feedforward and backpropagation pass of the notebook (parts 13-14)."""
    N = Y.size
    hidden_layer_outputs = _notebook_sigmoid(np.dot(X, W1))
    output_layer_outputs = _notebook_sigmoid(np.dot(hidden_layer_outputs, W2))
    output_layer_error = output_layer_outputs - Y
    output_layer_delta = output_layer_error * output_layer_outputs * (1 - output_layer_outputs)
    hidden_layer_error = np.dot(output_layer_delta, W2.T)
    hidden_layer_delta = hidden_layer_error * hidden_layer_outputs * (1 - hidden_layer_outputs)
    return Gradients(
        np.dot(X.T, hidden_layer_delta) / N, np.dot(hidden_layer_outputs.T, output_layer_delta) / N
    )


# --- NumPy, tuned: the same maths in preallocated buffers -----------------------------------


def tuned_numpy_train(run: SeriesRun, chunk: int = 500) -> Trained:
    """The notebook's maths, tuned for NumPy's per-call overhead on small arrays.

    What changes, each worth 0.05-0.2 of the notebook loop's time here (bench/README.md):
    every array is preallocated and every ufunc writes in place (``out=``); ``np.dot``,
    not ``np.matmul``/``@``, which costs more per call on tiny matrices; the constants
    ``1`` and ``eta / N`` are arrays, not Python numbers that each call converts; and the
    output layer of every epoch is written into a buffer of ``chunk`` epochs whose MSE and
    accuracy are computed together, in one vectorised pass per chunk.
    """
    X, Y, N = run.X, run.Y, run.Y.size
    W1, W2 = run.W1.copy(), run.W2.copy()
    XT, labels, n_examples = X.T.copy(), Y.argmax(axis=1), X.shape[0]
    H_out, H_delta = np.empty((n_examples, W1.shape[1])), np.empty((n_examples, W1.shape[1]))
    O_delta, O_work = np.empty(Y.shape), np.empty(Y.shape)
    O_outs = np.empty((chunk, *Y.shape))  # the output layer of the last `chunk` epochs
    W1_step, W2_step = np.empty_like(W1), np.empty_like(W2)
    ones_H, ones_O = np.ones_like(H_out), np.ones_like(O_delta)
    step_1, step_2 = np.full_like(W1, run.eta / N), np.full_like(W2, run.eta / N)
    mse, accuracy = np.empty(run.epochs), np.empty(run.epochs)

    def monitor(first: int, count: int) -> None:
        errors = O_outs[:count] - Y
        mse[first : first + count] = np.einsum("eij,eij->e", errors, errors) / (2 * N)
        correct = O_outs[:count].argmax(axis=2) == labels
        accuracy[first : first + count] = correct.sum(axis=1) / n_examples

    dot, exp, negative, add, reciprocal = np.dot, np.exp, np.negative, np.add, np.reciprocal
    multiply, subtract = np.multiply, np.subtract
    for epoch in range(run.epochs):
        O_out = O_outs[epoch % chunk]
        dot(X, W1, out=H_out)  # H_out = 1 / (1 + exp(-X W1))
        negative(H_out, out=H_out)
        exp(H_out, out=H_out)
        add(H_out, ones_H, out=H_out)
        reciprocal(H_out, out=H_out)
        dot(H_out, W2, out=O_out)  # O_out = 1 / (1 + exp(-H_out W2))
        negative(O_out, out=O_out)
        exp(O_out, out=O_out)
        add(O_out, ones_O, out=O_out)
        reciprocal(O_out, out=O_out)
        subtract(O_out, Y, out=O_delta)  # O_delta = (O_out - Y) * O_out * (1 - O_out)
        multiply(O_delta, O_out, out=O_delta)
        subtract(ones_O, O_out, out=O_work)
        multiply(O_delta, O_work, out=O_delta)
        dot(H_out.T, O_delta, out=W2_step)  # N * W2_update, from H_out before it is reused
        dot(O_delta, W2.T, out=H_delta)  # H_delta = (O_delta W2^T) * H_out * (1 - H_out)
        multiply(H_delta, H_out, out=H_delta)
        subtract(ones_H, H_out, out=H_out)
        multiply(H_delta, H_out, out=H_delta)
        multiply(W2_step, step_2, out=W2_step)  # W2 -= eta / N * H_out^T O_delta
        subtract(W2, W2_step, out=W2)
        dot(XT, H_delta, out=W1_step)  # W1 -= eta / N * X^T H_delta
        multiply(W1_step, step_1, out=W1_step)
        subtract(W1, W1_step, out=W1)
        if epoch % chunk == chunk - 1:
            monitor(epoch + 1 - chunk, chunk)
    if run.epochs % chunk:
        monitor(run.epochs - run.epochs % chunk, run.epochs % chunk)
    return Trained(W1, W2, mse, accuracy)


# --- 2. handbp ---------------------------------------------------------------------------


def handbp_train(run: SeriesRun) -> Trained:
    """``handbp.training.train``, as users run it (default divergence and fixed-point checks)."""
    result = training.train(run.X, run.Y, run.W1, run.W2, eta=run.eta, epochs=run.epochs)
    curves = result.history.train
    return Trained(result.weights.W1, result.weights.W2, curves.mse, curves.accuracy)


def handbp_functions_train(run: SeriesRun) -> Trained:
    """A user's loop over handbp's equation functions (feedforward, backpropagation, update)."""
    W1, W2 = run.W1, run.W2
    mse, accuracy = [], []
    for _epoch in range(run.epochs):
        forward = network.feedforward(run.X, W1, W2)
        mse.append(losses.mse(forward.output_layer_outputs, run.Y))
        accuracy.append(losses.accuracy(forward.output_layer_outputs, run.Y))
        backward = network.backpropagation(run.X, run.Y, W2, forward)
        W1, W2 = network.weights_update(
            W1, W2, backward.weights_1_update, backward.weights_2_update, run.eta
        )
    return Trained(W1, W2, np.array(mse), np.array(accuracy))


def handbp_functions_unchecked_train(run: SeriesRun) -> Trained:
    """The same loop inside ``handbp.unchecked()``: what the per-call checks cost, by difference."""
    with unchecked():
        return handbp_functions_train(run)


def handbp_gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> Gradients:
    """handbp.network.feedforward and backpropagation, inputs checked (the default)."""
    backward = network.backpropagation(X, Y, W2, network.feedforward(X, W1, W2))
    return Gradients(backward.weights_1_update, backward.weights_2_update)


def handbp_unchecked_gradients(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray
) -> Gradients:
    """The same inside ``handbp.unchecked()`` (no input checks)."""
    with unchecked():
        return handbp_gradients(X, Y, W1, W2)


# --- Agreement ---------------------------------------------------------------------------


def _assert_fields_close(
    reference: object, other: object, fields: tuple[str, ...], name: str
) -> None:
    for field in fields:
        np.testing.assert_allclose(
            getattr(other, field),
            getattr(reference, field),
            rtol=WEIGHTS_RTOL,
            atol=WEIGHTS_ATOL,
            err_msg=f"{name}: {field} differs from the notebook's",
        )


def assert_same_training(reference: Trained, other: Trained, name: str) -> None:
    """Raise AssertionError unless ``other`` ends on ``reference``'s weights and curves."""
    _assert_fields_close(reference, other, ("W1", "W2", "mse"), name)
    # accuracies are counts over the training set: one flower classified differently moves
    # them by 1/130, rounding in the mean by 1e-16
    np.testing.assert_allclose(
        other.accuracy, reference.accuracy, rtol=0, atol=1e-12, err_msg=f"{name}: accuracy differs"
    )


def assert_same_gradients(reference: Gradients, other: Gradients, name: str) -> None:
    """Raise AssertionError unless ``other`` equals ``reference`` to float64 rounding."""
    _assert_fields_close(reference, other, ("W1", "W2"), name)
