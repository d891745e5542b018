"""The series' training run and one gradient in PyTorch: eager mode, autograd, float64.

Kept apart from :mod:`bench.series` because PyTorch is only in the ``bench`` extra
(``pip install -e '.[bench]'``, which pins the CPU build ``torch==2.13.0``), not in the
test suite's dependencies. The benchmark run checks this implementation's weights against
the notebook loop's and stops if they differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from bench.series import Gradients, SeriesRun, Trained


def _mse_and_outputs(
    W1: torch.Tensor, W2: torch.Tensor, X: torch.Tensor, Y: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    O_out = torch.sigmoid(torch.sigmoid(X @ W1) @ W2)
    return ((O_out - Y) ** 2).sum() / (2 * Y.numel()), O_out


def torch_train(run: SeriesRun) -> Trained:
    """PyTorch eager: forward, ``loss.backward()``, ``torch.optim.SGD`` step, every epoch."""
    X, Y = torch.from_numpy(run.X), torch.from_numpy(run.Y)
    W1 = torch.tensor(run.W1, requires_grad=True)
    W2 = torch.tensor(run.W2, requires_grad=True)
    optimizer = torch.optim.SGD([W1, W2], lr=run.eta)
    labels = Y.argmax(dim=1)
    mse, accuracy = [], []
    for _epoch in range(run.epochs):
        optimizer.zero_grad()
        loss, O_out = _mse_and_outputs(W1, W2, X, Y)
        mse.append(loss.item())
        accuracy.append((O_out.argmax(dim=1) == labels).double().mean().item())
        loss.backward()
        optimizer.step()
    return Trained(W1.detach().numpy(), W2.detach().numpy(), np.array(mse), np.array(accuracy))


@contextmanager
def one_thread() -> Iterator[None]:
    """Run the block with one intra-op thread, then restore PyTorch's own setting.

    On these tiny tensors the second thread brings nothing and, when another process
    shares the two cores, its spinning costs several times the epoch (bench/README.md).
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def torch_train_one_thread(run: SeriesRun) -> Trained:
    """:func:`torch_train` with ``torch.set_num_threads(1)``."""
    with one_thread():
        return torch_train(run)


def torch_gradients_one_thread(
    X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray
) -> Gradients:
    """:func:`torch_gradients` with ``torch.set_num_threads(1)``."""
    with one_thread():
        return torch_gradients(X, Y, W1, W2)


def torch_gradients(X: np.ndarray, Y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> Gradients:
    """One forward and ``torch.autograd.grad`` pass from NumPy inputs (shared memory)."""
    W1_t = torch.tensor(W1, requires_grad=True)
    W2_t = torch.tensor(W2, requires_grad=True)
    loss, _ = _mse_and_outputs(W1_t, W2_t, torch.from_numpy(X), torch.from_numpy(Y))
    W1_update, W2_update = torch.autograd.grad(loss, (W1_t, W2_t))
    return Gradients(W1_update.numpy(), W2_update.numpy())
