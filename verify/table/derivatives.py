"""The references of the derivatives of parts 6-10 and of the scalar forms of parts 9-12.

One-variable derivatives are checked elementwise at the probe points ``x = H_in`` of
the net (``do_out_do_in`` at ``O_in``); ``chain_rule`` on the chain
:math:`z = \\sigma(y),\\ y = x^2`. The scalar forms are called once per entry, at every
entry of a small net and on a seeded sample of a large one (:mod:`verify.sampling`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from handbp import activations, descent
from verify.compare import Target
from verify.entries import (
    Candidate,
    Chain,
    Entrywise,
    Fits,
    Mistakes,
    Reference,
    Targets,
    abs64,
    as64,
    entrywise_reference,
    one,
    per_method,
    sigmoid64,
)
from verify.hand import HandPass
from verify.jaxnet import METHOD_KEYS
from verify.polynomial_fits import derivative_fits
from verify.rounding import JaxResults
from verify.step_fits import update_fits

_VALUES = {
    "sigmoid": "value.sigmoid_x",
    "square": "value.square",
    "chain": "value.sigmoid_x",
    "sigmoid_O": "value.sigmoid_O",
}


def _elementwise(
    name: str, magnitude: Callable[[HandPass], Any]
) -> Callable[[JaxResults], Targets]:
    """A one-variable derivative's targets (``name``: sigmoid, square, chain, sigmoid_O)."""

    def targets(jr: JaxResults) -> Targets:
        values, m = jr[_VALUES[name]], magnitude(jr.hand)
        return per_method(lambda method: {"": jr.elementwise_target(name, method, values, m)})

    return targets


def _descent_step_targets(jr: JaxResults) -> Targets:
    """gradient_descent_step at x = H_in: x - eta * d(x^2)/dx with the derivative of each method."""
    x, eta = as64(jr.hand.x), jr.setup.eta

    def make(method: str) -> dict[str, Target]:
        step = eta * as64(jr.arrays[f"{METHOD_KEYS[method]}.dsquare"])
        return {"": Target(x - step, np.abs(x) + np.abs(step), scale_of=step)}

    return per_method(make)


def _dmse_do_out_targets(jr: JaxResults) -> Targets:
    def make(method: str) -> dict[str, Target]:
        t = jr.gradient_target("output_layer_error", method)
        return {"": Target(t.value / jr.N, t.magnitude / jr.N, noise=t.noise / jr.N)}

    return per_method(make)


def _gradient_targets(eq_id: str) -> Callable[[JaxResults], Targets]:
    return lambda jr: per_method(lambda m: {"": jr.gradient_target(eq_id, m)})


def _do_in_dw2_targets(jr: JaxResults) -> Targets:
    H_out = abs64(jr.hand.forward.hidden_layer_outputs)
    magnitude = np.repeat(H_out[:, :, None], jr.setup.sizes[2], axis=2)
    o_in = float(np.max(H_out @ abs64(jr.setup.W2)))
    W2_at = np.broadcast_to(jr.setup.W2, magnitude.shape)  # entry [e, j, k] moves W2[j, k]

    def make(method: str) -> dict[str, Target]:
        noise: np.ndarray | float = 0.0
        if method == "finite_differences":
            noise = jr.fd_noise("fderr.do_in_dw2", o_in, W2_at)
        return {"": Target(jr[f"{METHOD_KEYS[method]}.do_in_dw2"], magnitude, noise=noise)}

    return per_method(make)


def _sigmoid_derivative_mistakes(s: Callable[[JaxResults], Any]) -> Mistakes:
    """s (1 - s) from the output s: of sigma(s), or with a factor missing."""

    def mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
        out = as64(s(jr))
        return [
            Candidate(
                "sigmoid_of_output",
                "the sigmoid derivative is applied to the output as if it were the input: "
                "sigma(s) (1 - sigma(s)) instead of s (1 - s)",
                sigmoid64(out) * (1 - sigmoid64(out)),
            ),
            Candidate(
                "missing_factor", "the factor (1 - s) is missing: s instead of s (1 - s)", out
            ),
            Candidate(
                "missing_factor", "the factor s is missing: 1 - s instead of s (1 - s)", 1 - out
            ),
        ]

    return mistakes


def _square_derivative_mistakes(
    jr: JaxResults, component: str, value: np.ndarray
) -> list[Candidate]:
    x = as64(jr.hand.x)
    return [
        Candidate(
            "function_instead_of_derivative",
            "returns the function x^2, not its derivative 2x",
            x * x,
        )
    ]


def _chain_rule_mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
    x = as64(jr.hand.x)
    outer = sigmoid64(x * x) * (1 - sigmoid64(x * x))
    return [
        Candidate(
            "sum_instead_of_product",
            "the factors are added, not multiplied: dz/dy + dy/dx",
            outer + 2 * x,
        ),
        Candidate("missing_link", "only the first factor dz/dy: dy/dx is missing", outer),
        Candidate("missing_link", "only the last factor dy/dx: dz/dy is missing", 2 * x),
    ]


def _descent_step_fits(jr: JaxResults, component: str, hand: np.ndarray) -> list[Candidate]:
    """x - eta f'(x) done wrong: the step's factor fitted and named (uphill, no eta ...)."""
    x, s = as64(jr.hand.x), jr.setup
    return update_fits(x, 2 * x, hand, s.eta, s.N, s.examples, "x", "f'(x)")


def _sigmoid_derivative_fits(s: Callable[[JaxResults], Any]) -> Fits:
    """Any other polynomial in the output s than s (1 - s) (1 - s^2, s^2 ...), fitted."""

    def fits(jr: JaxResults, component: str, hand: np.ndarray) -> list[Candidate]:
        out = as64(s(jr))
        variables = {"s": (out, "the output s", "wrong_derivative")}
        return list(derivative_fits(hand, np.ones_like(out), variables, "your sigmoid derivative"))

    return fits


def _sigmoid_magnitude(hp: HandPass) -> np.ndarray:
    return abs64(activations.sigmoid(hp.x))


def _chain_magnitude(hp: HandPass) -> np.ndarray:
    x = abs64(hp.x)
    return (abs64(activations.sigmoid(hp.x * hp.x)) + 0.25 * x * x) * 2 * x


ENTRIES: list[Reference] = [
    Reference(
        "square_derivative",
        "d(x^2)/dx at x = H_in",
        lambda fn, hp: one(fn, hp.x),
        _elementwise("square", lambda hp: 2 * abs64(hp.x)),
        mistakes=_square_derivative_mistakes,
    ),
    Reference(
        "gradient_descent_step",
        "x - eta d(x^2)/dx at x = H_in: the step uses the autodiff derivative",
        lambda fn, hp: one(fn, hp.x, descent.square_derivative(hp.x), hp.setup.eta),
        _descent_step_targets,
        fits=_descent_step_fits,
    ),
    Reference(
        "chain_rule",
        "d sigmoid(x^2)/dx at x = H_in, from the factors sigma'(x^2) and 2x",
        lambda fn, hp: one(
            fn,
            activations.sigmoid_derivative(activations.sigmoid(descent.square(hp.x))),
            descent.square_derivative(hp.x),
        ),
        _elementwise("chain", _chain_magnitude),
        mistakes=_chain_rule_mistakes,
    ),
    Reference(
        "sigmoid_derivative",
        "d sigmoid(x)/dx at x = H_in, from the output sigmoid(x)",
        lambda fn, hp: one(fn, activations.sigmoid(hp.x)),
        _elementwise("sigmoid", _sigmoid_magnitude),
        mistakes=_sigmoid_derivative_mistakes(lambda jr: sigmoid64(as64(jr.hand.x))),
        fits=_sigmoid_derivative_fits(lambda jr: sigmoid64(as64(jr.hand.x))),
    ),
    entrywise_reference(
        "dmse_do_out",
        "dMSE/dO_out[e, k] for every flower e and output node k",
        Entrywise(
            "O_error",
            lambda hp: hp.backward.output_layer_error,
            lambda s: 1,
            lambda fn, hp, i: fn(hp.forward.output_layer_outputs, hp.setup.Y, *i),
        ),
        _dmse_do_out_targets,
        chain=Chain("output_layer_error", per_n=True, whole=True),
    ),
    entrywise_reference(
        "do_out_do_in",
        "d sigmoid(O_in)/dO_in[e, k] for every flower e and output node k",
        Entrywise(
            "O_out(1 - O_out)",
            lambda hp: activations.sigmoid_derivative(hp.forward.output_layer_outputs),
            lambda s: 1,
            lambda fn, hp, i: fn(hp.forward.output_layer_outputs, *i),
        ),
        _elementwise("sigmoid_O", lambda hp: abs64(hp.forward.output_layer_outputs)),
        mistakes=_sigmoid_derivative_mistakes(lambda jr: jr.hand.forward.output_layer_outputs),
        fits=_sigmoid_derivative_fits(lambda jr: jr.hand.forward.output_layer_outputs),
    ),
    entrywise_reference(
        "do_in_dw2",
        "dO_in[e, k]/dW2[j, k] (Jacobian of H_out W2) for every e, j, k",
        Entrywise(
            "do_in_dw2",
            lambda hp: np.repeat(
                hp.forward.hidden_layer_outputs[:, :, None], hp.setup.sizes[2], axis=2
            ),
            lambda s: 1,
            lambda fn, hp, i: fn(hp.forward.hidden_layer_outputs, i[0], i[1]),
        ),
        _do_in_dw2_targets,
    ),
    entrywise_reference(
        "dmse_dw2_scalar",
        "dMSE/dW2[j, k] for every hidden node j and output node k",
        Entrywise(
            "W2",
            lambda hp: hp.backward.weights_2_update,
            lambda s: s.examples,
            lambda fn, hp, i: fn(
                hp.forward.hidden_layer_outputs, hp.forward.output_layer_outputs, hp.setup.Y, *i
            ),
        ),
        _gradient_targets("weights_2_update"),
        chain=Chain("weights_2_update", whole=True),
    ),
    entrywise_reference(
        "dmse_dw1_scalar",
        "dMSE/dW1[i, j] for every input i and hidden node j",
        Entrywise(
            "W1",
            lambda hp: hp.backward.weights_1_update,
            lambda s: s.examples * s.sizes[2],
            lambda fn, hp, i: fn(
                hp.setup.X,
                hp.forward.hidden_layer_outputs,
                hp.forward.output_layer_outputs,
                hp.setup.Y,
                hp.setup.W2,
                *i,
            ),
        ),
        _gradient_targets("weights_1_update"),
        chain=Chain("weights_1_update", whole=True),
    ),
]
"""The derivatives' and scalar forms' references (in no particular order)."""
