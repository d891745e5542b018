"""The references of the backward pass and the update (parts 11-13).

The six quantities are generated from one description each: the MSE's gradient they are
(:data:`verify.quantities.BACKPROP`) and the upstream values handbp hands their function.
Their structural mistakes (a sigmoid derivative of the wrong values, another layer's
values ...) are built by :mod:`verify.diagnose` for the whole chain, named by ``chain``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from verify.compare import Target
from verify.entries import (
    Candidate,
    Chain,
    Components,
    Reference,
    Targets,
    abs64,
    as64,
    components,
    per_method,
)
from verify.hand import HandPass
from verify.quantities import BACKPROP, BACKPROP_IDS
from verify.rounding import JaxResults
from verify.step_fits import update_fits

INPUTS: dict[str, Callable[[HandPass], tuple[Any, ...]]] = {
    "output_layer_error": lambda hp: (hp.forward.output_layer_outputs, hp.setup.Y),
    "output_layer_delta": lambda hp: (
        hp.backward.output_layer_error,
        hp.forward.output_layer_outputs,
    ),
    "weights_2_update": lambda hp: (
        hp.forward.hidden_layer_outputs,
        hp.backward.output_layer_delta,
        hp.setup.N,
    ),
    "hidden_layer_error": lambda hp: (hp.backward.output_layer_delta, hp.setup.W2),
    "hidden_layer_delta": lambda hp: (
        hp.backward.hidden_layer_error,
        hp.forward.hidden_layer_outputs,
    ),
    "weights_1_update": lambda hp: (hp.setup.X, hp.backward.hidden_layer_delta, hp.setup.N),
}
"""Each backprop quantity's function's arguments: handbp's own upstream values."""


def _gradients(eq_ids: tuple[str, ...]) -> Callable[[JaxResults], Targets]:
    return lambda jr: per_method(lambda m: {i: jr.gradient_target(i, m) for i in eq_ids})


def _quantity(eq_id: str) -> Reference:
    """One backprop quantity's reference, from its description."""

    def hand(fn: Callable[..., Any], hp: HandPass) -> Components:
        return {eq_id: fn(*INPUTS[eq_id](hp))}

    return Reference(
        eq_id, BACKPROP[eq_id].quantity, hand, _gradients((eq_id,)), chain=Chain(eq_id)
    )


def _update_targets(jr: JaxResults) -> Targets:
    """weights_update: W - eta * dMSE/dW with the gradient of each method; scale: the step."""
    s = jr.setup

    def make(method: str) -> dict[str, Target]:
        out = {}
        for name, W, eq_id in (("W1", s.W1, "weights_1_update"), ("W2", s.W2, "weights_2_update")):
            gradient = jr.gradient_target(eq_id, method)
            step = s.eta * as64(gradient.value)
            scale = gradient.value if gradient.scale_of is None else gradient.scale_of
            out[name] = Target(
                as64(W) - step,
                abs64(W) + s.eta * gradient.magnitude,
                scale_of=s.eta * as64(scale),
                noise=s.eta * gradient.noise,
                sample=gradient.sample,
            )
        return out

    return per_method(make)


def _update_fits(jr: JaxResults, component: str, hand: np.ndarray) -> list[Candidate]:
    """W - eta W_update done wrong: the step's factor fitted and named (uphill, no eta ...)."""
    s = jr.setup
    eq_id = {"W1": "weights_1_update", "W2": "weights_2_update"}[component]
    G = as64(jr.gradient_target(eq_id, "reverse").value)
    W = as64(getattr(s, component))
    return update_fits(W, G, hand, s.eta, s.N, s.examples, component, f"{component}_update")


ENTRIES: list[Reference] = [
    *(_quantity(eq_id) for eq_id in BACKPROP_IDS),
    Reference(
        "backpropagation",
        "the whole backward pass: " + ", ".join(BACKPROP[eq_id].quantity for eq_id in BACKPROP_IDS),
        lambda fn, hp: components(
            fn(hp.setup.X, hp.setup.Y, hp.setup.W2, hp.forward),
            BACKPROP_IDS,
            "backpropagation's result",
        ),
        _gradients(BACKPROP_IDS),
    ),
    Reference(
        "weights_update",
        "W - eta dMSE/dW for W1 and W2: the update uses the autodiff gradient",
        lambda fn, hp: components(
            fn(
                hp.setup.W1,
                hp.setup.W2,
                hp.backward.weights_1_update,
                hp.backward.weights_2_update,
                hp.setup.eta,
            ),
            ("W1", "W2"),
            "weights_update's result",
        ),
        _update_targets,
        fits=_update_fits,
    ),
]
"""The backward pass's and the update's references."""
