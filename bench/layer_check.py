"""Issue 11's speed target: ``verify.check_layer`` on a CS231n-style affine layer over 20
drawn shapes, timed once JAX has compiled those shapes (the first run compiles one
function per shape; a user's suite pays that once per process)."""

from __future__ import annotations

from bench.timing import Timing, interleaved

AFFINE_SHAPES = {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)}
TRIALS = 20
TARGET_S = 1.0
"""Checking one layer's backward on 20 drawn shapes: under a second after the first compile."""


def affine_forward(x, w, b):
    """CS231n's affine forward, written once for NumPy and JAX arrays."""
    return x @ w + b


def affine_backward(dout, x, w, b):
    """CS231n's affine backward: dx, dw, db."""
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def check_affine() -> object:
    """One check of the affine layer's backward on :data:`TRIALS` drawn shapes."""
    from verify.layer_check import check_layer

    result = check_layer(affine_forward, affine_backward, AFFINE_SHAPES, trials=TRIALS)
    if not result.passed:
        raise RuntimeError(f"the affine layer's check failed:\n{result}")
    return result


def time_affine_check(repeats: int) -> Timing:
    """Seconds per check, ``repeats`` times, after one untimed run that compiles the shapes."""
    return interleaved({"check_layer": check_affine}, repeats, warmup=True)["check_layer"]
