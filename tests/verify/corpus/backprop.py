"""Wrong backpropagations, one mistake each: a learner's pass with one step written wrong.

:func:`backprop` is a learner's correct pass in plain NumPy whose steps can be replaced
one at a time; each case replaces one step (a function of the values computed so far).
"""

from functools import partial
from types import SimpleNamespace

import numpy as np

from tests.verify.corpus import Case
from verify.quantities import BACKPROP_IDS

STEPS = ("O_error", "O_delta", "W2_update", "H_error", "H_delta", "W1_update")
IDS = dict(zip(STEPS, BACKPROP_IDS, strict=True))

RIGHT = {
    "O_error": lambda v: v.O_out - v.Y,
    "O_delta": lambda v: v.O_error * v.O_out * (1 - v.O_out),
    "W2_update": lambda v: v.H_out.T @ v.O_delta / v.N,
    "H_error": lambda v: v.O_delta @ v.W2.T,
    "H_delta": lambda v: v.H_error * v.H_out * (1 - v.H_out),
    "W1_update": lambda v: v.X.T @ v.H_delta / v.N,
}


def _sig(x):
    return 1 / (1 + np.exp(-x))


def backprop(X, Y, W2, forward, result=None, **wrong):
    """The pass with the steps in ``wrong`` replaced; ``result(values)`` shapes what is returned."""
    v = SimpleNamespace(
        X=X,
        Y=Y,
        W2=W2,
        N=Y.size,
        E=Y.shape[0],
        H_in=forward.hidden_layer_inputs,
        H_out=forward.hidden_layer_outputs,
        O_in=forward.output_layer_inputs,
        O_out=forward.output_layer_outputs,
    )
    for step in STEPS:
        setattr(v, step, wrong.get(step, RIGHT[step])(v))
    if result is not None:
        return result(v)
    return {IDS[step]: getattr(v, step) for step in STEPS}


def _updated_first(eta):
    """W2 updated before the error is propagated back through it."""

    def h_error(v):
        v.W2 = v.W2 - eta * v.W2_update
        return v.O_delta @ v.W2.T

    return h_error


def _derivative_in_place(v):
    """H_out turned into its derivative in place before W2_update uses it."""
    v.H_out *= 1 - v.H_out
    return v.H_out.T @ v.O_delta / v.N


def _case(kind, first, **wrong):
    function = partial(backprop, **wrong)
    function.__name__ = f"{first}_{'_'.join(wrong)}"
    return Case(kind, "backpropagation", function, IDS[first])


CASES = [
    _case("sign_flip", "O_error", O_error=lambda v: v.Y - v.O_out),
    _case("sign_flip", "W2_update", W2_update=lambda v: -(v.H_out.T @ v.O_delta) / v.N),
    _case("sign_flip", "H_delta", H_delta=lambda v: v.H_error * v.H_out * (v.H_out - 1)),
    _case("factor_2", "O_error", O_error=lambda v: 2 * (v.O_out - v.Y)),
    _case("factor_2", "W2_update", W2_update=lambda v: 2 * v.H_out.T @ v.O_delta / v.N),
    _case("factor_2", "W1_update", W1_update=lambda v: 2 * v.X.T @ v.H_delta / v.N),
    _case("factor_N", "W2_update", W2_update=lambda v: v.H_out.T @ v.O_delta),
    _case("factor_N", "W1_update", W1_update=lambda v: v.X.T @ v.H_delta),
    _case("factor_N", "H_error", H_error=lambda v: v.N * v.O_delta @ v.W2.T),
    _case("factor_1/N", "O_error", O_error=lambda v: (v.O_out - v.Y) / v.N),
    _case("factor_1/N", "O_delta", O_delta=lambda v: v.O_error * v.O_out * (1 - v.O_out) / v.N),
    _case("factor_1/N", "W1_update", W1_update=lambda v: v.X.T @ v.H_delta / v.N**2),
    _case("examples_instead_of_N", "W2_update", W2_update=lambda v: v.H_out.T @ v.O_delta / v.E),
    _case("examples_instead_of_N", "W1_update", W1_update=lambda v: v.X.T @ v.H_delta / v.E),
    _case(
        "examples_instead_of_N",
        "W1_update",
        W1_update=lambda v: np.mean(v.X[:, :, None] * v.H_delta[:, None, :], axis=0),
    ),
    _case("transposed", "W2_update", W2_update=lambda v: v.O_delta.T @ v.H_out / v.N),
    _case("transposed", "W1_update", W1_update=lambda v: v.H_delta.T @ v.X / v.N),
    _case("transposed", "W1_update", W1_update=lambda v: (v.X.T @ v.H_delta).T / v.N),
    _case("derivative_of_input", "O_delta", O_delta=lambda v: v.O_error * v.O_in * (1 - v.O_in)),
    _case("derivative_of_input", "H_delta", H_delta=lambda v: v.H_error * v.H_in * (1 - v.H_in)),
    _case("derivative_of_input", "O_delta", O_delta=lambda v: v.O_error * (v.O_in - v.O_in**2)),
    _case("derivative_of_input", "O_delta", O_delta=lambda v: v.O_error * (1 - v.O_in**2)),
    _case("derivative_of_input", "H_delta", H_delta=lambda v: v.H_error * v.H_out * (1 - v.H_in)),
    _case(
        "derivative_of_error", "H_delta", H_delta=lambda v: v.H_error * v.H_error * (1 - v.H_error)
    ),
    _case("wrong_derivative", "O_delta", O_delta=lambda v: v.O_error * (1 - v.O_out**2)),
    _case("wrong_derivative", "H_delta", H_delta=lambda v: v.H_error * v.H_out**2),
    _case("wrong_derivative", "H_delta", H_delta=lambda v: v.H_error * (1 - v.H_out)),
    _case("missing_derivative", "O_delta", O_delta=lambda v: v.O_error),
    _case("missing_derivative", "H_delta", H_delta=lambda v: v.H_error),
    _case("missing_derivative", "H_delta", H_delta=lambda v: v.H_error * np.ones_like(v.H_out)),
    _case(
        "sigmoid_of_output",
        "O_delta",
        O_delta=lambda v: v.O_error * _sig(v.O_out) * (1 - _sig(v.O_out)),
    ),
    _case(
        "sigmoid_of_output",
        "H_delta",
        H_delta=lambda v: v.H_error * _sig(v.H_out) * (1 - _sig(v.H_out)),
    ),
    _case(
        "sigmoid_of_output",
        "H_delta",
        H_delta=lambda v: v.H_error * (_sig(v.H_out) - _sig(v.H_out) ** 2),
    ),
    _case("error_instead_of_delta", "W2_update", W2_update=lambda v: v.H_out.T @ v.O_error / v.N),
    _case("error_instead_of_delta", "W1_update", W1_update=lambda v: v.X.T @ v.H_error / v.N),
    _case("error_instead_of_delta", "H_error", H_error=lambda v: v.O_error @ v.W2.T),
    _case("wrong_layer", "W2_update", W2_update=lambda v: v.H_in.T @ v.O_delta / v.N),
    _case("wrong_layer", "W1_update", W1_update=lambda v: v.H_out.T @ v.H_delta / v.N),
    _case("wrong_layer", "O_error", O_error=lambda v: v.O_in - v.Y),
    _case(
        "new_weights_instead_of_gradient",
        "W2_update",
        W2_update=lambda v: v.W2 - 0.1 * (v.H_out.T @ v.O_delta / v.N),
    ),
    _case(
        "new_weights_instead_of_gradient",
        "W2_update",
        W2_update=lambda v: v.W2 - 0.5 * (v.H_out.T @ v.O_delta / v.N),
    ),
    _case(
        "new_weights_instead_of_gradient",
        "W2_update",
        W2_update=lambda v: v.W2 - v.H_out.T @ v.O_delta / v.N,
    ),
    _case("updated_weights_used", "H_error", H_error=_updated_first(0.1)),
    _case("updated_weights_used", "H_error", H_error=_updated_first(0.5)),
    _case("updated_weights_used", "H_error", H_error=_updated_first(1.0)),
    _case(
        "swapped",
        "O_error",
        result=lambda v: [v.O_delta, v.O_error, v.W2_update, v.H_error, v.H_delta, v.W1_update],
    ),
    _case(
        "swapped",
        "H_error",
        result=lambda v: [v.O_error, v.O_delta, v.W2_update, v.H_delta, v.H_error, v.W1_update],
    ),
    _case(
        "swapped",
        "W2_update",
        result=lambda v: [v.O_error, v.O_delta, v.W1_update, v.H_error, v.H_delta, v.W2_update],
    ),
    _case(
        "wrong_quantity",
        "H_error",
        result=lambda v: [v.O_error, v.O_delta, v.W2_update, v.H_delta, v.H_delta, v.W1_update],
    ),
    _case(
        "wrong_quantity",
        "O_error",
        result=lambda v: [v.O_delta, v.O_delta, v.W2_update, v.H_error, v.H_delta, v.W1_update],
    ),
    _case("extra_term", "W2_update", W2_update=lambda v: v.H_out.T @ v.O_delta / v.N + 0.01 * v.W2),
    _case("extra_term", "W2_update", W2_update=lambda v: v.H_out.T @ v.O_delta / v.N + 1e-3 * v.W2),
    _case(
        "extra_term", "W2_update", W2_update=lambda v: (v.H_out.T @ v.O_delta + 0.05 * v.W2) / v.N
    ),
    _case("reshaped", "H_error", H_error=lambda v: v.O_delta @ v.W2.reshape(v.W2.shape[::-1])),
    _case("mutated_in_place", "W2_update", W2_update=_derivative_in_place),
    _case("constant_factor", "O_error", O_error=lambda v: 3 * (v.O_out - v.Y)),
    _case(
        "constant_factor", "H_delta", H_delta=lambda v: 0.8 * v.H_error * v.H_out * (1 - v.H_out)
    ),
    _case("constant_factor", "W1_update", W1_update=lambda v: 1.5 * v.X.T @ v.H_delta / v.N),
]
"""The backpropagation cases: each makes one mistake, at ``first``."""
