"""An independent plain-Python reference of the series' net, for tests.

Lists of floats, explicit loops and ``math.exp``: no NumPy and no handbp code, so that a
test comparing handbp with it compares two implementations, not one with itself.
Matrices are lists of rows.
"""

from __future__ import annotations

import math

Matrix = list[list[float]]


def to_lists(array) -> Matrix:
    """A 2-D array (or nested list) as a list of rows of Python floats."""
    return [[float(v) for v in row] for row in array]


def matmul(A: Matrix, B: Matrix) -> Matrix:
    return [
        [sum(A[r][i] * B[i][c] for i in range(len(B))) for c in range(len(B[0]))]
        for r in range(len(A))
    ]


def transpose(A: Matrix) -> Matrix:
    return [list(column) for column in zip(*A, strict=True)]


def sigmoid(x: float) -> float:
    # the two textbook forms, each used where its exponential cannot overflow
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    return math.exp(x) / (1.0 + math.exp(x))


def apply(f, A: Matrix) -> Matrix:
    return [[f(v) for v in row] for row in A]


def forward(X: Matrix, W1: Matrix, W2: Matrix) -> dict[str, Matrix]:
    H_in = matmul(X, W1)
    H_out = apply(sigmoid, H_in)
    O_in = matmul(H_out, W2)
    O_out = apply(sigmoid, O_in)
    return {"H_in": H_in, "H_out": H_out, "O_in": O_in, "O_out": O_out}


def mse(O_out: Matrix, Y: Matrix) -> float:
    N = len(Y) * len(Y[0])
    return sum((O_out[e][k] - Y[e][k]) ** 2 for e in range(len(Y)) for k in range(len(Y[0]))) / (
        2 * N
    )


def gradients(X: Matrix, Y: Matrix, W1: Matrix, W2: Matrix) -> tuple[Matrix, Matrix]:
    """dMSE/dW1 and dMSE/dW2 by the chain rule, one weight at a time."""
    f = forward(X, W1, W2)
    H_out, O_out = f["H_out"], f["O_out"]
    E, J, K, n_in = len(X), len(W2), len(W2[0]), len(X[0])
    N = E * K
    # dMSE/do_in[e][k] = (o - y)/N * o (1 - o)
    d_o_in = [
        [(O_out[e][k] - Y[e][k]) / N * O_out[e][k] * (1 - O_out[e][k]) for k in range(K)]
        for e in range(E)
    ]
    dW2 = [[sum(d_o_in[e][k] * H_out[e][j] for e in range(E)) for k in range(K)] for j in range(J)]
    d_h_in = [
        [
            sum(d_o_in[e][k] * W2[j][k] for k in range(K)) * H_out[e][j] * (1 - H_out[e][j])
            for j in range(J)
        ]
        for e in range(E)
    ]
    dW1 = [[sum(d_h_in[e][j] * X[e][i] for e in range(E)) for j in range(J)] for i in range(n_in)]
    return dW1, dW2
