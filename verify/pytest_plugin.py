"""handbp's pytest plugin: check your own backward code from your own test suite.

Registered through the ``pytest11`` entry point (pyproject.toml), so ``pip install
handbp[verify]`` is all a test suite needs::

    def test_my_backprop(handbp_check):
        handbp_check.backprop(my_backprop)                      # the whole backward pass
        handbp_check.function("hidden_layer_delta", my_delta)   # one equation's function
        handbp_check.layer(affine_forward, affine_backward,      # any layer, forward once
                           {"x": ("N", "D"), "w": ("D", "M"), "b": ("M",)})
        handbp_check.net(my_backward, Net((4, 16, 3), ("relu", "softmax"), "cross_entropy"))

A failing check fails the test with the checker's table and diagnosis (no traceback
into verify). With hypothesis, check on drawn nets (:mod:`verify.strategies`)::

    from hypothesis import given
    from verify import strategies

    @strategies.CI
    @given(strategies.networks())
    def test_my_backprop_on_any_net(handbp_check, setup):
        handbp_check.backprop(my_backprop, nets=[setup])

JAX is imported when a check runs, not when pytest starts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest


class HandbpCheck:
    """The ``handbp_check`` fixture: checks that fail the test with the diagnosis table.

    ``options`` (``dtype``, ``sizes``, ``seed``, ``examples``, ``nets``) go to
    :func:`verify.check_function` / :func:`verify.check_backprop`; :meth:`net`'s
    (``dtype``, ``examples``, ``seed``, ``draws``, ``data``) to :func:`verify.check_net`.
    """

    def function(self, equation_id: str, function: Callable[..., Any], **options: Any) -> Any:
        """Check ``function`` as catalogue entry ``equation_id``; fail the test if it is wrong."""
        from verify.checker import check_function

        return _passed_or_fail(check_function(equation_id, function, **options))

    def layer(
        self,
        forward: Callable[..., Any],
        backward: Callable[..., Any],
        shapes: Mapping[str, Sequence[int | str]],
        **options: Any,
    ) -> Any:
        """Check a layer's ``backward`` against JAX's derivative of its ``forward``
        (:func:`verify.check_layer`); fail the test if it is wrong."""
        from verify.layer_check import check_layer

        return _passed_or_fail(check_layer(forward, backward, shapes, **options))

    def net(self, backward: Callable[..., Any], net: Any, **options: Any) -> Any:
        """Check a general net's ``backward(net, X, Y, params, forward)`` node by node
        (:func:`verify.check_net`); fail the test with its table and diagnosis if it is wrong."""
        from verify.net_check import check_net

        return _passed_or_fail(check_net(backward, net, **options))

    def backprop(self, function: Callable[..., Any], **options: Any) -> Any:
        """Check a backpropagation ``function(X, Y, W2, forward)``; fail the test if it is wrong."""
        from verify.checker import check_backprop

        return _passed_or_fail(check_backprop(function, **options))


def _passed_or_fail(result: Any) -> Any:
    if not result.passed:
        pytest.fail(f"handbp check failed:\n{result}", pytrace=False)
    return result


@pytest.fixture(scope="session")
def handbp_check() -> HandbpCheck:
    """Checks of your own backward code against JAX, failing the test with the diagnosis.

    Session-scoped (it holds no state), so that hypothesis tests may use it.
    """
    return HandbpCheck()
