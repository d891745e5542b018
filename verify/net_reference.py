r"""The JAX side of :func:`verify.check_net`: every quantity of a general net's backward pass,
absolutely and given the learner's own upstream values.

The quantities follow :mod:`handbp.nn`'s conventions (``NetBackward``): for layer ``l`` of
``L``, :math:`E_l = N\,\partial C/\partial A_l`, :math:`D_l = N\,\partial C/\partial Z_l`,
:math:`dW_l = \partial C/\partial W_l`, :math:`db_l = \partial C/\partial b_l`, and
:math:`E_0 = N\,\partial C/\partial X`, with :math:`N` the loss's count. They are named
``E3``, ``D3``, ``dW3``, ``db3`` ... ``E0`` (:func:`order`: the order a backward pass
computes them).

Two references per quantity, both from JAX in float64 (the net again in ``jax.numpy``:
:func:`verify.general.forward` and :func:`verify.general.loss_terms`):

* **absolute**: the gradient of the loss (``jax.grad``, with zero perturbations added to
  every :math:`Z_l` and :math:`A_l`);
* **local**: one chain-rule step from the learner's own upstream value - the
  vector-Jacobian product of one map of the net (the activation of layer ``l`` for
  :math:`D_l` from the learner's :math:`E_l`; :math:`Z_l = A_{l-1} W_l + b_l` for
  :math:`dW_l`, :math:`db_l` and :math:`E_{l-1}` from the learner's :math:`D_l`). A value
  that is wrong absolutely but right locally follows from an earlier mistake.

Also each elementwise layer's derivative :math:`f_l'(Z_l)` (``jax.jvp`` with ones), which the
diagnoses use. One compiled function per kind of net (JAX compiles it once per shape).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import jax.numpy as jnp
import numpy as np

from handbp.nn import Net
from verify._jax import jax
from verify.general import forward, loss_terms

COMPILER_OPTIONS = {"xla_backend_optimization_level": 0}
"""As the other references: the arrays are small, compiling costs more than running."""


def order(depth: int) -> tuple[str, ...]:
    """The quantities in the order a backward pass computes them: ``E3 D3 dW3 db3 E2 ... E0``."""
    names: list[str] = []
    for layer in range(depth, 0, -1):
        names += [f"E{layer}", f"D{layer}", f"dW{layer}", f"db{layer}"]
    return (*names, "E0")


def kind_and_layer(name: str) -> tuple[str, int]:
    """``"dW2"`` -> ``("dW", 2)``."""
    stripped = name.rstrip("0123456789")
    return stripped, int(name[len(stripped) :])


@dataclass(frozen=True)
class NetReferences:
    """JAX's side of one check, float64: the forward pass, the references, the derivatives.

    ``Z[l - 1]``, ``A[l]`` (``A[0]`` is X); ``derivative[l - 1]`` is :math:`f_l'(Z_l)`
    (None for a softmax layer); ``absolute`` and ``local`` map a quantity's name to its
    reference (``local`` only for the quantities the learner returned).
    """

    Z: tuple[np.ndarray, ...]
    A: tuple[np.ndarray, ...]
    derivative: tuple[np.ndarray | None, ...]
    absolute: dict[str, np.ndarray]
    local: dict[str, np.ndarray]


@functools.lru_cache(maxsize=64)
def _compiled(activations: tuple[str, ...], loss: str, fused: bool, biases: bool, given: tuple):
    """The jitted reference function of one kind of net; ``given`` names the learner's values."""
    L = len(activations)
    from verify.general import ACTIVATIONS

    def run(X, Y, Ws, bs, mine):
        N = Y.shape[0] if loss == "cross_entropy" else Y.size
        Zs, As = forward(activations, X, Ws, bs if biases else None)
        As = [X, *As]

        def total(Ws, bs, dZ, dA, logits):
            Z2, A2 = forward(activations, X, Ws, bs if biases else None, dZ, dA)
            return jnp.sum(loss_terms(loss, A2[-1], Z2[-1], Y, logits))

        dZ0 = [jnp.zeros_like(Z) for Z in Zs]
        dA0 = [jnp.zeros_like(A) for A in As]
        gW, gb, gZ, gA = jax.grad(total, argnums=(0, 1, 2, 3))(Ws, bs, dZ0, dA0, fused)
        absolute = {"E0": N * gA[0]}
        for layer in range(1, L + 1):
            absolute[f"D{layer}"] = N * gZ[layer - 1]
            absolute[f"dW{layer}"] = gW[layer - 1]
            if biases:
                absolute[f"db{layer}"] = gb[layer - 1]
            if layer < L:
                absolute[f"E{layer}"] = N * gA[layer]
        # E_L from the loss as a function of A_L (for a fused pair: the staged error)
        absolute[f"E{L}"] = N * jax.grad(total, argnums=3)(Ws, bs, dZ0, dA0, False)[L]

        def act(layer):
            return ACTIVATIONS[activations[layer - 1]]

        derivative = [
            None
            if activations[layer - 1] == "softmax"
            else jax.jvp(act(layer), (Zs[layer - 1],), (jnp.ones_like(Zs[layer - 1]),))[1]
            for layer in range(1, L + 1)
        ]
        local = {}
        for layer in range(L, 0, -1):
            E, D = f"E{layer}", f"D{layer}"
            if E in given and layer == L:
                local[E] = absolute[E]
            if D in given:
                if f"E{layer}" in given:  # one step through the activation, from your E_l
                    local[D] = jax.vjp(act(layer), Zs[layer - 1])[1](mine[E])[0]
                else:  # a fused output's delta (or no E_l returned): from the forward pass
                    local[D] = absolute[D]
            upstream = mine[D] if D in given else absolute[D]

            def dense(A, W, b, layer=layer):
                return A @ W + b if biases else A @ W

            b = bs[layer - 1] if biases else jnp.zeros(Ws[layer - 1].shape[1])
            _, vjp = jax.vjp(dense, As[layer - 1], Ws[layer - 1], b)
            dA, dW, db = vjp(upstream)
            local[f"dW{layer}"] = dW / N
            if biases:
                local[f"db{layer}"] = db / N
            if f"E{layer - 1}" in given:
                local[f"E{layer - 1}"] = dA
        return Zs, As, derivative, absolute, {k: v for k, v in local.items() if k in given}

    return jax.jit(run, compiler_options=COMPILER_OPTIONS)


def references(
    net: Net,
    X: np.ndarray,
    Y: np.ndarray,
    weights: tuple[np.ndarray, ...],
    biases: tuple[np.ndarray, ...] | None,
    mine: dict[str, np.ndarray],
) -> NetReferences:
    """JAX's forward pass and references for the net at ``X, Y`` and these parameters.

    ``mine``: the learner's values by quantity name (those it returned); its deltas and
    errors are the upstream values of the local references.
    """

    def f64(a: np.ndarray) -> np.ndarray:
        return np.asarray(a, dtype=np.float64)

    given = tuple(sorted(mine))
    run = _compiled(tuple(net.activations), net.loss, net.fused, net.biases, given)
    Ws = [f64(W) for W in weights]
    bs = [f64(b) for b in biases] if biases is not None else []
    Zs, As, derivative, absolute, local = run(
        f64(X), f64(Y), Ws, bs, {k: f64(v) for k, v in mine.items()}
    )
    return NetReferences(
        tuple(np.asarray(Z) for Z in Zs),
        tuple(np.asarray(A) for A in As),
        tuple(None if d is None else np.asarray(d) for d in derivative),
        {k: np.asarray(v) for k, v in absolute.items()},
        {k: np.asarray(v) for k, v in local.items()},
    )
