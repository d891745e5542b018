"""``handbp descent``: part 7's four learning rates on x^2, as a table and a PNG."""

from __future__ import annotations

import argparse
from pathlib import Path

from handbp import descent
from handbp.cli import options

X0_LIMIT = 1e150
"""Largest |x0|: the diverging run (eta 1.1) grows |x| 1.2-fold a step, and x^2 must stay finite."""


def start(text: str) -> float:
    """``--x0``: a finite number no larger than :data:`X0_LIMIT` in size."""
    value = options.finite_float(text)
    if abs(value) > X0_LIMIT:
        raise argparse.ArgumentTypeError(
            f"must be within +-{X0_LIMIT:g} (x^2 along the diverging path must stay finite), "
            f"got {text}"
        )
    return value


def run(args: argparse.Namespace) -> int:
    """Print where each run ends and draw the paths."""
    from handbp import plots

    if not args.output:
        raise ValueError("--output must name a .png file, got ''")
    output = Path(args.output)
    folder = output.absolute().parent
    if not folder.is_dir():
        raise ValueError(f"--output {args.output!r}: there is no directory {str(output.parent)!r}")
    if output.is_dir():
        raise ValueError(f"--output {args.output!r} is a directory; expected a .png file name")
    options.check_writable(folder, "--output", args.output)
    runs = descent.learning_rate_experiments(args.x0)
    print(f"Part 7: gradient descent x <- x - eta * 2x on f(x) = x^2, from x = {args.x0:g}\n")
    print(f"{'eta':>6}  {'steps':>5}  {'what happens':<28}  {'x after':>12}  {'f(x) after':>12}")
    for entry in runs:
        x = float(entry.path[-1])
        print(f"{entry.eta:>6g}  {entry.steps:>5}  {entry.label:<28}  {x:>12.6g}  {x * x:>12.6g}")
    plots.save_figure(plots.plot_descent(runs), output)
    print(f"\nwrote {args.output}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp descent``."""
    parser = subparsers.add_parser(
        "descent",
        help="part 7: gradient descent on x^2 with the series' four learning rates (PNG)",
        description="Part 7's picture: gradient descent on f(x) = x^2 from x = 5 with "
        "eta = 0.2 (ideal), 0.002 (too small: 10, 100, 1000 steps), 0.9 (overshoots) and "
        "1.1 (diverges). Prints where each run ends and draws the paths.",
    )
    parser.add_argument("--x0", type=start, default=5.0, help="start (default: %(default)s)")
    parser.add_argument(
        "--output", default="descent.png", help="PNG file to write (default: %(default)s)"
    )
    parser.set_defaults(func=run)
