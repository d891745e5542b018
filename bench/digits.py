r"""The digits by mini-batches: handbp's trainer against scikit-learn, PyTorch and JAX.

One setting for all four: the same stratified split (:func:`handbp.digits.stratified_split`,
20% test, seed 0), a 64-32-10 net with a ReLU hidden layer and a softmax cross-entropy
output, float64, Adam (learning rate 0.001, betas 0.9 and 0.999, epsilon 1e-8, no weight
decay), mini-batches of 32 reshuffled every epoch with the last, shorter batch kept, 50
epochs, and the same initial parameters: for each seed, the ones ``MLPClassifier
(random_state=seed)`` draws (:func:`sklearn_initial_params`: Glorot uniform weights *and
biases*, bound :math:`\sqrt{6/(m + n)}`), which the other three are given. What still
differs, because each library does it its own way: the shuffling (handbp's and JAX's
``minibatches(seed, epoch)``, the others' own generators), and where Adam adds epsilon
(scikit-learn adds it to :math:`\sqrt{v}` before the bias correction, which makes it
:math:`\epsilon / \sqrt{1 - \beta_2^t}` next to :math:`\sqrt{\hat v}`; handbp, optax and
PyTorch add it to :math:`\sqrt{\hat v}`).

Why the same start: two trainers of one algorithm differ in test accuracy by the luck of
their initial weights and batches, about 0.005 per seed on these 359 test images, so a
mean over a few seeds is mostly that luck. Started from the same parameters, the per-seed
difference (:func:`paired_difference`) keeps only the shuffling's share of it, and over
:data:`SEEDS` its standard error is a fraction of one test image. The tests show that
handbp, started from scikit-learn's parameters and fed its batches, ends on its weights.

- **handbp**: :func:`handbp.training.fit`, which also records the training loss and
  accuracy after every epoch and runs the diagnostics;
- **scikit-learn**: ``MLPClassifier(solver="adam", alpha=0, batch_size=32,
  max_iter=50, tol=0, n_iter_no_change=51)``, which therefore runs all 50 epochs;
- **PyTorch eager**: ``nn.Linear`` layers, ``nn.CrossEntropyLoss``, ``torch.optim.Adam``,
  one intra-op thread (faster than two on these tiny tensors, :mod:`bench.torch_series`);
- **JAX**: a whole epoch jitted (``lax.scan`` over the batches, ``value_and_grad``, Adam
  written out), the floor of what the hardware does with these operations.

Test accuracy is taken after the last epoch, for each seed; time per epoch
is the median over interleaved repetitions of whole runs divided by the epochs (JAX's
compilation excluded: it runs once before the timing). ``python -m bench`` runs all four
with NumPy's BLAS limited to one thread (threadpoolctl), as PyTorch is here.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from bench.torch_series import one_thread
from handbp import data
from handbp.digits import load_digits, stratified_split
from handbp.nn import Net, Params
from handbp.optimizers import Optimizer, minibatches
from handbp.training import fit

WIDTHS = (64, 32, 10)
ETA = 0.001
BATCH = 32
EPOCHS = 50
SEEDS = tuple(range(100))
QUICK_SEEDS = (0, 1)
NET = Net(WIDTHS, ("relu", "softmax"), "cross_entropy")


@dataclass(frozen=True)
class Digits:
    """The split every contender trains and tests on."""

    X_train: np.ndarray
    Y_train: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray

    @property
    def labels_train(self) -> np.ndarray:
        return np.argmax(self.Y_train, axis=1)

    @property
    def labels_test(self) -> np.ndarray:
        return np.argmax(self.Y_test, axis=1)

    def accuracy(self, scores: np.ndarray) -> float:
        """The test accuracy of one row of class scores per test image."""
        return float(np.mean(np.argmax(scores, axis=1) == self.labels_test))


def digits_split() -> Digits:
    """The digits' stratified split: 1438 training and 359 test images, float64."""
    split: data.Split = stratified_split(load_digits(), 0.2, seed=0)
    return Digits(
        np.array(split.train.X),
        np.array(split.train.Y),
        np.array(split.test.X),
        np.array(split.test.Y),
    )


def sklearn_initial_params(random_state: np.random.RandomState) -> Params:
    r"""The initial parameters ``MLPClassifier`` draws from ``random_state``, drawn the same way.

    scikit-learn's ``_init_coef``, layer by layer: the weights, then the biases, both
    uniform on :math:`\pm\sqrt{6/(m + n)}` (Glorot's bound for ReLU, tanh and identity
    layers). Draws from ``random_state`` in place, as ``MLPClassifier`` does before its
    first shuffle; ``np.random.RandomState(seed)`` gives ``MLPClassifier(random_state=seed)``'s.
    """
    weights, biases = [], []
    for m, n in itertools.pairwise(WIDTHS):
        bound = math.sqrt(6.0 / (m + n))
        weights.append(random_state.uniform(-bound, bound, (m, n)))
        biases.append(random_state.uniform(-bound, bound, n))
    return Params(tuple(weights), tuple(biases))


def initial_params(seed: int) -> Params:
    """The seed's initial parameters for all four trainers: ``MLPClassifier(random_state=seed)``'s."""
    return sklearn_initial_params(np.random.RandomState(seed))


def handbp_run(d: Digits, seed: int, epochs: int = EPOCHS) -> float:
    """handbp's trainer; returns the test accuracy."""
    fitted = fit(
        NET,
        (d.X_train, d.Y_train),
        Optimizer("adam", ETA),
        batch_size=BATCH,
        epochs=epochs,
        seed=seed,
        params=initial_params(seed),
    )
    return d.accuracy(NET.forward(d.X_test, fitted.params).layer_l_outputs[-1])


def sklearn_run(d: Digits, seed: int, epochs: int = EPOCHS) -> float:
    """scikit-learn's MLPClassifier on the same settings, all ``epochs`` run."""
    model = MLPClassifier(
        hidden_layer_sizes=WIDTHS[1:-1],
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=BATCH,
        learning_rate_init=ETA,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        shuffle=True,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # it ran max_iter, as asked
        model.fit(d.X_train, d.labels_train)
    if model.n_iter_ != epochs:
        raise RuntimeError(f"MLPClassifier ran {model.n_iter_} epochs, not {epochs}")
    return d.accuracy(model.predict_proba(d.X_test))


def torch_run(d: Digits, seed: int, epochs: int = EPOCHS) -> float:
    """PyTorch eager, autograd, ``torch.optim.Adam``, one thread."""
    with one_thread():
        generator = torch.Generator().manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.Linear(WIDTHS[0], WIDTHS[1]),
            torch.nn.ReLU(),
            torch.nn.Linear(WIDTHS[1], WIDTHS[2]),
        ).double()
        with torch.no_grad():  # the seed's initial parameters; nn.Linear keeps W transposed
            params = initial_params(seed)
            for linear, W, b in zip(model[::2], params.weights, params.biases or (), strict=True):
                linear.weight.copy_(torch.from_numpy(W.T))
                linear.bias.copy_(torch.from_numpy(b))
        optimizer = torch.optim.Adam(model.parameters(), lr=ETA, betas=(0.9, 0.999), eps=1e-8)
        loss_function = torch.nn.CrossEntropyLoss()
        X, labels = torch.from_numpy(d.X_train), torch.from_numpy(d.labels_train)
        n = X.shape[0]
        for _epoch in range(epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, BATCH):
                rows = order[start : start + BATCH]
                optimizer.zero_grad()
                loss = loss_function(model(X[rows]), labels[rows])
                loss.backward()
                optimizer.step()
        with torch.no_grad():
            return d.accuracy(model(torch.from_numpy(d.X_test)).numpy())


def _jax_loss(params: tuple[jax.Array, ...], X: jax.Array, Y: jax.Array) -> jax.Array:
    W1, b1, W2, b2 = params
    logits = jax.nn.relu(X @ W1 + b1) @ W2 + b2
    return jnp.mean(jax.nn.logsumexp(logits, axis=1) - jnp.sum(Y * logits, axis=1))


def _adam(state: tuple, X: jax.Array, Y: jax.Array) -> tuple:
    params, m, v, t = state
    gradients = jax.grad(_jax_loss)(params, X, Y)
    t = t + 1
    m = tuple(0.9 * mi + 0.1 * g for mi, g in zip(m, gradients, strict=True))
    v = tuple(0.999 * vi + 0.001 * g * g for vi, g in zip(v, gradients, strict=True))
    params = tuple(
        p - ETA * (mi / (1 - 0.9**t)) / (jnp.sqrt(vi / (1 - 0.999**t)) + 1e-8)
        for p, mi, vi in zip(params, m, v, strict=True)
    )
    return params, m, v, t


@partial(jax.jit, static_argnames="full")
def _jax_epoch(state: tuple, X: jax.Array, Y: jax.Array, order: jax.Array, full: int) -> tuple:
    """One epoch: ``full`` batches of 32 by ``lax.scan``, then the last, shorter one."""
    Xs, Ys = X[order], Y[order]
    batches_X = Xs[: full * BATCH].reshape(full, BATCH, -1)
    batches_Y = Ys[: full * BATCH].reshape(full, BATCH, -1)

    def step(carry: tuple, batch: tuple) -> tuple:
        return _adam(carry, *batch), None

    state, _ = jax.lax.scan(step, state, (batches_X, batches_Y))
    if full * BATCH < X.shape[0]:
        state = _adam(state, Xs[full * BATCH :], Ys[full * BATCH :])
    return state


def jax_run(d: Digits, seed: int, epochs: int = EPOCHS) -> float:
    """JAX autodiff, a whole epoch jitted, Adam written out; handbp's batches."""
    with jax.enable_x64(True):
        params0 = initial_params(seed)
        params = tuple(
            jnp.asarray(a)
            for pair in zip(params0.weights, params0.biases or (), strict=True)
            for a in pair
        )
        zeros = tuple(jnp.zeros_like(p) for p in params)
        state = (params, zeros, zeros, jnp.asarray(0.0))
        X, Y = jnp.asarray(d.X_train), jnp.asarray(d.Y_train)
        n, full = d.X_train.shape[0], d.X_train.shape[0] // BATCH
        for epoch in range(epochs):
            order = np.concatenate(minibatches(n, BATCH, seed, epoch))
            state = _jax_epoch(state, X, Y, jnp.asarray(order), full)
        W1, b1, W2, b2 = (np.asarray(p) for p in state[0])
        return d.accuracy(np.maximum(d.X_test @ W1 + b1, 0) @ W2 + b2)


@dataclass(frozen=True)
class Difference:
    """Per-seed differences of two trainers' test accuracies (same seeds, same start)."""

    differences: tuple[float, ...]
    test_size: int

    @property
    def mean(self) -> float:
        """The mean difference over the seeds."""
        return float(np.mean(self.differences))

    @property
    def standard_error(self) -> float:
        """The standard error of :attr:`mean`: the sample standard deviation / sqrt(seeds)."""
        return float(np.std(self.differences, ddof=1) / math.sqrt(len(self.differences)))

    @property
    def images(self) -> tuple[int, int, int]:
        """Seeds where the first trainer got more, as many and fewer test images right."""
        counts = np.rint(np.asarray(self.differences) * self.test_size)
        return int(np.sum(counts > 0)), int(np.sum(counts == 0)), int(np.sum(counts < 0))


def paired_difference(
    first: Sequence[float], second: Sequence[float], test_size: int
) -> Difference:
    """``first[i] - second[i]`` for each seed i: two trainers' accuracies, seed by seed."""
    if len(first) != len(second) or len(first) < 2:
        raise ValueError(
            f"paired_difference needs two equally long lists of at least 2 seeds' accuracies, "
            f"got {len(first)} and {len(second)}"
        )
    return Difference(tuple(a - b for a, b in zip(first, second, strict=True)), test_size)


HANDBP = "handbp.training.fit"
SKLEARN = "scikit-learn MLPClassifier"
TORCH = "PyTorch eager (1 thread)"
JAX = "JAX, whole epoch jitted"

CONTENDERS: dict[str, Callable[[Digits, int, int], float]] = {
    HANDBP: handbp_run,
    SKLEARN: sklearn_run,
    TORCH: torch_run,
    JAX: jax_run,
}
"""The four trainers by the name the report gives them."""
