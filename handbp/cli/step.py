"""``handbp step``: part 13, one gradient-descent step on the three flowers, every matrix."""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np

from handbp import data, network
from handbp.cli import options
from handbp.equations import CATALOGUE

MAX_DIGITS = 17
"""Significant digits that round-trip any float64: more would only print noise."""


def format_number(value: float | np.floating, digits: int | None) -> str:
    """``value`` with ``digits`` significant digits, or the shortest that round-trip."""
    if digits is None:
        return repr(float(value))
    return f"{float(value):.{digits}g}"


def format_array(array: np.ndarray, digits: int | None = None) -> str:
    """An array at full precision (the shortest digits that round-trip exactly), or rounded
    to ``digits`` significant digits."""
    if digits is None:
        return np.array2string(array, floatmode="unique", max_line_width=100, separator=", ")
    return np.array2string(
        array,
        max_line_width=100,
        separator=", ",
        formatter={"float_kind": lambda x: format_number(x, digits)},  # type: ignore[arg-type]
    )


def step_quantities(step: network.Step) -> list[tuple[str, str, np.ndarray]]:
    """(equation id, label, array) for every matrix of part 13, in the order computed."""
    rows: list[tuple[str, str, np.ndarray]] = []
    for eq_id, value in {**step.forward.as_dict(), **step.backward.as_dict()}.items():
        rows.append((eq_id, CATALOGUE[eq_id].symbol, value))
    rows += [("weights_update", "W1 (after)", step.after.W1)]
    rows += [("weights_update", "W2 (after)", step.after.W2)]
    return rows


def run(args: argparse.Namespace) -> int:
    """Compute the step and print it as text or JSON."""
    flowers = data.three_flowers(args.variant, args.dtype)
    weights = network.initial_weights(args.seed, dtype=args.dtype)
    step = network.gradient_descent_iteration(flowers.X, flowers.Y, *weights, args.eta)
    inputs = {"X": flowers.X, "Y": flowers.Y, "W1": weights.W1, "W2": weights.W2}
    if args.json:
        document: dict[str, Any] = {
            "setup": {
                "part": 13,
                "seed": args.seed,
                "eta": args.eta,
                "variant": args.variant,
                "dtype": args.dtype,
                "N": int(flowers.Y.size),
                "species": list(flowers.species),
            },
            "inputs": {name: value.tolist() for name, value in inputs.items()},
            "quantities": [
                {"id": eq_id, "name": label, "shape": list(value.shape), "value": value.tolist()}
                for eq_id, label, value in step_quantities(step)
            ],
            "mse_before": float(step.mse_before),
            "mse_after": float(step.mse_after),
        }
        print(json.dumps(document, indent=2))
        return 0
    digits = args.digits
    precision = "full precision" if digits is None else f"{digits} significant digits"
    print(
        f"Part 13: one gradient-descent step on the three flowers ({args.variant} data, "
        f"seed {args.seed}, eta {args.eta}, {args.dtype}, N = {flowers.Y.size}; "
        f"{precision})\n"
    )
    for name, value in inputs.items():
        print(f"{name}  shape {value.shape}\n{format_array(value, digits)}\n")
    for eq_id, label, value in step_quantities(step):
        print(f"{label}  [{eq_id}]  shape {value.shape}\n{format_array(value, digits)}\n")
    change = step.mse_after - step.mse_before
    print(f"MSE before the step: {format_number(step.mse_before, digits)}")
    print(f"MSE after the step:  {format_number(step.mse_after, digits)}")
    print(f"change:              {format_number(change, digits)}")
    return 0


def digit_count(text: str) -> int:
    """Significant digits: a whole number in 1 .. :data:`MAX_DIGITS`."""
    value = options.positive_int(text)
    if value > MAX_DIGITS:
        raise argparse.ArgumentTypeError(
            f"must be at most {MAX_DIGITS} (enough to round-trip any float64), got {value}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp step``."""
    parser = subparsers.add_parser(
        "step",
        help="reproduce part 13: one feedforward, backpropagation and update on three flowers",
        description="Reproduce part 13 of the series: on the three flowers, with the series' "
        "seeded initial weights, run one feedforward pass, one backpropagation pass and one "
        "gradient-descent step; print every intermediate matrix with its equation id and "
        "the MSE before and after the step, at full precision (or rounded with --digits).",
    )
    parser.add_argument(
        "--seed",
        type=options.seed,
        default=network.SERIES_SEED,
        help="seed of the initial weights (default: %(default)s)",
    )
    parser.add_argument(
        "--eta",
        "--learning-rate",
        dest="eta",
        type=options.positive_float,
        default=network.SERIES_ETA,
        help="learning rate (default: %(default)s)",
    )
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating-point type of data and weights (default: %(default)s)",
    )
    options.add_variant_option(parser)
    parser.add_argument(
        "--digits",
        type=digit_count,
        metavar="N",
        help=f"round the printed numbers to N significant digits (1 to {MAX_DIGITS}), e.g. to "
        "compare with the slides (default: the shortest digits that round-trip exactly; "
        "--json is never rounded)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=run)
