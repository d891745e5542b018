r"""Naming the mistake in a quantity of a general net's backward pass (:func:`verify.check_net`).

A quantity is diagnosed only where it is wrong *given the learner's own upstream values*,
and against the value it should have had given them (:mod:`verify.net_reference`'s local
reference). Each quantity of layer ``l`` is a product of factors of the chain rule::

    E_L = loss'(A_L)         D_l = E_l * f_l'(Z_l)  (softmax: its Jacobian-vector product)
    dW_l = A_{l-1}^T D_l / N     db_l = 1^T D_l / N      E_{l-1} = D_l W_l^T

and a wrong one is explained by replacing one factor at a time by what it could have been,
with a constant in front fitted by least squares and named (:func:`constant_words`): for a
delta, the activation factor by another derivative (the output itself, another
activation's derivative, the derivative at the layer input or applied to the output,
a polynomial in the output fitted by :func:`verify.polynomial_fits.derivative_fits`, the diagonal
of a softmax's Jacobian, or a derivative kept where the loss cancels it); for a gradient,
the layer values by another layer's (or an input the learner's code changed in place) and
the delta by the error; for an error, the weights by weights fitted from the learner's
own ``E = D W^T`` (already updated, another layer's, or stale); for a bias gradient, the
sum by sums over the other axis or none. A value whose consumers were computed from its
right value was changed after it was used (in place). When nothing matches, the account
says which factor is off and how: the activation factor against the right one at the
worst points, or a factor that depends only on a row or a column.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from verify.compare import DIAGNOSIS_TOLERANCE
from verify.diagnose import Diagnosis
from verify.net_context import (
    OUTPUT_FORM,
    Candidate,
    Context,
    constant_words,
    delta_from,
    matches,
    scaled,
    symbol,
)
from verify.net_factors import (
    delta_candidates,
    error_candidates,
    fitted_weights,
    gradient_candidates,
)
from verify.net_reference import kind_and_layer
from verify.precision import float32_account
from verify.structure import activation_account, fit, regrouped

__all__ = ["Context", "diagnose"]


def diagnose(name: str, ctx: Context) -> Diagnosis:
    """The likely mistake in the learner's ``name`` (``"D2"``, ``"dW3"`` ...), which is wrong
    given the learner's own upstream values."""
    hand = ctx.mine[name]
    right = ctx.right(name)
    what = f"{symbol(name)}: "
    if hand.shape != right.shape:
        mistake, words = _shape_account(name, hand, right, ctx)
        return Diagnosis(mistake, what + words)
    if not np.all(np.isfinite(hand)):
        bad = int(np.count_nonzero(~np.isfinite(hand)))
        return Diagnosis("not_finite", f"{what}{bad} entries are not finite (inf or NaN)")
    rounded = float32_account(hand, right) if ctx.dtype == "float64" else None
    if rounded is not None:
        return Diagnosis("lost_precision", what + rounded)
    tolerance = DIAGNOSIS_TOLERANCE[ctx.dtype]
    off = float(np.max(np.abs(hand - right)))
    for mistake, words, value in _candidates(name, hand, right, ctx):
        # the candidate reproduces the learner's value, and explains its difference from
        # the right one (not merely lies as close to it as the right value does)
        if matches(hand, value, tolerance) and np.max(np.abs(hand - value)) <= 0.1 * off:
            return Diagnosis(mistake, what + words)
    return Diagnosis("unknown", what + _account(name, hand, right, ctx))


def _candidates(
    name: str, hand: np.ndarray, right: np.ndarray, ctx: Context
) -> Iterator[Candidate]:
    kind, layer = kind_and_layer(name)
    yield from _mutated(name, hand, right, ctx)
    c = fit(hand, np.zeros_like(right), right)
    named = constant_words(c, ctx.N, ctx.e, ctx.Y.size) if c is not None and c != 0 else None
    if named is not None and named[0] != "constant_factor":
        yield named[0], named[1], c * right
    if hand.ndim == 2 and hand.shape[0] == hand.shape[1]:
        yield "transposed", "transposed (a square matrix, so the shape does not tell)", right.T
    if kind == "D":
        yield from delta_candidates(layer, hand, right, ctx)
    elif kind == "E" and layer == ctx.net.depth:
        A, Z, Y = ctx.refs.A[layer], ctx.refs.Z[layer - 1], ctx.Y
        if ctx.net.fused:
            D = ctx.mine.get(f"D{layer}")
            kept = (
                D is not None
                and D.shape == hand.shape
                and matches(D, delta_from(hand, layer, ctx), DIAGNOSIS_TOLERANCE[ctx.dtype])
            )
            yield (
                "derivative_kept" if kept else "wrong_quantity",
                f"A_{layer} - Y is the fused delta D_{layer} of the {ctx.net.loss}, not its error "
                f"E_{layer}"
                + (
                    f"; your D_{layer} multiplies it by the {ctx.net.activations[-1]}'s "
                    "derivative once more, which the loss already cancels"
                    if kept
                    else ""
                ),
                ctx.refs.absolute[f"D{layer}"],
            )
        yield from scaled(
            hand, Z - Y, "wrong_layer", f"uses Z_{layer} (the logits) instead of A_{layer}", ctx
        )
        yield from scaled(
            hand,
            (A - Y) ** 2,
            "function_instead_of_derivative",
            "the squared error (A - Y)^2 itself, not its derivative A - Y",
            ctx,
        )
    elif kind == "E":
        yield from error_candidates(layer, hand, ctx)
    elif kind in ("dW", "db"):
        yield from gradient_candidates(kind, layer, hand, right, ctx)
    yield from _other_quantity(name, hand, ctx)
    if named is not None and named[0] == "constant_factor":  # the least specific account last
        yield named[0], named[1], c * right


def _mutated(name: str, hand: np.ndarray, right: np.ndarray, ctx: Context) -> Iterator[Candidate]:
    """``name`` wrong, but every quantity computed from it right given its right value:
    the array was changed after it was used (``E *= f'`` in place, say)."""
    kind, layer = kind_and_layer(name)
    consumers = {"E": [f"D{layer}"], "D": [f"dW{layer}", f"db{layer}", f"E{layer - 1}"]}.get(
        kind, []
    )
    checked = [
        c for c in consumers if c in ctx.mine and ctx.mine[c].shape == ctx.refs.absolute[c].shape
    ]
    if not checked:
        return
    tolerance = DIAGNOSIS_TOLERANCE[ctx.dtype]
    steps = {
        f"D{layer}": lambda v: delta_from(v, layer, ctx),
        f"dW{layer}": lambda v: ctx.refs.A[layer - 1].T @ v / ctx.N,
        f"db{layer}": lambda v: v.sum(axis=0) / ctx.N,
        f"E{layer - 1}": lambda v: v @ ctx.W(layer).T,
    }
    shared = [
        symbol(o)
        for o, v in ctx.raw.items()
        if o != name
        and isinstance(v, np.ndarray)
        and isinstance(ctx.raw.get(name), np.ndarray)
        and np.shares_memory(v, ctx.raw[name])
    ]
    told = []  # consumers whose step from your value and from the right one differ
    for c in checked:
        near = float(np.max(np.abs(ctx.mine[c] - steps[c](right)), initial=0.0))
        apart = float(np.max(np.abs(steps[c](hand) - steps[c](right)), initial=0.0))
        if not matches(ctx.mine[c], steps[c](right), tolerance):
            return
        scale = float(np.max(np.abs(ctx.mine[c]), initial=0.0))
        if apart > tolerance * scale:
            if near > 0.1 * apart:
                return
            told.append(c)
    if told or shared:
        also = f" (it is the same array as your {', '.join(shared)})" if shared else ""
        used = ", ".join(symbol(c) for c in checked)
        yield (
            "mutated_in_place",
            f"your {used} were computed from the right value, but the array you returned was "
            f"changed afterwards{also}: an in-place operation (`*=`, `-=`) on it after it was "
            "used; copy it, or compute a new array",
            hand,
        )


def _other_quantity(name: str, hand: np.ndarray, ctx: Context) -> Iterator[Candidate]:
    kind, _ = kind_and_layer(name)
    for other, value in ctx.refs.absolute.items():
        if other == name or value.shape != hand.shape:
            continue
        if kind_and_layer(other)[0] == kind:  # another layer's: the list's order
            yield (
                "swapped",
                f"holds {symbol(other)}: the entries are in the wrong order (entry l - 1 of each "
                "field is layer l, from the first layer to the output)",
                value,
            )
        else:
            yield from scaled(
                hand,
                value,
                "wrong_quantity",
                f"the value of {symbol(other)} where {symbol(name)} belongs",
                ctx,
            )


def _shape_account(name: str, hand: np.ndarray, right: np.ndarray, ctx: Context) -> tuple[str, str]:
    tolerance = DIAGNOSIS_TOLERANCE[ctx.dtype]
    if hand.ndim == 2 and hand.shape == right.shape[::-1] and matches(hand.T, right, tolerance):
        return "transposed", f"transposed: shape {hand.shape}, expected {right.shape}"
    if hand.size == right.size and matches(hand.reshape(right.shape), right, tolerance):
        return "shape_mismatch", regrouped(hand.shape, right.shape)
    kind, layer = kind_and_layer(name)
    for other, value in ctx.refs.absolute.items():
        if other != name and kind_and_layer(other)[0] == kind and value.shape == hand.shape:
            if matches(hand, value, tolerance):
                return "swapped", (
                    f"holds {symbol(other)} (shape {hand.shape}, expected {right.shape}): the "
                    "entries are in the wrong order (entry l - 1 of each field is layer l)"
                )
    if kind == "db":
        D = ctx.value(f"D{layer}")
        for axis in (1, 0):
            summed = D.sum(axis=axis)
            if summed.shape == hand.shape:
                c = fit(hand, np.zeros_like(summed), summed)
                # a softmax with cross-entropy: every row of D sums to 0, and so do yours
                negligible = max(np.max(np.abs(hand)), np.max(np.abs(summed))) <= (
                    tolerance * np.max(np.abs(D)) * D.shape[axis] / ctx.N
                )
                if negligible or (c is not None and matches(hand, c * summed, tolerance)):
                    return "wrong_axis", (
                        f"D_{layer} summed over axis {axis} (shape {hand.shape}); the bias gradient "
                        f"sums over the examples, axis 0: shape {right.shape}"
                    )
        if hand.shape == D.shape:
            return "not_summed", (
                f"not summed over the examples: shape {hand.shape}, expected {right.shape}; the "
                "bias is added to every example's row, so its gradient sums D over axis 0"
            )
    return "shape_mismatch", f"shape {hand.shape}, expected {right.shape}"


def _account(name: str, hand: np.ndarray, right: np.ndarray, ctx: Context) -> str:
    """When no single mistake matches: which factor is off, and how."""
    kind, layer = kind_and_layer(name)
    diff = np.abs(hand - right)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    ratio = hand[worst] / right[worst] if right[worst] != 0 else float("nan")
    words = (
        f"no single known mistake matches; the worst element {list(worst)}: yours "
        f"{hand[worst]:.6g}, JAX's {right[worst]:.6g} (ratio {ratio:.4g})"
    )
    activation = ctx.net.activations[layer - 1] if layer >= 1 else ""
    if kind == "D" and activation in OUTPUT_FORM:
        form, text, _ = OUTPUT_FORM[activation]
        s = ctx.refs.A[layer]
        account = activation_account(
            hand, ctx.value(f"E{layer}"), s, f"layer {layer} ({activation})", form(s), text
        )
        return f"{words}; {account}" if account else words
    if (kind == "E" and 0 < layer < ctx.net.depth) or name == "E0":
        D = ctx.value(f"D{layer + 1}")
        fitted = fitted_weights(hand, D)
        if fitted is not None and not matches(hand, D @ fitted.T, DIAGNOSIS_TOLERANCE[ctx.dtype]):
            return words + (
                f"; E_{layer} is not D_{layer + 1} times any weights W^T (the factor off is not "
                "the weights alone: a term added, or another delta)"
            )
    if hand.ndim == 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(np.abs(right) > 1e-9 * np.max(np.abs(right)), hand / right, np.nan)
        for axis, along in ((0, "column (node)"), (1, "row")):
            spread = np.nanmax(r, axis=axis) - np.nanmin(r, axis=axis)
            if np.all(np.isfinite(spread)) and np.all(spread <= 1e-6 * np.nanmax(np.abs(r))):
                factors = ", ".join(f"{v:.4g}" for v in np.nanmean(r, axis=axis)[:6])
                return words + f"; the ratio yours / right depends only on the {along}: {factors}"
    return words
