"""The series' training run and one gradient in JAX: autodiff, float64, jitted two ways.

``jax.value_and_grad`` of the MSE gives the gradients (no hand-derived backpropagation);
the epoch is jitted and called once per epoch from Python, or the whole loop is jitted
with ``lax.scan`` over the epochs. float64 is switched on with ``jax.enable_x64`` around
each call only, so importing this module changes no global JAX setting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from bench.series import Gradients, SeriesRun, Trained


def _jax_loss(
    W1: jax.Array, W2: jax.Array, X: jax.Array, Y: jax.Array
) -> tuple[jax.Array, jax.Array]:
    O_out = jax.nn.sigmoid(jax.nn.sigmoid(X @ W1) @ W2)
    return jnp.sum((O_out - Y) ** 2) / (2 * Y.size), O_out


_jax_value_and_grad = jax.value_and_grad(_jax_loss, argnums=(0, 1), has_aux=True)


def _jax_epoch(
    W1: jax.Array, W2: jax.Array, X: jax.Array, Y: jax.Array, eta: float
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    (mse, O_out), (W1_update, W2_update) = _jax_value_and_grad(W1, W2, X, Y)
    accuracy = jnp.mean((jnp.argmax(O_out, axis=1) == jnp.argmax(Y, axis=1)).astype(O_out.dtype))
    return W1 - eta * W1_update, W2 - eta * W2_update, mse, accuracy


@partial(jax.jit, static_argnames="epochs")
def _jax_scan_loop(
    W1: jax.Array, W2: jax.Array, X: jax.Array, Y: jax.Array, eta: float, epochs: int
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    def body(
        weights: tuple[jax.Array, jax.Array], _: None
    ) -> tuple[tuple[jax.Array, jax.Array], tuple[jax.Array, jax.Array]]:
        W1, W2, mse, accuracy = _jax_epoch(*weights, X, Y, eta)
        return (W1, W2), (mse, accuracy)

    (W1, W2), (mse, accuracy) = jax.lax.scan(body, (W1, W2), None, length=epochs)
    return W1, W2, mse, accuracy


_jax_epoch_jit = jax.jit(_jax_epoch)
_jax_gradients_jit = jax.jit(jax.grad(lambda W1, W2, X, Y: _jax_loss(W1, W2, X, Y)[0], (0, 1)))


def jax_step_train(run: SeriesRun) -> Trained:
    """JAX autodiff: a jitted epoch (value_and_grad + update) called from a Python loop."""
    with jax.enable_x64(True):
        X, Y, W1, W2 = (jnp.asarray(a) for a in (run.X, run.Y, run.W1, run.W2))
        mse, accuracy = [], []
        for _epoch in range(run.epochs):
            W1, W2, epoch_mse, epoch_accuracy = _jax_epoch_jit(W1, W2, X, Y, run.eta)
            mse.append(epoch_mse)
            accuracy.append(epoch_accuracy)
        mse, accuracy = jax.device_get((mse, accuracy))
        return Trained(np.asarray(W1), np.asarray(W2), np.array(mse), np.array(accuracy))


def jax_scan_train(run: SeriesRun) -> Trained:
    """JAX autodiff: the whole loop jitted, epochs folded with ``lax.scan``."""
    with jax.enable_x64(True):
        W1, W2, mse, accuracy = _jax_scan_loop(
            *(jnp.asarray(a) for a in (run.W1, run.W2, run.X, run.Y)), run.eta, run.epochs
        )
        return Trained(np.asarray(W1), np.asarray(W2), np.asarray(mse), np.asarray(accuracy))


def jax_gradients(
    X: np.ndarray | jax.Array,
    Y: np.ndarray | jax.Array,
    W1: np.ndarray | jax.Array,
    W2: np.ndarray | jax.Array,
) -> Gradients:
    """``jax.jit(jax.grad(mse))``; inputs already on the device are passed through."""
    with jax.enable_x64(True):
        W1_update, W2_update = _jax_gradients_jit(W1, W2, X, Y)
        return Gradients(np.asarray(W1_update), np.asarray(W2_update))


def jax_compile_seconds(run: SeriesRun) -> dict[str, float]:
    """Seconds to trace + lower and to compile each jitted JAX function, caches cleared first."""
    with jax.enable_x64(True):
        arrays = [jnp.asarray(a) for a in (run.W1, run.W2, run.X, run.Y)]
        lowerings: dict[str, Callable[[], Any]] = {
            "JAX jitted step": lambda: _jax_epoch_jit.lower(*arrays, run.eta),
            "JAX whole loop (lax.scan)": lambda: _jax_scan_loop.lower(*arrays, run.eta, run.epochs),
            "JAX jit(grad)": lambda: _jax_gradients_jit.lower(*arrays),
        }
        seconds = {}
        for name, lower in lowerings.items():
            jax.clear_caches()
            start = time.perf_counter()
            lowered = lower()
            traced = time.perf_counter()
            lowered.compile()
            seconds[f"{name}: trace + lower"] = traced - start
            seconds[f"{name}: compile"] = time.perf_counter() - traced
        return seconds
