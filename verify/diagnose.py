"""Names the likely mistake behind a hand value that disagrees with its JAX reference.

A diagnosis compares the hand value with the reference *transformed by each candidate
mistake*, and names the candidate that matches (to :data:`verify.compare.DIAGNOSIS_TOLERANCE`):

* a constant factor: 2, 1/2, N, 1/N, or the number of examples instead of ``N = Y.size``;
* a sign flip (``Y - O_out`` instead of ``O_out - Y``), or an update applied with ``+``;
* a transposed matrix, or another shape;
* the sigmoid derivative taken of the layer input, :math:`z(1 - z)` instead of
  :math:`s(1 - s)`; the sigmoid derivative applied to the output as if it were the input,
  :math:`\\sigma(s)(1 - \\sigma(s))`; a missing activation derivative;
* the wrong layer's values (``H_in`` or ``X`` for ``H_out`` ...).

The structural candidates are built from the autodiff references, replacing one factor:
e.g. ``H_delta`` with the input derivative is :math:`N\\,\\partial\\mathrm{MSE}/\\partial
H_{out} \\odot H_{in}(1 - H_{in})`. A mistake upstream changes every quantity after it, so the
backpropagation checker first asks whether a wrong quantity is right *given the learner's
own upstream value* (one chain-rule step, the vector-Jacobian product of one layer map).
The diagnosis is only made for a value that failed its check: a correct value is never
diagnosed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from verify.compare import DIAGNOSIS_TOLERANCE, ROUNDING_FACTOR, eps, worst_elements
from verify.entries import Candidate, Chain, sigmoid64
from verify.mistakes import MISTAKES
from verify.references import BACKPROP_IDS, REFERENCES, JaxResults
from verify.sampling import Sample
from verify.structure import RESHAPED, Pieces, activation_account, structural_candidates

__all__ = [
    "LOCAL_STEPS",
    "MISTAKES",
    "Candidate",
    "Diagnosis",
    "Pieces",
    "candidates",
    "generic_candidates",
    "matches",
    "matching_mistakes",
    "pieces",
    "shape_message",
    "structural_account",
    "worst_elements_message",
]


@dataclass(frozen=True)
class Diagnosis:
    """The likely mistake (one of :data:`MISTAKES`) and a sentence for the learner."""

    mistake: str
    message: str

    def __str__(self) -> str:
        return self.message


def pieces(jr: JaxResults) -> Pieces:
    """The :class:`~verify.structure.Pieces` of a setup; derivatives are JAX's reverse-mode ones."""
    f, s = jr.hand.forward, jr.setup

    def as64(a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float64)

    return Pieces(
        as64(s.X),
        as64(s.W1),
        as64(s.W2),
        as64(s.Y),
        as64(f.hidden_layer_inputs),
        as64(f.hidden_layer_outputs),
        as64(f.output_layer_inputs),
        as64(f.output_layer_outputs),
        as64(jr["rev.dsigmoid"]),
        as64(jr["rev.dsigmoid_O"]),
        {i: as64(jr.gradient_target(i, "reverse").value) for i in BACKPROP_IDS},
        s.N,
        s.examples,
        s.eta,
    )


def generic_candidates(
    value: np.ndarray, N: int, E: int, what: str = "", sign_hint: str = ""
) -> list[Candidate]:
    """The reference ``value`` under each constant-factor, sign or transpose mistake."""
    of = f" {what}" if what else ""
    out = [
        Candidate("sign_flip", f"the sign is flipped{of}{sign_hint}", -value),
        Candidate(
            "examples_instead_of_N",
            f"divided by the number of examples ({E}) instead of N = Y.size = {N}{of}",
            value * N / E,
        ),
        Candidate(
            "factor_2",
            f"twice the right value{of}: the 2 from differentiating the square stays, but "
            "the 1/2 of the MSE cancels it",
            2 * value,
        ),
        Candidate("factor_1/2", f"half the right value{of}", value / 2),
        Candidate(
            "factor_1/N",
            f"divided by N = Y.size = {N} once too often{of} (the 1/N belongs in the weight "
            "updates only)",
            value / N,
        ),
        Candidate(
            "factor_N",
            f"N = Y.size = {N} times the right value{of} (the 1/N is missing)",
            N * value,
        ),
        Candidate(
            "factor_1/examples",
            f"divided by the number of examples ({E}) once too often{of} (the only "
            "division in backpropagation is the 1/N of the weight updates, N = Y.size)",
            value / E,
        ),
    ]
    if value.ndim == 2:
        out.append(Candidate("transposed", f"transposed{of}", value.T))
    if value.ndim == 2 and value.shape[0] != value.shape[1]:
        out.append(Candidate("reshaped", f"{RESHAPED}{of}", value.T.reshape(value.shape)))
    return [
        c
        for c in out
        if not (c.mistake in ("examples_instead_of_N", "factor_1/examples") and N == E)
    ]


def _backprop_variants(p: Pieces) -> list[tuple[str, str, dict[str, np.ndarray]]]:
    """The six backprop quantities under each structural mistake, from the references."""

    def run(
        out_d: np.ndarray | float | None = None,
        hid_d: np.ndarray | float | None = None,
        w2_left: np.ndarray | None = None,
        w1_left: np.ndarray | None = None,
        h_error_from_error: bool = False,
    ) -> dict[str, np.ndarray]:
        O_error = p.reference["output_layer_error"]
        O_delta = O_error * (p.d_O if out_d is None else out_d)
        W2_update = (p.H_out if w2_left is None else w2_left).T @ O_delta / p.N
        H_error = (O_error if h_error_from_error else O_delta) @ p.W2.T
        H_delta = H_error * (p.d_H if hid_d is None else hid_d)
        W1_update = (p.X if w1_left is None else w1_left).T @ H_delta / p.N
        return dict(
            zip(
                BACKPROP_IDS,
                (O_error, O_delta, W2_update, H_error, H_delta, W1_update),
                strict=True,
            )
        )

    variants = []
    layers: dict[str, tuple[str, str, np.ndarray, np.ndarray, Callable[..., Any]]] = {
        "output": ("O_in", "O_out", p.O_in, sigmoid64(p.O_out), lambda d: run(out_d=d)),
        "hidden": ("H_in", "H_out", p.H_in, sigmoid64(p.H_out), lambda d: run(hid_d=d)),
    }
    for layer, (z, s, z_value, sig, with_derivative) in layers.items():
        variants += [
            (
                "derivative_of_input",
                f"the {layer} layer's sigmoid derivative is taken of its input: "
                f"{z} (1 - {z}) instead of {s} (1 - {s})",
                with_derivative(z_value * (1 - z_value)),
            ),
            (
                "sigmoid_of_output",
                f"the {layer} layer's sigmoid derivative is applied to its output as if it "
                f"were the input: sigma({s}) (1 - sigma({s})) instead of {s} (1 - {s})",
                with_derivative(sig * (1 - sig)),
            ),
            (
                "missing_derivative",
                f"the {layer} layer's activation derivative {s} (1 - {s}) is missing",
                with_derivative(1.0),
            ),
        ]
    variants.append(
        (
            "error_instead_of_delta",
            "H_error uses O_error instead of O_delta: H_error = O_delta W2^T",
            run(h_error_from_error=True),
        )
    )
    w2 = "W2_update = (1/N) H_out^T O_delta"
    w1 = "W1_update = (1/N) X^T H_delta"
    for used, right, formula, values in (
        ("H_in", "H_out", w2, run(w2_left=p.H_in)),
        ("X", "H_out", w2, run(w2_left=p.X)),
        ("H_in", "X", w1, run(w1_left=p.H_in)),
        ("H_out", "X", w1, run(w1_left=p.H_out)),
    ):
        message = f"{formula.split(' =')[0]} uses {used} instead of {right}: {formula}"
        variants.append(("wrong_layer", message, values))
    return variants


def candidates(
    equation_id: str,
    component: str,
    value: np.ndarray,
    jr: JaxResults,
    hand: np.ndarray | None = None,
) -> list[Candidate]:
    """Every candidate mistake of one quantity; ``value`` is its (reverse-mode) reference.

    The structural mistakes of the backprop quantity it computes (its ``chain``), the
    entry's own known mistakes (``Reference.mistakes``), and the constant factors, sign
    flip and transpose (unless the entry says they do not apply).
    """
    reference = REFERENCES[equation_id]
    p = pieces(jr)
    chain = Chain(component) if component in BACKPROP_IDS else reference.chain
    found: list[Candidate] = []
    if chain is not None:
        quantity = chain.quantity
        before = BACKPROP_IDS[: BACKPROP_IDS.index(quantity)]
        dtype = jr.setup.dtype.name
        for mistake, message, values in _backprop_variants(p):
            if not _differs(values[quantity], p.reference[quantity], dtype):
                continue
            if not chain.whole and any(_differs(values[b], p.reference[b], dtype) for b in before):
                continue  # the mistake is in an input this quantity is given right
            # no variant changes the output error, the one quantity an entry divides by N
            found.append(Candidate(mistake, message, values[quantity]))
    found += reference.mistakes(jr, component, value)
    if reference.factors:
        first = chain is not None and chain.quantity == BACKPROP_IDS[0]
        hint = ": Y - O_out instead of O_out - Y" if first else ""
        found += generic_candidates(value, p.N, p.E, sign_hint=hint)
    if hand is not None:
        found += reference.fits(jr, component, hand)
        if chain is not None:
            scale = 1 / p.N if chain.per_n else 1
            for c in structural_candidates(chain.quantity, hand / scale, p):
                found.append(Candidate(c.mistake, c.message, c.value * scale))
    return found


def structural_account(equation_id: str, component: str, hand: np.ndarray, jr: JaxResults) -> str:
    """When no candidate matches a delta: how its activation factor behaves (else ``""``)."""
    chain = Chain(component) if component in BACKPROP_IDS else REFERENCES[equation_id].chain
    if chain is None or chain.quantity not in ("output_layer_delta", "hidden_layer_delta"):
        return ""
    p = pieces(jr)
    output = chain.quantity == "output_layer_delta"
    error = p.reference["output_layer_error" if output else "hidden_layer_error"]
    s = p.O_out if output else p.H_out
    if hand.shape != s.shape:
        return ""
    # no entry computes a delta divided by N (chain.per_n): the hand value is the delta
    return activation_account(hand, error, s, "output layer's" if output else "hidden layer's")


_SAME = {"float64": 1e-9, "float32": 1e-5}
"""Relative closeness at which a variant leaves a quantity unchanged (rounding apart)."""


def _differs(a: np.ndarray, b: np.ndarray, dtype: str) -> bool:
    if a.shape != b.shape:
        return True
    tolerance = _SAME[dtype] * float(np.max(np.abs(b)))  # a net's quantities are never empty
    return not np.allclose(a, b, rtol=0, atol=tolerance)


def matches(
    hand: np.ndarray,
    candidate: np.ndarray,
    magnitude: float,
    dtype: str,
    sample: Sample | None = None,
) -> bool:
    """Whether ``hand`` equals ``candidate`` to within the diagnosis tolerance.

    At the entries of ``sample`` only, if given (the others of ``hand`` were not computed).
    """
    if hand.shape != candidate.shape:
        return False
    if sample is not None and hand.shape == sample.shape:
        hand, candidate = sample.take(hand), sample.take(candidate)
    if not np.all(np.isfinite(hand)):
        return False
    # never empty: a comparison with nothing to compare is refused before any diagnosis
    error = float(np.max(np.abs(hand - candidate)))
    scale = float(np.max(np.abs(candidate)))
    floor = ROUNDING_FACTOR * eps(dtype) * magnitude
    return error <= max(DIAGNOSIS_TOLERANCE[dtype] * scale, floor)


def matching_mistakes(
    hand: np.ndarray,
    found: Sequence[Candidate],
    magnitude: float,
    dtype: str,
    sample: Sample | None = None,
) -> list[Candidate]:
    """The candidates that ``hand`` matches (at the entries of ``sample``), in the order given."""
    return [c for c in found if matches(hand, c.value, magnitude, dtype, sample)]


LOCAL_STEPS: dict[str, tuple[str, Callable[[np.ndarray, Pieces], np.ndarray]]] = {
    "output_layer_delta": ("output_layer_error", lambda up, p: up * p.d_O),
    "weights_2_update": ("output_layer_delta", lambda up, p: p.H_out.T @ up / p.N),
    "hidden_layer_error": ("output_layer_delta", lambda up, p: up @ p.W2.T),
    "hidden_layer_delta": ("hidden_layer_error", lambda up, p: up * p.d_H),
    "weights_1_update": ("hidden_layer_delta", lambda up, p: p.X.T @ up / p.N),
}
"""For each backprop quantity after the first: the quantity it is computed from, and the
chain-rule step (the vector-Jacobian product of one layer map, with JAX's sigmoid
derivative) that gives it from that quantity."""


def worst_elements_message(
    hand: np.ndarray, reference: np.ndarray, sample: Sample | None = None
) -> str:
    """No candidate matched: where hand and reference differ most (among ``sample``'s entries)."""
    if sample is not None:  # only the sampled entries were computed
        hand, reference = sample.fill(sample.take(hand)), sample.fill(sample.take(reference))
    parts = []
    for index, h, r in worst_elements(hand, reference, sample=sample):
        ratio = f", ratio {h / r:.4g}" if r != 0 else ""
        parts.append(f"{list(index)}: yours {h:.6g}, reference {r:.6g}{ratio}")
    message = "no single known mistake matches; the worst elements: " + "; ".join(parts)
    nonzero = np.abs(reference) > 0  # NaN (not computed) is not
    if hand.shape == reference.shape and np.count_nonzero(nonzero) > 1:
        ratios = hand[nonzero] / reference[nonzero]
        constant = np.ptp(ratios) <= 1e-6 * np.max(np.abs(ratios))
        if np.all(np.isfinite(ratios)) and constant and abs(ratios[0] - 1) > 1e-6:
            message += (
                f"; every element is {float(ratios[0]):.6g} times the reference: "
                "a constant factor is wrong"
            )
    return message


def shape_message(hand_shape: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """A shape that no candidate explains."""
    if len(shape) == 2 and hand_shape == shape[::-1]:
        return f"shape {hand_shape} is the transpose of the expected {shape}, and the values differ too"
    return f"shape {hand_shape}, expected {shape}"
