r"""Chapter 2 proven against JAX: any dense net, written again in ``jax.numpy``.

The general net's forward map and its losses are written here again, independently of
handbp (64-bit JAX); every hand-derived quantity of chapter 2 is then compared with a
reference obtained three ways (docs/beyond.md, "Verified"):

* ``forward``: forward mode, ``jax.linearize`` (the JVP of the map, traced once, kept as
  a linear map and applied to each tangent);
* ``reverse``: reverse mode, ``jax.linear_transpose`` of that linear map applied to the
  cotangent (what ``jax.vjp`` / ``jax.grad`` do), elementwise;
* ``finite_differences``: central differences of the JAX map, with the step
  :data:`H` = 1e-6 and a Richardson estimate of their own error.

References are computed in float64 from the exact values of the inputs, whatever the
dtype of handbp's hand values; the tolerances are :data:`verify.compare.TOLERANCES` of
that dtype, on top of a rounding allowance (64 eps times the quantity's magnitude) and,
for finite differences, their estimated error.

Two kinds of check:

* **one equation** (``layer_l_error``, ``layer_l_delta``, ``weights_l_update``,
  ``bias_l_update``, ``softmax_jvp``, the loss errors and fused deltas, the activation
  derivatives): the hand function applied to handbp's own inputs, with a random
  upstream gradient where the equation takes one, against the vector-Jacobian product of
  the JAX map it differentiates. Elementwise in all three methods: forward mode and
  finite differences move one column of every example at once (each example's row
  depends on its own row only) or one row of a weight matrix (each column of
  :math:`A W` depends on its own column of :math:`W` only).
* **the whole net** (``backpropagation_net``, ``parameters_update``): every
  :math:`E_l, D_l` (elementwise, by the same column trick on per-example loss terms) and
  every :math:`\partial C/\partial W_l, \partial C/\partial b_l` of handbp's backward pass
  against the gradient of the JAX loss. Reverse mode is elementwise; forward mode and
  finite differences project the parameter gradient on :data:`DIRECTIONS` random
  directions (as ``jax.test_util.check_grads`` does), which costs a few passes instead
  of one per weight.

Forward maps (``layer_l_inputs``, ``softmax``, the losses ...) have one reference,
``value``. The initialisations draw random numbers (:data:`NOT_DIFFERENTIABLE`):
:func:`check_all` compares the variance of a large draw with the formula, ``value``.

* :func:`prove` - every id on a user's net and batch -> :class:`Proof` (``print`` it)
* :func:`check_all` - every id on :data:`CHECK_NETS` -> rows ``(id, errors, passed)``
* :func:`check_case` - every id on one net -> ``{id: Result}``

Modules: :mod:`~verify.general.core` (the JAX net, the three ways, the comparison),
:mod:`~verify.general.equations` (one equation at a time),
:mod:`~verify.general.whole` (the whole net, :func:`check_all`).
"""

from __future__ import annotations

from verify.general.core import (
    ACTIVATIONS,
    DIRECTIONS,
    KINK_MARGIN,
    NOT_DIFFERENTIABLE,
    H,
    Result,
    forward,
    kink_distance,
    loss_terms,
    vjp_three_ways,
)
from verify.general.whole import CHECK_NETS, Proof, check_all, check_case, prove, random_case

__all__ = [
    "ACTIVATIONS",
    "CHECK_NETS",
    "DIRECTIONS",
    "KINK_MARGIN",
    "NOT_DIFFERENTIABLE",
    "H",
    "Proof",
    "Result",
    "check_all",
    "check_case",
    "forward",
    "kink_distance",
    "loss_terms",
    "prove",
    "random_case",
    "vjp_three_ways",
]
