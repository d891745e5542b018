r"""The engines that run training's epochs: the catalogue's functions, or the same in place.

Every epoch does what part 14's notebook does: one feedforward pass (part 5), the MSE
(``mse``, part 6) and the ``accuracy`` (part 14) of that pass, recorded *before* the
update, one backpropagation pass (parts 11-12) and one ``weights_update`` (part 13).
:class:`SimpleEngine` is that loop written with the catalogue's functions, as a learner
writes it. :class:`FastEngine`, the default of :func:`~handbp.training.train`, runs the
same equations, in the same order and with the same floating-point operations, on
buffers allocated once: each line there names the equation id it computes, and the tests
check, epoch by epoch and bit for bit, that it gives exactly what :class:`SimpleEngine`'s
calls give. The catalogue's functions allocate a fresh array for every quantity and go
through some twenty Python functions per epoch; on the 130 training flowers such a loop
took 2.2 to 2.6 times as long as the series' own notebook loop (measured).

An engine runs a *block* of epochs at a time; :func:`~handbp.training.train` looks at
the recorded curves between blocks (stopping rules, divergence, progress) and keeps the
weights of every epoch of the block, so the epoch at which it stops is exact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from handbp import losses, network
from handbp.network import Weights


def mse_per_epoch(O_error: np.ndarray, N: int) -> np.ndarray:
    """``losses.mse`` of every epoch of a block, from its output-layer errors (epochs first)."""
    squares = np.square(O_error).reshape(O_error.shape[0], -1)
    return (squares.sum(axis=1) / (2 * N)).astype(np.float64)


def accuracy_per_epoch(O_out: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``losses.accuracy`` of every epoch of a block (outputs with epochs first)."""
    return np.mean(np.argmax(O_out, axis=-1) == labels, axis=-1)


class Engine(ABC):
    """Runs blocks of up to ``block`` epochs of full-batch gradient descent.

    After ``run(count)``, slot ``k < count`` of :attr:`W1` and :attr:`W2` holds
    the weights before the update of the block's epoch ``k`` (slot ``count`` those after
    its last update), and :attr:`mse` and :attr:`accuracy` that epoch's figures on the
    training data (float64). :meth:`next_block` starts the next block from slot ``count``.
    :func:`~handbp.training.train` checks the inputs and makes the engine; ``X``, ``Y``
    and the weights share one float dtype.
    """

    name: ClassVar[str]

    def __init__(self, X: np.ndarray, Y: np.ndarray, weights: Weights, eta: float, block: int):
        self.X, self.Y, self.eta, self.block = X, Y, eta, block
        self.W1 = np.empty((block + 1, *weights.W1.shape), X.dtype)
        self.W2 = np.empty((block + 1, *weights.W2.shape), X.dtype)
        self.W1[0], self.W2[0] = weights
        self.mse = np.empty(block)
        self.accuracy = np.empty(block)

    @abstractmethod
    def run(self, count: int) -> None:
        """Run ``count`` (at most ``block``) epochs from the weights in slot 0."""

    def next_block(self, count: int) -> None:
        """Move the weights after the last update of the block to slot 0."""
        self.W1[0], self.W2[0] = self.W1[count], self.W2[count]


class SimpleEngine(Engine):
    """Each epoch as part 14 writes it: one call of the catalogue's function per step."""

    name = "simple"

    def run(self, count: int) -> None:
        X, Y, eta = self.X, self.Y, self.eta
        for k in range(count):
            W1, W2 = self.W1[k], self.W2[k]
            forward = network.feedforward(X, W1, W2)
            self.mse[k] = losses.mse(forward.output_layer_outputs, Y)
            self.accuracy[k] = losses.accuracy(forward.output_layer_outputs, Y)
            backward = network.backpropagation(X, Y, W2, forward)
            self.W1[k + 1], self.W2[k + 1] = network.weights_update(
                W1, W2, backward.weights_1_update, backward.weights_2_update, eta
            )


class FastEngine(Engine):
    """The catalogue's equations of one epoch, in place, on buffers allocated once.

    Slot ``k`` of the block also keeps that epoch's output-layer outputs and error; the
    MSE and accuracy of the whole block are reduced from them after its last epoch.
    """

    name = "fast"

    def __init__(self, X: np.ndarray, Y: np.ndarray, weights: Weights, eta: float, block: int):
        super().__init__(X, Y, weights, eta, block)
        n, n_out = Y.shape
        n_hidden = weights.W1.shape[1]
        dtype = X.dtype

        def constant(value: float) -> np.ndarray:
            # 0-d arrays of the data's dtype: the values NumPy would convert the Python
            # numbers of the catalogue's expressions to, passed without conversion cost.
            return np.array(value, dtype=dtype)

        self.one, self.N, self.eta_array = constant(1), constant(Y.size), constant(eta)
        self.labels = np.argmax(Y, axis=1)
        self.O_out = np.empty((block, n, n_out), dtype)
        self.O_error = np.empty((block, n, n_out), dtype)
        self.H_in = np.empty((n, n_hidden), dtype)
        self.H_out = np.empty((n, n_hidden), dtype)
        self.H_error = np.empty((n, n_hidden), dtype)
        self.H_delta = np.empty((n, n_hidden), dtype)
        self.H_work = np.empty((n, n_hidden), dtype)
        self.O_in = np.empty((n, n_out), dtype)
        self.O_delta = np.empty((n, n_out), dtype)
        self.O_work = np.empty((n, n_out), dtype)
        self.W1_update = np.empty(weights.W1.shape, dtype)
        self.W2_update = np.empty(weights.W2.shape, dtype)
        self.slots = [
            (self.W1[k], self.W2[k], self.W2[k].T, self.O_out[k], self.O_error[k], *after)
            for k, after in enumerate(zip(self.W1[1:], self.W2[1:], strict=True))
        ]

    def run(self, count: int) -> None:
        X, Y, X_T, one, N, eta = self.X, self.Y, self.X.T, self.one, self.N, self.eta_array
        H_in, H_out, H_out_T, H_error = self.H_in, self.H_out, self.H_out.T, self.H_error
        H_delta, H_work, O_in, O_delta = self.H_delta, self.H_work, self.O_in, self.O_delta
        O_work, W1_update, W2_update = self.O_work, self.W1_update, self.W2_update
        dot, negative, exp, add, divide = np.dot, np.negative, np.exp, np.add, np.divide
        subtract, multiply = np.subtract, np.multiply
        # The two layers' lines are written out rather than shared through helper
        # functions: those calls made an epoch 14.0 instead of 12.5 us (measured).
        for W1, W2, W2_T, O_out, O_error, W1_next, W2_next in self.slots[:count]:
            # feedforward (parts 2, 5); sigmoid(x) = 1 / (1 + exp(-x)) (part 8)
            dot(X, W1, out=H_in)  # hidden_layer_inputs
            negative(H_in, out=H_work)
            exp(H_work, out=H_work)
            add(one, H_work, out=H_work)
            divide(one, H_work, out=H_out)  # hidden_layer_outputs
            dot(H_out, W2, out=O_in)  # output_layer_inputs
            negative(O_in, out=O_work)
            exp(O_work, out=O_work)
            add(one, O_work, out=O_work)
            divide(one, O_work, out=O_out)  # output_layer_outputs
            # backpropagation (parts 11-12); sigmoid_derivative(s) = s * (1 - s) (part 8)
            subtract(O_out, Y, out=O_error)  # output_layer_error
            subtract(one, O_out, out=O_work)
            multiply(O_out, O_work, out=O_work)
            multiply(O_error, O_work, out=O_delta)  # output_layer_delta
            dot(H_out_T, O_delta, out=W2_update)
            divide(W2_update, N, out=W2_update)  # weights_2_update
            dot(O_delta, W2_T, out=H_error)  # hidden_layer_error
            subtract(one, H_out, out=H_work)
            multiply(H_out, H_work, out=H_work)
            multiply(H_error, H_work, out=H_delta)  # hidden_layer_delta
            dot(X_T, H_delta, out=W1_update)
            divide(W1_update, N, out=W1_update)  # weights_1_update
            # weights_update (part 13)
            multiply(eta, W1_update, out=W1_update)
            subtract(W1, W1_update, out=W1_next)
            multiply(eta, W2_update, out=W2_update)
            subtract(W2, W2_update, out=W2_next)
        # mse (part 6) and accuracy (part 14) of every epoch of the block
        self.mse[:count] = mse_per_epoch(self.O_error[:count], Y.size)
        self.accuracy[:count] = accuracy_per_epoch(self.O_out[:count], self.labels)


ENGINES: dict[str, type[Engine]] = {engine.name: engine for engine in (FastEngine, SimpleEngine)}
"""The engines by name: ``"fast"`` (the default) and ``"simple"``."""
