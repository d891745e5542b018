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
a polynomial in the output fitted by :func:`verify.structure.derivative_fits`, the diagonal
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
from dataclasses import dataclass
from typing import Any

import numpy as np

from handbp.nn import Net, Params
from verify.compare import DIAGNOSIS_TOLERANCE
from verify.diagnose import Diagnosis
from verify.net_reference import NetReferences, kind_and_layer
from verify.structure import activation_account, derivative_fits, fit

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


def constant_words(c: float, N: int, e: int, what: str = "") -> tuple[str, str] | None:
    """A fitted constant factor, named: (mistake, words); None for 1 (no mistake)."""
    also = "; or averaged over the examples where the chain rule sums" if N == e else ""
    named = [
        (1.0, "", ""),
        (-1.0, "sign_flip", "the sign is flipped"),
        (2.0, "factor_2", "twice the right value"),
        (0.5, "factor_1/2", "half the right value"),
        (float(N), "factor_N", f"N = {N} times the right value: the loss's 1/N is missing"),
        (
            1 / N,
            "factor_1/N",
            f"divided by N = {N} once too often: 1/N applied twice (the loss's 1/N belongs "
            f"in dW and db only, once){also}",
        ),
        (
            1 / e,
            "averaged_instead_of_summed",
            f"divided by the number of examples ({e}) once too often: averaged over the "
            "examples where the chain rule sums (the loss's 1/N is the only average)",
        ),
        (N / e, "examples_instead_of_N", f"divided by the examples ({e}) instead of N = {N}"),
    ]
    for value, mistake, words in named:
        if abs(c - value) <= 1e-3 * max(abs(c), abs(value)):
            return (mistake, f"{what}{words}") if mistake else None
    return "constant_factor", f"{what}{c:.6g} times the right value: a constant factor is wrong"


def _matches(hand: np.ndarray, value: np.ndarray, tolerance: float) -> bool:
    if hand.shape != value.shape or not np.all(np.isfinite(value)):
        return False
    scale = max(float(np.max(np.abs(value), initial=0.0)), 1e-300)
    return bool(np.all(np.abs(hand - value) <= tolerance * scale))


def _scaled(
    hand: np.ndarray, base: np.ndarray, mistake: str, words: str, ctx: Context
) -> Iterator[Candidate]:
    """``hand`` as ``c base``: the candidate, with the constant said unless it is 1."""
    c = fit(hand, np.zeros_like(base), base)
    if c is None or c == 0:
        return
    named = constant_words(c, ctx.N, ctx.e)
    yield mistake, words + (f"; and {named[1]}" if named else ""), c * base


def _symbol(name: str) -> str:
    kind, layer = kind_and_layer(name)
    return f"{kind}_{layer}"


def diagnose(name: str, ctx: Context) -> Diagnosis:
    """The likely mistake in the learner's ``name`` (``"D2"``, ``"dW3"`` ...), which is wrong
    given the learner's own upstream values."""
    hand = ctx.mine[name]
    right = ctx.right(name)
    what = f"{_symbol(name)}: "
    if hand.shape != right.shape:
        mistake, words = _shape_account(name, hand, right, ctx)
        return Diagnosis(mistake, what + words)
    if not np.all(np.isfinite(hand)):
        bad = int(np.count_nonzero(~np.isfinite(hand)))
        return Diagnosis("not_finite", f"{what}{bad} entries are not finite (inf or NaN)")
    tolerance = DIAGNOSIS_TOLERANCE[ctx.dtype]
    off = float(np.max(np.abs(hand - right)))
    for mistake, words, value in _candidates(name, hand, right, ctx):
        # the candidate reproduces the learner's value, and explains its difference from
        # the right one (not merely lies as close to it as the right value does)
        if _matches(hand, value, tolerance) and np.max(np.abs(hand - value)) <= 0.1 * off:
            return Diagnosis(mistake, what + words)
    return Diagnosis("unknown", what + _account(name, hand, right, ctx))


def _candidates(
    name: str, hand: np.ndarray, right: np.ndarray, ctx: Context
) -> Iterator[Candidate]:
    kind, layer = kind_and_layer(name)
    yield from _mutated(name, hand, right, ctx)
    c = fit(hand, np.zeros_like(right), right)
    if c is not None and c != 0:
        named = constant_words(c, ctx.N, ctx.e)
        if named is not None:
            yield named[0], named[1], c * right
    if kind == "D":
        yield from _delta_candidates(layer, hand, right, ctx)
    elif kind == "E" and layer == ctx.net.depth:
        A, Z, Y = ctx.refs.A[layer], ctx.refs.Z[layer - 1], ctx.Y
        yield from _scaled(
            hand, Z - Y, "wrong_layer", f"uses Z_{layer} (the logits) instead of A_{layer}", ctx
        )
        yield from _scaled(
            hand,
            (A - Y) ** 2,
            "function_instead_of_derivative",
            "the squared error (A - Y)^2 itself, not its derivative A - Y",
            ctx,
        )
    elif kind == "E":
        yield from _error_candidates(layer, hand, ctx)
    elif kind in ("dW", "db"):
        yield from _gradient_candidates(kind, layer, hand, right, ctx)
    yield from _other_quantity(name, hand, ctx)


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
        f"D{layer}": lambda v: _delta_from(v, layer, ctx),
        f"dW{layer}": lambda v: ctx.refs.A[layer - 1].T @ v / ctx.N,
        f"db{layer}": lambda v: v.sum(axis=0) / ctx.N,
        f"E{layer - 1}": lambda v: v @ ctx.W(layer).T,
    }
    shared = [
        _symbol(o)
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
        if not _matches(ctx.mine[c], steps[c](right), tolerance):
            return
        scale = float(np.max(np.abs(ctx.mine[c]), initial=0.0))
        if apart > tolerance * scale:
            if near > 0.1 * apart:
                return
            told.append(c)
    if told or shared:
        also = f" (it is the same array as your {', '.join(shared)})" if shared else ""
        used = ", ".join(_symbol(c) for c in checked)
        yield (
            "mutated_in_place",
            f"your {used} were computed from the right value, but the array you returned was "
            f"changed afterwards{also}: an in-place operation (`*=`, `-=`) on it after it was "
            "used; copy it, or compute a new array",
            hand,
        )


def _other_quantity(name: str, hand: np.ndarray, ctx: Context) -> Iterator[Candidate]:
    for other, value in ctx.refs.absolute.items():
        if other != name and value.shape == hand.shape and name in ctx.refs.absolute:
            yield from _scaled(
                hand,
                value,
                "wrong_quantity",
                f"the value of {_symbol(other)} where {_symbol(name)} belongs",
                ctx,
            )


def _delta_from(E: np.ndarray, layer: int, ctx: Context) -> np.ndarray:
    derivative = ctx.refs.derivative[layer - 1]
    if derivative is not None:
        return E * derivative
    s = ctx.refs.A[layer]
    return s * (E - np.sum(E * s, axis=1, keepdims=True))


def _delta_candidates(
    layer: int, hand: np.ndarray, right: np.ndarray, ctx: Context
) -> Iterator[Candidate]:
    name = ctx.net.activations[layer - 1]
    s, z = ctx.refs.A[layer], ctx.refs.Z[layer - 1]
    given = f"E{layer}" in ctx.mine and ctx.mine[f"E{layer}"].shape == s.shape
    if layer == ctx.net.depth and ctx.net.fused and not given:
        kept = s * (1 - s) if name == "sigmoid" else None
        for value in (
            [right * kept]
            if kept is not None
            else [right * s * (1 - s), _delta_from(right, layer, ctx)]
        ):
            yield (
                "derivative_kept",
                f"an extra factor: the {name}'s derivative is kept where the {ctx.net.loss} "
                f"cancels it; the fused delta is D_{layer} = A_{layer} - Y",
                value,
            )
        return
    E = ctx.value(f"E{layer}")
    if name == "softmax":
        yield (
            "diagonal_only",
            (
                "only the diagonal s (1 - s) of the softmax's Jacobian: each output depends on every "
                "input of its row, D = s * (E - sum(E * s))"
            ),
            E * s * (1 - s),
        )
        yield from _scaled(hand, E, "missing_derivative", "no activation derivative: D = E", ctx)
        return
    form, words, coefficients = OUTPUT_FORM[name]
    yield from _scaled(
        hand, E, "missing_derivative", f"no activation derivative: D_{layer} = E_{layer}", ctx
    )
    yield (
        "output_instead_of_derivative",
        f"the layer's output A_{layer} used as its derivative: the {name}'s derivative is "
        f"{words} of its output s",
        E * s,
    )
    if name in INPUT_FORM:
        mistake = "sigmoid_of_output" if name == "sigmoid" else "derivative_at_output"
        yield (
            mistake,
            (
                f"the {name}'s derivative applied to the output A_{layer} as if it were the input "
                f"Z_{layer}: f'(A) instead of f'(Z) = {words} of s"
            ),
            E * INPUT_FORM[name](s),
        )
        yield (
            "derivative_of_input",
            (f"{words} taken of the layer input Z_{layer} instead of the output s = A_{layer}"),
            E * form(z),
        )
    for other, (g, other_words, _) in OUTPUT_FORM.items():
        if other != name:
            yield (
                "wrong_derivative",
                (
                    f"the {other}'s derivative {other_words} for a {name} layer, whose derivative is {words}"
                ),
                E * g(s),
            )
    for k in range(1, ctx.net.depth + 1):
        if k != layer and ctx.refs.A[k].shape == s.shape:
            yield (
                "wrong_layer",
                f"the derivative of layer {k}'s output A_{k} instead of A_{layer}'s",
                E * form(ctx.refs.A[k]),
            )
    variables = {
        "s": (s, f"the layer output s = A_{layer}", "wrong_derivative"),
        "z": (z, f"the layer input z = Z_{layer}", "derivative_of_input"),
        "e": (E, f"the error e = E_{layer}", "derivative_of_error"),
    }
    what = f"the activation-derivative factor of layer {layer} ({name})"
    rule = f"the {name}'s derivative is {words} of the layer output s"
    for candidate in derivative_fits(hand, E, variables, what, coefficients, rule):
        yield candidate.mistake, candidate.message, candidate.value


def _error_candidates(layer: int, hand: np.ndarray, ctx: Context) -> Iterator[Candidate]:
    """``E_l = D_{l+1} W_{l+1}^T`` (``l = 0``: the input error) with one factor replaced."""
    up = layer + 1
    D, W = ctx.value(f"D{up}"), ctx.W(up)
    G = ctx.value(f"dW{up}")
    yield from _scaled(
        hand,
        ctx.value(f"E{up}") @ W.T,
        "error_instead_of_delta",
        f"E_{layer} uses E_{up} instead of D_{up}: E_{layer} = D_{up} W_{up}^T",
        ctx,
    )
    c = fit(hand, D @ W.T, D @ G.T)
    if c is not None and c != 0:
        sign = f"- {-c:.4g}" if c < 0 else f"+ {c:.4g}"
        yield (
            "updated_weights_used",
            f"E_{layer} = D_{up} W^T uses W_{up} already updated (W_{up} {sign} dW_{up}): propagate "
            "the error back through the weights before updating them",
            D @ (W + c * G).T,
        )
    for k in range(1, ctx.net.depth + 1):
        if k != up and ctx.W(k).shape == W.shape:
            yield from _scaled(
                hand, D @ ctx.W(k).T, "wrong_layer", f"E_{layer} uses W_{k} instead of W_{up}", ctx
            )
    fitted = _fitted_weights(hand, D)
    if fitted is not None:
        # W is fixed by E = D W^T only on the row space of D: compare it there
        seen = (np.linalg.pinv(D) @ D @ W.T).T
        off = float(np.max(np.abs(fitted - seen)) / np.max(np.abs(W)))
        yield (
            "stale_weights",
            f"E_{layer} = D_{up} W^T with weights W that are not params.weights[{up - 1}]: fitted "
            f"from your E_{layer} and D_{up}, they differ from it by up to {off:.2g} of its "
            "largest entry - weights kept from an earlier call or step (stale), or changed "
            "before the error was propagated back",
            D @ fitted.T,
        )


def _fitted_weights(E: np.ndarray, D: np.ndarray) -> np.ndarray | None:
    """The (least-norm) ``W`` with ``E = D W^T``, when the examples can tell (more rows than
    the rank of ``D``: else any ``E`` is such a product)."""
    if D.shape[0] <= np.linalg.matrix_rank(D):
        return None
    Wt, *_ = np.linalg.lstsq(D, E, rcond=None)
    return Wt.T


def _gradient_candidates(
    kind: str, layer: int, hand: np.ndarray, right: np.ndarray, ctx: Context
) -> Iterator[Candidate]:
    D, E, N = ctx.value(f"D{layer}"), ctx.value(f"E{layer}"), ctx.N
    if kind == "db":
        yield from _scaled(
            hand,
            E.sum(axis=0) / N,
            "error_instead_of_delta",
            f"db_{layer} sums E_{layer} instead of D_{layer}",
            ctx,
        )
        return
    lefts = {f"A_{layer - 1}": ctx.refs.A[layer - 1]}
    if layer > 1:
        lefts[f"Z_{layer - 1}"] = ctx.refs.Z[layer - 2]
        lefts[f"A_{layer}"] = ctx.refs.A[layer]
        if ctx.refs.derivative[layer - 2] is not None:
            lefts[f"f'(A_{layer - 1}), the derivative where the output belongs"] = (
                ctx.refs.derivative[layer - 2]
            )
    lefts.update({f"A_{k}": ctx.refs.A[k] for k in range(layer - 1)})
    for key, after in ctx.changed.items():
        if key == f"forward.layer_l_outputs[{layer - 2}]" or (layer == 1 and key == "X"):
            lefts[f"{key} after your code changed it in place"] = after.astype(np.float64)
    rights = {f"D_{layer}": D, f"E_{layer}": E}
    formula = f"dW_{layer} = A_{layer - 1}^T D_{layer} / N"
    for (left, Lv), (rname, R) in ((lv, rv) for lv in lefts.items() for rv in rights.items()):
        if (left, rname) == (f"A_{layer - 1}", f"D_{layer}") or Lv.shape[0] != R.shape[0]:
            continue
        base = Lv.T @ R / N
        if base.shape != hand.shape:
            continue
        if "in place" in left:
            mistake = "mutated_in_place"
        elif rname != f"D_{layer}":
            mistake = "error_instead_of_delta"
        else:
            mistake = "wrong_layer"
        uses = [f"{left} instead of A_{layer - 1}"] if left != f"A_{layer - 1}" else []
        uses += [f"{rname} instead of D_{layer}"] if rname != f"D_{layer}" else []
        yield from _scaled(hand, base, mistake, f"uses {' and '.join(uses)}: {formula}", ctx)
    W = ctx.W(layer)
    c = fit(hand, right, W)
    if c is not None and c != 0:
        yield (
            "extra_term",
            f"an extra term {c:.4g} W_{layer} added to the gradient (weight decay belongs in the update)",
            right + c * W,
        )
    c = fit(hand, W, right)
    if c is not None:
        yield (
            "new_weights_instead_of_gradient",
            f"returns the new weights W_{layer} {'-' if c < 0 else '+'} {abs(c):.4g} dW_{layer}, not the gradient",
            W + c * right,
        )


def _shape_account(name: str, hand: np.ndarray, right: np.ndarray, ctx: Context) -> tuple[str, str]:
    tolerance = DIAGNOSIS_TOLERANCE[ctx.dtype]
    if hand.ndim == 2 and hand.shape == right.shape[::-1] and _matches(hand.T, right, tolerance):
        return "transposed", f"transposed: shape {hand.shape}, expected {right.shape}"
    kind, layer = kind_and_layer(name)
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
                if negligible or (c is not None and _matches(hand, c * summed, tolerance)):
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
        fitted = _fitted_weights(hand, ctx.value(f"D{layer + 1}"))
        if fitted is None:
            return words + f"; E_{layer} is not D_{layer + 1} times any weights W^T"
    if hand.ndim == 2:
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(np.abs(right) > 1e-9 * np.max(np.abs(right)), hand / right, np.nan)
        for axis, along in ((0, "column (node)"), (1, "row")):
            spread = np.nanmax(r, axis=axis) - np.nanmin(r, axis=axis)
            if np.all(np.isfinite(spread)) and np.all(spread <= 1e-6 * np.nanmax(np.abs(r))):
                factors = ", ".join(f"{v:.4g}" for v in np.nanmean(r, axis=axis)[:6])
                return words + f"; the ratio yours / right depends only on the {along}: {factors}"
    return words
