r"""Chapter 2: any dense feed-forward net - widths, an activation per layer, a loss, biases.

::

    net = Net((4, 16, 3), ("relu", "softmax"), loss="cross_entropy")
    params = net.init(seed=0)                      # He for ReLU, Glorot for the rest
    forward = net.forward(X, params)               # NetForward: Z_l, A_l per layer
    backward = net.backward(X, Y, params, forward) # NetBackward: E_l, D_l, dW_l, db_l
    params = net.step(X, Y, params, eta=0.1)       # one gradient-descent step

The series' net is ``Net((4, 2, 3), "sigmoid", loss="mse", biases=False)``: with the
series' weights (``net.init(10, scheme="series")``) it computes part 13's and part 14's
numbers bit for bit, because it runs the same operations in the same order.

Which nets can work (checked when the :class:`Net` is made): every width at least 1;
softmax only in the output layer and over at least 2 nodes (a softmax of one node is the
constant 1); the categorical cross-entropy only after a softmax (it needs a distribution
over the classes) and the binary cross-entropy only after a sigmoid (it needs one
probability per output node); the MSE after any activation. Labels must fit the loss:
one-hot rows for the cross-entropy, 0/1 entries for the binary cross-entropy, any finite
targets for the MSE. The two cross-entropies are computed from the output layer's logits
and their deltas fused (:mod:`handbp.losses`): finite for logits of any size.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from handbp import inplace, netchecks
from handbp.activations import softmax_jvp
from handbp.checks import (
    call_unchecked,
    check_seed,
    checks_enabled,
    float_dtype,
)
from handbp.descent import gradient_descent_step
from handbp.initialisation import Seed, glorot_uniform, he_normal
from handbp.layers import (
    ACTIVATIONS,
    activation,
    bias_l_update,
    layer_l_delta,
    layer_l_error,
    layer_l_inputs,
    layer_l_outputs,
    weights_l_update,
)
from handbp.losses import LOSSES, Loss

F = TypeVar("F", bound=Callable[..., Any])


INIT_SCHEMES = ("auto", "glorot", "he", "series")
"""``Net.init`` schemes: auto (He for (leaky) ReLU layers, Glorot for the others)."""


@dataclass(frozen=True)
class Params:
    """A net's parameters: ``weights[l - 1]`` is :math:`W_l`, ``biases[l - 1]`` is :math:`b_l`.

    ``biases`` is None for a net without biases. (scikit-learn's ``coefs_`` and
    ``intercepts_``.)
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None = None


@dataclass(frozen=True)
class NetForward:
    """The quantities of one forward pass, by equation id, one entry per layer 1..L."""

    layer_l_inputs: tuple[np.ndarray, ...]
    layer_l_outputs: tuple[np.ndarray, ...]


@dataclass(frozen=True)
class NetBackward:
    r"""The quantities of one backward pass, by equation id, one entry per layer 1..L.

    ``layer_l_error[layer - 1]`` is :math:`E_l = N\,\partial C/\partial A_l`; for the output
    layer of a fused pair (softmax + cross-entropy, sigmoid + binary cross-entropy) it is
    None unless the pass was ``staged``. ``input_error`` is :math:`E_0 = D_1 W_1^T =
    N\,\partial C/\partial X` when asked for. ``bias_l_update`` is None without biases.
    """

    layer_l_error: tuple[np.ndarray | None, ...]
    layer_l_delta: tuple[np.ndarray, ...]
    weights_l_update: tuple[np.ndarray, ...]
    bias_l_update: tuple[np.ndarray, ...] | None
    input_error: np.ndarray | None = None

    @property
    def gradients(self) -> Params:
        """The gradients :math:`\\partial C/\\partial W_l`, :math:`\\partial C/\\partial b_l` as :class:`Params`."""
        return Params(self.weights_l_update, self.bias_l_update)


def _checked_net(*names: str, forward_fields: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Check the named arguments against the net (:mod:`handbp.netchecks`), once, then run
    the body without checks (its equation functions run their bare maths).
    ``forward_fields`` are the fields of a forward pass that the body reads."""

    def decorate(function: F) -> F:
        count = len(names)

        @functools.wraps(function)
        def boundary(net: Net, *args: Any, **kwargs: Any) -> Any:
            if not checks_enabled():
                return function(net, *args, **kwargs)
            given = dict(zip(names, args, strict=False))
            if kwargs:
                given.update((name, kwargs.pop(name)) for name in names if name in kwargs)
            passed = netchecks.check(net, given, forward_fields)
            if passed is given and not kwargs and len(args) == count:
                return call_unchecked(function, net, *args)  # the common call: nothing converted
            return call_unchecked(function, net, **passed, **netchecks.check_flags(kwargs))

        return boundary  # type: ignore[return-value]

    return decorate


@dataclass(frozen=True)
class Net:
    """A dense feed-forward net: ``widths`` (inputs, then each layer's nodes), one
    activation per layer (or one name for all), a loss and whether layers have biases."""

    widths: tuple[int, ...]
    activations: tuple[str, ...] | str = "sigmoid"
    loss: str = "mse"
    biases: bool = True

    def __post_init__(self) -> None:
        widths, names = netchecks.check_spec(self.widths, self.activations, self.loss, self.biases)
        object.__setattr__(self, "widths", widths)
        object.__setattr__(self, "activations", names)
        object.__setattr__(self, "biases", bool(self.biases))  # np.bool_ too

    @property
    def depth(self) -> int:
        """The number of layers L (weight matrices)."""
        return len(self.widths) - 1

    @property
    def fused(self) -> bool:
        """Whether the output delta is fused with the loss (both cross-entropies)."""
        return LOSSES[self.loss].fused_delta is not None

    def count(self, Y: np.ndarray) -> int:
        """The loss's N for labels ``Y``: ``Y.size`` (MSE, BCE) or examples (CE)."""
        return Y.size if LOSSES[self.loss].count == "entries" else Y.shape[0]

    def init(self, seed: Seed = 0, scheme: str = "auto", dtype: DTypeLike = np.float64) -> Params:
        """Seeded initial parameters (biases zero); see :mod:`handbp.initialisation`.

        ``scheme``: ``"auto"`` (He for (leaky) ReLU layers, Glorot for the others),
        ``"glorot"``, ``"he"``, or ``"series"`` (:math:`N(0, 0.5^2)` from NumPy's legacy
        generator drawn layer by layer: for 4-2-3, the series' ``initial_weights(seed)``).
        """
        if scheme not in INIT_SCHEMES:
            raise ValueError(f"scheme must be one of {', '.join(INIT_SCHEMES)}, got {scheme!r}")
        dtype = float_dtype(dtype)
        shapes = list(zip(self.widths[:-1], self.widths[1:], strict=True))
        if scheme == "series":
            legacy = np.random.RandomState(check_seed(seed))
            weights = [legacy.normal(scale=0.5, size=shape).astype(dtype) for shape in shapes]
        else:
            rng = (
                seed
                if isinstance(seed, np.random.Generator)
                else np.random.default_rng(check_seed(seed))
            )
            weights = []
            for (m, n), name in zip(shapes, self.activations, strict=True):
                relu_like = name in ("relu", "leaky_relu")
                draw = (
                    he_normal
                    if scheme == "he" or (scheme == "auto" and relu_like)
                    else glorot_uniform
                )
                weights.append(draw(m, n, rng, dtype))
        biases = tuple(np.zeros(n, dtype) for n in self.widths[1:]) if self.biases else None
        return Params(tuple(weights), biases)

    def forward(self, X: ArrayLike, params: Params) -> NetForward:
        """Every layer's :math:`Z_l` and :math:`A_l` (:func:`feedforward_net`)."""
        return feedforward_net(self, X, params)

    def loss_value(self, Y: ArrayLike, forward: NetForward) -> np.floating:
        """The loss C: from the logits :math:`Z_L` for the cross-entropies (stable), from
        :math:`A_L` for the MSE."""
        return loss_of_net(self, Y, forward)

    def backward(
        self,
        X: ArrayLike,
        Y: ArrayLike,
        params: Params,
        forward: NetForward,
        *,
        staged: bool = False,
        input_error: bool = False,
    ) -> NetBackward:
        """Every layer's :math:`E_l`, :math:`D_l`, dW_l, db_l (:func:`backpropagation_net`)."""
        return backpropagation_net(
            self, X, Y, params, forward, staged=staged, input_error=input_error
        )

    def gradients(self, X: ArrayLike, Y: ArrayLike, params: Params, **options: bool) -> NetBackward:
        """A forward and a backward pass; ``options`` as :meth:`backward`'s."""
        return gradients_of_net(self, X, Y, params, **options)

    def step(self, X: ArrayLike, Y: ArrayLike, params: Params, eta: float) -> Params:
        """One gradient-descent step on the batch ``X, Y`` (:func:`parameters_update`)."""
        return step_of_net(self, X, Y, params, eta)


# --- The passes -----------------------------------------------------------------------------


@_checked_net("X", "params")
def feedforward_net(net: Net, X: ArrayLike, params: Params) -> NetForward:
    r"""Chapter 2 (layers), ``feedforward_net``: :math:`A_0 = X,\ Z_l = A_{l-1} W_l + b_l,\ A_l = f_l(Z_l),\ l = 1 \dots L`."""
    Zs, As = [], []
    A = X
    biases = params.biases or (None,) * net.depth
    for W, b, name in zip(params.weights, biases, net.activations, strict=True):
        Z = layer_l_inputs(A, W, b)
        A = layer_l_outputs(Z, ACTIVATIONS[name].function)
        Zs.append(Z)
        As.append(A)
    return NetForward(tuple(Zs), tuple(As))


@_checked_net("Y", "forward", forward_fields=("layer_l_inputs", "layer_l_outputs"))
def loss_of_net(net: Net, Y: ArrayLike, forward: NetForward) -> np.floating:
    """The loss of a forward pass (see :meth:`Net.loss_value`)."""
    loss = LOSSES[net.loss]
    if loss.from_logits is not None:
        return loss.from_logits(forward.layer_l_inputs[-1], Y)
    return loss.value(forward.layer_l_outputs[-1], Y)


@_checked_net("X", "Y", "params", "forward", forward_fields=("layer_l_outputs",))
def backpropagation_net(
    net: Net,
    X: ArrayLike,
    Y: ArrayLike,
    params: Params,
    forward: NetForward,
    *,
    staged: bool = False,
    input_error: bool = False,
) -> NetBackward:
    r"""Chapter 2 (layers), ``backpropagation_net``: :math:`D_L = E_L \odot f_L'(A_L),\ D_l = D_{l+1} W_{l+1}^T \odot f_l'(A_l),\ \frac{\partial C}{\partial W_l} = \frac{1}{N} A_{l-1}^T D_l`.

    The output delta :math:`D_L` comes from the loss: the MSE's error through the
    output activation; for the two cross-entropies the fused :math:`D_L = A_L - Y`
    (``staged=True`` computes the loss's error :math:`E_L` and the chain through the
    activation instead, which needs probabilities strictly between 0 and 1). Then the
    recursion runs down the layers: the series' parts 11-12 for any depth. ``input_error``
    adds :math:`E_0 = D_1 W_1^T`, for the gradient with respect to the input.
    """
    loss = LOSSES[net.loss]
    X, Y = cast(np.ndarray, X), cast(np.ndarray, Y)  # float arrays: checked at the boundary
    N = net.count(Y)
    As = (X, *forward.layer_l_outputs)
    L = net.depth
    errors: list[np.ndarray | None] = [None] * L  # E_1 .. E_L, filled from the top
    deltas, weight_updates, bias_updates = [], [], []  # from layer L down to layer 1
    if loss.fused_delta is not None and not staged:
        D = loss.fused_delta(As[L], Y)
    else:
        E = errors[L - 1] = loss.error(As[L], Y)
        D = _delta(E, As[L], net.activations[L - 1])
    E0 = None
    for layer in range(L, 0, -1):
        deltas.append(D)
        weight_updates.append(weights_l_update(As[layer - 1], D, N))
        if net.biases:
            bias_updates.append(bias_l_update(D, N))
        if layer > 1:
            E = errors[layer - 2] = layer_l_error(D, params.weights[layer - 1])
            D = _delta(E, As[layer - 1], net.activations[layer - 2])
        elif input_error:
            E0 = layer_l_error(D, params.weights[0])
    biases = tuple(bias_updates[::-1]) if net.biases else None
    return NetBackward(tuple(errors), tuple(deltas[::-1]), tuple(weight_updates[::-1]), biases, E0)


def _delta(E: np.ndarray, A: np.ndarray, name: str) -> np.ndarray:
    derivative = ACTIVATIONS[name].derivative
    return softmax_jvp(A, E) if derivative is None else layer_l_delta(E, A, derivative)


@_checked_net("X", "Y", "params")
def gradients_of_net(
    net: Net, X: ArrayLike, Y: ArrayLike, params: Params, **options: bool
) -> NetBackward:
    """A forward then a backward pass (see :meth:`Net.gradients`)."""
    return backpropagation_net(net, X, Y, params, feedforward_net(net, X, params), **options)


@_checked_net("params", "gradients", "eta")
def parameters_update(net: Net, params: Params, gradients: Params, eta: float) -> Params:
    r"""Chapter 2 (layers), ``parameters_update``: :math:`W_l \leftarrow W_l - \eta\,\frac{\partial C}{\partial W_l},\quad b_l \leftarrow b_l - \eta\,\frac{\partial C}{\partial b_l}`.

    The series' ``weights_update`` for every layer, with ``gradient_descent_step``.
    """
    weights = tuple(
        gradient_descent_step(W, dW, eta)
        for W, dW in zip(params.weights, gradients.weights, strict=True)
    )
    if params.biases is None:
        return Params(weights)
    biases = tuple(
        gradient_descent_step(b, db, eta)
        for b, db in zip(params.biases, gradients.biases or (), strict=True)
    )
    return Params(weights, biases)


@_checked_net("X", "Y", "params", "eta")
def step_of_net(net: Net, X: ArrayLike, Y: ArrayLike, params: Params, eta: float) -> Params:
    """Forward, backward, update (see :meth:`Net.step`).

    ``parameters_update(net, params, gradients_of_net(net, X, Y, params).gradients, eta)``,
    run in place (:mod:`handbp.inplace`; bit for bit the same numbers, a test holds them
    equal): a step needs only the new parameters, not every intermediate, and on small
    batches allocating those costs more than the maths.
    """
    X, Y = cast(np.ndarray, X), cast(np.ndarray, Y)  # float arrays: checked at the boundary
    return Params(*inplace.step(net, X, Y, params.weights, params.biases, eta))


__all__ = [
    "ACTIVATIONS",
    "INIT_SCHEMES",
    "LOSSES",
    "Loss",
    "Net",
    "NetBackward",
    "NetForward",
    "Params",
    "activation",
    "backpropagation_net",
    "feedforward_net",
    "gradients_of_net",
    "loss_of_net",
    "parameters_update",
    "step_of_net",
]
