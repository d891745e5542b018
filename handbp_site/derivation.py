"""The derivation of backpropagation, parts 9-12 of the series, on one printable page.

The words are written here, step by step; every equation is the catalogue's LaTeX
(:data:`handbp.equations.CATALOGUE`), so a changed equation changes this page too, and an
equation of parts 9-12 without a step here stops the build.
"""

from __future__ import annotations

from handbp.equations import CATALOGUE

PARTS = (9, 10, 11, 12)
"""The parts the page derives."""

INTRO = """\
# The derivation on one page

Backpropagation for the series' net, from one weight to the matrix form (parts 9-12).
The net computes, for each flower $e$, $H_{in} = X W_1$, $H_{out} = \\sigma(H_{in})$,
$O_{in} = H_{out} W_2$, $O_{out} = \\sigma(O_{in})$, and the cost
$\\mathrm{MSE} = \\frac{1}{2N} \\sum_e \\sum_k (o^{(e)}_{out,k} - y^{(e)}_k)^2$ with $N$ the
number of entries of $Y$ (flowers times output nodes). Indices: $e$ flowers, $i$ inputs,
$j$ hidden nodes, $k$ output nodes. Every equation below is the catalogue's, the one its
handbp function computes and `verify` checks; print this page for the whole argument on
paper (the theme's print layout drops the menus).
"""

PART_TITLES = {
    9: "Part 9 - one weight of $W_2$: the paths to the cost",
    10: "Part 10 - the three factors",
    11: "Part 11 - the output layer in matrix form",
    12: "Part 12 - the hidden layer in matrix form",
}

STEPS = {
    "output_node_input": (
        "A weight $w_{2,jk}$ reaches the cost through one output node's input, for every "
        "flower. That input sums hidden node outputs times their weights:"
    ),
    "dmse_do_out": (
        "Factor 1. Only one term of the MSE's double sum holds $o^{(e)}_{out,k}$; its "
        "derivative brings down the 2, which cancels the $\\frac{1}{2}$:"
    ),
    "do_out_do_in": (
        "Factor 2. $o_{out} = \\sigma(o_{in})$, so the factor is the sigmoid's derivative "
        "(part 8), taken from the output already computed:"
    ),
    "do_in_dw2": (
        "Factor 3. In the sum of part 9 only the term with $w_{2,jk}$ depends on it, and "
        "its factor is the hidden node's output:"
    ),
    "dmse_dw2_scalar": (
        "The chain rule multiplies the three factors along each path, and the weight "
        "reaches the cost once per flower, so the paths add up:"
    ),
    "output_layer_error": (
        "Written for all flowers and output nodes at once, factor 1 without its $1/N$ is "
        "the output layer's error:"
    ),
    "output_layer_delta": (
        "Times factor 2, entry by entry ($\\odot$), it becomes the output layer's delta, "
        "$N\\,\\partial\\mathrm{MSE}/\\partial O_{in}$:"
    ),
    "weights_2_update": (
        "Factor 3 and the sum over flowers are one matrix product: entry $(j, k)$ of "
        "$H_{out}^T O_{delta}$ is $\\sum_e h^{(e)}_{out,j}\\, O_{delta}[e,k]$. So the "
        "gradient for all of $W_2$ is"
    ),
    "hidden_layer_error": (
        "A weight $w_{1,ij}$ changes hidden node $j$, which feeds every output node $k$: "
        "the chain rule now also sums over $k$. Going back through $O_{in} = H_{out} W_2$ "
        "multiplies each output delta by the weight it came through and adds them up, a "
        "product with $W_2^T$:"
    ),
    "hidden_layer_delta": (
        "Through the hidden layer's sigmoid, as $O_{delta}$ went through the output layer's:"
    ),
    "weights_1_update": (
        "The last link, $\\partial h^{(e)}_{in,j} / \\partial w_{1,ij} = x^{(e)}_i$, and the "
        "sum over flowers make one more matrix product:"
    ),
    "dmse_dw1_scalar": (
        "The same gradient written one weight at a time, summing over flowers and output "
        "nodes, is what the matrix form computes for every $(i, j)$ at once:"
    ),
}

CLOSING = """\
## What the two layers share

Both gradients are "the layer's input, transposed, times the layer's delta, over $N$":
$W_{2,update} = \\frac{1}{N} H_{out}^T O_{delta}$ and $W_{1,update} = \\frac{1}{N} X^T
H_{delta}$. A delta is the error arriving at the layer's output times the derivative of
its activation; the error arriving at the hidden layer is the output delta sent back
through $W_2^T$. Part 13 takes the step $W \\leftarrow W - \\eta\\, W_{update}$ with both.
"""


def derivation_page() -> str:
    """The page: the catalogue's equations of parts 9-12, in order, each after its step."""
    entries = [entry for entry in CATALOGUE.values() if entry.part in PARTS]
    missing = [entry.id for entry in entries if entry.id not in STEPS]
    if missing:
        raise ValueError(f"the derivation page has no step for {missing}: add them to STEPS")
    lines = [INTRO]
    part = None
    for entry in entries:
        if entry.part != part:
            part = entry.part
            lines += [f"## {PART_TITLES[part]}", ""]
        lines += [
            STEPS[entry.id],
            "",
            f"$$\n{entry.latex}\n$$",
            "",
            f"(`{entry.id}`, computed by {{py:func}}`{entry.qualified_name}`)",
            "",
        ]
    lines.append(CLOSING)
    return "\n".join(lines)
