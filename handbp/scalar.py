"""Backpropagation one weight at a time (parts 9-12): explicit sums over examples.

These functions take the whole matrices plus indices and loop in plain Python, exactly
as the slides write the sums: ``e`` runs over examples (rows), ``i`` over inputs, ``j``
over hidden nodes, ``k`` over output nodes. They are slow on purpose; the matrix form in
:mod:`handbp.network` computes every entry at once and must agree with them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from handbp._validate import as_float_array, index, same_dtype, same_shape, unchecked


def _matrices(**arrays: ArrayLike) -> dict[str, np.ndarray]:
    checked = {name: as_float_array(value, name, ndim=2) for name, value in arrays.items()}
    same_dtype(**checked)
    return checked


def output_node_input(H_out: ArrayLike, W2: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 9, ``output_node_input``: :math:`o^{(e)}_{in,k} = \sum_j h^{(e)}_{out,j}\, w_{2,jk}`."""
    m = _matrices(H_out=H_out, W2=W2)
    H_out, W2 = m["H_out"], m["W2"]
    if H_out.shape[1] != W2.shape[0]:
        raise ValueError(
            f"H_out's columns (hidden nodes) must match W2's rows, "
            f"got H_out of shape {H_out.shape} and W2 of shape {W2.shape}"
        )
    e = index(e, "e", H_out.shape[0], "examples")
    k = index(k, "k", W2.shape[1], "output nodes")
    total = H_out.dtype.type(0)
    for j in range(W2.shape[0]):
        total += H_out[e, j] * W2[j, k]
    return total


def dmse_do_out(O_out: ArrayLike, Y: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 10, ``dmse_do_out``: :math:`\frac{\partial\mathrm{MSE}}{\partial o^{(e)}_{out,k}} = \frac{o^{(e)}_{out,k} - y^{(e)}_k}{N}`.

    The 1/2 of the MSE cancels the 2 from the square; :math:`N` = ``Y.size``.
    """
    m = _matrices(O_out=O_out, Y=Y)
    O_out, Y = m["O_out"], m["Y"]
    same_shape(O_out=O_out, Y=Y)
    e = index(e, "e", Y.shape[0], "examples")
    k = index(k, "k", Y.shape[1], "output nodes")
    return (O_out[e, k] - Y[e, k]) / Y.size


def do_out_do_in(O_out: ArrayLike, e: int, k: int) -> np.floating:
    r"""Part 10, ``do_out_do_in``: :math:`\frac{\partial o_{out}}{\partial o_{in}} = o_{out}(1 - o_{out})`, the sigmoid's derivative from its output."""
    O_out = _matrices(O_out=O_out)["O_out"]
    e = index(e, "e", O_out.shape[0], "examples")
    k = index(k, "k", O_out.shape[1], "output nodes")
    return O_out[e, k] * (1 - O_out[e, k])


def do_in_dw2(H_out: ArrayLike, e: int, j: int) -> np.floating:
    r"""Part 10, ``do_in_dw2``: :math:`\frac{\partial o^{(e)}_{in,k}}{\partial w_{2,jk}} = h^{(e)}_{out,j}`, the opposite, corresponding element."""
    H_out = _matrices(H_out=H_out)["H_out"]
    e = index(e, "e", H_out.shape[0], "examples")
    j = index(j, "j", H_out.shape[1], "hidden nodes")
    return H_out[e, j]


def dmse_dw2_scalar(
    H_out: ArrayLike, O_out: ArrayLike, Y: ArrayLike, j: int, k: int
) -> np.floating:
    r"""Part 10, ``dmse_dw2_scalar``: :math:`\frac{\partial\mathrm{MSE}}{\partial w_{2,jk}} = \frac{1}{N}\sum_e (o^{(e)}_{out,k} - y^{(e)}_k)\, o^{(e)}_{out,k}(1 - o^{(e)}_{out,k})\, h^{(e)}_{out,j}`.

    The multivariable chain rule of part 9: for every example, the product of the three
    factors of part 10, summed over the examples.
    """
    m = _matrices(H_out=H_out, O_out=O_out, Y=Y)
    H_out, O_out, Y = m["H_out"], m["O_out"], m["Y"]
    if H_out.shape[0] != Y.shape[0]:
        raise ValueError(
            f"H_out and Y must have one row per example, got {H_out.shape[0]} and {Y.shape[0]}"
        )
    j = index(j, "j", H_out.shape[1], "hidden nodes")
    k = index(k, "k", Y.shape[1], "output nodes")
    total = O_out.dtype.type(0)
    with unchecked():  # checked above; the factors need not check again per example
        for e in range(Y.shape[0]):
            total += (
                dmse_do_out(O_out, Y, e, k) * do_out_do_in(O_out, e, k) * do_in_dw2(H_out, e, j)
            )
    return total


def dmse_dw1_scalar(
    X: ArrayLike, H_out: ArrayLike, O_out: ArrayLike, Y: ArrayLike, W2: ArrayLike, i: int, j: int
) -> np.floating:
    r"""Part 12, ``dmse_dw1_scalar``: :math:`\frac{\partial\mathrm{MSE}}{\partial w_{1,ij}} = \frac{1}{N}\sum_e \sum_k O_{delta}[e,k]\, w_{2,jk}\, h^{(e)}_{out,j}(1 - h^{(e)}_{out,j})\, x^{(e)}_i`.

    :math:`\frac{1}{N} O_{delta}[e,k]` is written out as the product of part 10's first
    two factors; the weight :math:`w_{1,ij}` reaches the MSE through every output node k.
    """
    m = _matrices(X=X, H_out=H_out, O_out=O_out, Y=Y, W2=W2)
    X, H_out, O_out, Y, W2 = m["X"], m["H_out"], m["O_out"], m["Y"], m["W2"]
    rows = {"X": X.shape[0], "H_out": H_out.shape[0], "Y": Y.shape[0]}
    if len(set(rows.values())) > 1:
        raise ValueError(f"X, H_out and Y must have one row per example, got rows {rows}")
    if W2.shape != (H_out.shape[1], Y.shape[1]):
        raise ValueError(
            f"W2 must have shape (hidden nodes, output nodes) = {(H_out.shape[1], Y.shape[1])}, "
            f"got {W2.shape}"
        )
    i = index(i, "i", X.shape[1], "inputs")
    j = index(j, "j", H_out.shape[1], "hidden nodes")
    total = O_out.dtype.type(0)
    with unchecked():  # checked above; the factors need not check again per example
        for e in range(Y.shape[0]):
            for k in range(Y.shape[1]):
                o_delta_over_n = dmse_do_out(O_out, Y, e, k) * do_out_do_in(O_out, e, k)
                total += o_delta_over_n * W2[j, k] * H_out[e, j] * (1 - H_out[e, j]) * X[e, i]
    return total
