"""The 64-128-10 ReLU/softmax/cross-entropy step in PyTorch: eager mode, autograd, float64.

What a PyTorch user writes: the forward pass on tensors that require gradients,
``torch.nn.functional.cross_entropy`` on the logits and class indices,
``loss.backward()`` and a ``torch.optim.SGD`` step. Kept apart from :mod:`bench.general`
because PyTorch is only in the ``bench`` extra.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from bench.general import StepProblem
from bench.torch_series import one_thread
from handbp import nn


def torch_step(p: StepProblem) -> Callable[[], nn.Params]:
    """A function that takes one SGD step of its own copy of ``p``'s parameters and
    returns them (as NumPy arrays sharing the tensors' memory)."""
    X, labels = torch.from_numpy(p.X), torch.from_numpy(p.labels)
    (W1, W2), (b1, b2) = (
        [torch.tensor(a, requires_grad=True) for a in arrays]
        for arrays in (p.params.weights, p.params.biases)
    )
    optimizer = torch.optim.SGD([W1, b1, W2, b2], lr=p.eta)

    def step() -> nn.Params:
        optimizer.zero_grad()
        logits = torch.relu(X @ W1 + b1) @ W2 + b2
        F.cross_entropy(logits, labels).backward()
        optimizer.step()
        return nn.Params(
            (W1.detach().numpy(), W2.detach().numpy()), (b1.detach().numpy(), b2.detach().numpy())
        )

    return step


def torch_step_one_thread(p: StepProblem) -> Callable[[], nn.Params]:
    """:func:`torch_step` run with ``torch.set_num_threads(1)`` for each call."""
    step = torch_step(p)

    def one() -> nn.Params:
        with one_thread():
            return step()

    return one
