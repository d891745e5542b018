"""A value right only to float32 precision in a float64 check: float32 somewhere inside.

A learner's code that casts to float32 (``astype(np.float32)``, ``np.float32(x)``, an
array created with ``dtype=np.float32``) returns values within float32 rounding of the
right ones; in a float64 check they fail, and no structural mistake explains them. The
series' checker, the layer checker and the net checker ask :func:`float32_account` first.
"""

from __future__ import annotations

import numpy as np

ROUNDED = 64 * float(np.finfo(np.float32).eps)
"""Relative error (to the largest reference entry) within which a float64 value that is not
itself stored in float32 is said to carry float32 rounding: a few float32 roundings."""

STORED = 1e-4
"""The same bound for a value whose every entry is a float32 number: float32 rounding,
accumulated through sums that cancel."""


def float32_account(hand: np.ndarray, reference: np.ndarray) -> str | None:
    """For a float64 check: the words if ``hand`` differs from ``reference`` only by
    float32 rounding, else None (also for an exact match, another shape, NaN or inf)."""
    hand = np.asarray(hand, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    if hand.shape != reference.shape or hand.size == 0:
        return None
    if not (np.all(np.isfinite(hand)) and np.all(np.isfinite(reference))):
        return None
    scale = float(np.max(np.abs(reference)))
    relative = float(np.max(np.abs(hand - reference))) / scale if scale > 0 else 0.0
    stored = bool(np.array_equal(hand, hand.astype(np.float32).astype(np.float64)))
    if relative == 0 or relative > (STORED if stored else ROUNDED):
        return None
    where = (
        "every entry of your result is a float32 number" if stored else "float32 rounding inside"
    )
    return (
        f"right only to float32 precision (relative error {relative:.1e}; float64 keeps "
        f"about 1e-16): {where}. A float32 value in a float64 computation (astype(np.float32), "
        "np.float32(...), an array created with dtype=np.float32) rounds everything after "
        "it; compute in the inputs' dtype"
    )
