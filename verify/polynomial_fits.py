"""Polynomial accounts of a wrong activation derivative: the learner's factor fitted as a
polynomial (degree 3 at most) in the layer output, the input, the error..., and the
polynomial's text for a diagnosis. Used by the series' checker (:mod:`verify.structure`),
the nets' (:mod:`verify.net_factors`), the layers' (:mod:`verify.layer_diagnose`) and the
catalogue table's mistakes (:mod:`verify.table.derivatives`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from verify.entries import Candidate


def polynomial_text(coefficients: np.ndarray, symbol: str) -> str:
    terms = []
    for power, c in enumerate(coefficients):
        if abs(c) < 1e-6 * max(1.0, float(np.max(np.abs(coefficients)))):
            continue
        rounded = round(c)
        number = f"{rounded:g}" if abs(c - rounded) < 1e-6 else f"{c:.4g}"
        monomial = "" if power == 0 else symbol if power == 1 else f"{symbol}^{power}"
        if monomial and number in ("1", "-1"):
            number = number[:-1]
        terms.append(f"{number}{monomial}")
    return " + ".join(terms).replace("+ -", "- ") or "0"


def simple_coefficients(coefficients: np.ndarray, largest: int = 12) -> bool:
    """Whether ``coefficients`` are one number times small integers (``2 s (1 - s)``:
    2 x (0, 1, -1)), as a derivative written by hand has them.

    A quadratic or cubic fitted to a handful of points nearly always fits, with
    coefficients like 0.5339 - 0.3144 z - 0.2496 z^2: where the points are few, only
    a simple polynomial counts as an account of a wrong derivative.
    """
    units = np.abs(coefficients[coefficients != 0])
    for unit in units:
        ratios = coefficients / unit
        whole = np.round(ratios)
        if np.all(np.abs(ratios - whole) <= 1e-2) and np.all(np.abs(whole) <= largest):
            return True
    return units.size == 0


def polynomial_fit(values: np.ndarray, of: np.ndarray, within: float) -> np.ndarray | None:
    """The coefficients (lowest degree first, up to 3) of ``values`` as a polynomial in
    ``of``, the lowest degree that fits to ``within`` (relative to the largest value); else
    None. Two points more than coefficients at least (the layer checker's local
    derivatives)."""
    scale = float(np.max(np.abs(values)))
    for degree in range(4):
        if values.size < degree + 3:
            return None
        basis = np.stack([of**k for k in range(degree + 1)], axis=-1)
        coefficients, *_ = np.linalg.lstsq(basis, values, rcond=None)
        if np.max(np.abs(basis @ coefficients - values)) <= within * max(scale, 1e-300):
            return coefficients
    return None


def _residual(value: np.ndarray, hand: np.ndarray, keep: np.ndarray, scale: float) -> float:
    """How far ``value`` is from ``hand`` where kept, relative to ``hand``'s scale."""
    return float(np.max(np.abs(value - hand)[keep])) / max(scale, 1e-300)


SIGMOID = (0.0, 1.0, -1.0, 0.0)
"""The coefficients of s (1 - s), the sigmoid's derivative from its output s."""

Variable = tuple[np.ndarray, str, str]
"""What an activation factor may have been computed from: (values, words, mistake)."""


def derivative_fits(
    hand: np.ndarray,
    error: np.ndarray,
    variables: dict[str, Variable],
    what: str,
    right: tuple[float, float, float, float] | None = SIGMOID,
    rule: str = "the sigmoid's derivative is s (1 - s) of the layer output s",
) -> Iterator[Candidate]:
    """``hand`` as ``error`` times a polynomial (degree <= 3) in one of ``variables``.

    ``variables`` maps a symbol to (values, words, mistake): the layer output ``s`` first
    (``"s": (H_out, "the layer output s", "wrong_derivative")``), then what the factor
    may have been computed from instead (the layer input, the error). ``what`` names the
    factor (``"the hidden layer's activation-derivative factor"``). ``right``: the
    coefficients (of 1, s, s^2, s^3) of the right derivative, ``s (1 - s)`` by default;
    a multiple of it is the right shape (a constant is another account): no candidate.
    None: the right derivative is no polynomial in s (ReLU). ``rule`` says the right one.
    """
    keep = np.isfinite(hand) & (np.abs(error) > 0)
    scale = float(np.max(np.abs(hand[keep]))) if np.any(keep) else 0.0
    found: list[tuple[float, int, Candidate]] = []
    for symbol, (u, words, mistake) in variables.items():
        if hand.shape != u.shape:
            continue
        for degree in (0, 1, 2, 3):
            if np.count_nonzero(keep) < degree + 3:  # two points more than coefficients
                break
            basis = np.stack([error * u**k for k in range(degree + 1)], axis=-1)
            coefficients, *_ = np.linalg.lstsq(basis[keep], hand[keep], rcond=None)
            padded = np.pad(coefficients, (0, 3 - degree))
            if symbol == "s" and right is not None:
                shape = np.asarray(right)
                k = float(padded @ shape) / float(shape @ shape)
                if np.allclose(padded, k * shape, rtol=0, atol=1e-6 * max(1.0, abs(k))):
                    return
            if degree >= 2 and np.count_nonzero(keep) < 3 * (degree + 1):
                if not simple_coefficients(coefficients):
                    continue  # a few points more than coefficients: any curve nearly fits
            value = basis @ coefficients
            residual = _residual(value, hand, keep, scale)
            message = f"{what} is {polynomial_text(coefficients, symbol)}, with {words}; {rule}"
            found.append((residual, len(found), Candidate(mistake, message, value)))
    if right == SIGMOID and "s" in variables:
        found += _mixed(hand, error, variables, what, rule, keep, scale, len(found))
    # the closest fit first: in float32 a line in s comes within the tolerance of sigma(s)
    yield from (c for _, _, c in sorted(found, key=lambda f: (round(f[0], 12), f[1])))


def _mixed(
    hand: np.ndarray,
    error: np.ndarray,
    variables: dict[str, Variable],
    what: str,
    rule: str,
    keep: np.ndarray,
    scale: float,
    first: int,
) -> list[tuple[float, int, Candidate]]:
    """``s (1 - s)`` with one of its two factors taken of another variable: ``s (1 - z)``,
    ``z (1 - s)``, ``s (1 - e)`` ... (no polynomial in one variable: a factor copied from
    the wrong line of the forward pass)."""
    s = variables["s"][0]
    found: list[tuple[float, int, Candidate]] = []
    if np.count_nonzero(keep) < 3:  # as for a line: two points more than coefficients
        return found
    for symbol, (v, words, mistake) in variables.items():
        if symbol == "s" or v.shape != hand.shape:
            continue
        for factor, text in (
            (s * (1 - v), f"s (1 - {symbol})"),
            (v * (1 - s), f"{symbol} (1 - s)"),
        ):
            value = error * factor
            residual = _residual(value, hand, keep, scale)
            message = f"{what} is {text}, with {words} in one of its two factors; {rule}"
            found.append((residual, first + len(found), Candidate(mistake, message, value)))
    return found
