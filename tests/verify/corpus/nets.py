"""Wrong backward passes of general nets (:class:`handbp.nn.Net`), one mistake each.

:func:`backward` is a learner's own NumPy backward pass of any net, written step by step;
each case replaces one step (a ``hook`` receives the step's variables and returns its
value) with a mistake a learner makes, on nets of several depths, activations and losses.

One table in one file, though long: the rows share the one :func:`backward` at its top
(most are a hook on one of its steps), and the correct forms that must pass sit next to
the mistakes; the rows are data, not logic.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import numpy as np

from handbp.nn import NetBackward
from tests.verify.corpus import Case

CE = ((4, 8, 6, 3), ("relu", "relu", "softmax"), "cross_entropy", True)
BCE = ((3, 5, 4, 2), ("tanh", "sigmoid", "sigmoid"), "binary_cross_entropy", False)
MSE = ((3, 6, 4), ("leaky_relu", "sigmoid"), "mse", True)
DEEP = ((5, 7, 6, 4, 3), ("sigmoid", "tanh", "relu", "sigmoid"), "mse", True)
SOFTMAX_MSE = ((4, 6, 3), ("tanh", "softmax"), "mse", True)
RELU_BCE = ((4, 6, 2), ("relu", "sigmoid"), "binary_cross_entropy", True)
SIGMOID_SOFTMAX = ((4, 5, 3), ("sigmoid", "softmax"), "mse", False)
TANH_SOFTMAX = ((3, 6, 5, 4), ("relu", "tanh", "softmax"), "mse", True)

DERIVATIVE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a**2,
    "relu": lambda a: (a > 0).astype(a.dtype),
    "leaky_relu": lambda a: np.where(a > 0, 1.0, 0.01).astype(a.dtype),
}


def softmax_vjp(p: np.ndarray, e: np.ndarray) -> np.ndarray:
    return p * (e - np.sum(e * p, axis=1, keepdims=True))


def _delta(s: SimpleNamespace) -> np.ndarray:
    if s.name == "softmax":
        return softmax_vjp(s.A, s.E)
    return s.E * DERIVATIVE[s.name](s.A)


STEPS: dict[str, Callable[[SimpleNamespace], np.ndarray]] = {
    "output_error": lambda s: s.A - s.Y,
    "fused_delta": lambda s: s.A - s.Y,
    "delta": _delta,
    "weights": lambda s: s.A_prev.T @ s.D / s.N,
    "bias": lambda s: s.D.sum(axis=0) / s.N,
    "error_back": lambda s: s.D @ s.W.T,
}
"""The right steps; a case replaces one."""


def backward(net, X, Y, params, forward, **hooks):
    """A learner's backward pass of any net, step by step (``hooks`` replace steps)."""
    steps = {**STEPS, **hooks}
    L = net.depth
    As = (X, *forward.layer_l_outputs)
    N = Y.shape[0] if net.loss == "cross_entropy" else Y.size
    s = SimpleNamespace(net=net, Y=Y, N=N, params=params, forward=forward, l=L)
    errors, deltas, dWs, dbs = [None] * L, [None] * L, [None] * L, [None] * L
    s.A, s.Z, s.name = As[L], forward.layer_l_inputs[L - 1], net.activations[L - 1]
    if net.loss == "mse":
        s.E = errors[L - 1] = steps["output_error"](s)
        s.D = steps["delta"](s)
    else:
        s.D = steps["fused_delta"](s)
    for layer in range(L, 0, -1):
        s.l, s.A_prev, s.W = layer, As[layer - 1], params.weights[layer - 1]
        s.Z_prev = forward.layer_l_inputs[layer - 2] if layer > 1 else None
        deltas[layer - 1] = s.D
        s.dW = dWs[layer - 1] = steps["weights"](s)
        if net.biases:
            dbs[layer - 1] = steps["bias"](s)
        if layer > 1:
            s.E = errors[layer - 2] = steps["error_back"](s)
            s.A, s.Z, s.name = (
                As[layer - 1],
                forward.layer_l_inputs[layer - 2],
                net.activations[layer - 2],
            )
            s.l = layer - 1  # the delta of layer l - 1
            s.D = steps["delta"](s)
    return NetBackward(tuple(errors), tuple(deltas), tuple(dWs), tuple(dbs) if net.biases else None)


def _at(layer: int, step: Callable, wrong: Callable) -> Callable:
    """``wrong`` at one layer, the right ``step`` elsewhere."""
    return lambda s: wrong(s) if s.l == layer else step(s)


CASES: list[Case] = []


def case(
    kind: str,
    net: tuple,
    first: str,
    name: str,
    dtypes: tuple[str, ...] = ("float64", "float32"),
    **hooks: Callable,
) -> None:
    def wrong(net_, X, Y, params, forward):
        return backward(net_, X, Y, params, forward, **hooks)

    wrong.__name__ = name
    CASES.append(Case(kind, "net", wrong, first=first, net=net, dtypes=dtypes))


def _stale(name: str, net: tuple, layer: int) -> None:
    cache: dict[int, np.ndarray] = {}

    def error_back(s):
        if s.l != layer:
            return s.D @ s.W.T
        W = cache.setdefault(s.l, np.array(s.W, copy=True))  # kept from the first call
        return s.D @ W.T

    case("stale_weights", net, f"E{layer - 1}", name, error_back=error_back)


def _updated(s):
    s.W -= 0.1 * s.dW  # the update in place, before the error goes back
    return s.D @ s.W.T


def _mutated(s):
    s.E *= DERIVATIVE[s.name](s.A)  # the error turned into the delta in place
    return s.E


delta, weights, bias, error_back = (
    STEPS["delta"],
    STEPS["weights"],
    STEPS["bias"],
    STEPS["error_back"],
)
# bias gradient summed over the wrong axis, or not summed
case("wrong_axis", CE, "db3", "bias_axis1_ce", bias=lambda s: s.D.sum(axis=1) / s.N)
case("wrong_axis", MSE, "db2", "bias_axis1_mse", bias=lambda s: s.D.sum(axis=1) / s.N)
case(
    "wrong_axis", DEEP, "db3", "bias_axis1_deep", bias=_at(3, bias, lambda s: np.sum(s.D, 1) / s.N)
)
case("not_summed", CE, "db3", "bias_not_summed_ce", bias=lambda s: s.D / s.N)
case("not_summed", MSE, "db2", "bias_not_summed_mse", bias=lambda s: s.D / s.N)
case("not_summed", RELU_BCE, "db2", "bias_not_summed_bce", bias=lambda s: s.D / s.N)
# averaged instead of summed (where N is not the number of examples), 1/N twice
case(
    "averaged_instead_of_summed", MSE, "db2", "bias_mean_mse", bias=lambda s: s.D.mean(axis=0) / s.N
)
case("averaged_instead_of_summed", DEEP, "db4", "bias_mean_deep", bias=lambda s: s.D.mean(0) / s.N)
case(
    "averaged_instead_of_summed",
    RELU_BCE,
    "dW2",
    "weights_mean_bce",
    weights=lambda s: (s.A_prev.T @ s.D / s.N) / len(s.D),
)
case("factor_1/N", CE, "dW3", "weights_n_twice_ce", weights=lambda s: s.A_prev.T @ s.D / s.N / s.N)
case("factor_1/N", BCE, "dW3", "weights_n_twice_bce", weights=lambda s: s.A_prev.T @ s.D / s.N**2)
case("factor_1/N", MSE, "E2", "error_divided_mse", output_error=lambda s: (s.A - s.Y) / s.N)
case("factor_1/N", CE, "db3", "bias_n_twice_ce", bias=lambda s: s.D.mean(axis=0) / s.N)
case("factor_N", BCE, "dW3", "weights_no_n_bce", weights=lambda s: s.A_prev.T @ s.D)
case("factor_N", SOFTMAX_MSE, "dW2", "weights_no_n_softmax", weights=lambda s: s.A_prev.T @ s.D)
case("factor_N", RELU_BCE, "db2", "bias_no_n_bce", bias=lambda s: s.D.sum(axis=0))
# sigma' kept with a cross-entropy; softmax's Jacobian as its diagonal
case(
    "derivative_kept",
    BCE,
    "D3",
    "bce_sigma_kept",
    fused_delta=lambda s: (s.A - s.Y) * s.A * (1 - s.A),
)
case(
    "derivative_kept",
    RELU_BCE,
    "D2",
    "bce_sigma_kept_relu",
    fused_delta=lambda s: (s.A - s.Y) * s.A * (1 - s.A),
)
case(
    "derivative_kept",
    CE,
    "D3",
    "ce_diagonal_kept",
    fused_delta=lambda s: (s.A - s.Y) * s.A * (1 - s.A),
)
case(
    "diagonal_only",
    SOFTMAX_MSE,
    "D2",
    "softmax_diagonal",
    delta=_at(2, delta, lambda s: s.E * s.A * (1 - s.A)),
)
case(
    "diagonal_only",
    SIGMOID_SOFTMAX,
    "D2",
    "softmax_diagonal_sig",
    delta=_at(2, delta, lambda s: s.E * s.A * (1 - s.A)),
)
case(
    "diagonal_only",
    TANH_SOFTMAX,
    "D3",
    "softmax_diagonal_deep",
    delta=_at(3, delta, lambda s: s.E * s.A * (1 - s.A)),
)
# stale or already-updated weights in the backward pass
case("updated_weights_used", CE, "E2", "updated_ce", error_back=_at(3, error_back, _updated))
case("updated_weights_used", MSE, "E1", "updated_mse", error_back=_updated)
case("updated_weights_used", DEEP, "E2", "updated_deep", error_back=_at(3, error_back, _updated))
_stale("stale_ce", CE, 3)
_stale("stale_mse", MSE, 2)
_stale("stale_deep", DEEP, 4)
# the ReLU's output as its derivative
case(
    "output_instead_of_derivative",
    CE,
    "D2",
    "relu_output_ce",
    delta=_at(2, delta, lambda s: s.E * s.A),
)
case(
    "output_instead_of_derivative",
    RELU_BCE,
    "D1",
    "relu_output_bce",
    delta=_at(1, delta, lambda s: s.E * s.A),
)
case(
    "output_instead_of_derivative",
    DEEP,
    "D3",
    "relu_output_deep",
    delta=_at(3, delta, lambda s: s.E * s.A),
)
# an upstream gradient changed in place after it was stored
case("mutated_in_place", MSE, "E1", "error_times_equal_mse", delta=_at(1, delta, _mutated))
case("mutated_in_place", DEEP, "E2", "error_times_equal_deep", delta=_at(2, delta, _mutated))
case("mutated_in_place", CE, "E2", "error_times_equal_ce", delta=_at(2, delta, _mutated))
# the other factors of the chain rule
case("sign_flip", MSE, "E2", "target_minus_output_mse", output_error=lambda s: s.Y - s.A)
case("sign_flip", DEEP, "E4", "target_minus_output_deep", output_error=lambda s: s.Y - s.A)
case("sign_flip", CE, "D3", "target_minus_output_ce", fused_delta=lambda s: s.Y - s.A)
case("missing_derivative", BCE, "D2", "no_derivative_bce", delta=_at(2, delta, lambda s: s.E))
case("missing_derivative", MSE, "D2", "no_derivative_mse", delta=_at(2, delta, lambda s: s.E))
case("missing_derivative", DEEP, "D2", "no_derivative_deep", delta=_at(2, delta, lambda s: s.E))
case(
    "wrong_derivative",
    BCE,
    "D1",
    "tanh_as_sigmoid",
    delta=_at(1, delta, lambda s: s.E * s.A * (1 - s.A)),
)
case(
    "wrong_derivative",
    DEEP,
    "D1",
    "sigmoid_as_tanh",
    delta=_at(1, delta, lambda s: s.E * (1 - s.A**2)),
)
case(
    "wrong_derivative",
    SOFTMAX_MSE,
    "D1",
    "tanh_one_minus",
    delta=_at(1, delta, lambda s: s.E * (1 - s.A)),
)
case(
    "sigmoid_of_output",
    BCE,
    "D2",
    "sigmoid_again_bce",
    delta=_at(2, delta, lambda s: s.E / (1 + np.exp(-s.A)) * (1 - 1 / (1 + np.exp(-s.A)))),
)
case(
    "sigmoid_of_output",
    MSE,
    "D2",
    "sigmoid_again_mse",
    delta=lambda s: (
        s.E / (1 + np.exp(-s.A)) * (1 - 1 / (1 + np.exp(-s.A))) if s.name == "sigmoid" else delta(s)
    ),
)
case(
    "sigmoid_of_output",
    DEEP,
    "D4",
    "sigmoid_again_deep",
    delta=_at(4, delta, lambda s: s.E / (1 + np.exp(-s.A)) * (1 - 1 / (1 + np.exp(-s.A)))),
)
case(
    "derivative_of_input",
    BCE,
    "D2",
    "input_derivative_bce",
    delta=_at(2, delta, lambda s: s.E * s.Z * (1 - s.Z)),
)
case(
    "derivative_of_input",
    MSE,
    "D2",
    "input_derivative_mse",
    delta=_at(2, delta, lambda s: s.E * s.Z * (1 - s.Z)),
)
case(
    "derivative_of_input",
    DEEP,
    "D2",
    "input_derivative_deep",
    delta=_at(2, delta, lambda s: s.E * (1 - s.Z**2)),
)
case(
    "error_instead_of_delta",
    MSE,
    "dW2",
    "error_in_gradient_mse",
    weights=_at(2, weights, lambda s: s.A_prev.T @ s.E / s.N),
)
case(
    "error_instead_of_delta",
    DEEP,
    "dW3",
    "error_in_gradient_deep",
    weights=_at(3, weights, lambda s: s.A_prev.T @ s.E / s.N),
)
case(
    "error_instead_of_delta",
    BCE,
    "dW2",
    "error_in_gradient_bce",
    weights=_at(2, weights, lambda s: s.A_prev.T @ s.E / s.N),
)
case(
    "transposed",
    CE,
    "dW3",
    "transposed_ce",
    weights=_at(3, weights, lambda s: s.D.T @ s.A_prev / s.N),
)
case(
    "transposed",
    BCE,
    "dW2",
    "transposed_bce",
    weights=_at(2, weights, lambda s: s.D.T @ s.A_prev / s.N),
)
case(
    "transposed",
    MSE,
    "dW1",
    "transposed_mse",
    weights=_at(1, weights, lambda s: s.D.T @ s.A_prev / s.N),
)
case(
    "wrong_layer",
    CE,
    "dW3",
    "logits_for_outputs_ce",
    weights=_at(3, weights, lambda s: s.Z_prev.T @ s.D / s.N),
)
case(
    "wrong_layer",
    MSE,
    "dW2",
    "logits_for_outputs_mse",
    weights=_at(2, weights, lambda s: s.Z_prev.T @ s.D / s.N),
)
case(
    "wrong_layer",
    DEEP,
    "dW2",
    "logits_for_outputs_deep",
    weights=_at(2, weights, lambda s: s.Z_prev.T @ s.D / s.N),
)

# the cross-entropy's N taken as Y.size (examples times classes)
case(
    "size_instead_of_N",
    CE,
    "dW3",
    "ce_weights_by_size",
    weights=lambda s: s.A_prev.T @ s.D / s.Y.size,
)
case("size_instead_of_N", CE, "db3", "ce_bias_by_size", bias=lambda s: s.D.sum(axis=0) / s.Y.size)
case(
    "size_instead_of_N",
    CE,
    "dW1",
    "ce_first_weights_by_size",
    weights=_at(1, weights, lambda s: s.A_prev.T @ s.D / s.Y.size),
)
# reshape where a transpose belongs
case(
    "reshaped",
    BCE,
    "E2",
    "error_through_reshaped_weights",
    error_back=lambda s: s.D @ s.W.reshape(s.W.shape[::-1]),
)
case(
    "reshaped",
    CE,
    "dW3",
    "gradient_reshaped_ce",
    weights=lambda s: (s.D.T @ s.A_prev).reshape(s.A_prev.shape[1], s.D.shape[1]) / s.N,
)
# one example's term where the product sums over every example
case(
    "missing_terms",
    MSE,
    "dW2",
    "gradient_last_example_mse",
    weights=_at(2, weights, lambda s: np.outer(s.A_prev[-1], s.D[-1]) / s.N),
)
# float32 inside a float64 backward
FLOAT64 = ("float64",)
case(
    "lost_precision",
    MSE,
    "D1",
    "delta_float32_mse",
    FLOAT64,
    delta=_at(1, delta, lambda s: _delta(s).astype(np.float32)),
)
case(
    "lost_precision",
    CE,
    "E2",
    "error_float32_weights_ce",
    FLOAT64,
    error_back=_at(3, error_back, lambda s: s.D @ s.W.T.astype(np.float32)),
)
case(
    "lost_precision",
    BCE,
    "dW3",
    "gradient_float32_bce",
    FLOAT64,
    weights=_at(3, weights, lambda s: np.float32(s.A_prev.T @ s.D / s.N)),
)

# --- Equivalent correct forms: each passes with no diagnosis ------------------------------


def handbp_backward(net, X, Y, params, forward):
    """handbp's own pass, with the input error too."""
    return net.backward(X, Y, params, forward, input_error=True)


def step_by_step(net, X, Y, params, forward):
    return backward(net, X, Y, params, forward)


def other_orders(net, X, Y, params, forward):
    """Other product orders: (D^T A)^T, (W D^T)^T, einsum, np.dot, a sum by ones."""
    return backward(
        net,
        X,
        Y,
        params,
        forward,
        weights=lambda s: (s.D.T @ s.A_prev).T / s.N,
        bias=lambda s: np.ones(len(s.D), s.D.dtype) @ s.D / s.N,
        error_back=lambda s: np.einsum("en,mn->em", s.D, s.W) if s.l % 2 else np.dot(s.W, s.D.T).T,
    )


def times_equal_on_own_arrays(net, X, Y, params, forward):
    """``*=`` on the learner's own new arrays; the output of a layer turned into its
    derivative in place once it is no longer needed (after dW of the layer above)."""

    def delta_in_place(s):
        if s.name == "softmax":
            return softmax_vjp(s.A, s.E)
        D = s.E.copy()
        D *= DERIVATIVE[s.name](s.A)
        return D

    def derivative_in_forward(s):
        if s.name in ("sigmoid",) and s.l < s.net.depth:
            s.A *= 1 - s.A  # forward.layer_l_outputs: dW_{l+1} already used it
            return s.E * s.A
        return delta_in_place(s)

    return backward(net, X, Y, params, forward, delta=derivative_in_forward)


def as_dict_and_update_after(net, X, Y, params, forward):
    """A dict of the fields; the weights updated in place after the pass (correct)."""
    result = backward(net, X, Y, params, forward)
    for W, dW in zip(params.weights, result.weights_l_update, strict=True):
        W -= 0.1 * dW
    return {
        "layer_l_error": result.layer_l_error,
        "layer_l_delta": result.layer_l_delta,
        "weights_l_update": list(result.weights_l_update),
        "bias_l_update": result.bias_l_update,
    }


def staged_output(net, X, Y, params, forward):
    """A fused loss computed in stages: the loss's error, then the activation's chain."""
    staged = {
        "cross_entropy": lambda s: -s.Y / s.A,
        "binary_cross_entropy": lambda s: (s.A - s.Y) / (s.A * (1 - s.A)),
        "mse": lambda s: s.A - s.Y,
    }[net.loss]
    L = net.depth
    result = backward(
        net,
        X,
        Y,
        params,
        forward,
        fused_delta=lambda s: _delta(SimpleNamespace(**{**vars(s), "E": staged(s)})),
    )
    A = forward.layer_l_outputs[-1]
    s = SimpleNamespace(A=A, Y=Y)
    errors = (*result.layer_l_error[: L - 1], staged(s))
    return NetBackward(errors, result.layer_l_delta, result.weights_l_update, result.bias_l_update)


NETS = (CE, BCE, MSE, DEEP, SOFTMAX_MSE, RELU_BCE)
ACCEPTED = (
    handbp_backward,
    step_by_step,
    other_orders,
    times_equal_on_own_arrays,
    as_dict_and_update_after,
    staged_output,
)
"""Equivalent correct backward passes, each checked on every net of :data:`NETS`."""


def _reversed_weights(name: str, net: tuple, first: str) -> None:
    def wrong(net_, X, Y, params, forward):
        result = backward(net_, X, Y, params, forward)
        return NetBackward(
            result.layer_l_error,
            result.layer_l_delta,
            result.weights_l_update[::-1],  # from the output layer down, never reversed
            result.bias_l_update,
        )

    wrong.__name__ = name
    CASES.append(Case("swapped", "net", wrong, first=first, net=net))


_reversed_weights("weights_top_down_ce", CE, "dW3")
_reversed_weights("weights_top_down_deep", DEEP, "dW4")
_reversed_weights(
    "weights_top_down_square", ((3, 4, 4, 4), ("tanh", "tanh", "sigmoid"), "mse", True), "dW3"
)
case(
    "transposed",
    ((3, 5, 5, 2), ("relu", "tanh", "sigmoid"), "mse", True),
    "E1",
    "weights_not_transposed",
    error_back=lambda s: s.D @ s.W if s.W.shape[0] == s.W.shape[1] else s.D @ s.W.T,
)


def two_loops_in_place(net, X, Y, params, forward):
    """Deltas first, gradients after; a sigmoid's derivative computed in place in its
    output, which the gradient of the layer above then uses."""
    L = net.depth
    N = Y.shape[0] if net.loss == "cross_entropy" else Y.size
    As = (X, *forward.layer_l_outputs)
    errors, deltas = [None] * L, [None] * L
    if net.loss == "mse":
        errors[-1] = As[L] - Y
        deltas[-1] = errors[-1] * DERIVATIVE[net.activations[-1]](As[L])
    else:
        deltas[-1] = As[L] - Y
    for layer in range(L - 1, 0, -1):
        errors[layer - 1] = deltas[layer] @ params.weights[layer].T
        A, name = As[layer], net.activations[layer - 1]
        if name == "sigmoid":
            A *= 1 - A  # A now holds s (1 - s)
            deltas[layer - 1] = errors[layer - 1] * A
        else:
            deltas[layer - 1] = errors[layer - 1] * DERIVATIVE[name](A)
    dWs = tuple(As[layer].T @ deltas[layer] / N for layer in range(L))
    dbs = tuple(D.sum(axis=0) / N for D in deltas) if net.biases else None
    return NetBackward(tuple(errors), tuple(deltas), dWs, dbs)


CASES.append(Case("mutated_in_place", "net", two_loops_in_place, first="dW2", net=DEEP))
CASES.append(
    Case(
        "mutated_in_place",
        "net",
        two_loops_in_place,
        first="dW3",
        net=((3, 5, 4, 2), ("sigmoid", "sigmoid", "sigmoid"), "binary_cross_entropy", True),
    )
)
