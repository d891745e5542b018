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
sigma' where cross-entropy cancels it. A gradient missing the factor ``dout`` (the local
derivative alone), one right only to float32 rounding in a float64 check, and a constant
that is an axis' size are named too; for an elementwise layer, a local derivative that is
another constant on each side of 0 (a leaky ReLU's slopes swapped), another polynomial in
the output (tanh's ``1 - s`` for ``1 - s^2``), or the right formula in the output applied
to the input (``1 - x^2``) is said as such.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from verify.polynomial_fits import polynomial_fit, polynomial_text
from verify.precision import float32_account
from verify.structure import RESHAPED, fit, regrouped

_CLOSE = 1e-6


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return bool(np.all(np.abs(a - b) <= _CLOSE * max(scale, 1e-300)))


def _constant(c: float, batch: int, dims: dict[str, int]) -> tuple[str, str] | None:
    sizes = [(axis, size) for axis, size in dims.items() if size > 1 and size not in (batch, 2)]
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
        *(
            (
                float(size),
                "constant_factor",
                f"{size} times the right value: {size} is the size of axis {axis}; the 1/{axis} "
                f"of a mean over {axis} is missing",
            )
            for axis, size in sizes
        ),
        *(
            (
                1 / size,
                "constant_factor",
                f"divided by {size}, the size of axis {axis}: a mean over {axis} where the "
                f"forward sums, or its 1/{axis} applied twice",
            )
            for axis, size in sizes
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
    if hand.size == reference.size and _same(hand.reshape(reference.shape), reference):
        return "shape_mismatch", f"d{name}: {regrouped(hand.shape, reference.shape)}"
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
    if context.get("dtype") == "float64":
        rounded = float32_account(hand, reference)
        if rounded is not None:
            return "lost_precision", f"d{name} is {rounded}"
    if (dout.size == 1 or dout.shape == hand.shape) and _same(hand * dout, reference):
        return (
            "missing_factor",
            f"d{name} lacks the upstream gradient dout: it is the local derivative "
            f"d(out)/d{name} alone, and the chain rule multiplies it by dout",
        )
    for other, value in context["reference"].items():
        if other != name and _same(hand, value):
            return (
                "swapped",
                f"d{name} is the gradient of {other}: the returned gradients are in the wrong order",
            )
    c = fit(hand, np.zeros_like(reference), reference)
    if c is not None and _same(hand, c * reference):
        named = _constant(c, batch, dict(context.get("dims", {})))
        if named is not None:
            return named
    if hand.ndim == 2 and hand.shape[0] == hand.shape[1] and _same(hand, reference.T):
        return "transposed", f"d{name} is transposed"
    if hand.ndim == 2 and _same(hand, reference.T.reshape(hand.shape)):
        return "reshaped", f"d{name} is {RESHAPED}"
    products = _products({"dout": dout, **context["args"]}, hand.shape)
    right = next((f for f, value in products if _same(value, reference)), None)
    yours = next((f for f, value in products if _same(value, hand)), None)
    if right is not None and yours is not None:
        same_factors = (right[0], right[2]) == (yours[0], yours[2])
        return (
            "transposed" if same_factors else "wrong_quantity",
            f"d{name} = {_text(yours)}, where the derivative is {_text(right)}",
        )
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
        x = np.asarray(context["args"].get(name, out))
        if x.shape == hand.shape:
            local = _local_account(name, hand / _nonzero(dout), reference / _nonzero(dout), out, x)
            if local is not None:
                return local
    diff = np.abs(hand - reference)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    ratio = hand[worst] / reference[worst] if reference[worst] != 0 else float("nan")
    return (
        "unknown",
        f"no single known mistake matches; the worst element {list(worst)}: yours {hand[worst]:.6g}, "
        f"JAX's {reference[worst]:.6g} (ratio {ratio:.4g})",
    )


_FIT = 1e-5
"""Relative residual under which a local derivative is taken to be a fitted form."""


def _nonzero(dout: np.ndarray) -> np.ndarray:
    return np.where(dout == 0, np.nan, dout)


def _sides(values: np.ndarray, x: np.ndarray) -> tuple[float, float] | None:
    """(value where x > 0, value elsewhere) if ``values`` is a constant on each side."""
    sides = []
    for side in (x > 0, x <= 0):
        part = values[side]
        if part.size < 2 or np.ptp(part) > _FIT * max(float(np.max(np.abs(part))), 1e-300):
            return None
        sides.append(float(part[0]))
    return sides[0], sides[1]


def _local_account(
    name: str, mine: np.ndarray, right: np.ndarray, out: np.ndarray, x: np.ndarray
) -> tuple[str, str] | None:
    """An elementwise layer's local derivative (``d{name} / dout``, ``mine``) against the
    right one: another constant on each side of 0, another polynomial in the output, or
    the right polynomial taken of the input."""
    keep = np.isfinite(mine) & np.isfinite(right)
    mine, right, s, u = mine[keep], right[keep], out[keep], x[keep]
    if mine.size == 0:
        return None
    yours, theirs = _sides(mine, u), _sides(right, u)
    if yours is not None and theirs is not None:
        return (
            "wrong_derivative",
            f"your local derivative d{name}/dout is {yours[0]:.4g} where {name} > 0 and "
            f"{yours[1]:.4g} elsewhere; the layer's is {theirs[0]:.4g} where {name} > 0 and "
            f"{theirs[1]:.4g} elsewhere",
        )
    q = polynomial_fit(right, s, _FIT)
    if q is None:
        return None
    rule = f"the layer's derivative is {polynomial_text(q, 's')} of its output s"
    at_input = sum(c * u**k for k, c in enumerate(q))
    if np.max(np.abs(at_input - mine)) <= _FIT * max(float(np.max(np.abs(mine))), 1e-300):
        return (
            "derivative_of_input",
            f"the derivative's formula in the output is applied to the input: "
            f"{polynomial_text(q, name)} instead of {polynomial_text(q, 's')} with s the "
            "layer's output",
        )
    p = polynomial_fit(mine, s, _FIT)
    if p is None:
        return None
    return (
        "wrong_derivative",
        f"your local derivative d{name}/dout is {polynomial_text(p, 's')} of the output s; {rule}",
    )


Product = tuple[str, bool, str, bool]
"""A matrix product of two named arrays: (left, transposed, right, transposed)."""


def _text(product: Product) -> str:
    a, ta, b, tb = product
    return f"{a}{'.T' if ta else ''} @ {b}{'.T' if tb else ''}"


def _products(arrays: dict[str, Any], shape: tuple[int, ...]) -> list[tuple[Product, np.ndarray]]:
    """Every matrix product of two of ``arrays`` (each transposed or not) of ``shape``."""
    mats = {n: np.asarray(a, dtype=np.float64) for n, a in arrays.items() if np.ndim(a) == 2}
    out = []
    for a, A in mats.items():
        for b, B in mats.items():
            for ta in (False, True):
                for tb in (False, True):
                    left, right = (A.T if ta else A), (B.T if tb else B)
                    if left.shape[1] == right.shape[0] and (left.shape[0], right.shape[1]) == shape:
                        out.append(((a, ta, b, tb), left @ right))
    return out
