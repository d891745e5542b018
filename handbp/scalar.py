"""Backpropagation one weight at a time (parts 9-12): explicit sums over examples.

These functions take the whole matrices plus indices and loop in plain Python, exactly
as the slides write the sums: ``e`` runs over examples (rows), ``i`` over inputs, ``j``
over hidden nodes, ``k`` over output nodes. They are slow on purpose; the matrix form in
:mod:`handbp.network` computes every entry at once and must agree with them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp.checks import Index, OneHot, checked


def output_node_input(H_out: ArrayLike, W2: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 9, ``output_node_input``: :math:`o^{(e)}_{in,k} = \sum_j h^{(e)}_{out,j}\, w_{2,jk}`."""
    total = H_out.dtype.type(0)
    for j in range(W2.shape[0]):
        total += H_out[e, j] * W2[j, k]
    return total


output_node_input = checked(output_node_input, H_out="e j", W2="j k", e=Index("e"), k=Index("k"))


def dmse_do_out(O_out: ArrayLike, Y: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 10, ``dmse_do_out``: :math:`\frac{\partial \mathrm{MSE}}{\partial o^{(e)}_{out,k}} = \frac{o^{(e)}_{out,k} - y^{(e)}_k}{N}`.

    The 1/2 of the MSE cancels the 2 from the square; :math:`N` = ``Y.size``.
    """
    return (O_out[e, k] - Y[e, k]) / Y.size


dmse_do_out = checked(dmse_do_out, O_out="e k", Y=OneHot("e k"), e=Index("e"), k=Index("k"))


def do_out_do_in(O_out: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 10, ``do_out_do_in``: :math:`\frac{\partial o_{out}}{\partial o_{in}} = o_{out}\,(1 - o_{out})`.

    The sigmoid's derivative, from its output (part 8).
    """
    return O_out[e, k] * (1 - O_out[e, k])


do_out_do_in = checked(do_out_do_in, O_out="e k", e=Index("e"), k=Index("k"))


def do_in_dw2(H_out: ArrayLike, e: int, j: int) -> np.floating:
    r"""Part 10, ``do_in_dw2``: :math:`\frac{\partial o^{(e)}_{in,k}}{\partial w_{2,jk}} = h^{(e)}_{out,j}`.

    "The opposite, corresponding element."
    """
    return H_out[e, j]


do_in_dw2 = checked(do_in_dw2, H_out="e j", e=Index("e"), j=Index("j"))


def dmse_dw2_scalar(
    H_out: ArrayLike, O_out: ArrayLike, Y: ArrayLike, j: int, k: int
) -> np.floating:
    r"""Part 10, ``dmse_dw2_scalar``: :math:`\frac{\partial \mathrm{MSE}}{\partial w_{2,jk}} = \frac{1}{N} \sum_e \big(o^{(e)}_{out,k} - y^{(e)}_k\big)\, o^{(e)}_{out,k}\big(1 - o^{(e)}_{out,k}\big)\, h^{(e)}_{out,j}`.

    The multivariable chain rule of part 9: for every example, the product of the three
    factors of part 10, summed over the examples.
    """
    total = O_out.dtype.type(0)
    for e in range(Y.shape[0]):
        total += dmse_do_out(O_out, Y, e, k) * do_out_do_in(O_out, e, k) * do_in_dw2(H_out, e, j)
    return total


dmse_dw2_scalar = checked(
    dmse_dw2_scalar, H_out="e j", O_out="e k", Y=OneHot("e k"), j=Index("j"), k=Index("k")
)


def dmse_dw1_scalar(
    X: ArrayLike, H_out: ArrayLike, O_out: ArrayLike, Y: ArrayLike, W2: ArrayLike, i: int, j: int
) -> np.floating:
    r"""Part 12, ``dmse_dw1_scalar``: :math:`\frac{\partial \mathrm{MSE}}{\partial w_{1,ij}} = \frac{1}{N} \sum_e \sum_k O_{delta}[e,k]\, w_{2,jk}\, h^{(e)}_{out,j}\big(1 - h^{(e)}_{out,j}\big)\, x^{(e)}_i`.

    :math:`\frac{1}{N} O_{delta}[e,k]` is written out as the product of part 10's first
    two factors; the weight :math:`w_{1,ij}` reaches the MSE through every output node k.
    """
    total = O_out.dtype.type(0)
    for e in range(Y.shape[0]):
        for k in range(Y.shape[1]):
            o_delta_over_n = dmse_do_out(O_out, Y, e, k) * do_out_do_in(O_out, e, k)
            total += o_delta_over_n * W2[j, k] * H_out[e, j] * (1 - H_out[e, j]) * X[e, i]
    return total


dmse_dw1_scalar = checked(
    dmse_dw1_scalar,
    X="e i",
    H_out="e j",
    O_out="e k",
    Y=OneHot("e k"),
    W2="j k",
    i=Index("i"),
    j=Index("j"),
)
