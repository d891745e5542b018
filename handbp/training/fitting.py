r"""Training any net of :mod:`handbp.nn` with mini-batches and an optimizer: :func:`fit`.

::

    from handbp.digits import load_digits, stratified_split
    from handbp.nn import Net
    from handbp.optimizers import Optimizer
    from handbp.training import fit

    split = stratified_split(load_digits(), 0.2, seed=0)
    net = Net((64, 32, 10), ("relu", "softmax"), loss="cross_entropy")
    result = fit(net, split.train, Optimizer("adam", 0.001), batch_size=32, epochs=50,
                 validation=split.test, seed=0)
    result.history.validation.accuracy[-1]       # after the last epoch

Each epoch runs the mini-batches of :func:`handbp.optimizers.minibatches` (seeded per
epoch; the last, shorter batch kept) through :mod:`handbp.training.minibatch`, then one
feedforward pass of the training and the validation data records the loss and accuracy
*after* the epoch's updates. The series' stopping rules (:mod:`handbp.training.rules`)
watch these curves, :class:`~handbp.training.Divergence` stops a run whose loss becomes
NaN/inf or runs away (:class:`~handbp.training.TrainingDiverged` carries the history up
to there), and the diagnostics (:mod:`handbp.training.diagnostics`) watch every epoch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from handbp import data as data_module
from handbp.checks import as_float_array, check_seed, positive_int, unchecked
from handbp.nn import Net, Params
from handbp.optimizers import Optimizer
from handbp.training.diagnostics import Diagnostics, Watcher, saturation
from handbp.training.history import Curves, History, Progress, Stop, TrainingDiverged
from handbp.training.loop import HeldOut, Monitored, history_of, watching
from handbp.training.minibatch import EPOCHS, Epoch, measure
from handbp.training.rules import Check, Divergence, EarlyStopping, StoppingRule

LOSS_LABELS = {"mse": "MSE", "cross_entropy": "cross-entropy", "binary_cross_entropy": "BCE"}
"""How the curves and messages name each loss of :data:`handbp.losses.LOSSES`."""


@dataclass(frozen=True)
class Fitted:
    """What :func:`fit` returns: the net, its trained parameters and the run's history."""

    net: Net
    params: Params
    history: History
    optimizer: Optimizer
    batch_size: int
    seed: int


def _pair(value: HeldOut, name: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(value, data_module.Dataset):
        X, Y = value.X, value.Y
    elif isinstance(value, tuple) and len(value) == 2:
        X, Y = value
    else:
        raise TypeError(
            f"{name} must be a handbp.data.Dataset or a pair (X, Y), got {type(value).__name__}"
        )
    return as_float_array(X, f"the {name} X", ndim=2), as_float_array(Y, f"the {name} Y", ndim=2)


def check_fits(net: Net, X: np.ndarray, Y: np.ndarray, name: str) -> None:
    """Refuse data whose features or classes do not match the net's widths, or its labels."""
    if X.shape[0] != Y.shape[0] or X.shape[0] == 0:
        raise ValueError(
            f"the {name} data must have one row of Y per row of X and at least one row, "
            f"got X of shape {X.shape} and Y of shape {Y.shape}"
        )
    if (X.shape[1], Y.shape[1]) != (net.widths[0], net.widths[-1]):
        sizes = "-".join(map(str, net.widths))
        raise ValueError(
            f"the net {sizes} does not fit the {name} data: it needs {net.widths[0]} inputs "
            f"and {net.widths[-1]} outputs, the data has {X.shape[1]} features and "
            f"{Y.shape[1]} classes (widths {X.shape[1]}-...-{Y.shape[1]})"
        )
    if X.dtype != Y.dtype:
        raise TypeError(f"the {name} X and Y must share one dtype, got {X.dtype} and {Y.dtype}")
    net.loss_value(Y[:1], net.forward(X[:1], net.init(0, dtype=X.dtype)))  # labels fit loss


def fit(
    net: Net,
    data: HeldOut,
    optimizer: Optimizer | None = None,
    *,
    batch_size: int = 32,
    epochs: int = 50,
    seed: int = 0,
    validation: HeldOut | None = None,
    test: HeldOut | None = None,
    params: Params | None = None,
    stopping: Sequence[StoppingRule | Check] = (),
    divergence: Divergence | None = None,
    diagnostics: Diagnostics | None = None,
    progress: Callable[[Progress], None] | None = None,
    engine: str = "fast",
) -> Fitted:
    """Train ``net`` on ``data`` (a Dataset or ``(X, Y)``) by mini-batches for ``epochs`` epochs.

    ``optimizer`` defaults to ``Optimizer("adam", 0.001)``; ``seed`` seeds the initial
    parameters (``net.init(seed)``, unless ``params`` are given) and the shuffling of every
    epoch. ``validation`` is held-out data whose curves are recorded too (and watched by
    rules with ``watch="validation"``, e.g. :class:`~handbp.training.EarlyStopping`);
    ``test`` is held-out data whose curves are recorded only to look at.
    ``stopping``, ``divergence`` and ``progress`` work as in :func:`~handbp.training.train`;
    ``engine`` is ``"fast"`` (in place) or ``"catalogue"`` (the catalogue's functions), which
    give the same numbers. Raises :class:`~handbp.training.TrainingDiverged` with the
    history up to the epoch that diverged.
    """
    if not isinstance(net, Net):
        raise TypeError(f"net must be a handbp.nn.Net, got {type(net).__name__}")
    X, Y = _pair(data, "training")
    check_fits(net, X, Y, "training")
    optimizer = Optimizer("adam", 0.001) if optimizer is None else optimizer
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"optimizer must be a handbp.optimizers.Optimizer, got {type(optimizer).__name__}"
        )
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > X.shape[0]:
        raise ValueError(
            f"batch_size must be at most the {X.shape[0]} training examples, got {batch_size}"
        )
    epochs, seed = positive_int(epochs, "epochs"), check_seed(seed)
    if engine not in EPOCHS:
        raise ValueError(f"engine must be one of {', '.join(EPOCHS)}, got {engine!r}")
    held = {}
    for name, value in (("validation", validation), ("test", test)):
        if value is not None:
            held[name] = _pair(value, name)
            check_fits(net, *held[name], name)
    params = net.init(seed, dtype=X.dtype) if params is None else params
    net.forward(X[:1], params)  # checks the parameters' shapes and dtype against the net
    rules, divergence, diagnostics = watching(stopping, divergence, diagnostics, progress)
    if any(rule.watch == "validation" for rule in rules) and "validation" not in held:
        raise ValueError("a stopping rule watches the validation curves, but no validation data")
    label = LOSS_LABELS[net.loss]
    monitored = {"train": Monitored(X, Y, epochs, label)}
    for name, pair in held.items():
        monitored[name] = Monitored(*pair, epochs, label)
    watcher = Watcher(
        tuple(net.activations),
        net.widths,
        optimizer.eta,
        epochs,
        diagnostics,
    )
    runner: Epoch = EPOCHS[engine](net, X, Y, params, optimizer, batch_size, seed)
    finite = np.ones(epochs, dtype=bool)
    best: dict[int, Params] = {}
    report_every = max(1, epochs // 100)

    def history(recorded: int, stop: Stop) -> History:
        return history_of(monitored, recorded, stop, optimizer.eta, epochs, watcher, net.loss)

    before = np.array([np.linalg.norm(W) for W in params.weights])  # at the epoch's start
    initial_loss = measure(net, X, Y, params)[0]
    for epoch in range(epochs):
        batches = runner.batches_run
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"), unchecked():
            runner.run(epoch)
        current = runner.params
        finite[epoch] = all(np.all(np.isfinite(array)) for array in _arrays(current))
        loss, accuracy, outputs = runner.measure(X, Y)
        monitored["train"].record(epoch, np.array([loss]), np.array([accuracy]))
        for name, pair in held.items():
            held_loss, held_accuracy, _ = runner.measure(*pair)
            monitored[name].record(epoch, np.array([held_loss]), np.array([held_accuracy]))
        curves = {name: m.view(epoch + 1) for name, m in monitored.items()}
        # the loss before the first update leads the curve, so that a loss that has run
        # away in the very first epoch is compared with where it started
        losses = np.concatenate(([initial_loss], curves["train"].mse))
        diverged = divergence.first(
            losses, np.concatenate(([True], finite[: epoch + 1])), epoch + 1
        )
        if diverged is not None:
            diverged = (diverged[0] - 1, diverged[1])
        with np.errstate(over="ignore", invalid="ignore"):  # the norms of a run gone wrong
            norms = np.sqrt(runner.gradient_squares / (runner.batches_run - batches))
            sizes, before = before, np.array([np.linalg.norm(W) for W in current.weights])
            saturated = saturation(net.activations, outputs)
        if diverged is not None:
            kind = diverged[1]
            message = divergence.message(losses, epoch + 1, kind, optimizer.eta, label, epoch)
            watcher.observe(epoch, saturated, norms, sizes, curves["train"].mse, accuracy)
            watcher.diverged(epoch, message, kind)
            stopped = Stop("diverged", epoch, epoch, f"diverged ({kind}) at epoch {epoch}")
            raise TrainingDiverged(message, epoch, kind, history(epoch + 1, stopped))
        new = watcher.observe(epoch, saturated, norms, sizes, curves["train"].mse, accuracy)
        stop = _first_stop(rules, curves, epoch, current, best)
        if stop is None and epoch == epochs - 1:
            stop = Stop("epochs", epoch, epoch, f"ran the {epochs} epochs asked for")
        if progress is not None and (stop is not None or new or epoch % report_every == 0):
            note = watcher.findings[-1].message if watcher.findings else ""
            progress(Progress(epoch + 1, epochs, loss, accuracy, note))
        if stop is not None:
            result = best.get(stop.weights_epoch, current)
            return Fitted(net, result, history(epoch + 1, stop), optimizer, batch_size, seed)
    raise AssertionError("unreachable: the last epoch always stops")  # pragma: no cover


def _arrays(params: Params) -> list[np.ndarray]:
    return [*params.weights, *(params.biases or ())]


def _first_stop(
    rules: Sequence[StoppingRule],
    curves: dict[str, Curves],
    epoch: int,
    current: Params,
    best: dict[int, Params],
) -> Stop | None:
    """The stop at ``epoch`` (the first rule that fires), keeping EarlyStopping's best params."""
    for rule in rules:
        watched = curves[rule.watch]
        if isinstance(rule, EarlyStopping) and rule.weights_epoch(watched, epoch) == epoch:
            best.clear()
            best[epoch] = current
        if rule.first_stop(watched, epoch) == epoch:
            weights_epoch = rule.weights_epoch(watched, epoch)
            return Stop(rule.name, epoch, weights_epoch, rule.message(watched, epoch))
    return None
