"""The chain rule's factors of a general net's quantities, each replaced by what a learner
may have used instead (:mod:`verify.net_diagnose` names the one that matches): the
activation factor of a delta, the weights an error is propagated through, the layer
values and the delta of a gradient."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from verify.net_context import INPUT_FORM, OUTPUT_FORM, Candidate, Context, delta_from, scaled
from verify.polynomial_fits import derivative_fits
from verify.structure import ONE_EXAMPLE, RESHAPED, fit


def delta_candidates(
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
            else [right * s * (1 - s), delta_from(right, layer, ctx)]
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
        yield from scaled(hand, E, "missing_derivative", "no activation derivative: D = E", ctx)
        return
    form, words, coefficients = OUTPUT_FORM[name]
    yield from scaled(
        hand, E, "missing_derivative", f"no activation derivative: D_{layer} = E_{layer}", ctx
    )
    yield (
        "output_instead_of_derivative",
        f"the layer's output A_{layer} used as its derivative: the {name}'s derivative, from "
        f"its output s, is {words}",
        E * s,
    )
    if name in INPUT_FORM:
        mistake = "sigmoid_of_output" if name == "sigmoid" else "derivative_at_output"
        yield (
            mistake,
            (
                f"the {name}'s derivative applied to the output A_{layer} as if it were the input "
                f"Z_{layer}: f'(A) instead of f'(Z), which is {words} from the output s"
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
                    f"the {other}'s derivative ({other_words}) for a {name} layer, whose derivative is {words}"
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
    if coefficients is None:  # (leaky) ReLU: a factor constant on each side of the kink
        on = (s > 0).astype(float)
        basis = np.stack([(E * on).ravel(), (E * (1 - on)).ravel()], axis=-1)
        (a, b), *_ = np.linalg.lstsq(basis, hand.ravel(), rcond=None)
        yield (
            "wrong_derivative",
            f"the activation-derivative factor of layer {layer} is {a:.4g} where s > 0 and "
            f"{b:.4g} elsewhere; the {name}'s derivative is {words}",
            (basis @ np.array([a, b])).reshape(hand.shape),
        )
    variables = {
        "s": (s, f"the layer output s = A_{layer}", "wrong_derivative"),
        "z": (z, f"the layer input z = Z_{layer}", "derivative_of_input"),
        "e": (E, f"the error e = E_{layer}", "derivative_of_error"),
    }
    what = f"the activation-derivative factor of layer {layer} ({name})"
    rule = f"the {name}'s derivative, from the layer output s, is {words}"
    for candidate in derivative_fits(hand, E, variables, what, coefficients, rule):
        yield candidate.mistake, candidate.message, candidate.value


def error_candidates(layer: int, hand: np.ndarray, ctx: Context) -> Iterator[Candidate]:
    """``E_l = D_{l+1} W_{l+1}^T`` (``l = 0``: the input error) with one factor replaced."""
    up = layer + 1
    D, W = ctx.value(f"D{up}"), ctx.W(up)
    G = ctx.value(f"dW{up}")
    yield from scaled(
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
    if W.shape[0] == W.shape[1]:
        yield from scaled(
            hand, D @ W, "transposed", f"E_{layer} = D_{up} W_{up}: W_{up} is not transposed", ctx
        )
    if W.shape[0] != W.shape[1]:
        yield from scaled(
            hand,
            D @ W.reshape(W.shape[::-1]),
            "reshaped",
            f"E_{layer} = D_{up} W_{up}.reshape({W.shape[1]}, {W.shape[0]}): {RESHAPED}; use "
            f"W_{up}.T",
            ctx,
        )
    for k in range(1, ctx.net.depth + 1):
        if k != up and ctx.W(k).shape == W.shape:
            yield from scaled(
                hand, D @ ctx.W(k).T, "wrong_layer", f"E_{layer} uses W_{k} instead of W_{up}", ctx
            )
    fitted = fitted_weights(hand, D)
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


def fitted_weights(E: np.ndarray, D: np.ndarray) -> np.ndarray | None:
    """The (least-norm) ``W`` with ``E = D W^T``, when the examples can tell (more rows than
    the rank of ``D``: else any ``E`` is such a product)."""
    if D.shape[0] <= np.linalg.matrix_rank(D):
        return None
    Wt, *_ = np.linalg.lstsq(D, E, rcond=None)
    return Wt.T


def gradient_candidates(
    kind: str, layer: int, hand: np.ndarray, right: np.ndarray, ctx: Context
) -> Iterator[Candidate]:
    D, E, N = ctx.value(f"D{layer}"), ctx.value(f"E{layer}"), ctx.N
    if kind == "db":
        yield from scaled(
            hand,
            E.sum(axis=0) / N,
            "error_instead_of_delta",
            f"db_{layer} sums E_{layer} instead of D_{layer}",
            ctx,
        )
        return
    lefts = {f"A_{layer - 1}": ctx.refs.A[layer - 1]}
    for key, after in ctx.changed.items():  # what your code changed in place, first
        if key == f"forward.layer_l_outputs[{layer - 2}]" or (layer == 1 and key == "X"):
            lefts[f"{key} after your code changed it in place"] = after.astype(np.float64)
    if layer > 1:
        lefts[f"Z_{layer - 1}"] = ctx.refs.Z[layer - 2]
        lefts[f"A_{layer}"] = ctx.refs.A[layer]
        derivative = ctx.refs.derivative[layer - 2]
        if derivative is not None:
            lefts[f"f'(A_{layer - 1}), the derivative where the output belongs"] = derivative
    lefts.update({f"A_{k}": ctx.refs.A[k] for k in range(layer - 1)})
    rights = {f"D_{layer}": D, f"E_{layer}": E}
    rights.update(
        {
            f"D_{k}": ctx.value(f"D{k}")
            for k in range(1, ctx.net.depth + 1)
            if k != layer and ctx.refs.absolute[f"D{k}"].shape == D.shape
        }
    )
    formula = f"dW_{layer} = A_{layer - 1}^T D_{layer} / N"
    for (left, Lv), (rname, R) in ((lv, rv) for lv in lefts.items() for rv in rights.items()):
        if (left, rname) == (f"A_{layer - 1}", f"D_{layer}") or Lv.shape[0] != R.shape[0]:
            continue
        base = Lv.T @ R / N
        if base.shape != hand.shape:
            continue
        if "in place" in left:
            mistake = "mutated_in_place"
        elif rname.startswith("E"):
            mistake = "error_instead_of_delta"
        else:
            mistake = "wrong_layer"
        uses = [f"{left} instead of A_{layer - 1}"] if left != f"A_{layer - 1}" else []
        uses += [f"{rname} instead of D_{layer}"] if rname != f"D_{layer}" else []
        yield from scaled(hand, base, mistake, f"uses {' and '.join(uses)}: {formula}", ctx)
    if right.ndim == 2 and right.shape[0] != right.shape[1]:
        reshaped = right.T.reshape(right.shape)
        yield from scaled(hand, reshaped, "reshaped", f"dW_{layer} is {RESHAPED}", ctx)
    A = ctx.refs.A[layer - 1]
    for which, e in (("first", 0), ("last", -1)):
        if len(A) > 1:
            words = f"dW_{layer} {ONE_EXAMPLE.format(which=which)}: {formula}"
            yield from scaled(hand, np.outer(A[e], D[e]) / N, "missing_terms", words, ctx)
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
