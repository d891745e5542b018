r"""Structural diagnoses: which factor of the chain rule a wrong value got wrong, and how.

Each backprop quantity is a product of factors (SERIES.md's chain rule):

* ``O_error = O_out - Y``;
* a delta is an error times the activation derivative, ``O_delta = O_error * s(1 - s)``
  with ``s = O_out`` (``H_delta`` likewise with ``H_error`` and ``H_out``);
* an error further back is a delta propagated through the weights, ``H_error = O_delta W2^T``;
* an update is a layer's values times a delta, ``W2_update = H_out^T O_delta / N``
  (``W1_update = X^T H_delta / N``).

Instead of a list of special cases, a wrong value is explained by *fitting* it: each
factor in turn is replaced by what it could have been - a polynomial in the layer output
for the activation derivative, another layer's values, the error for the delta, the
weights after their update for the weights - and the constant in front is fitted by
least squares, then named (2, 1/N, eta, -1 ...). A fit that reproduces the learner's value
to the diagnosis tolerance is a candidate like any other (:mod:`verify.diagnose` decides).
:func:`activation_account` says, when nothing fits, how the learner's activation factor
behaves as a function of the layer output at the worst points. (A little over 400 lines:
the fits and the constant naming that :mod:`verify.net_context` shares are one concern.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from verify.entries import Candidate
from verify.polynomial_fits import derivative_fits
from verify.quantities import BACKPROP


@dataclass(frozen=True)
class Pieces:
    """The values candidates are built from: handbp's forward pass and JAX's references."""

    X: np.ndarray
    W1: np.ndarray
    W2: np.ndarray
    Y: np.ndarray
    H_in: np.ndarray
    H_out: np.ndarray
    O_in: np.ndarray
    O_out: np.ndarray
    d_H: np.ndarray
    d_O: np.ndarray
    reference: dict[str, np.ndarray]
    N: int
    E: int
    eta: float


RESHAPED = (
    "the transpose reshaped to the right shape: reshape keeps the entries in their order "
    "(row by row), it does not swap the axes as .T does"
)
"""A matrix of shape (a, b) computed as (b, a) and reshaped to (a, b) instead of transposed."""


ONE_EXAMPLE = (
    "holds the {which} example's term only: the product sums over the examples (every row), "
    "one outer product per example"
)
"""A gradient computed from one example where the chain rule sums over all of them."""


def regrouped(hand_shape: tuple[int, ...], shape: tuple[int, ...]) -> str:
    """The right values, in another shape of the same size."""
    return (
        f"the right values in shape {hand_shape}, expected {shape} (an extra axis: keepdims, "
        "or a column instead of a row)"
    )


def fit(hand: np.ndarray, base: np.ndarray, direction: np.ndarray) -> float | None:
    """The ``c`` for which ``base + c direction`` is closest to ``hand`` (finite entries only)."""
    if hand.shape != direction.shape or hand.shape != np.shape(base):
        return None
    keep = np.isfinite(hand) & np.isfinite(direction)
    d = direction[keep]
    norm = float(d @ d) if d.size else 0.0
    if norm == 0:
        return None
    return float((hand - base)[keep] @ d) / norm


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-3 * max(abs(a), abs(b))


Named = list[tuple[float, str, str]]
"""Constants a learner's value may be off by: (value, mistake, words); 1 is no mistake."""


def named_constant(c: float, named: Named) -> tuple[str, str] | None:
    """(mistake, words) of the first of ``named`` that ``c`` is (to 1e-3), the words of any
    other that it also is added (on a net with 2 outputs, 2 is also N / examples); None for
    a value with no mistake; an unnamed ``c`` is said as the number it is."""
    found = [(mistake, words) for value, mistake, words in named if close(c, value)]
    if found and not found[0][0]:
        return None
    if found:
        return found[0][0], "; or ".join(dict.fromkeys(words for _, words in found))
    return "constant_factor", f"{c:.6g} times the right value: a constant factor is wrong"


def constant_name(c: float, N: int, E: int, eta: float) -> tuple[str, str] | None:
    """A fitted constant factor, named: (mistake, words); None for 1 (no mistake)."""
    return named_constant(
        c,
        [
            (1.0, "", ""),
            (-1.0, "sign_flip", "the sign is flipped"),
            (2.0, "factor_2", "twice the right value"),
            (0.5, "factor_1/2", "half the right value"),
            (float(N), "factor_N", f"N = Y.size = {N} times the right value (the 1/N is missing)"),
            (1 / N, "factor_1/N", f"divided by N = Y.size = {N} once too often"),
            (N / E, "examples_instead_of_N", f"divided by the examples ({E}) instead of N = {N}"),
            (1 / E, "factor_1/examples", f"divided by the number of examples ({E}) once too often"),
            (eta, "factor_eta", f"multiplied by the learning rate eta = {eta}"),
        ],
    )


def scaled(
    hand: np.ndarray,
    base: np.ndarray,
    mistake: str,
    what: str,
    name: Callable[[float], tuple[str, str] | None],
) -> Iterator[Candidate]:
    """``hand`` as a constant times ``base``: the candidate, the constant named too
    (``name``: e.g. :func:`constant_name` on the net's N, examples and eta)."""
    c = fit(hand, np.zeros_like(base), base)
    if c is None or c == 0:
        return
    named = name(c)
    also = f"; and {named[1]}" if named else ""
    yield Candidate(mistake, f"{what}{also}", c * base)


def _scaled(
    hand: np.ndarray, base: np.ndarray, p: Pieces, mistake: str, what: str
) -> Iterator[Candidate]:
    return scaled(hand, base, mistake, what, lambda c: constant_name(c, p.N, p.E, p.eta))


def structural_candidates(quantity: str, hand: np.ndarray, p: Pieces) -> list[Candidate]:
    """Each factor of ``quantity`` replaced by what it could have been, with a fitted constant."""
    r = p.reference
    out: list[Candidate] = []
    if hand.shape != r[quantity].shape:
        return out  # a candidate must have the quantity's shape to match
    if quantity == "output_layer_error":
        out += _scaled(
            hand, p.O_in - p.Y, p, "wrong_layer", "uses O_in instead of O_out: O_out - Y"
        )
        out += _scaled(
            hand,
            (p.O_out - p.Y) ** 2,
            p,
            "function_instead_of_derivative",
            "the squared error (O_out - Y)^2 itself, not its derivative: O_error = O_out - Y",
        )
    elif quantity in ("output_layer_delta", "hidden_layer_delta"):
        output = quantity == "output_layer_delta"
        layer, error, s, z = (
            ("output", r["output_layer_error"], p.O_out, p.O_in)
            if output
            else ("hidden", r["hidden_layer_error"], p.H_out, p.H_in)
        )
        names = ("O_out", "O_in", "O_error") if output else ("H_out", "H_in", "H_error")
        variables = {
            "s": (s, f"the layer output s = {names[0]}", "wrong_derivative"),
            "z": (z, f"the layer input z = {names[1]}", "derivative_of_input"),
            "e": (error, f"the error e = {names[2]}", "derivative_of_error"),
            "u": (
                0.5 * (1 + np.tanh(0.5 * s)),
                f"u = sigma({names[0]}), the sigmoid applied again to the layer output",
                "sigmoid_of_output",
            ),
        }
        what = f"the {layer} layer's activation-derivative factor"
        out += derivative_fits(hand, error, variables, what)
    elif quantity in ("weights_2_update", "weights_1_update"):
        out += _update_fits(quantity, hand, p)
    elif quantity == "hidden_layer_error":
        G2 = r["weights_2_update"]
        for R, used in ((r["output_layer_delta"], "O_delta"), (r["output_layer_error"], "O_error")):
            base, direction = R @ p.W2.T, R @ G2.T
            c = fit(hand, base, direction)
            if c is not None and c != 0:
                eta = f"- {-c:.4g}" if c < 0 else f"+ {c:.4g}"
                out.append(
                    Candidate(
                        "updated_weights_used",
                        f"H_error = {used} W^T uses W2 already updated (W2 {eta} W2_update): "
                        "propagate the error back through the weights before updating them",
                        base + c * direction,
                    )
                )
            if used == "O_delta" and p.W2.shape[0] != p.W2.shape[1]:
                out += _scaled(
                    hand,
                    R @ p.W2.reshape(p.W2.shape[::-1]),
                    p,
                    "reshaped",
                    f"H_error = O_delta W2.reshape(...): the weights W2 are {RESHAPED}; use W2.T",
                )
            if used == "O_error":
                out += _scaled(
                    hand,
                    base,
                    p,
                    "error_instead_of_delta",
                    "H_error uses O_error instead of O_delta: H_error = O_delta W2^T",
                )
    for other, value in r.items():
        if other != quantity and value.shape == hand.shape:
            words = (
                f"the value of {other} ({BACKPROP[other].quantity}) where {quantity} "
                f"({BACKPROP[quantity].quantity}) belongs: another quantity of the chain rule"
            )
            out += _scaled(hand, value, p, "wrong_quantity", words)
    c = fit(hand, np.zeros_like(r[quantity]), r[quantity])
    if c is not None and not close(c, 1.0) and c != 0:
        # the least specific accounts last (and after the named constants: a 3 that is
        # N/E on one net is still a 3 on the next)
        words = f"{c:.6g} times the right value: a constant factor is wrong"
        out.append(Candidate("constant_factor", words, c * r[quantity]))
    return out + _offset(hand, r[quantity])


def _offset(hand: np.ndarray, right: np.ndarray) -> list[Candidate]:
    """``hand`` as ``a right + b``: a constant added (with a factor, if ``a`` is not 1)."""
    keep = np.isfinite(hand)
    if np.count_nonzero(keep) < 3:
        return []
    basis = np.stack([right[keep], np.ones(np.count_nonzero(keep))], axis=-1)
    (a, b), *_ = np.linalg.lstsq(basis, hand[keep], rcond=None)
    scale = float(np.max(np.abs(right))) if right.size else 0.0
    if abs(b) <= 1e-6 * max(scale, 1e-300):
        return []
    factor = "" if close(float(a), 1.0) else f"{a:.4g} times the right value and "
    words = f"{factor}a constant {b:.4g} added to every entry"
    return [Candidate("constant_offset", words, a * right + b)]


def _update_fits(quantity: str, hand: np.ndarray, p: Pieces) -> Iterator[Candidate]:
    r = p.reference
    if quantity == "weights_2_update":
        W, right_left, right_right = p.W2, "H_out", "O_delta"
        lefts = {"H_out": p.H_out, "H_in": p.H_in, "X": p.X, "O_out": p.O_out}
        rights = {"O_delta": r["output_layer_delta"], "O_error": r["output_layer_error"]}
    else:
        W, right_left, right_right = p.W1, "X", "H_delta"
        lefts = {"X": p.X, "H_in": p.H_in, "H_out": p.H_out}
        rights = {"H_delta": r["hidden_layer_delta"], "H_error": r["hidden_layer_error"]}
    name = "W2" if quantity == "weights_2_update" else "W1"
    formula = f"{name}_update = (1/N) {right_left}^T {right_right}"
    for (left, L), (right, R) in ((lv, rv) for lv in lefts.items() for rv in rights.items()):
        if (left, right) == (right_left, right_right) or L.T.shape[1] != R.shape[0]:
            continue
        base = L.T @ R / p.N
        if base.shape != hand.shape:
            continue
        if right != right_right:
            mistake, what = "error_instead_of_delta", f"uses {right} instead of {right_right}"
        else:
            mistake, what = "wrong_layer", f"uses {left} instead of {right_left}"
        if right != right_right and left != right_left:
            what += f" and {left} instead of {right_left}"
        yield from _scaled(hand, base, p, mistake, f"{name}_update {what}: {formula}")
    L, R = lefts[right_left], rights[right_right]
    for which, e in (("first", 0), ("last", -1)):
        if len(L) > 1:
            words = f"{name}_update {ONE_EXAMPLE.format(which=which)}: {formula}"
            yield from _scaled(hand, np.outer(L[e], R[e]) / p.N, p, "missing_terms", words)
    G = r[quantity]
    c = fit(hand, G, W)
    if c is not None and c != 0:
        yield Candidate(
            "extra_term",
            f"an extra term {c:.4g} {name} is added to the gradient (weight decay belongs in "
            "the update, not in dMSE/dW)",
            G + c * W,
        )
    c = fit(hand, W, G)
    if c is not None:
        yield Candidate(
            "new_weights_instead_of_gradient",
            f"returns the new weights {name} {'-' if c < 0 else '+'} {abs(c):.4g} {name}_update, "
            "not the gradient "
            f"{name}_update: the update step belongs after backpropagation",
            W + c * G,
        )


def activation_account(
    hand: np.ndarray,
    error: np.ndarray,
    s: np.ndarray,
    layer: str,
    right: np.ndarray | None = None,
    right_text: str = "s (1 - s)",
) -> str:
    """How the learner's activation factor ``hand / error`` behaves as a function of ``s``.

    Compared at the points where it is most off with shapes a learner might have used
    (``s^2``, ``1 - s``, ``s``, ``1 - s^2``, a constant ...), each with its best constant.
    ``right``: the right factor at every entry (``s (1 - s)``, said ``right_text``, by default).
    """
    keep = np.isfinite(hand) & (np.abs(error) > 1e-12 * np.max(np.abs(error), initial=0))
    if np.count_nonzero(keep) < 2:
        return ""
    f, x = hand[keep] / error[keep], s[keep]
    right = x * (1 - x) if right is None else np.broadcast_to(right, s.shape)[keep]
    worst = np.argsort(-np.abs(f - right))[:3]
    points = ", ".join(
        f"s = {x[i]:.3g}: yours {f[i]:.4g}, {right_text} = {right[i]:.4g}" for i in worst
    )
    shapes = {
        "a constant": np.ones_like(x),
        "s": x,
        "1 - s": 1 - x,
        "s^2": x**2,
        "1 - s^2": 1 - x**2,
        "s (1 - s)": x * (1 - x),
        right_text: right,
    }
    best, spread = "", np.inf
    for label, g in shapes.items():
        c = float(f @ g) / float(g @ g) if float(g @ g) > 0 else 0.0
        off = float(np.max(np.abs(f - c * g))) / max(float(np.max(np.abs(f))), 1e-300)
        if off < spread:
            best, spread = (f"{c:.4g}" if label == "a constant" else f"{c:.4g} x {label}"), off
    like = (
        f"; it behaves like {best} (within {spread:.0%} of its largest value)"
        if spread < 0.1
        else ""
    )
    return f"your {layer} activation-derivative factor (delta / error) at {points}{like}"
