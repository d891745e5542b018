"""Derivatives and gradient descent on one variable (parts 6-8).

The series' running example is :math:`f(x) = x^2` from :math:`x = 5`; part 7 tries
four learning rates on it (:data:`LEARNING_RATE_EXPERIMENTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Array, Count, Function, Number, Rate, checked


def square(x: ArrayLike) -> np.ndarray:
    r"""Part 6, ``square``: the series' example function :math:`f(x) = x^2`."""
    return x * x


square = checked(square, x=Array())


def square_derivative(x: ArrayLike) -> np.ndarray:
    r"""Part 6, ``square_derivative``: :math:`f'(x) = 2x`, the slope of :math:`f(x) = x^2` at :math:`x`."""
    return 2 * x


square_derivative = checked(square_derivative, x=Array())


def gradient_descent_step(x: ArrayLike, gradient: ArrayLike, eta: float) -> np.ndarray:
    r"""Part 7, ``gradient_descent_step``: :math:`x \leftarrow x - \eta\, f'(x)`.

    ``x`` may be a number or an array (a weight matrix: :math:`W \leftarrow W - \eta\,
    \partial\mathrm{MSE}/\partial W`); ``gradient`` must have its shape and dtype.
    The result is a new array; ``x`` is left as it was.
    """
    # x - eta * gradient, written so that the subtraction reuses the memory of the new
    # array eta * gradient: for a large W that saves allocating (and page-faulting) a copy
    step = np.asarray(eta * gradient)
    return np.subtract(x, step, out=step)


gradient_descent_step = checked(
    gradient_descent_step, x=Array("s"), gradient=Array("s"), eta=Rate("learning rate")
)


def chain_rule(first: ArrayLike, *rest: ArrayLike) -> np.ndarray:
    r"""Part 8, ``chain_rule``: :math:`\frac{dz}{dx} = \frac{dz}{dy}\, \frac{dy}{dx}`.

    Longer chains multiply further: pass every link's derivative, outermost first,
    e.g. ``chain_rule(dz_dy, dy_du, du_dx)``. Factors are multiplied elementwise and
    must share one shape and dtype.
    """
    product = first
    for factor in rest:
        product = product * factor
    return product


chain_rule = checked(chain_rule, first=Array("s"), rest=Array("s"))


@dataclass(frozen=True)
class DescentRun:
    """One of part 7's learning-rate experiments: x at every step, from x0 on."""

    eta: float
    steps: int
    label: str
    path: np.ndarray


LEARNING_RATE_EXPERIMENTS: tuple[tuple[float, int, str], ...] = (
    (0.2, 10, "ideal"),
    (0.002, 10, "too small"),
    (0.002, 100, "too small"),
    (0.002, 1000, "too small"),
    (0.9, 10, "overshoots, still converges"),
    (1.1, 3, "diverges"),
)
"""Part 7's experiments on f(x) = x^2 from x = 5: (learning rate, steps, what happens)."""


def descent_path(
    x0: float = 5.0,
    eta: float = 0.2,
    steps: int = 10,
    derivative: Callable[[np.ndarray], np.ndarray] = square_derivative,
) -> np.ndarray:
    r"""Part 7: repeat :math:`x \leftarrow x - \eta\, f'(x)`; return x before every step and after the last.

    The result has ``steps + 1`` entries, ``path[0] == x0``. A path that leaves the
    floating-point range (a huge ``x0``, or a learning rate that diverges for long enough)
    is a ``ValueError`` that says at which step.
    """
    x = x0
    path = [x]
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            x = gradient_descent_step(x, derivative(x), eta)
            path.append(x)
    path = np.stack(path)
    if not np.isfinite(path).all():
        step = int(np.argmax(~np.isfinite(path.reshape(len(path), -1)).all(axis=1)))
        raise ValueError(
            f"the path from x0 = {x0} with eta = {eta} overflows {path.dtype} at step {step} "
            f"of {steps}: choose a smaller x0, learning rate or number of steps"
        )
    return path


descent_path = checked(
    descent_path, x0=Array(), eta=Rate("learning rate"), steps=Count(), derivative=Function()
)


def learning_rate_experiments(x0: float = 5.0) -> list[DescentRun]:
    """Part 7: every experiment of :data:`LEARNING_RATE_EXPERIMENTS`, run from ``x0``."""
    return [
        DescentRun(eta, steps, label, descent_path(x0, eta, steps))
        for eta, steps, label in LEARNING_RATE_EXPERIMENTS
    ]


learning_rate_experiments = checked(learning_rate_experiments, x0=Number())
