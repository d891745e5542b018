"""Part 9 exercise: the input of one output node, for one flower.

Check it:  handbp check tutorials/exercises/part09_output_node_input.py:output_node_input
"""

import numpy as np


def output_node_input(H_out: np.ndarray, W2: np.ndarray, e: int, k: int) -> float:
    r"""Flower ``e``'s input into output node ``k``: :math:`o^{(e)}_{in,k} = \sum_j h^{(e)}_{out,j}\, w_{2,jk}`.

    ``H_out[e, j]`` is hidden node ``j``'s output for flower ``e``; ``W2[j, k]`` the weight
    from hidden node ``j`` to output node ``k``.
    """
    # Start: the term of hidden node j = 0 only.
    # Complete it: add up the terms of every hidden node j (there are W2.shape[0] of them).
    return H_out[e, 0] * W2[0, k]
