"""What the diagnoses of a general net's backward share (:mod:`verify.net_diagnose`): the
context of one quantity, the activations' derivatives, constants named, candidates matched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from handbp.nn import Net, Params
from verify import structure
from verify.net_reference import NetReferences, kind_and_layer
from verify.structure import named_constant

Candidate = tuple[str, str, np.ndarray]
"""(mistake, words, the value the learner would have computed with that mistake)."""

OUTPUT_FORM: dict[str, Any] = {
    "sigmoid": (lambda s: s * (1 - s), "s (1 - s)", (0.0, 1.0, -1.0, 0.0)),
    "tanh": (lambda s: 1 - s**2, "1 - s^2", (1.0, 0.0, -1.0, 0.0)),
    "relu": (lambda s: (s > 0).astype(float), "1 where s > 0, else 0", None),
    "leaky_relu": (lambda s: np.where(s > 0, 1.0, 0.01), "1 where s > 0, else 0.01", None),
}
"""Each elementwise activation's derivative as a function of its output s, in words, and
its coefficients as a polynomial in s (None: not a polynomial)."""

INPUT_FORM: dict[str, Any] = {
    "sigmoid": lambda z: np.exp(-np.logaddexp(0, -z)) * np.exp(-np.logaddexp(0, z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
}
"""The derivatives as functions of the layer input z (where that differs from the output form)."""


@dataclass(frozen=True)
class Context:
    """What a diagnosis may use: the net, the inputs, JAX's side, the learner's values."""

    net: Net
    X: np.ndarray
    Y: np.ndarray
    params: Params
    refs: NetReferences
    mine: dict[str, np.ndarray]
    raw: dict[str, Any]
    changed: dict[str, np.ndarray]
    dtype: str

    @property
    def N(self) -> int:
        return self.net.count(self.Y)

    @property
    def e(self) -> int:
        return int(self.X.shape[0])

    def right(self, name: str) -> np.ndarray:
        """The value ``name`` should have given the learner's upstream values."""
        return self.refs.local.get(name, self.refs.absolute[name])

    def value(self, name: str) -> np.ndarray:
        """The learner's value where it has the right shape, else the right one."""
        mine = self.mine.get(name)
        right = self.refs.absolute[name]
        return mine if mine is not None and mine.shape == right.shape else right

    def W(self, layer: int) -> np.ndarray:
        return np.asarray(self.params.weights[layer - 1], dtype=np.float64)


def constant_words(c: float, N: int, e: int, size: int | None = None) -> tuple[str, str] | None:
    """A fitted constant factor named on the net (its N, its e examples, ``size`` the
    entries of Y where N counts examples): (mistake, words); None for 1 (no mistake)."""
    entries = (
        []
        if size is None or size == N
        else [
            (
                N / size,
                "size_instead_of_N",
                f"divided by Y.size = {size} instead of N = {N}: the cross-entropy's N "
                "counts the examples, not the entries of Y",
            )
        ]
    )
    also = "; or averaged over the examples where the chain rule sums" if N == e else ""
    return named_constant(
        c,
        [
            (1.0, "", ""),
            (-1.0, "sign_flip", "the sign is flipped"),
            (2.0, "factor_2", "twice the right value"),
            (0.5, "factor_1/2", "half the right value"),
            (float(N), "factor_N", f"N = {N} times the right value: the loss's 1/N is missing"),
            (
                1 / N,
                "factor_1/N",
                f"divided by N = {N} once too often: 1/N applied twice (the loss's 1/N "
                f"belongs in dW and db only, once){also}",
            ),
            (
                1 / e,
                "averaged_instead_of_summed",
                f"divided by the number of examples ({e}) once too often: averaged over the "
                "examples where the chain rule sums (the loss's 1/N is the only average)",
            ),
            (N / e, "examples_instead_of_N", f"divided by the examples ({e}) instead of N = {N}"),
            *entries,
        ],
    )


def matches(hand: np.ndarray, value: np.ndarray, tolerance: float) -> bool:
    if hand.shape != value.shape or not np.all(np.isfinite(value)):
        return False
    scale = max(float(np.max(np.abs(value), initial=0.0)), 1e-300)
    return bool(np.all(np.abs(hand - value) <= tolerance * scale))


def scaled(
    hand: np.ndarray, base: np.ndarray, mistake: str, words: str, ctx: Context
) -> Iterator[Candidate]:
    """``hand`` as ``c base``: the candidate, with the constant said unless it is 1."""
    for found in structure.scaled(
        hand, base, mistake, words, lambda c: constant_words(c, ctx.N, ctx.e, ctx.Y.size)
    ):
        yield found.mistake, found.message, found.value


def symbol(name: str) -> str:
    kind, layer = kind_and_layer(name)
    return f"{kind}_{layer}"


def delta_from(E: np.ndarray, layer: int, ctx: Context) -> np.ndarray:
    derivative = ctx.refs.derivative[layer - 1]
    if derivative is not None:
        return E * derivative
    s = ctx.refs.A[layer]
    return s * (E - np.sum(E * s, axis=1, keepdims=True))
