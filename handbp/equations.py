"""The catalogue: every equation id of the series -> part, LaTeX, function.

This is the one place that ties the series' slides to handbp's code. The tests, the
JAX verification and the tutorials all loop over :data:`CATALOGUE`, so an equation
without a function, a check or a tutorial fails the suite.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from handbp import activations, descent, losses, network, pure, scalar

_HEADLINE = re.compile(r"^Parts? (?P<part>\d+)\S*, ``(?P<id>\w+)``: .*?:math:`(?P<latex>[^`]+)`")


@dataclass(frozen=True)
class Equation:
    """One slide equation: its id, the series part, its LaTeX and the function computing it.

    The id, part and LaTeX are read from the first line of the function's docstring,
    ``Part N, ``id``: :math:`LaTeX` ...``, so that a learner reading the function and the
    catalogue reads one text. ``symbol`` is the series' name for the quantity where it
    has one (``H_in``, ``O_delta``).
    """

    id: str
    part: int
    latex: str
    function: Callable[..., Any]
    symbol: str = ""

    @classmethod
    def of(cls, function: Callable[..., Any], symbol: str = "") -> Equation:
        """The entry of ``function``, from its docstring's first line."""
        headline = (function.__doc__ or "").strip().splitlines()[0]
        found = _HEADLINE.match(headline)
        if found is None or found["id"] != function.__name__:
            raise ValueError(
                f"{function.__module__}.{function.__qualname__}'s docstring must start "
                f"'Part N, ``{function.__name__}``: ... :math:`LaTeX`', got {headline!r}"
            )
        return cls(found["id"], int(found["part"]), found["latex"], function, symbol)

    @property
    def qualified_name(self) -> str:
        """Where the function lives, e.g. ``handbp.network.hidden_layer_inputs``."""
        return f"{self.function.__module__}.{self.function.__qualname__}"


_ENTRIES: tuple[Equation, ...] = (
    # Part 2 - feedforward explained
    Equation.of(pure.weighted_sum),
    Equation.of(activations.step_function),
    Equation.of(network.hidden_layer_inputs, symbol="H_in"),
    Equation.of(network.hidden_layer_outputs, symbol="H_out"),
    Equation.of(network.output_layer_inputs, symbol="O_in"),
    Equation.of(network.output_layer_outputs, symbol="O_out"),
    # Parts 3-4 - feedforward in pure Python
    Equation.of(pure.layer_outputs),
    # Part 5 - feedforward with NumPy
    Equation.of(network.feedforward),
    # Part 6 - cost function and derivatives
    Equation.of(losses.mse, symbol="MSE"),
    Equation.of(descent.square),
    Equation.of(descent.square_derivative),
    # Part 7 - gradient descent
    Equation.of(descent.gradient_descent_step),
    # Part 8 - chain rule and activation function
    Equation.of(descent.chain_rule),
    Equation.of(activations.sigmoid),
    Equation.of(activations.sigmoid_derivative),
    # Part 9 - backpropagation with scalars
    Equation.of(scalar.output_node_input),
    # Part 10 - the three scalar factors
    Equation.of(scalar.dmse_do_out),
    Equation.of(scalar.do_out_do_in),
    Equation.of(scalar.do_in_dw2),
    Equation.of(scalar.dmse_dw2_scalar),
    # Part 11 - matrix form for W2
    Equation.of(network.output_layer_error, symbol="O_error"),
    Equation.of(network.output_layer_delta, symbol="O_delta"),
    Equation.of(network.weights_2_update, symbol="W2_update"),
    # Part 12 - matrix form for W1
    Equation.of(network.hidden_layer_error, symbol="H_error"),
    Equation.of(network.hidden_layer_delta, symbol="H_delta"),
    Equation.of(network.weights_1_update, symbol="W1_update"),
    Equation.of(scalar.dmse_dw1_scalar),
    # Part 13 - backpropagation with NumPy
    Equation.of(network.backpropagation),
    Equation.of(network.weights_update),
    # Part 14 - training
    Equation.of(losses.accuracy),
)

CATALOGUE: dict[str, Equation] = {entry.id: entry for entry in _ENTRIES}
"""Every equation id -> :class:`Equation`, in the series' order."""


def equation(equation_id: str) -> Equation:
    """The catalogue entry for ``equation_id``; a ``ValueError`` naming it if unknown."""
    try:
        return CATALOGUE[equation_id]
    except KeyError:
        raise ValueError(
            f"unknown equation id {equation_id!r}; `handbp equations` lists the "
            f"{len(CATALOGUE)} known ids"
        ) from None


def by_part(part: int) -> Iterator[Equation]:
    """The catalogue entries of one part of the series, in order."""
    return (entry for entry in _ENTRIES if entry.part == part)
