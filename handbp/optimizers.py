r"""Optimizers beyond the series: mini-batch SGD, momentum, Adam and L2 weight decay.

Each update is one hand-derived equation and one function, like the series' (the LaTeX
on the first line of its docstring; its checks declared right below it). Every function
works on one weight array of any shape: a net updates each of its weight matrices on its
own. The functions are pure: they return new arrays and a new state and change nothing
they are given; float32 in gives float32 out.

The conventions are optax's, so that ``verify.optimizers`` can check every step against it
(docs/optimizers.md derives each update and gives the measured agreement):

* momentum keeps the running sum :math:`v \leftarrow \mu v + \nabla_W L` and steps
  :math:`W \leftarrow W - \eta v` (``optax.sgd(eta, momentum=mu)``; PyTorch's SGD too);
* Adam counts its steps from :math:`t = 1`, corrects both moments for their start at 0
  and adds :math:`\epsilon` outside the square root (``optax.adam(eta, b1, b2, eps)``,
  ``eps_root=0``);
* weight decay adds :math:`\lambda W` to the gradient before the optimizer sees it
  (``optax.chain(optax.add_decayed_weights(decay), optimizer)``): L2 regularisation, not
  AdamW's decoupled decay.

The mini-batches of an epoch come from :func:`minibatches`; :class:`Optimizer` bundles a
choice of update and its settings for a training loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral
from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Array, Count, Fields, Interval, Rate, check_seed, checked, positive_int
from handbp.descent import gradient_descent_step

MOMENTUM = Interval(0.0, 1.0, "momentum")
BETA = Interval(0.0, 1.0, "decay rate of a moment")
DECAY = Interval(0.0, label="weight decay")
LEARNING_RATE = Rate("learning rate")
EPSILON = Rate("epsilon")


@dataclass(frozen=True)
class MomentumState:
    """Momentum's state for one weight array: the velocity :math:`v` (zeros before step 1)."""

    velocity: np.ndarray


@dataclass(frozen=True)
class AdamState:
    """Adam's state for one weight array: steps taken ``t`` and the moments ``m`` and ``v``.

    ``t`` is 0 before the first step; the first step is step 1, whose bias corrections
    divide by :math:`1 - \\beta^1`.
    """

    t: int
    m: np.ndarray
    v: np.ndarray

    def __post_init__(self) -> None:
        if isinstance(self.t, bool) or not isinstance(self.t, Integral) or self.t < 0:
            raise ValueError(f"AdamState.t counts the steps taken, an int >= 0; got {self.t!r}")


MOMENTUM_STATE = Fields("a MomentumState (from momentum_init)", velocity=("v", Array("s")))
ADAM_STATE = Fields("an AdamState (from adam_init)", m=("m", Array("s")), v=("v", Array("s")))


# --- Mini-batch SGD and weight decay --------------------------------------------------------


def sgd_step(W: ArrayLike, gradient: ArrayLike, eta: float) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``sgd_step``: :math:`W \leftarrow W - \eta\, \nabla_W L_B`.

    Part 7's step, with the gradient of the loss on one mini-batch :math:`B` (a mean over
    its examples) instead of the whole data: one step per mini-batch of :func:`minibatches`.
    """
    return gradient_descent_step(W, gradient, eta)


sgd_step = checked(sgd_step, W=Array("s"), gradient=Array("s"), eta=LEARNING_RATE)


def weight_decay(gradient: ArrayLike, W: ArrayLike, decay: float) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``weight_decay``: :math:`\nabla_W L \leftarrow \nabla_W L + \lambda W`.

    The gradient of the loss plus L2 regularisation :math:`\frac{\lambda}{2} \lVert W
    \rVert^2`, whose gradient is :math:`\lambda W`. Applied before the optimizer, so Adam
    divides it by :math:`\sqrt{\hat v}` like the rest of the gradient (AdamW instead
    subtracts :math:`\eta \lambda W` from the weights after Adam's step).
    """
    return gradient + decay * W


weight_decay = checked(weight_decay, gradient=Array("s"), W=Array("s"), decay=DECAY)


# --- Momentum -------------------------------------------------------------------------------


def momentum_velocity(velocity: ArrayLike, gradient: ArrayLike, mu: float) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``momentum_velocity``: :math:`v \leftarrow \mu\, v + \nabla_W L`.

    A running sum of past gradients, each step's weighed by :math:`\mu` once more: along a
    direction where the gradients agree, steps grow towards :math:`\eta / (1 - \mu)` times
    the gradient; where they alternate, they cancel.
    """
    return gradient + mu * velocity


momentum_velocity = checked(
    momentum_velocity, velocity=Array("s"), gradient=Array("s"), mu=MOMENTUM
)


def momentum_update(
    W: ArrayLike,
    gradient: ArrayLike,
    state: MomentumState,
    eta: float,
    mu: float = 0.9,
    decay: float = 0.0,
) -> tuple[np.ndarray, MomentumState]:
    r"""Chapter 2 (optimizers), ``momentum_update``: :math:`v \leftarrow \mu\, v + \nabla_W L,\; W \leftarrow W - \eta\, v`.

    One step of SGD with momentum (``decay``: :func:`weight_decay` first). Returns the new
    weights and the new state.
    """
    if decay:
        gradient = weight_decay(gradient, W, decay)
    velocity = momentum_velocity(state.velocity, gradient, mu)
    return sgd_step(W, velocity, eta), MomentumState(velocity)


momentum_update = checked(
    momentum_update,
    W=Array("s"),
    gradient=Array("s"),
    state=MOMENTUM_STATE,
    eta=LEARNING_RATE,
    mu=MOMENTUM,
    decay=DECAY,
)


# --- Adam -----------------------------------------------------------------------------------


def adam_first_moment(m: ArrayLike, gradient: ArrayLike, beta1: float) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``adam_first_moment``: :math:`m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, \nabla_W L`.

    An exponential moving average of the gradient (its mean, over about
    :math:`1 / (1 - \beta_1)` recent steps).
    """
    return beta1 * m + (1 - beta1) * gradient


adam_first_moment = checked(adam_first_moment, m=Array("s"), gradient=Array("s"), beta1=BETA)


def adam_second_moment(v: ArrayLike, gradient: ArrayLike, beta2: float) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``adam_second_moment``: :math:`v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, (\nabla_W L)^2`.

    An exponential moving average of the squared gradient, elementwise (its uncentred
    variance): :math:`\sqrt{v}` is the typical size of each weight's gradient.
    """
    return beta2 * v + (1 - beta2) * (gradient * gradient)


adam_second_moment = checked(adam_second_moment, v=Array("s"), gradient=Array("s"), beta2=BETA)


def adam_bias_correction(moment: ArrayLike, beta: float, t: int) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``adam_bias_correction``: :math:`\hat m_t = \frac{m_t}{1 - \beta_1^t},\; \hat v_t = \frac{v_t}{1 - \beta_2^t}`.

    A moment that starts at 0 is after :math:`t` steps :math:`(1 - \beta^t)` times the
    average it estimates (for a steady gradient); dividing undoes that. ``t`` counts from 1
    (the first step); :math:`t = 0` would divide by 0.
    """
    return moment / (1 - beta**t)


adam_bias_correction = checked(adam_bias_correction, moment=Array(), beta=BETA, t=Count())


def adam_step(
    W: ArrayLike, m_hat: ArrayLike, v_hat: ArrayLike, eta: float, eps: float = 1e-8
) -> np.ndarray:
    r"""Chapter 2 (optimizers), ``adam_step``: :math:`W \leftarrow W - \eta\, \frac{\hat m_t}{\sqrt{\hat v_t} + \epsilon}`.

    Each weight moves by about :math:`\eta` times the sign of its recent gradients,
    whatever their size; :math:`\epsilon` (outside the root, as in optax and PyTorch) keeps
    the division finite where :math:`\hat v = 0`.
    """
    return W - eta * (m_hat / (np.sqrt(v_hat) + eps))


adam_step = checked(
    adam_step, W=Array("s"), m_hat=Array("s"), v_hat=Array("s"), eta=LEARNING_RATE, eps=EPSILON
)


def adam_update(
    W: ArrayLike,
    gradient: ArrayLike,
    state: AdamState,
    eta: float = 0.001,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
    decay: float = 0.0,
) -> tuple[np.ndarray, AdamState]:
    r"""Chapter 2 (optimizers), ``adam_update``: :math:`W \leftarrow W - \eta\, \frac{m_t / (1 - \beta_1^t)}{\sqrt{v_t / (1 - \beta_2^t)} + \epsilon}`.

    One step of Adam, step :math:`t` = ``state.t + 1`` (``decay``: :func:`weight_decay`
    first). Returns the new weights and the new state.
    """
    if decay:
        gradient = weight_decay(gradient, W, decay)
    t = state.t + 1
    m = adam_first_moment(state.m, gradient, beta1)
    v = adam_second_moment(state.v, gradient, beta2)
    m_hat, v_hat = adam_bias_correction(m, beta1, t), adam_bias_correction(v, beta2, t)
    return adam_step(W, m_hat, v_hat, eta, eps), AdamState(t, m, v)


adam_update = checked(
    adam_update,
    W=Array("s"),
    gradient=Array("s"),
    state=ADAM_STATE,
    eta=LEARNING_RATE,
    beta1=BETA,
    beta2=BETA,
    eps=EPSILON,
    decay=DECAY,
)


# --- States, mini-batches and the optimizers by name ----------------------------------------


def momentum_init(W: ArrayLike) -> MomentumState:
    """Momentum's state before the first step: a zero velocity of ``W``'s shape and dtype."""
    return MomentumState(np.zeros_like(W))


momentum_init = checked(momentum_init, W=Array())


def adam_init(W: ArrayLike) -> AdamState:
    """Adam's state before the first step: ``t = 0`` and zero moments of ``W``'s shape and dtype."""
    return AdamState(0, np.zeros_like(W), np.zeros_like(W))


adam_init = checked(adam_init, W=Array())


def minibatches(n: int, batch_size: int, seed: int, epoch: int = 0) -> list[np.ndarray]:
    """The mini-batches of one epoch: row indices of ``n`` examples, shuffled, in batches.

    The rows are ``numpy.random.default_rng([seed, epoch]).permutation(n)``, cut into
    batches of ``batch_size`` in that order. Every row is in exactly one batch. When
    ``batch_size`` does not divide ``n``, the last batch holds the ``n % batch_size`` rows
    left over: it is kept (not dropped, not padded), so every example counts once per epoch;
    its gradient, a mean over fewer examples, has the same scale as the others but more
    noise. Each epoch's order depends on ``seed`` and ``epoch`` alone, so a run can resume
    at any epoch. ``batch_size = n`` is full-batch gradient descent (one batch, shuffled).
    """
    n = positive_int(n, "n")
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(
            f"batch_size must be at most the number of examples n = {n}, got {batch_size}"
        )
    seed = check_seed(seed)
    epoch = check_seed(epoch, "epoch")
    order = np.random.default_rng([seed, epoch]).permutation(n)
    return [order[start : start + batch_size] for start in range(0, n, batch_size)]


OPTIMIZERS: tuple[str, ...] = ("sgd", "momentum", "adam")
"""The optimizers by name, as :class:`Optimizer` knows them."""


@dataclass(frozen=True)
class Optimizer:
    """An optimizer and its settings; :meth:`init` and :meth:`update` per weight array.

    ``name`` is one of :data:`OPTIMIZERS`; ``mu`` is used by momentum only, ``beta1``,
    ``beta2`` and ``eps`` by Adam only; ``decay`` (L2 weight decay) by all three. The
    settings are checked when the optimizer is made.
    """

    name: str
    eta: float
    mu: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    decay: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in OPTIMIZERS:
            raise ValueError(
                f"unknown optimizer {self.name!r}; expected one of {', '.join(OPTIMIZERS)}"
            )
        settings = (
            ("eta", LEARNING_RATE),
            ("mu", MOMENTUM),
            ("beta1", BETA),
            ("beta2", BETA),
            ("eps", EPSILON),
            ("decay", DECAY),
        )
        for name, spec in settings:
            object.__setattr__(self, name, spec.check(getattr(self, name), name))

    def init(self, W: ArrayLike) -> MomentumState | AdamState | None:
        """The state before the first step (``None`` for plain SGD, which keeps none)."""
        if self.name == "momentum":
            return momentum_init(W)
        if self.name == "adam":
            return adam_init(W)
        return None

    def update(
        self, W: ArrayLike, gradient: ArrayLike, state: MomentumState | AdamState | None
    ) -> tuple[np.ndarray, MomentumState | AdamState | None]:
        """One step: the new weights and the new state."""
        if self.name == "momentum":
            velocity = cast(MomentumState, state)  # a wrong state is refused by the checks
            return momentum_update(W, gradient, velocity, self.eta, self.mu, self.decay)
        if self.name == "adam":
            moments = cast(AdamState, state)
            return adam_update(
                W, gradient, moments, self.eta, self.beta1, self.beta2, self.eps, self.decay
            )
        if self.decay:
            gradient = weight_decay(gradient, W, self.decay)
        return sgd_step(W, gradient, self.eta), None
