"""The references of the forward maps (parts 2-9, 14): one independent JAX value each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from handbp import activations
from verify.entries import (
    Candidate,
    Components,
    Entrywise,
    Reference,
    Targets,
    abs64,
    as64,
    components,
    entrywise_reference,
    one,
    sampled,
    sigmoid64,
    value_reference,
    value_targets,
)
from verify.hand import HandPass
from verify.quantities import FORWARD_IDS
from verify.rounding import JaxResults
from verify.sampling import Sample, grid_sample


def _missing_terms(A: Callable[[JaxResults], Any], B: Callable[[JaxResults], Any], index: str):
    """A weighted sum (A B) that keeps only its first or only its last term."""

    def mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
        a, b = as64(A(jr)), as64(B(jr))
        last = a.shape[1] - 1
        return [
            Candidate(
                "missing_terms",
                f"the sum over {index} has only its term {index} = {which}: add the terms of "
                f"every {index} from 0 to {last}",
                a[:, [which]] @ b[[which], :],
            )
            for which in sorted({0, last})
            if last > 0
        ]

    return mistakes


def _activation_mistakes(z: Callable[[JaxResults], Any]):
    """A sigmoid layer (or the sigmoid) at ``z``: no activation, or the exponent's sign flipped."""

    def mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
        at = as64(z(jr))
        return [
            Candidate("missing_activation", "the activation is not applied: f(z) = z", at),
            Candidate(
                "sign_flip",
                "the sign in the exponent is flipped: 1 / (1 + e^z) instead of 1 / (1 + e^-z)",
                sigmoid64(-at),
            ),
        ]

    return mistakes


def _mse_mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
    N, E = jr.setup.N, jr.setup.examples
    return [
        Candidate(
            "factor_N", f"not divided by 2N = {2 * N}: the plain sum of squares", 2 * N * value
        ),
        Candidate(
            "examples_instead_of_N",
            f"divided by 2 x the number of examples ({2 * E}) instead of 2N = {2 * N}",
            value * N / E,
        ),
    ]


def _accuracy_mistakes(jr: JaxResults, component: str, value: np.ndarray) -> list[Candidate]:
    E = jr.setup.examples
    return [
        Candidate(
            "count_instead_of_share",
            f"the number of rows classified right instead of their share: divide by "
            f"the number of examples ({E})",
            value * E,
        ),
        Candidate(
            "count_instead_of_share",
            "a percentage instead of a share between 0 and 1: drop the factor 100",
            value * 100,
        ),
    ]


def _x(jr: JaxResults) -> np.ndarray:
    return jr.hand.x


def _X(jr: JaxResults) -> np.ndarray:
    return jr.setup.X


def _W1(jr: JaxResults) -> np.ndarray:
    return jr.setup.W1


def _H_out(jr: JaxResults) -> np.ndarray:
    return jr.hand.forward.hidden_layer_outputs


def _W2(jr: JaxResults) -> np.ndarray:
    return jr.setup.W2


def _O_in_targets(jr: JaxResults) -> Targets:
    return value_targets(jr, **{"": (jr["value.O_in_h"], abs64(_H_out(jr)) @ abs64(_W2(jr)))})


def _sigmoid_targets(key: str) -> Callable[[JaxResults], Targets]:
    return lambda jr: value_targets(jr, **{"": (jr[key], abs64(jr[key]))})


def _forward_targets(jr: JaxResults) -> Targets:
    m = jr.magnitudes
    return value_targets(
        jr,
        hidden_layer_inputs=(jr["forward.H_in"], m["H_in"]),
        hidden_layer_outputs=(jr["forward.H_out"], m["H_out"]),
        output_layer_inputs=(jr["forward.O_in"], m["O_in"]),
        output_layer_outputs=(jr["forward.O_out"], m["O_out"]),
    )


def _layer_grid(hp: HandPass) -> Sample:
    """``layer_outputs``' examples and nodes: whole rows and columns of H_in (all if small)."""
    return hp.sample(
        "layer_outputs", lambda: grid_sample("layer_outputs", hp.forward.hidden_layer_inputs)
    )


def _layer_outputs_hand(fn: Callable[..., Any], hp: HandPass) -> Components:
    """layer_outputs on the sampled examples and nodes (all on a small net), in lists."""
    sample = _layer_grid(hp)
    rows = np.unique(sample.flat // sample.shape[1])
    columns = np.unique(sample.flat % sample.shape[1])
    X, W1 = hp.setup.X[rows].tolist(), hp.setup.W1.T[columns].tolist()
    out = {}
    for name, activation in (("inputs", None), ("outputs", activations.sigmoid)):
        block = np.array(fn(X, W1) if activation is None else fn(X, W1, activation))
        if block.shape != (rows.size, columns.size) or block.dtype.kind not in "biuf":
            out[name] = block  # not one number per entry: the comparison says so
            continue
        full = np.full(sample.shape, np.nan)
        full[np.ix_(rows, columns)] = block
        out[name] = full
    return out


def _layer_outputs_targets(jr: JaxResults) -> Targets:
    sums = abs64(jr.setup.X) @ abs64(jr.setup.W1)
    return value_targets(
        jr,
        inputs=(jr["value.weighted_sums"], sums),
        outputs=(jr["value.weighted_sums_sigmoid"], 1 + 0.25 * sums),
    )


ENTRIES: list[Reference] = [
    entrywise_reference(
        "weighted_sum",
        "sum_i x_i w_i for every flower e and hidden node j (X W1, float64)",
        Entrywise(
            "H_in",
            lambda hp: hp.forward.hidden_layer_inputs,
            lambda s: s.sizes[0],
            lambda fn, hp, i: fn(hp.setup.X[i[0]].tolist(), hp.setup.W1[:, i[1]].tolist()),
        ),
        lambda jr: value_targets(
            jr, **{"": (jr["value.weighted_sums"], abs64(jr.setup.X) @ abs64(jr.setup.W1))}
        ),
        kind="value",
        float64_only=True,
        mistakes=_missing_terms(_X, _W1, "i"),
    ),
    value_reference(
        "step_function",
        "1 where z >= 2 else 0, at z = H_in",
        lambda fn, hp: one(fn, hp.x),
        lambda jr: value_targets(jr, **{"": (jr["value.step"], 0.0)}),
    ),
    value_reference(
        "hidden_layer_inputs",
        "X W1",
        lambda fn, hp: one(fn, hp.setup.X, hp.setup.W1),
        lambda jr: value_targets(jr, **{"": (jr["forward.H_in"], jr.magnitudes["H_in"])}),
        mistakes=_missing_terms(_X, _W1, "i"),
    ),
    value_reference(
        "hidden_layer_outputs",
        "sigmoid(H_in)",
        lambda fn, hp: one(fn, hp.x),
        _sigmoid_targets("value.sigmoid_x"),
        mistakes=_activation_mistakes(_x),
    ),
    value_reference(
        "output_layer_inputs",
        "H_out W2",
        lambda fn, hp: one(fn, hp.forward.hidden_layer_outputs, hp.setup.W2),
        _O_in_targets,
        mistakes=_missing_terms(_H_out, _W2, "j"),
    ),
    value_reference(
        "output_layer_outputs",
        "sigmoid(O_in)",
        lambda fn, hp: one(fn, hp.forward.output_layer_inputs),
        _sigmoid_targets("value.sigmoid_O"),
        mistakes=_activation_mistakes(lambda jr: jr.hand.forward.output_layer_inputs),
    ),
    value_reference(
        "layer_outputs",
        "the layer's inputs X W1 and outputs sigmoid(X W1), float64",
        _layer_outputs_hand,
        sampled(_layer_outputs_targets, _layer_grid),
        float64_only=True,
    ),
    value_reference(
        "feedforward",
        "the whole JAX forward pass H_in, H_out, O_in, O_out",
        lambda fn, hp: components(
            fn(hp.setup.X, hp.setup.W1, hp.setup.W2), FORWARD_IDS, "feedforward's result"
        ),
        _forward_targets,
    ),
    value_reference(
        "mse",
        "sum (O_out - Y)^2 / (2N)",
        lambda fn, hp: one(fn, hp.forward.output_layer_outputs, hp.setup.Y),
        lambda jr: value_targets(jr, **{"": (jr["value.mse_h"], jr["value.mse_h"])}),
        mistakes=_mse_mistakes,
    ),
    value_reference(
        "square",
        "x^2 at x = H_in",
        lambda fn, hp: one(fn, hp.x),
        lambda jr: value_targets(jr, **{"": (jr["value.square"], jr["value.square"])}),
    ),
    value_reference(
        "sigmoid",
        "sigmoid(x) at x = H_in",
        lambda fn, hp: one(fn, hp.x),
        _sigmoid_targets("value.sigmoid_x"),
        mistakes=_activation_mistakes(_x),
    ),
    entrywise_reference(
        "output_node_input",
        "(H_out W2)[e, k] for every flower e and output node k",
        Entrywise(
            "O_in",
            lambda hp: hp.forward.output_layer_inputs,
            lambda s: s.sizes[1],
            lambda fn, hp, i: fn(hp.forward.hidden_layer_outputs, hp.setup.W2, *i),
        ),
        _O_in_targets,
        kind="value",
        mistakes=_missing_terms(_H_out, _W2, "j"),
    ),
    value_reference(
        "accuracy",
        "share of rows where argmax O_out = argmax Y",
        lambda fn, hp: one(fn, hp.forward.output_layer_outputs, hp.setup.Y),
        lambda jr: value_targets(jr, **{"": (jr["value.accuracy"], 1.0)}),
        mistakes=_accuracy_mistakes,
        factors=False,
    ),
]
"""The forward maps' references (in no particular order)."""
