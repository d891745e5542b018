r"""The independent JAX side: the series' net in ``jax.numpy``, and every derivative of it.

The forward map and the MSE are written again here (64-bit enabled), and nothing else by
hand. Every hand-derived quantity is then obtained from JAX in three independent ways:

* ``rev``: reverse-mode autodiff, ``jax.grad`` (``jax.vjp`` for elementwise derivatives);
* ``fwd``: forward-mode autodiff, ``jax.jvp``, one tangent per entry;
* ``fd``: central differences of the JAX forward map, one entry moved at a time, with
  the step :func:`verify.compare.finite_difference_step` of the dtype (``fderr``: the
  estimate of their truncation error).

The gradients with respect to the intermediates (:math:`\partial\mathrm{MSE}/\partial
H_{in}` ...) come from adding a zero perturbation to each intermediate in the forward map
and differentiating with respect to it.

Forward mode and differences need one pass of the net per entry. Two facts of the
forward map make that cheap without leaving it: an intermediate of example e changes only
example e's term of the MSE, so moving column c of every example at once gives the
derivative with respect to each example's entry c (a Jacobian compressed by columns);
and column k of :math:`O_{in} = H_{out} W_2` depends on column k of :math:`W_2` alone
(the same compression for ``do_in_dw2``). The weights have no such structure: forward
mode and differences take one pass per weight, at the entries of a seeded sample
(:mod:`verify.sampling`; every entry on a small net), in batches (``jax.lax.map``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax.numpy as jnp

from verify._jax import jax
from verify.compare import finite_difference_step

GRADIENT_WRT: tuple[str, ...] = ("W1", "W2", "H_in", "H_out", "O_in", "O_out")
"""What the MSE is differentiated with respect to (weights and intermediates)."""

METHOD_KEYS = {"reverse": "rev", "forward": "fwd", "finite_differences": "fd"}
"""The prefix of each derivative method's arrays in :func:`reference_arrays`' result."""

BATCH = 32
"""Entries differentiated together in one step of ``jax.lax.map`` (bounds the memory)."""

SIGNS = (1.0, -1.0, 0.5, -0.5)
"""Central differences move each entry by +h, -h, +h/2 and -h/2."""

COMPILER_OPTIONS = {"xla_backend_optimization_level": 0}
"""XLA compiles the references without its slower optimisations: the arrays are small,
so compiling (once per shape) costs more than running, and this halves it."""


def jax_sigmoid(x: jax.Array) -> jax.Array:
    r""":math:`\sigma(x) = 1 / (1 + e^{-x})` as ``jax.nn.sigmoid`` (JAX's derivative rule: :math:`\sigma(x)\sigma(-x)`)."""
    return jax.nn.sigmoid(x)


def jax_forward(
    X: jax.Array,
    W1: jax.Array,
    W2: jax.Array,
    dH_in: Any = 0.0,
    dH_out: Any = 0.0,
    dO_in: Any = 0.0,
    dO_out: Any = 0.0,
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """The series' forward map in ``jax.numpy``, with a perturbation added to each intermediate.

    The perturbations are zero when checking; differentiating with respect to one gives
    the MSE's gradient with respect to that intermediate.
    """
    return _forward_from(jnp.matmul(X, W1), W2, dH_in, dH_out, dO_in, dO_out)


def _forward_from(
    XW1: jax.Array, W2: jax.Array, dH_in: Any, dH_out: Any, dO_in: Any, dO_out: Any
) -> tuple[jax.Array, jax.Array, jax.Array, jax.Array]:
    """:func:`jax_forward` from its first matrix product ``X W1`` on."""
    H_in = XW1 + dH_in
    H_out = jax_sigmoid(H_in) + dH_out
    O_in = jnp.matmul(H_out, W2) + dO_in
    O_out = jax_sigmoid(O_in) + dO_out
    return H_in, H_out, O_in, O_out


def jax_mse(O_out: jax.Array, Y: jax.Array) -> jax.Array:
    r""":math:`\mathrm{MSE} = \frac{1}{2N}\sum (O_{out} - Y)^2`, :math:`N` = ``Y.size``."""
    return jnp.sum(jnp.square(O_out - Y)) / (2 * Y.size)


def _example_terms(O_out: jax.Array, Y: jax.Array) -> jax.Array:
    """Each example's term of the MSE."""
    return jnp.sum(jnp.square(O_out - Y), axis=1) / (2 * Y.size)


def quotients(values: jax.Array, taken: jax.Array) -> tuple[jax.Array, jax.Array]:
    r"""Central differences with steps h and h/2 from ``values`` = f at +h, -h, +h/2, -h/2.

    ``values`` has the four moves on axis 1, ``taken`` is the full step 2h (as taken in
    floating point). Returns the difference with step h, and the estimate of its
    truncation error, :math:`\frac{4}{3}|D(h) - D(h/2)|` (Richardson: the error falls
    with :math:`h^2`).
    """
    up, down, half_up, half_down = (values[:, i] for i in range(4))
    whole = (up - down) / taken
    half = (half_up - half_down) / (taken / 2)
    return whole, 4 / 3 * jnp.abs(whole - half)


def steps(base: jax.Array, relative: bool = True) -> jax.Array:
    """Finite-difference steps at ``base``: ``h max(1, |base|)``, or ``h`` if not ``relative``.

    ``h`` per dtype (:func:`verify.compare.finite_difference_step`). The MSE's gradients
    take absolute steps: a weight or a layer input moves a sigmoid's input, whose
    curvature does not grow with the weight's size (a step of ``h |w|`` on a weight of 40
    in float32 would move a saturated sigmoid across its whole range). The one-variable
    functions (:math:`x^2` ...) and ``do_in_dw2`` take relative steps.
    """
    h = finite_difference_step(base.dtype)
    return h * (jnp.maximum(1.0, jnp.abs(base)) if relative else jnp.ones_like(base))


def _entry_derivatives(
    f: Callable[[jax.Array], jax.Array], a: jax.Array, entries: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """The derivative of the scalar ``f`` with respect to ``a``'s entries ``entries`` (flat).

    Each entry alone: forward mode (a tangent of 1 on that entry) and central
    differences (moved by +h, -h, +h/2, -h/2; the divisor is the step actually taken,
    ``(a + h) - (a - h)`` in floating point), ``BATCH`` entries at a time. Returns the
    forward-mode derivative, the difference and its error estimate, each of shape
    ``entries.shape``.
    """
    base = a.reshape(-1)
    hs = steps(base, relative=False)

    def one(n: jax.Array) -> tuple[jax.Array, jax.Array, jax.Array]:
        def moved(t: jax.Array) -> jax.Array:
            return f(base.at[n].add(t).reshape(a.shape))

        zero, one_ = jnp.zeros((), a.dtype), jnp.ones((), a.dtype)
        tangent = jax.jvp(moved, (zero,), (one_,))[1]
        values = jnp.stack([moved(sign * hs[n]) for sign in SIGNS])
        return tangent, values, (base[n] + hs[n]) - (base[n] - hs[n])

    forward, values, taken = jax.lax.map(one, entries, batch_size=BATCH)
    differences, error = quotients(values, taken)
    return forward, differences, error


def _column_derivatives(
    terms: Callable[[jax.Array], jax.Array], D0: jax.Array, hs: jax.Array
) -> tuple[jax.Array, jax.Array, jax.Array]:
    """d terms[e] / d D[e, c] for every e, c, when ``terms[e]`` depends on row e of D alone.

    Column c of every example is moved at once (forward mode: a tangent of ones in column
    c; differences: by the steps ``hs[:, c]``), ``BATCH`` columns at a time. Returns the
    forward-mode derivatives, the differences and their error estimates, each of shape
    ``D0.shape``.
    """
    columns = D0.shape[1]

    def one(c: jax.Array) -> tuple[jax.Array, jax.Array]:
        unit = (jnp.arange(columns) == c).astype(D0.dtype)
        tangent = jax.jvp(terms, (D0,), (jnp.broadcast_to(unit, D0.shape),))[1]
        values = jnp.stack(
            [terms(D0 + (sign * hs[:, c])[:, None] * unit) for sign in SIGNS], axis=1
        )
        return tangent, values  # (examples,), (examples, 4)

    forward, values = jax.lax.map(one, jnp.arange(columns), batch_size=BATCH)
    taken = (D0 + hs) - (D0 - hs)
    differences, error = quotients(values.transpose(1, 2, 0), taken)
    return forward.T, differences, error


def _scatter(values: jax.Array, entries: jax.Array, like: jax.Array) -> jax.Array:
    """An array shaped like ``like``: ``values`` at the flat ``entries``, NaN (not computed) elsewhere."""
    full = jnp.full(like.size, jnp.nan, dtype=like.dtype)
    return full.at[entries].set(values).reshape(like.shape)


def _mse_gradients(a: dict[str, jax.Array], forward: tuple[jax.Array, ...]) -> dict[str, jax.Array]:
    """dMSE/d(W1, W2, H_in, H_out, O_in, O_out) by reverse mode, forward mode and differences.

    Reverse mode is one ``jax.grad``, at every entry. Forward mode and differences: with
    respect to the intermediates at every entry (compressed by columns), with respect to
    the weights at the sampled entries ``a["W1_entries"]``, ``a["W2_entries"]`` (NaN at
    the others).
    """
    X, Y, W1, W2 = a["X"], a["Y"], a["W1"], a["W2"]
    zeros = [jnp.zeros_like(v) for v in forward]

    def mse(W1_: jax.Array, W2_: jax.Array, *d: jax.Array) -> jax.Array:
        return jax_mse(jax_forward(X, W1_, W2_, *d)[3], Y)

    reverse = jax.grad(mse, argnums=tuple(range(6)))(W1, W2, *zeros)
    out = {f"rev.{name}": value for name, value in zip(GRADIENT_WRT, reverse, strict=True)}
    H_out = forward[1]
    by_weight = {
        "W1": (lambda W: mse(W, W2), W1),
        # W2 does not enter the first layer: its passes start from H_out.
        "W2": (lambda W: jax_mse(jax_sigmoid(jnp.matmul(H_out, W)), Y), W2),
    }
    for name, (f, W) in by_weight.items():
        entries = a[f"{name}_entries"]
        for key, value in zip(
            ("fwd", "fd", "fderr"), _entry_derivatives(f, W, entries), strict=True
        ):
            out[f"{key}.{name}"] = _scatter(value, entries, W)
    XW1 = jnp.matmul(X, W1)
    widths = [v.shape[1] for v in forward]
    cuts = [sum(widths[: i + 1]) for i in range(len(widths) - 1)]

    def terms(D: jax.Array) -> jax.Array:
        return _example_terms(_forward_from(XW1, W2, *jnp.split(D, cuts, axis=1))[3], Y)

    D0 = jnp.concatenate(zeros, axis=1)
    derivatives = _column_derivatives(terms, D0, steps(D0, relative=False))
    for key, value in zip(("fwd", "fd", "fderr"), derivatives, strict=True):
        for name, part in zip(GRADIENT_WRT[2:], jnp.split(value, cuts, axis=1), strict=True):
            out[f"{key}.{name}"] = part
    return out


def _elementwise_derivatives(
    f: Callable[[jax.Array], jax.Array], x: jax.Array
) -> dict[str, jax.Array]:
    """The derivative of an elementwise function at every entry of ``x``, three ways.

    ``f`` acts entry by entry, so its Jacobian is diagonal: a vector-Jacobian product
    (reverse) and a Jacobian-vector product (forward) with a vector of ones give that
    diagonal, and each entry's central difference can move all entries at once.
    """
    ones = jnp.ones_like(x)
    hs = steps(x)
    values = jnp.stack([f(x + sign * hs) for sign in SIGNS], axis=1)
    differences, error = quotients(values, (x + hs) - (x - hs))
    _, vjp = jax.vjp(f, x)
    return {
        "rev": vjp(ones)[0],
        "fwd": jax.jvp(f, (x,), (ones,))[1],
        "fd": differences,
        "fderr": error,
    }


def _do_in_dw2(H_out: jax.Array, W2: jax.Array) -> dict[str, jax.Array]:
    """dO_in[e, k]/dW2[j, k] of O_in = H_out W2, entries [e, j, k], three ways.

    Column k of O_in depends on column k of W2 alone, so: reverse mode pulls back a
    cotangent of ones on row e of O_in (one per example), forward mode pushes a tangent
    of ones on row j of W2 (one per hidden node), and differences move row j of W2.
    """

    def o_in(W: jax.Array) -> jax.Array:
        return jnp.matmul(H_out, W)

    examples, hidden = H_out.shape[0], W2.shape[0]
    _, vjp = jax.vjp(o_in, W2)
    rows_e = jnp.eye(examples, dtype=W2.dtype)[:, :, None] * jnp.ones_like(W2[:1])  # (E, E, K)
    reverse = jax.vmap(lambda c: vjp(c)[0])(rows_e)  # (E, J, K)
    rows_j = jnp.eye(hidden, dtype=W2.dtype)[:, :, None] * jnp.ones_like(W2[:1])  # (J, J, K)
    forward = jax.vmap(lambda t: jax.jvp(o_in, (W2,), (t,))[1])(rows_j)  # (J, E, K)
    hs = steps(W2)
    values = jnp.stack(
        [jax.vmap(lambda t, s=sign: o_in(W2 + s * hs * t))(rows_j) for sign in SIGNS], axis=1
    )  # (J, 4, E, K)
    taken = ((W2 + hs) - (W2 - hs))[:, None, :]  # (J, 1, K)
    differences, error = quotients(values, taken)  # (J, E, K)
    return {
        "rev": reverse,
        "fwd": forward.transpose(1, 0, 2),
        "fd": differences.transpose(1, 0, 2),
        "fderr": error.transpose(1, 0, 2),
    }


@partial(jax.jit, compiler_options=COMPILER_OPTIONS)
def reference_arrays(a: dict[str, jax.Array]) -> dict[str, jax.Array]:
    """Everything JAX computes for one net, in one compiled function (one per shape, dtype).

    ``a``: the net (``X``, ``Y``, ``W1``, ``W2``), handbp's own intermediates (``H_in_h``
    ... ``O_out_h``: the inputs of the hand functions), ``X`` and ``W1`` in float64, and
    the flat indices of the sampled weights (``W1_entries``, ``W2_entries``).
    """
    X, Y, W1, W2 = a["X"], a["Y"], a["W1"], a["W2"]
    H_in, H_out, O_in, O_out = forward = jax_forward(X, W1, W2)
    out: dict[str, jax.Array] = {
        "forward.H_in": H_in,
        "forward.H_out": H_out,
        "forward.O_in": O_in,
        "forward.O_out": O_out,
        "forward.mse": jax_mse(O_out, Y),
        **_mse_gradients(a, forward),
    }
    # One-variable derivatives: sigmoid, x^2 and sigmoid(x^2) at the probe points
    # x = H_in (hand), and the sigmoid at O_in (hand), as one elementwise map.
    x, O_in_h, H_out_h = a["H_in_h"], a["O_in_h"], a["H_out_h"]
    n, m = x.size, O_in_h.size
    points = jnp.concatenate([x.reshape(-1)] * 3 + [O_in_h.reshape(-1)])

    def one_variable(u: jax.Array) -> jax.Array:
        return jnp.concatenate(
            [
                jax_sigmoid(u[:n]),
                u[n : 2 * n] * u[n : 2 * n],
                jax_sigmoid(u[2 * n : 3 * n] * u[2 * n : 3 * n]),
                jax_sigmoid(u[3 * n :]),
            ]
        )

    for method, value in _elementwise_derivatives(one_variable, points).items():
        out[f"{method}.dsigmoid"] = value[:n].reshape(x.shape)
        out[f"{method}.dsquare"] = value[n : 2 * n].reshape(x.shape)
        out[f"{method}.dchain"] = value[2 * n : 3 * n].reshape(x.shape)
        out[f"{method}.dsigmoid_O"] = value[3 * n : 3 * n + m].reshape(O_in_h.shape)
    for method, value in _do_in_dw2(H_out_h, W2).items():
        out[f"{method}.do_in_dw2"] = value
    # Values of the forward maps, from the same (hand) inputs as the hand functions.
    sums = jnp.einsum("ei,ij->ej", a["X64"], a["W1_64"])
    out |= {
        "value.weighted_sums": sums,
        "value.weighted_sums_sigmoid": jax_sigmoid(sums),
        "value.step": jnp.where(x >= 2, 1.0, 0.0).astype(x.dtype),
        "value.sigmoid_x": jax_sigmoid(x),
        "value.sigmoid_O": jax_sigmoid(O_in_h),
        "value.square": x * x,
        "value.O_in_h": jnp.matmul(H_out_h, W2),
        "value.mse_h": jax_mse(a["O_out_h"], Y),
        "value.accuracy": jnp.sum(jnp.argmax(a["O_out_h"], axis=1) == jnp.argmax(Y, axis=1))
        / Y.shape[0],
    }
    return out
