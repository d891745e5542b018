"""Chapter 2's equations one at a time against JAX, with random upstream gradients
(see :mod:`verify.general`)."""

from __future__ import annotations

from functools import partial

import jax.numpy as jnp
import jax.scipy.special
import numpy as np

from handbp import activations as hf
from handbp import layers, losses
from handbp.nn import ACTIVATIONS as HAND
from verify._jax import jax
from verify.general.core import (
    ACTIVATIONS,
    Batch,
    away_from_kinks,
    count,
    loss_terms,
)

LOSS_IDS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "mse": ("mse_error", None, None, None),
    "binary_cross_entropy": (
        "binary_cross_entropy_error",
        "binary_cross_entropy",
        "sigmoid_binary_cross_entropy",
        "sigmoid_binary_cross_entropy_delta",
    ),
    "cross_entropy": (
        "cross_entropy_error",
        "cross_entropy",
        "softmax_cross_entropy",
        "softmax_cross_entropy_delta",
    ),
}
"""Per loss, the ids (functions of :mod:`handbp.losses`, looked up when checked) of its
output error, the loss itself, the loss from logits and the fused delta (MSE: the error)."""


def layer_checks(net, X, Y, params, rng, results, batch: Batch) -> None:
    """Each layer's equations with random upstream gradients: its inputs and outputs by
    value; its error, weight and bias gradients and its delta three ways (:meth:`Batch.vjp`:
    every layer's, and every net's, in one vector-Jacobian product per kind)."""
    dtype = X.dtype
    forward_hand = net.forward(X, params)
    As = (X, *forward_hand.layer_l_outputs)
    N = count(net.loss, Y)
    for layer, (W, name) in enumerate(zip(params.weights, net.activations, strict=True), 1):
        b = None if params.biases is None else params.biases[layer - 1]
        a, w = batch.arg(As[layer - 1]), batch.arg(W)
        c = batch.arg(np.zeros((1, W.shape[1])) if b is None else b[None, :])
        batch.value(
            results["layer_l_inputs"],
            layers.layer_l_inputs(As[layer - 1], W, b),
            dtype,
            lambda inp, a=a, w=w, c=c: inp[a] @ inp[w] + inp[c],
            lambda inp, a=a, w=w, c=c: jnp.abs(inp[a]) @ jnp.abs(inp[w]) + jnp.abs(inp[c]),
        )
        Z = forward_hand.layer_l_inputs[layer - 1]
        z = batch.arg(Z)
        batch.value(
            results["layer_l_outputs"],
            layers.layer_l_outputs(Z, HAND[name].function),
            dtype,
            lambda inp, z=z, name=name: ACTIVATIONS[name](inp[z]),
        )
        D = rng.normal(size=Z.shape).astype(dtype)  # a random upstream gradient
        d = batch.arg(D)
        batch.check(
            results["layer_l_error"],
            layers.layer_l_error(D, W),
            dtype,
            batch.vjp(
                lambda inp, w=w, c=c: lambda A: A @ inp[w] + inp[c],
                lambda inp, a=a: inp[a],
                lambda inp, d=d: inp[d],
                magnitude=lambda inp, w=w, d=d: jnp.abs(inp[d]) @ jnp.abs(inp[w]).T,
            ),
        )
        batch.check(
            results["weights_l_update"],
            layers.weights_l_update(As[layer - 1], D, N),
            dtype,
            batch.vjp(
                lambda inp, a=a, c=c: lambda V: inp[a] @ V + inp[c],
                lambda inp, w=w: inp[w],
                lambda inp, d=d: inp[d] / N,
                "columns",
                lambda inp, a=a, d=d: jnp.abs(inp[a]).T @ jnp.abs(inp[d]) / N,
            ),
        )
        batch.check(
            results["bias_l_update"],
            layers.bias_l_update(D, N)[None, :],
            dtype,
            batch.vjp(
                lambda inp, a=a, w=w: lambda V: inp[a] @ inp[w] + V,
                lambda inp, c=c: inp[c],
                lambda inp, d=d: inp[d] / N,
                "columns",
                lambda inp, d=d: jnp.sum(jnp.abs(inp[d]), axis=0, keepdims=True) / N,
            ),
        )
        if HAND[name].derivative is not None:
            E = rng.normal(size=Z.shape).astype(dtype)
            Zk = away_from_kinks(Z)
            zk, u = batch.arg(Zk), batch.arg(E)
            batch.check(
                results["layer_l_delta"],
                layers.layer_l_delta(E, HAND[name].function(Zk), HAND[name].derivative),
                dtype,
                batch.vjp(
                    lambda inp, name=name: ACTIVATIONS[name],
                    lambda inp, zk=zk: inp[zk],
                    lambda inp, u=u: inp[u],
                ),
            )


def probe_checks(shape: tuple[int, int], dtype, rng, results, batch: Batch) -> None:
    """The activations, their derivatives, the softmax's JVP and the losses (values,
    output errors, fused deltas, logits of +-1e4) on random probe points of ``shape``
    (examples, outputs), away from the kinks; with random upstream gradients."""
    dtype = np.dtype(dtype)
    # Activations and their derivatives, at probe points away from the kink
    probe = away_from_kinks(np.clip(3 * rng.normal(size=shape), -4, 4).astype(dtype))
    p = batch.arg(probe)
    for name, function, derivative in [
        ("tanh", hf.tanh, hf.tanh_derivative),
        ("relu", hf.relu, hf.relu_derivative),
        ("leaky_relu", hf.leaky_relu, hf.leaky_relu_derivative),
    ]:
        batch.value(
            results[name], function(probe), dtype, lambda inp, name=name: ACTIVATIONS[name](inp[p])
        )
        batch.check(
            results[f"{name}_derivative"],
            derivative(function(probe)),
            dtype,
            batch.vjp(
                lambda inp, name=name: ACTIVATIONS[name],
                lambda inp: inp[p],
                lambda inp: jnp.ones_like(inp[p]),
            ),
        )
    P = hf.softmax(probe)
    batch.value(results["softmax"], P, dtype, lambda inp: ACTIVATIONS["softmax"](inp[p]))
    V = rng.normal(size=probe.shape).astype(dtype)
    v, q = batch.arg(V), batch.arg(P)
    batch.check(
        results["softmax_jvp"],
        hf.softmax_jvp(P, V),
        dtype,
        batch.vjp(
            lambda inp: ACTIVATIONS["softmax"],
            lambda inp: inp[p],
            lambda inp: inp[v],
            magnitude=lambda inp: (
                jnp.abs(inp[q])
                * (jnp.abs(inp[v]) + jnp.sum(jnp.abs(inp[v] * inp[q]), axis=1, keepdims=True))
            ),
        ),
    )

    # Losses: values, output errors (N dC/dA_L) and fused deltas (N dC/dZ_L)
    e, k = probe.shape
    onehot = np.eye(k, dtype=dtype)[rng.integers(0, k, e)]
    labels = rng.integers(0, 2, (e, k)).astype(dtype)
    A = hf.sigmoid(probe)
    huge = (probe * (1e4 / float(np.max(np.abs(probe))))).astype(dtype)  # logits of +-1e4
    g = batch.arg(huge)
    for loss, Yl, Al in [
        ("mse", labels, A),
        ("binary_cross_entropy", labels, A),
        ("cross_entropy", onehot, P),
    ]:
        error, value, from_logits, fused = LOSS_IDS[loss]
        Nl = count(loss, Yl)
        y, al = batch.arg(Yl), batch.arg(Al)

        def per_example(inp, logits, loss=loss, y=y):
            return lambda M: loss_terms(loss, M, M, inp[y], logits)[:, None]

        batch.check(
            results[error],
            getattr(losses, error)(Al, Yl),
            dtype,
            batch.vjp(
                partial(per_example, logits=False),
                lambda inp, al=al: inp[al],
                lambda inp, Nl=Nl: jnp.full((e, 1), float(Nl)),
            ),
        )
        if value is None:
            continue
        batch.value(
            results[value],
            getattr(losses, value)(Al, Yl),
            dtype,
            lambda inp, al=al, loss=loss, y=y: jnp.sum(
                loss_terms(loss, inp[al], None, inp[y], False)
            ),
        )
        for logits, z in ((probe, p), (huge, g)):  # ordinary logits and logits of +-1e4
            batch.value(
                results[from_logits],
                getattr(losses, from_logits)(logits, Yl),
                dtype,
                lambda inp, z=z, loss=loss, y=y: jnp.sum(
                    loss_terms(loss, None, inp[z], inp[y], True)
                ),
            )
            batch.value(
                results["log_sum_exp"],
                losses.log_sum_exp(logits),
                dtype,
                lambda inp, z=z: jax.scipy.special.logsumexp(inp[z], axis=1),
            )
        batch.check(
            results[fused],
            getattr(losses, fused)(Al, Yl),
            dtype,
            batch.vjp(
                partial(per_example, logits=True),
                lambda inp: inp[p],
                lambda inp, Nl=Nl: jnp.full((e, 1), float(Nl)),
            ),
        )
