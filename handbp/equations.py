"""The catalogue: every equation id of the series -> part, LaTeX, function.

This is the one place that ties the series' slides to handbp's code. The tests, the
JAX verification and the tutorials all loop over :data:`CATALOGUE`, so an equation
without a function, a check or a tutorial fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from handbp import activations, descent, losses, network, pure, scalar


@dataclass(frozen=True)
class Equation:
    """One slide equation: its id, the series part, its LaTeX and the function computing it.

    ``symbol`` is the series' name for the quantity where it has one (``H_in``, ``O_delta``).
    """

    id: str
    part: int
    latex: str
    function: Callable[..., Any]
    symbol: str = ""

    @property
    def qualified_name(self) -> str:
        """Where the function lives, e.g. ``handbp.network.hidden_layer_inputs``."""
        return f"{self.function.__module__}.{self.function.__qualname__}"


_ENTRIES: tuple[Equation, ...] = (
    # Part 2 - feedforward explained
    Equation("weighted_sum", 2, r"\sum_i x_i\, w_i", pure.weighted_sum),
    Equation(
        "step_function",
        2,
        r"f(z) = 1 \text{ if } z \ge 2 \text{ else } 0",
        activations.step_function,
    ),
    Equation(
        "hidden_layer_inputs", 2, r"H_{in} = X W_1", network.hidden_layer_inputs, symbol="H_in"
    ),
    Equation(
        "hidden_layer_outputs",
        2,
        r"H_{out} = f(H_{in})",
        network.hidden_layer_outputs,
        symbol="H_out",
    ),
    Equation(
        "output_layer_inputs",
        2,
        r"O_{in} = H_{out} W_2",
        network.output_layer_inputs,
        symbol="O_in",
    ),
    Equation(
        "output_layer_outputs",
        2,
        r"O_{out} = f(O_{in})",
        network.output_layer_outputs,
        symbol="O_out",
    ),
    # Parts 3-4 - feedforward in pure Python
    Equation(
        "layer_outputs", 3, r"o^{(e)}_n = f\Big(\sum_i x^{(e)}_i\, w_{n,i}\Big)", pure.layer_outputs
    ),
    # Part 5 - feedforward with NumPy
    Equation(
        "feedforward",
        5,
        r"O_{out} = f\big(f(X W_1)\, W_2\big)",
        network.feedforward,
    ),
    # Part 6 - cost function and derivatives
    Equation(
        "mse",
        6,
        r"\mathrm{MSE} = \frac{1}{2N} \sum_e \sum_k \big(o^{(e)}_{out,k} - y^{(e)}_k\big)^2",
        losses.mse,
        symbol="MSE",
    ),
    Equation("square", 6, r"f(x) = x^2", descent.square),
    Equation("square_derivative", 6, r"f'(x) = 2x", descent.square_derivative),
    # Part 7 - gradient descent
    Equation(
        "gradient_descent_step",
        7,
        r"x \leftarrow x - \eta\, f'(x)",
        descent.gradient_descent_step,
    ),
    # Part 8 - chain rule and activation function
    Equation("chain_rule", 8, r"\frac{dz}{dx} = \frac{dz}{dy}\, \frac{dy}{dx}", descent.chain_rule),
    Equation("sigmoid", 8, r"\sigma(x) = \frac{1}{1 + e^{-x}}", activations.sigmoid),
    Equation(
        "sigmoid_derivative",
        8,
        r"\sigma'(x) = \sigma(x)\,\big(1 - \sigma(x)\big)",
        activations.sigmoid_derivative,
    ),
    # Part 9 - backpropagation with scalars
    Equation(
        "output_node_input",
        9,
        r"o^{(e)}_{in,k} = \sum_j h^{(e)}_{out,j}\, w_{2,jk}",
        scalar.output_node_input,
    ),
    # Part 10 - the three scalar factors
    Equation(
        "dmse_do_out",
        10,
        r"\frac{\partial \mathrm{MSE}}{\partial o^{(e)}_{out,k}} = \frac{o^{(e)}_{out,k} - y^{(e)}_k}{N}",
        scalar.dmse_do_out,
    ),
    Equation(
        "do_out_do_in",
        10,
        r"\frac{\partial o_{out}}{\partial o_{in}} = o_{out}\,(1 - o_{out})",
        scalar.do_out_do_in,
    ),
    Equation(
        "do_in_dw2",
        10,
        r"\frac{\partial o^{(e)}_{in,k}}{\partial w_{2,jk}} = h^{(e)}_{out,j}",
        scalar.do_in_dw2,
    ),
    Equation(
        "dmse_dw2_scalar",
        10,
        r"\frac{\partial \mathrm{MSE}}{\partial w_{2,jk}} = \frac{1}{N} \sum_e "
        r"\big(o^{(e)}_{out,k} - y^{(e)}_k\big)\, o^{(e)}_{out,k}\big(1 - o^{(e)}_{out,k}\big)\, "
        r"h^{(e)}_{out,j}",
        scalar.dmse_dw2_scalar,
    ),
    # Part 11 - matrix form for W2
    Equation(
        "output_layer_error",
        11,
        r"O_{error} = O_{out} - Y",
        network.output_layer_error,
        symbol="O_error",
    ),
    Equation(
        "output_layer_delta",
        11,
        r"O_{delta} = O_{error} \odot O_{out} \odot (1 - O_{out})",
        network.output_layer_delta,
        symbol="O_delta",
    ),
    Equation(
        "weights_2_update",
        11,
        r"W_{2,update} = \frac{\partial \mathrm{MSE}}{\partial W_2} = \frac{1}{N} H_{out}^T O_{delta}",
        network.weights_2_update,
        symbol="W2_update",
    ),
    # Part 12 - matrix form for W1
    Equation(
        "hidden_layer_error",
        12,
        r"H_{error} = O_{delta} W_2^T",
        network.hidden_layer_error,
        symbol="H_error",
    ),
    Equation(
        "hidden_layer_delta",
        12,
        r"H_{delta} = H_{error} \odot H_{out} \odot (1 - H_{out})",
        network.hidden_layer_delta,
        symbol="H_delta",
    ),
    Equation(
        "weights_1_update",
        12,
        r"W_{1,update} = \frac{\partial \mathrm{MSE}}{\partial W_1} = \frac{1}{N} X^T H_{delta}",
        network.weights_1_update,
        symbol="W1_update",
    ),
    Equation(
        "dmse_dw1_scalar",
        12,
        r"\frac{\partial \mathrm{MSE}}{\partial w_{1,ij}} = \frac{1}{N} \sum_e \sum_k "
        r"O_{delta}[e,k]\, w_{2,jk}\, h^{(e)}_{out,j}\big(1 - h^{(e)}_{out,j}\big)\, x^{(e)}_i",
        scalar.dmse_dw1_scalar,
    ),
    # Part 13 - backpropagation with NumPy
    Equation(
        "backpropagation",
        13,
        r"O_{delta} = (O_{out} - Y) \odot O_{out} \odot (1 - O_{out}),\ "
        r"H_{delta} = O_{delta} W_2^T \odot H_{out} \odot (1 - H_{out})",
        network.backpropagation,
    ),
    Equation(
        "weights_update",
        13,
        r"W_1 \leftarrow W_1 - \eta\, W_{1,update},\quad W_2 \leftarrow W_2 - \eta\, W_{2,update}",
        network.weights_update,
    ),
    # Part 14 - training
    Equation(
        "accuracy",
        14,
        r"\mathrm{accuracy} = \frac{1}{n} \sum_e \big[\arg\max_k O^{(e)}_{out,k} = \arg\max_k Y^{(e)}_k\big]",
        losses.accuracy,
    ),
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
