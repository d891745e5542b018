r"""Part 14's training loop: an engine's epochs, watched block by block.

:func:`train` checks its inputs, has an engine (:mod:`handbp.training.engines`) run the
epochs a block at a time, records the curves of the training data and of any held-out
data, and between blocks asks the stopping rules, the divergence check and the fixed-point
check whether an epoch of the block should have been the last. The epoch at which they
act is exact all the same, because the weights of every epoch of the block are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from handbp import data, network
from handbp.activations import sigmoid
from handbp.checks import (
    as_float_array,
    describe,
    finite_real,
    one_hot,
    positive_int,
    unchecked,
)
from handbp.network import Weights
from handbp.training.diagnostics import Diagnostics, Watcher, saturation
from handbp.training.engines import Engine, FastEngine, accuracy_per_epoch, mse_per_epoch
from handbp.training.history import Curves, History, Progress, Stop, Training, TrainingDiverged
from handbp.training.rules import (
    Check,
    Divergence,
    EarlyStopping,
    StoppingRule,
    first_true,
    stopping_rule,
)

BLOCK_EPOCHS = 128
"""Epochs run between two looks at the curves (stopping rules, divergence, progress).

Longer runs look about 100 times in all (blocks of ``epochs / 100``), and a block never
keeps more than 4 MiB of per-epoch outputs and weights (fewer epochs for big data)."""

_LOOKS = 100
_INITIAL_EPOCHS = 2**16  # history arrays start this long (or shorter) and double
_BLOCK_BYTES = 4 * 2**20


class Monitored:
    """Curves of one data set, filled block by block into preallocated arrays.

    The arrays hold the epochs asked for, or ``_INITIAL_EPOCHS`` to begin with and double
    when full, so that asking for a huge number of epochs does not reserve memory up front.
    ``loss`` names the loss the curves hold (:attr:`Curves.loss`).
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, epochs: int, loss: str = "MSE") -> None:
        self.X, self.Y, self.loss = X, Y, loss
        self.labels = np.argmax(Y, axis=1)
        self.mse = np.empty(min(epochs, _INITIAL_EPOCHS))
        self.accuracy = np.empty_like(self.mse)

    def record(self, start: int, mse: np.ndarray, accuracy: np.ndarray) -> None:
        stop = start + mse.shape[0]
        if stop > self.mse.shape[0]:
            size = max(stop, 2 * self.mse.shape[0])
            self.mse = np.concatenate((self.mse[:start], np.empty(size - start)))
            self.accuracy = np.concatenate((self.accuracy[:start], np.empty(size - start)))
        self.mse[start:stop] = mse
        self.accuracy[start:stop] = accuracy

    def record_held_out(self, start: int, W1: np.ndarray, W2: np.ndarray) -> None:
        """Feedforward of the held-out data with the weights of every epoch of a block."""
        O_out = sigmoid(np.matmul(sigmoid(np.matmul(self.X, W1)), W2))
        mse = mse_per_epoch(O_out - self.Y, self.Y.size)
        self.record(start, mse, accuracy_per_epoch(O_out, self.labels))

    def view(self, epochs: int) -> Curves:
        """The first ``epochs`` entries, without copying (for the rules, during the loop)."""
        return Curves(self.mse[:epochs], self.accuracy[:epochs], self.loss)

    def curves(self, epochs: int) -> Curves:
        """The first ``epochs`` entries, copied."""
        return Curves(self.mse[:epochs].copy(), self.accuracy[:epochs].copy(), self.loss)


HeldOut = data.Dataset | tuple[ArrayLike, ArrayLike]
"""Held-out data: a :class:`handbp.data.Dataset` or a pair ``(X, Y)``."""


def _held_out(
    value: HeldOut, name: str, X: np.ndarray, Y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(value, data.Dataset):
        pair: tuple[Any, ...] = (value.X, value.Y)
    elif isinstance(value, tuple) and len(value) == 2:
        pair = value
    else:
        raise TypeError(
            f"{name} must be a handbp.data.Dataset or a pair (X, Y), got {type(value).__name__}"
        )
    X_held = as_float_array(pair[0], f"the {name} X", ndim=2)
    Y_held = as_float_array(pair[1], f"the {name} Y", ndim=2)
    if X_held.dtype != X.dtype or Y_held.dtype != X.dtype:
        raise TypeError(
            f"the {name} data must have the training data's dtype {X.dtype}, got X "
            f"{X_held.dtype} and Y {Y_held.dtype}; cast explicitly with .astype()"
        )
    if X_held.shape[1] != X.shape[1] or Y_held.shape != (X_held.shape[0], Y.shape[1]):
        raise ValueError(
            f"the {name} data must have {X.shape[1]} features and {Y.shape[1]} one-hot "
            f"columns like the training data, one row of Y per row of X: got X of shape "
            f"{X_held.shape} and Y of shape {Y_held.shape}"
        )
    one_hot(Y_held, f"the {name} Y")
    return X_held, Y_held


def _block_size(X: np.ndarray, Y: np.ndarray, weights: Weights, epochs: int) -> int:
    per_epoch = (2 * Y.size + weights.W1.size + weights.W2.size) * X.dtype.itemsize
    wanted = max(BLOCK_EPOCHS, -(-epochs // _LOOKS))
    return max(1, min(wanted, epochs, _BLOCK_BYTES // per_epoch))


def watching(
    stopping: Any, divergence: Any, diagnostics: Any, progress: Any
) -> tuple[list[StoppingRule], Divergence, Diagnostics]:
    """The stopping rules, divergence check and diagnostics' thresholds of a run (defaults
    for None), and its progress callback, checked: each a TypeError naming the argument."""
    if isinstance(stopping, str | StoppingRule) or not isinstance(stopping, Sequence):
        hint = " (put one rule in a list: stopping=[rule])" if not isinstance(stopping, str) else ""
        raise TypeError(
            f"stopping must be a list of stopping rules or checks, got {describe(stopping)}{hint}"
        )
    rules = [stopping_rule(rule, position) for position, rule in enumerate(stopping)]
    divergence = Divergence() if divergence is None else divergence
    if not isinstance(divergence, Divergence):
        raise TypeError(
            f"divergence must be a handbp.training.Divergence or None, got {describe(divergence)}"
        )
    diagnostics = Diagnostics() if diagnostics is None else diagnostics
    if not isinstance(diagnostics, Diagnostics):
        raise TypeError(
            f"diagnostics must be a handbp.training.Diagnostics or None, got {describe(diagnostics)}"
        )
    if progress is not None and not callable(progress):
        raise TypeError(
            f"progress must be a function called with each Progress, or None, got "
            f"{describe(progress)}"
        )
    return rules, divergence, diagnostics


def train(
    X: ArrayLike,
    Y: ArrayLike,
    W1: ArrayLike,
    W2: ArrayLike,
    eta: float = 0.1,
    epochs: int = 1000,
    *,
    stopping: Sequence[StoppingRule | Check] = (),
    validation: HeldOut | None = None,
    test: HeldOut | None = None,
    divergence: Divergence | None = None,
    progress: Callable[[Progress], None] | None = None,
    engine: type[Engine] = FastEngine,
    diagnostics: Diagnostics | None = None,
) -> Training:
    r"""Part 14: full-batch gradient descent for at most ``epochs`` epochs.

    Each epoch: feedforward, MSE and accuracy (recorded before the update), backpropagation,
    :math:`W \leftarrow W - \eta\, \partial\mathrm{MSE}/\partial W` (``weights_update``).
    ``validation`` and ``test`` are held-out data, ``(X, Y)`` or a Dataset, whose MSE and
    accuracy are recorded every epoch too: ``validation`` for the rules that watch it
    (:class:`EarlyStopping`), ``test`` only to look at. Training stops at the first epoch
    any rule of ``stopping`` fires (a :class:`StoppingRule`, or a function called every
    epoch, see :class:`EveryEpoch`), or at a fixed point (an update that changes no
    weight), or after ``epochs`` epochs; :attr:`History.stop` says which and when.

    Raises :class:`TrainingDiverged` (naming the epoch) when ``divergence`` (by default
    :class:`Divergence`\ ``()``) detects NaN/inf or a runaway MSE. ``progress`` is called
    after every block of up to :data:`BLOCK_EPOCHS` epochs. ``engine`` runs the epochs:
    :class:`FastEngine` (in place, the default) or :class:`SimpleEngine` (the catalogue's
    functions); both give the same numbers, bit for bit.

    After every block, :func:`series_figures` of its last epoch go to a
    :class:`~handbp.training.diagnostics.Watcher` (thresholds ``diagnostics``, by default
    :class:`Diagnostics`\ ``()``): its findings (saturated layers, exploding or vanishing
    gradients, a stalled loss) are in :attr:`History.diagnosis` and the latest in
    :attr:`Progress.note`. They only look: the weights and curves are the same without them.
    """
    X = as_float_array(X, "X", ndim=2)
    Y = as_float_array(Y, "Y", ndim=2)
    W1 = as_float_array(W1, "W1", ndim=2)
    W2 = as_float_array(W2, "W2", ndim=2)
    network.check_network(X, Y, W1, W2)
    eta = finite_real(eta, "eta (learning rate)", positive=True)
    epochs = positive_int(epochs, "epochs")
    rules, divergence, diagnostics = watching(stopping, divergence, diagnostics, progress)
    if not (isinstance(engine, type) and issubclass(engine, Engine)):
        raise TypeError(
            f"engine must be an Engine class (FastEngine or SimpleEngine), got {engine!r}"
        )
    watcher = Watcher(
        ("sigmoid", "sigmoid"),
        (X.shape[1], W1.shape[1], Y.shape[1]),
        eta,
        epochs,
        diagnostics,
    )
    for rule in rules:
        if rule.watch == "validation" and validation is None:
            raise ValueError(
                f"the stopping rule {type(rule).__name__} watches the validation curves, "
                f"but no validation data was given"
            )
    monitored = {"train": Monitored(X, Y, epochs)}
    for name, held in (("validation", validation), ("test", test)):
        if held is not None:
            monitored[name] = Monitored(*_held_out(held, name, X, Y), epochs)

    block = _block_size(X, Y, Weights(W1, W2), epochs)
    loop = engine(X, Y, Weights(W1, W2), eta, block)
    weights_finite = np.ones(epochs, dtype=bool)
    kept: dict[int, tuple[int, Weights]] = {}  # per EarlyStopping rule: its best epoch so far
    done = 0
    while True:
        count = min(block, epochs - done)
        end = done + count
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), unchecked():
            loop.run(count)
            monitored["train"].record(done, loop.mse[:count], loop.accuracy[:count])
            for name in ("validation", "test"):
                if name in monitored:
                    monitored[name].record_held_out(done, loop.W1[:count], loop.W2[:count])
        for stack in (loop.W1, loop.W2):
            weights_finite[done:end] &= np.all(np.isfinite(stack[1 : count + 1]), axis=(1, 2))
        curves = {name: m.view(end) for name, m in monitored.items()}
        stop = _first_stop(rules, curves, loop, done, count, kept)
        diverged = divergence.first(curves["train"].mse, weights_finite[:end], done)
        if diverged is not None and (stop is None or diverged[0] <= stop.epoch):
            epoch, kind = diverged
            stopped = Stop("diverged", epoch, epoch, f"diverged ({kind}) at epoch {epoch}")
            message = divergence.message(curves["train"].mse, epoch, kind, eta)
            watcher.diverged(epoch, message, kind)
            raise TrainingDiverged(
                message,
                epoch,
                kind,
                history_of(monitored, epoch + 1, stopped, eta, epochs, watcher),
            )
        last = end - 1 if stop is None else stop.epoch
        with np.errstate(over="ignore", invalid="ignore"), unchecked():
            figures = series_figures(X, Y, loop.W1[last - done], loop.W2[last - done])
        watcher.observe(last, *figures, curves["train"].mse, float(curves["train"].accuracy[last]))
        if stop is None and end == epochs:
            stop = Stop("epochs", epochs - 1, epochs, f"ran the {epochs} epochs asked for")
        if progress is not None:
            train_curves = curves["train"]
            mse, accuracy = train_curves.mse[last], train_curves.accuracy[last]
            note = watcher.findings[-1].message if watcher.findings else ""
            progress(Progress(last + 1, epochs, float(mse), float(accuracy), note))
        if stop is not None:
            restored = [w for epoch, w in kept.values() if epoch == stop.weights_epoch]
            k = stop.weights_epoch - done
            result = restored[0] if restored else Weights(loop.W1[k].copy(), loop.W2[k].copy())
            return Training(
                result, history_of(monitored, stop.epoch + 1, stop, eta, epochs, watcher)
            )
        loop.next_block(count)
        done = end


def series_figures(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The series' net's :func:`saturation`, weight-gradient and weight norms per layer."""
    forward = network.feedforward(X, W1, W2)
    backward = network.backpropagation(X, Y, W2, forward)
    outputs = (forward.hidden_layer_outputs, forward.output_layer_outputs)
    norms = [np.linalg.norm(backward.weights_1_update), np.linalg.norm(backward.weights_2_update)]
    sizes = np.array([np.linalg.norm(W1), np.linalg.norm(W2)])
    return saturation(("sigmoid", "sigmoid"), outputs), np.array(norms), sizes


def history_of(
    monitored: Mapping[str, Monitored],
    recorded: int,
    stop: Stop,
    eta: float,
    epochs: int,
    watcher: Watcher,
    loss: str = "mse",
) -> History:
    """The :class:`History` of the first ``recorded`` epochs of the monitored curves."""
    curves = {name: m.curves(recorded) for name, m in monitored.items()}
    return History(
        curves["train"],
        curves.get("validation"),
        curves.get("test"),
        stop,
        eta,
        epochs,
        loss,
        watcher.diagnosis(),
    )


def _first_stop(
    rules: Sequence[StoppingRule],
    curves: Mapping[str, Curves],
    loop: Engine,
    done: int,
    count: int,
    kept: dict[int, tuple[int, Weights]],
) -> Stop | None:
    """The earliest stop in the block just run (rules first, then a fixed point), or None."""
    end = done + count
    found: Stop | None = None
    for position, rule in enumerate(rules):
        watched = curves[rule.watch]
        epoch = rule.first_stop(watched, done)
        if isinstance(rule, EarlyStopping):
            # Keep the weights of the best epoch so far: it may lie in an earlier block
            # by the time the rule fires.
            best = rule.weights_epoch(watched, end - 1 if epoch is None else epoch)
            if best >= done:
                k = best - done
                kept[position] = (best, Weights(loop.W1[k].copy(), loop.W2[k].copy()))
        if epoch is not None and (found is None or epoch < found.epoch):
            found = Stop(
                rule.name, epoch, rule.weights_epoch(watched, epoch), rule.message(watched, epoch)
            )
    unchanged = np.all(loop.W1[1 : count + 1] == loop.W1[:count], axis=(1, 2)) & np.all(
        loop.W2[1 : count + 1] == loop.W2[:count], axis=(1, 2)
    )
    fixed = first_true(unchanged, done)
    if fixed is not None and (found is None or fixed < found.epoch):
        mse = curves["train"].mse[fixed]
        why = (
            "the outputs equal the labels exactly"
            if mse == 0
            else "either every sigmoid saturated to exactly 0 or 1, which makes the gradient "
            "0 (a learning rate too large does that), or eta times the gradient is below "
            "the precision of the weights (too small)"
        )
        found = Stop(
            "fixed_point",
            fixed,
            fixed,
            f"the update of epoch {fixed} changed no weight (training MSE {mse:.6g}), so "
            f"every later epoch would repeat it: {why}",
        )
    return found
