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
the forward and backward passes run in place (:class:`handbp.inplace.InPlacePass`, the
same code as :meth:`Net.step <handbp.nn.Net.step>`) on buffers allocated once for the
full and once for the last, partial batch. Each line names the equation it computes; the
tests check, batch by batch, that both classes give the same parameters bit for bit.

Both also record, per epoch, the squared Frobenius norm of every layer's weight
gradient summed over the batches (:attr:`gradient_squares`), for the diagnostics.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from handbp.checks import unchecked
from handbp.inplace import InPlacePass
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
    with unchecked(), np.errstate(over="ignore", invalid="ignore"):
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


class FastEpoch(Epoch):
    """The same epoch in place, on one flat parameter vector and buffers allocated once."""

    name = "fast"

    def prepare(self, params: Params) -> None:
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
        self.buffers = {size: self._buffers(size, backward=True) for size in sizes}
        # what every batch looks up, looked up once
        self.counts = {size: self.net.count(self.Y[:size]) for size in sizes}  # the loss's N
        self.transposed = [W.T for W in self.weights]
        self.flat_dW = [dW.ravel() for dW in self.dW]
        self.full: dict[int, tuple[InPlacePass, np.ndarray]] = {}  # measure's, by data set
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

    def _buffers(self, size: int, backward: bool) -> InPlacePass:
        return InPlacePass(self.net, size, self.X.dtype, backward)

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
        weights, biases, transposed, dW, db = (
            self.weights,
            self.biases,
            self.transposed,
            self.dW,
            self.db,
        )
        update, dot = self._update, np.dot
        squares = [0.0] * len(flat_dW)
        start = 0
        for rows in batches:
            size = rows.shape[0]
            X_batch, Y_batch = X_all[start : start + size], Y_all[start : start + size]
            passes = buffers[size]
            passes.forward(X_batch, weights, biases)
            passes.backward(X_batch, Y_batch, self.counts[size], transposed, dW, db)
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
            self.full[id(X)] = (self._buffers(X.shape[0], backward=False), np.argmax(Y, axis=1))
        passes, labels = self.full[id(X)]
        with np.errstate(over="ignore", invalid="ignore"):
            passes.forward(X, self.weights, self.biases)
        layers = passes.layers
        forward = NetForward(tuple(b.Z for b in layers), tuple(b.A for b in layers))
        with unchecked(), np.errstate(over="ignore", invalid="ignore"):
            loss = float(self.net.loss_value(Y, forward))
        right = np.argmax(layers[-1].A, axis=1) == labels
        return loss, float(np.mean(right)), list(forward.layer_l_outputs)

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
