"""Naming the mistake in a layer's wrong gradient (:func:`verify.layer_check.check_layer`).

From the structure of a layer's backward rather than its name: a gradient of another
shape is compared with the upstream gradient summed over each axis (a bias gradient
summed over the wrong axis, or not summed); one of the right shape is fitted as a
constant times the reference (a sign, a 2, the batch size: averaged instead of summed,
or 1/N twice), compared with the other arguments' gradients (swapped) and its transpose;
for an elementwise layer the learner's local derivative ``dx / dout`` is compared with
the layer's output (the ReLU's output used as its derivative instead of the indicator),
with 1 (no derivative), and with ``s (1 - s)`` (softmax's Jacobian taken as its diagonal);
a gradient that is the right one times the sigmoid's derivative of an argument keeps
sigma' where cross-entropy cancels it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verify.structure import fit

_CLOSE = 1e-6


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return bool(np.all(np.abs(a - b) <= _CLOSE * max(scale, 1e-300)))


def _constant(c: float, batch: int) -> tuple[str, str] | None:
    named = [
        (1.0, "", ""),
        (-1.0, "sign_flip", "the sign is flipped"),
        (2.0, "factor_2", "twice the right value"),
        (0.5, "factor_1/2", "half the right value"),
        (
            1 / batch,
            "factor_1/batch",
            f"divided by the batch size {batch} once too often: averaged instead of summed, "
            "or 1/N applied twice",
        ),
        (
            float(batch),
            "factor_batch",
            f"{batch} (the batch size) times the right value: the 1/N of a mean is missing",
        ),
    ]
    for value, mistake, words in named:
        if abs(c - value) <= 1e-6 * max(abs(c), abs(value)):
            return (mistake, words) if mistake else None
    return "constant_factor", f"{c:.6g} times the right value: a constant factor is wrong"


def _shape_account(
    name: str, hand: np.ndarray, reference: np.ndarray, dout: np.ndarray
) -> tuple[str, str]:
    if hand.ndim == 2 and hand.shape == reference.shape[::-1] and _same(hand.T, reference):
        return (
            "transposed",
            f"d{name} is transposed: shape {hand.shape}, expected {reference.shape}",
        )
    if (
        dout.ndim >= 1
        and hand.shape == dout.shape
        and _same(dout.sum(axis=tuple(range(dout.ndim - reference.ndim))), reference)
    ):
        return (
            "not_summed",
            f"d{name} is not summed over the batch: shape {hand.shape}, expected {reference.shape}; "
            f"sum dout over the axes {name} is broadcast along",
        )
    for axis in range(dout.ndim):
        summed = dout.sum(axis=axis)
        if summed.shape == hand.shape and _same(hand, summed):
            right = [a for a in range(dout.ndim) if dout.sum(axis=a).shape == reference.shape]
            where = f"; sum over axis {right[0]}" if right else ""
            return (
                "wrong_axis",
                f"d{name} is dout summed over axis {axis}, of shape {hand.shape}; expected "
                f"{reference.shape}{where}",
            )
    return "shape_mismatch", f"d{name} has shape {hand.shape}, expected {reference.shape}"


def diagnose(
    name: str, hand: np.ndarray, reference: np.ndarray, context: dict[str, Any]
) -> tuple[str, str]:
    """(mistake, words) for a wrong gradient ``hand`` of argument ``name``."""
    dout, out = np.asarray(context["dout"]), np.asarray(context["out"])
    first = np.asarray(next(iter(context["args"].values())))
    batch = int(first.shape[0]) if first.ndim else 1  # the leading axis of the first argument
    for other, value in context["reference"].items():
        if other != name and hand.size == value.size and _same(hand.ravel(), value.ravel()):
            return (
                "swapped",
                f"d{name} is the gradient of {other}: the returned gradients are in the wrong order",
            )
    if hand.shape != reference.shape:
        return _shape_account(name, hand, reference, dout)
    if not np.all(np.isfinite(hand)):
        return "not_finite", f"d{name} has entries that are not finite (inf or NaN)"
    for other, value in context["reference"].items():
        if other != name and _same(hand, value):
            return (
                "swapped",
                f"d{name} is the gradient of {other}: the returned gradients are in the wrong order",
            )
    c = fit(hand, np.zeros_like(reference), reference)
    if c is not None and _same(hand, c * reference):
        named = _constant(c, batch)
        if named is not None:
            return named
    if hand.ndim == 2 and hand.shape[0] == hand.shape[1] and _same(hand, reference.T):
        return "transposed", f"d{name} is transposed"
    for arg, x in context["args"].items():
        x = np.asarray(x)
        if x.shape == hand.shape:
            sig = 0.5 * (1 + np.tanh(0.5 * x))
            if _same(hand, reference * sig * (1 - sig)):
                return (
                    "derivative_kept",
                    f"an extra factor sigma'({arg}) = s (1 - s): the sigmoid's derivative is kept "
                    "where the loss's gradient already cancels it (sigmoid with cross-entropy: "
                    "the gradient with respect to the logits is s - y)",
                )
    if hand.shape == dout.shape == out.shape:
        for candidate, mistake, words in (
            (
                dout * out,
                "output_instead_of_derivative",
                "the layer's output is used as its local derivative: the ReLU's derivative is the indicator (x > 0), not max(0, x)",
            ),
            (
                dout,
                "missing_derivative",
                "the local derivative is missing: dout is passed through unchanged",
            ),
            (
                dout * out * (1 - out),
                "diagonal_only",
                "only the diagonal of the Jacobian, s (1 - s): each softmax output depends on every input of its row, dx = s (dout - sum(dout s))",
            ),
        ):
            if _same(hand, candidate):
                return mistake, words
    diff = np.abs(hand - reference)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    ratio = hand[worst] / reference[worst] if reference[worst] != 0 else float("nan")
    return (
        "unknown",
        f"no single known mistake matches; the worst element {list(worst)}: yours {hand[worst]:.6g}, "
        f"JAX's {reference[worst]:.6g} (ratio {ratio:.4g})",
    )
