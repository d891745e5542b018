"""The ``handbp`` command.

Subcommands of handbp itself (NumPy only) are defined here. Packages that need more,
like ``verify`` (JAX), add theirs through the ``handbp.commands`` entry-point group:
each entry point names a function ``register(subparsers)``. handbp never imports them
by name, so ``handbp step`` runs without JAX installed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

import numpy as np

from handbp import data, network
from handbp.equations import CATALOGUE

SERIES_SEED = 10
SERIES_ETA = 0.1


def _format_array(array: np.ndarray) -> str:
    """An array at full precision: the shortest digits that round-trip exactly."""
    return np.array2string(array, floatmode="unique", max_line_width=100, separator=", ")


def _step_quantities(step: network.Step) -> list[tuple[str, str, np.ndarray]]:
    """(equation id, label, array) for every matrix of part 13, in the order computed."""
    rows: list[tuple[str, str, np.ndarray]] = []
    for eq_id, value in {**step.forward.as_dict(), **step.backward.as_dict()}.items():
        rows.append((eq_id, CATALOGUE[eq_id].symbol, value))
    rows += [("weights_update", "W1 (after)", step.after.W1)]
    rows += [("weights_update", "W2 (after)", step.after.W2)]
    return rows


def _run_step(args: argparse.Namespace) -> int:
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
                for eq_id, label, value in _step_quantities(step)
            ],
            "mse_before": float(step.mse_before),
            "mse_after": float(step.mse_after),
        }
        print(json.dumps(document, indent=2))
        return 0
    print(
        f"Part 13: one gradient-descent step on the three flowers ({args.variant} data, "
        f"seed {args.seed}, eta {args.eta}, {args.dtype}, N = {flowers.Y.size})\n"
    )
    for name, value in inputs.items():
        print(f"{name}  shape {value.shape}\n{_format_array(value)}\n")
    for eq_id, label, value in _step_quantities(step):
        print(f"{label}  [{eq_id}]  shape {value.shape}\n{_format_array(value)}\n")
    change = step.mse_after - step.mse_before
    print(f"MSE before the step: {step.mse_before}")
    print(f"MSE after the step:  {step.mse_after}")
    print(f"change:              {change}")
    return 0


def _run_equations(args: argparse.Namespace) -> int:
    entries = [e for e in CATALOGUE.values() if args.part is None or e.part == args.part]
    if args.json:
        print(
            json.dumps(
                [
                    {"id": e.id, "part": e.part, "latex": e.latex, "function": e.qualified_name}
                    for e in entries
                ],
                indent=2,
            )
        )
        return 0
    width = max(len(e.id) for e in CATALOGUE.values())
    print(f"{'id':<{width}}  part  LaTeX")
    for entry in entries:
        print(f"{entry.id:<{width}}  {entry.part:>4}  {entry.latex}")
    return 0


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--variant",
        choices=data.VARIANTS,
        default=data.SERIES_VARIANT,
        help="Iris variant: 'uci' (the UCI/Kaggle copy the series loaded) or 'fisher' "
        "(Fisher's values, as in R and scikit-learn) (default: %(default)s)",
    )


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return value


def _register_step(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "step",
        help="reproduce part 13: one feedforward, backpropagation and update on three flowers",
        description="Reproduce part 13 of the series: on the three flowers, with the series' "
        "seeded initial weights, run one feedforward pass, one backpropagation pass and one "
        "gradient-descent step; print every intermediate matrix with its equation id and "
        "the MSE before and after the step, at full precision.",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=SERIES_SEED,
        help="seed of the initial weights (default: %(default)s)",
    )
    parser.add_argument(
        "--eta",
        "--learning-rate",
        dest="eta",
        type=_positive_float,
        default=SERIES_ETA,
        help="learning rate (default: %(default)s)",
    )
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating-point type of data and weights (default: %(default)s)",
    )
    _add_data_options(parser)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.set_defaults(func=_run_step)


def _register_equations(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "equations",
        help="list the equation catalogue (id, part, LaTeX)",
        description="List every equation of the series that handbp implements: its id, "
        "the series part and its LaTeX.",
    )
    parser.add_argument("--part", type=int, help="only the equations of this part")
    parser.add_argument(
        "--json", action="store_true", help="print JSON (with each function's import path)"
    )
    parser.set_defaults(func=_run_equations)


def build_parser() -> argparse.ArgumentParser:
    """The ``handbp`` argument parser, with the commands of installed plugins."""
    parser = argparse.ArgumentParser(
        prog="handbp",
        description="Hand-derived backpropagation, one function per slide equation, "
        "proven against JAX autodiff.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    _register_step(subparsers)
    _register_equations(subparsers)
    for plugin in sorted(entry_points(group="handbp.commands"), key=lambda ep: ep.name):
        plugin.load()(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``handbp`` console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except BrokenPipeError:  # e.g. `handbp step | head`: the reader left, that is fine
        sys.stdout = open(os.devnull, "w")  # so that the flush at exit does not fail too
        return 0
    except (ValueError, TypeError, OSError) as error:
        print(f"handbp {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
