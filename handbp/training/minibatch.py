r"""One epoch of mini-batch training of any :class:`~handbp.nn.Net`, two ways.

:class:`CatalogueEpoch` is the epoch as a learner writes it with the catalogue's
functions: for each mini-batch of :func:`handbp.optimizers.minibatches`,
``net.gradients`` (``feedforward_net``, ``backpropagation_net``) and one
:meth:`Optimizer.update <handbp.optimizers.Optimizer.update>` per weight and bias array.

:class:`FastEpoch`, what :func:`~handbp.training.fit` runs by default, computes the same
equations with the same floating-point operations in the same order, in place: every
parameter lives in one flat vector :math:`\theta` (each :math:`W_l` and :math:`b_l` a
view into it), every gradient in one flat vector of the same layout, so an optimizer's
update is a dozen NumPy calls on the whole of :math:`\theta` whatever the depth, and
every layer's buffers are allocated once for the full and once for the last, partial
batch. Each line names the equation it computes; the tests check, batch by batch, that
both classes give the same parameters bit for bit.

Both also record, per epoch, the squared Frobenius norm of every layer's weight
gradient summed over the batches (:attr:`gradient_squares`), for the diagnostics.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from handbp.activations import LEAKY_SLOPE
from handbp.checks import unchecked
from handbp.nn import Net, NetForward, Params, feedforward_net
from handbp.optimizers import Optimizer, minibatches


class Epoch(ABC):
    """Runs epochs of mini-batch training of ``net`` on ``X, Y`` from ``params``.

    After :meth:`run`, :attr:`params` are the parameters after the epoch's last update
    and :attr:`gradient_squares` holds, per layer, the sum over the epoch's batches of
    :math:`\\lVert \\partial C_B / \\partial W_l \\rVert_F^2`.
    """

    name: str

    def __init__(
        self,
        net: Net,
        X: np.ndarray,
        Y: np.ndarray,
        params: Params,
        optimizer: Optimizer,
        batch_size: int,
        seed: int,
    ) -> None:
        self.net, self.X, self.Y, self.optimizer = net, X, Y, optimizer
        self.batch_size, self.seed = batch_size, seed
        self.gradient_squares = np.zeros(net.depth)
        self.batches_run = 0
        self.prepare(params)

    @abstractmethod
    def prepare(self, params: Params) -> None:
        """Set up the parameters, the optimizer's state and any buffers."""

    @property
    @abstractmethod
    def params(self) -> Params:
        """The current parameters (copies the caller may keep)."""

    @abstractmethod
    def run(self, epoch: int) -> None:
        """One epoch: the batches of ``minibatches(n, batch_size, seed, epoch)``, in order."""

    def measure(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
        """:func:`measure` of the current parameters on ``X, Y``."""
        return measure(self.net, X, Y, self.params)


def measure(net: Net, X: np.ndarray, Y: np.ndarray, params: Params) -> tuple[float, float, list]:
    """The loss and accuracy of ``params`` on ``X, Y``, and every layer's outputs."""
    with unchecked(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        forward = feedforward_net(net, X, params)
        loss = float(net.loss_value(Y, forward))
    right = np.argmax(forward.layer_l_outputs[-1], axis=1) == np.argmax(Y, axis=1)
    return loss, float(np.mean(right)), list(forward.layer_l_outputs)


def _arrays(params: Params) -> list[np.ndarray]:
    return [*params.weights, *(params.biases or ())]


class CatalogueEpoch(Epoch):
    """The catalogue's functions, one call per step: ``net.gradients``, ``optimizer.update``."""

    name = "catalogue"

    def prepare(self, params: Params) -> None:
        self.current = params
        self.states = [self.optimizer.init(array) for array in _arrays(params)]

    @property
    def params(self) -> Params:
        biases = (
            None if self.current.biases is None else tuple(b.copy() for b in self.current.biases)
        )
        return Params(tuple(W.copy() for W in self.current.weights), biases)

    def run(self, epoch: int) -> None:
        self.gradient_squares[:] = 0
        L = self.net.depth
        for rows in minibatches(self.X.shape[0], self.batch_size, self.seed, epoch):
            gradients = self.net.gradients(self.X[rows], self.Y[rows], self.current).gradients
            for layer, dW in enumerate(gradients.weights):
                self.gradient_squares[layer] += np.vdot(dW, dW)
            updated = [
                self.optimizer.update(array, gradient, state)
                for array, gradient, state in zip(
                    _arrays(self.current), _arrays(gradients), self.states, strict=True
                )
            ]
            arrays = [array for array, _ in updated]
            self.states = [state for _, state in updated]
            biases = tuple(arrays[L:]) if self.current.biases is not None else None
            self.current = Params(tuple(arrays[:L]), biases)
            self.batches_run += 1


IN_PLACE: tuple[str, ...] = ("sigmoid", "tanh", "relu", "leaky_relu", "softmax")
"""The activations :class:`FastEpoch` writes out in place."""


class _Layer:
    """One layer's views into the flat vectors and its buffers for one batch size."""

    def __init__(self, n: int, width: int, dtype: np.dtype, backward: bool = True) -> None:
        self.Z = np.empty((n, width), dtype)  # layer_l_inputs
        self.A = np.empty((n, width), dtype)  # layer_l_outputs
        self.mask = np.empty((n, width), bool)
        self.column = np.empty((n, 1), dtype)
        if backward:
            self.E = np.empty((n, width), dtype)  # layer_l_error
            self.D = np.empty((n, width), dtype)  # layer_l_delta
            self.work = np.empty((n, width), dtype)


class FastEpoch(Epoch):
    """The same epoch in place, on one flat parameter vector and buffers allocated once."""

    name = "fast"

    def prepare(self, params: Params) -> None:
        unknown = [name for name in self.net.activations if name not in IN_PLACE]
        if unknown:
            raise ValueError(
                f"the fast epoch computes the activations {', '.join(IN_PLACE)} in place, "
                f"not {unknown[0]!r}: use engine='catalogue'"
            )
        X, batch_size, dtype = self.X, self.batch_size, self.X.dtype
        arrays = _arrays(params)
        self.theta = np.concatenate([array.ravel() for array in arrays]).astype(dtype)
        self.gradient = np.zeros_like(self.theta)
        self.weights, self.biases = self._views(self.theta)
        self.dW, self.db = self._views(self.gradient)
        self.work = np.empty_like(self.theta)
        self.work2 = np.empty_like(self.theta)
        # the optimizer's state, flat like theta: momentum's v, Adam's m and v
        self.first = np.zeros_like(self.theta)
        self.second = np.zeros_like(self.theta)
        self.t = 0
        n = X.shape[0]
        sizes = {min(batch_size, n), n % batch_size or batch_size}
        self.buffers = {size: self._buffers(size) for size in sizes}
        # what every batch looks up, looked up once
        self.counts = {size: self.net.count(self.Y[:size]) for size in sizes}  # the loss's N
        self.layers = list(zip(self.weights, self.net.activations, strict=True))
        self.biased, self.fused = self.net.biases, self.net.fused
        self.transposed = [W.T for W in self.weights]
        self.flat_dW = [dW.ravel() for dW in self.dW]
        self.full: dict[int, tuple[list[_Layer], np.ndarray]] = {}  # measure's, by data set
        self.X_shuffled, self.Y_shuffled = np.empty_like(X), np.empty_like(self.Y)

    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        shapes = list(zip(self.net.widths[:-1], self.net.widths[1:], strict=True))
        weights, biases, start = [], [], 0
        for m, n in shapes:
            weights.append(flat[start : start + m * n].reshape(m, n))
            start += m * n
        if self.net.biases:
            for _, n in shapes:
                biases.append(flat[start : start + n])
                start += n
        return weights, biases

    def _buffers(self, size: int, backward: bool = True) -> list[_Layer]:
        return [_Layer(size, width, self.X.dtype, backward) for width in self.net.widths[1:]]

    @property
    def params(self) -> Params:
        biases = tuple(b.copy() for b in self.biases) if self.net.biases else None
        return Params(tuple(W.copy() for W in self.weights), biases)

    def run(self, epoch: int) -> None:
        batches = minibatches(self.X.shape[0], self.batch_size, self.seed, epoch)
        # the epoch's rows in shuffled order, once: each batch is then a contiguous slice
        order = np.concatenate(batches)
        np.take(self.X, order, axis=0, out=self.X_shuffled)
        np.take(self.Y, order, axis=0, out=self.Y_shuffled)
        X_all, Y_all, buffers, flat_dW = (
            self.X_shuffled,
            self.Y_shuffled,
            self.buffers,
            self.flat_dW,
        )
        forward, backward, update, dot = self._forward, self._backward, self._update, np.dot
        squares = [0.0] * len(flat_dW)
        start = 0
        for rows in batches:
            size = rows.shape[0]
            X_batch, Y_batch = X_all[start : start + size], Y_all[start : start + size]
            layers = buffers[size]
            forward(X_batch, layers)
            backward(X_batch, Y_batch, layers)
            for layer, flat in enumerate(flat_dW):
                squares[layer] += dot(flat, flat)
            update()
            start += size
        self.gradient_squares[:] = squares
        self.batches_run += len(batches)

    def measure(self, X: np.ndarray, Y: np.ndarray) -> tuple[float, float, list[np.ndarray]]:
        """:func:`measure`, the feedforward in place on buffers kept for ``X``'s size.

        The outputs returned are those buffers: valid until the next call for that ``X``.
        """
        if id(X) not in self.full:  # the data sets of a run, each measured every epoch
            self.full[id(X)] = (self._buffers(X.shape[0], False), np.argmax(Y, axis=1))
        layers, labels = self.full[id(X)]
        with np.errstate(over="ignore", invalid="ignore"):
            self._forward(X, layers)
        forward = NetForward(tuple(b.Z for b in layers), tuple(b.A for b in layers))
        with unchecked(), np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            loss = float(self.net.loss_value(Y, forward))
        right = np.argmax(layers[-1].A, axis=1) == labels
        return loss, float(np.mean(right)), list(forward.layer_l_outputs)

    def _forward(self, X: np.ndarray, layers: list[_Layer]) -> None:
        A = X
        for k, ((W, name), layer) in enumerate(zip(self.layers, layers, strict=True)):
            np.matmul(A, W, out=layer.Z)  # layer_l_inputs: A_{l-1} W_l (+ b_l)
            if self.biased:
                np.add(layer.Z, self.biases[k], out=layer.Z)
            Z, A = layer.Z, layer.A
            if name == "sigmoid":  # sigmoid: 1 / (1 + exp(-z))
                np.negative(Z, out=A)
                with np.errstate(over="ignore"):
                    np.exp(A, out=A)
                np.add(1, A, out=A)
                np.divide(1, A, out=A)
            elif name == "tanh":
                np.tanh(Z, out=A)
            elif name == "relu":
                np.maximum(Z, 0, out=A)
            elif name == "leaky_relu":  # leaky_relu: z if z > 0 else slope z
                np.greater(Z, 0, out=layer.mask)
                np.multiply(LEAKY_SLOPE, Z, out=A)
                np.copyto(A, Z, where=layer.mask)
            else:  # softmax (checked in prepare): exp(z - max z) / sum exp(z - max z), each row
                np.maximum.reduce(Z, axis=1, keepdims=True, out=layer.column)
                np.subtract(Z, layer.column, out=A)
                np.exp(A, out=A)
                np.add.reduce(A, axis=1, keepdims=True, out=layer.column)
                np.divide(A, layer.column, out=A)

    def _delta(self, layer: _Layer, name: str) -> None:
        """layer_l_delta: D = E * f'(A), f' read from the layer's output A."""
        A, E, D, work = layer.A, layer.E, layer.D, layer.work
        if name == "sigmoid":  # sigmoid_derivative: a (1 - a)
            np.subtract(1, A, out=work)
            np.multiply(A, work, out=work)
            np.multiply(E, work, out=D)
        elif name == "tanh":  # tanh_derivative: 1 - a a
            np.multiply(A, A, out=work)
            np.subtract(1, work, out=work)
            np.multiply(E, work, out=D)
        elif name == "relu":  # relu_derivative: 1 if a > 0 else 0
            np.greater(A, 0, out=layer.mask)
            np.multiply(E, layer.mask, out=D)
        elif name == "leaky_relu":  # leaky_relu_derivative: 1 if a > 0 else slope
            np.greater(A, 0, out=layer.mask)
            work.fill(LEAKY_SLOPE)
            np.copyto(work, 1, where=layer.mask)
            np.multiply(E, work, out=D)
        else:  # softmax_jvp (checked in prepare): p (v - sum(v p))
            np.multiply(E, A, out=work)
            np.add.reduce(work, axis=1, keepdims=True, out=layer.column)
            np.subtract(E, layer.column, out=work)
            np.multiply(A, work, out=D)

    def _backward(self, X: np.ndarray, Y: np.ndarray, layers: list[_Layer]) -> None:
        names, N, top = self.net.activations, self.counts[Y.shape[0]], layers[-1]
        np.subtract(top.A, Y, out=top.D if self.fused else top.E)  # fused delta / mse_error
        if not self.fused:
            self._delta(top, names[-1])
        for k in range(len(layers) - 1, -1, -1):
            D = layers[k].D
            A_prev = X if k == 0 else layers[k - 1].A
            np.matmul(A_prev.T, D, out=self.dW[k])  # weights_l_update: A_{k-1}^T D_l / N
            np.divide(self.dW[k], N, out=self.dW[k])
            if self.biased:  # bias_l_update: sum_e D_l / N
                np.add.reduce(D, axis=0, out=self.db[k])
                np.divide(self.db[k], N, out=self.db[k])
            if k > 0:
                np.matmul(D, self.transposed[k], out=layers[k - 1].E)  # layer_l_error
                self._delta(layers[k - 1], names[k - 1])

    def _update(self) -> None:
        o, theta, g, work, work2 = self.optimizer, self.theta, self.gradient, self.work, self.work2
        if o.decay:  # weight_decay: g + lambda W
            np.multiply(o.decay, theta, out=work)
            np.add(g, work, out=g)
        if o.name == "momentum":  # momentum_velocity: v = g + mu v; sgd_step with v
            np.multiply(o.mu, self.first, out=work)
            np.add(g, work, out=self.first)
            g = self.first
        elif o.name == "adam":
            self.t += 1
            m, v = self.first, self.second
            np.multiply(o.beta1, m, out=m)  # adam_first_moment: beta1 m + (1 - beta1) g
            np.multiply(1 - o.beta1, g, out=work)
            np.add(m, work, out=m)
            np.multiply(o.beta2, v, out=v)  # adam_second_moment: beta2 v + (1 - beta2) g g
            np.multiply(g, g, out=work)
            np.multiply(1 - o.beta2, work, out=work)
            np.add(v, work, out=v)
            np.divide(m, 1 - o.beta1**self.t, out=work)  # adam_bias_correction
            np.divide(v, 1 - o.beta2**self.t, out=work2)
            np.sqrt(work2, out=work2)  # adam_step: eta m_hat / (sqrt(v_hat) + eps)
            np.add(work2, o.eps, out=work2)
            np.divide(work, work2, out=work)
            g = work
        np.multiply(o.eta, g, out=work)  # sgd_step: W - eta g
        np.subtract(theta, work, out=theta)


EPOCHS: dict[str, type[Epoch]] = {epoch.name: epoch for epoch in (FastEpoch, CatalogueEpoch)}
"""The epoch runners by name: ``"fast"`` (the default) and ``"catalogue"``."""
