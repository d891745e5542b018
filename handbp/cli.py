"""The ``handbp`` command.

Subcommands of handbp itself (NumPy only) are defined here. Packages that need more,
like ``verify`` (JAX), add theirs through the ``handbp.commands`` entry-point group:
each entry point names a function ``register(subparsers)``. handbp never imports them
by name, so ``handbp step`` runs without JAX installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

import numpy as np

from handbp import data, descent, network, training
from handbp.equations import CATALOGUE, by_part


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
    entries = list(CATALOGUE.values() if args.part is None else by_part(args.part))
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
        default=network.SERIES_SEED,
        help="seed of the initial weights (default: %(default)s)",
    )
    parser.add_argument(
        "--eta",
        "--learning-rate",
        dest="eta",
        type=_positive_float,
        default=network.SERIES_ETA,
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


# --- handbp train / evaluate / descent (part 14 and part 7) ---------------------------------


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _positive_int(text: str) -> int:
    value = _whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    value = _whole_number(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"a seed must be in 0..2**32 - 1, got {value}")
    return value


def _share(text: str) -> float:
    value = _positive_float(text)
    if value > 1:
        raise argparse.ArgumentTypeError(f"must be a share in (0, 1], e.g. 0.95, got {text}")
    return value


class _ProgressBar:
    """Epoch, MSE and accuracy on one line of stderr, redrawn with a carriage return."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream, self.width, self.drawn = stream, width, False

    def __call__(self, progress: training.Progress) -> None:
        filled = self.width * progress.epoch // progress.epochs
        digits = len(str(progress.epochs))
        self.stream.write(
            f"\repoch {progress.epoch:>{digits}}/{progress.epochs} "
            f"[{'#' * filled}{'.' * (self.width - filled)}] "
            f"MSE {progress.mse:.6f}  accuracy {progress.accuracy:.4f}"
        )
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


# The options of `handbp train` that change a preset's setup: option dest -> Setup field.
_SETUP_OPTIONS = {
    "epochs": "epochs",
    "eta": "eta",
    "hidden": "n_hidden",
    "seed": "weight_seed",
    "split_seed": "split_seed",
    "test_size": "test_size",
    "validation_size": "validation_size",
    "variant": "variant",
    "dtype": "dtype",
}


def _train_rules(args: argparse.Namespace) -> list[training.StoppingRule]:
    rules: list[training.StoppingRule] = []
    if args.target_mse is not None:
        rules.append(training.TargetMSE(args.target_mse))
    if args.target_accuracy is not None:
        rules.append(training.TargetAccuracy(args.target_accuracy))
    if args.plateau is not None:
        rules.append(training.Plateau(args.plateau, args.plateau_tolerance))
    if args.early_stopping is not None:
        rules.append(training.EarlyStopping(args.early_stopping))
    return rules


def _print_confusion(confusion: np.ndarray, title: str) -> None:
    names = [species.removeprefix("Iris-") for species in data.SPECIES]
    width = max(len(name) for name in names) + 2
    print(f"confusion matrix, {title}; rows: true species, columns: predicted")
    print(" " * width + "".join(f"{name:>{width}}" for name in names))
    for name, row in zip(names, confusion, strict=True):
        print(f"{name:<{width}}" + "".join(f"{count:>{width}}" for count in row))


def _print_figures(final: dict[str, training.Evaluation]) -> None:
    print(f"{'':<12}{'MSE':>10}  accuracy")
    for name, figures in final.items():
        correct = int(np.trace(figures.confusion))
        print(
            f"{name:<12}{figures.mse:>10.6f}  {figures.accuracy:.4f}  "
            f"({correct}/{figures.examples} flowers)"
        )


def _run_train(args: argparse.Namespace) -> int:
    if args.list_presets:
        for name, entry in training.PRESETS.items():
            print(f"{name:<12} {entry.description}")
        return 0
    chosen = training.preset(args.preset)
    changes = {
        field: getattr(args, option)
        for option, field in _SETUP_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.early_stopping is not None and args.validation_size is None:
        changes["validation_size"] = 20
    setup = dataclasses.replace(chosen.setup, **changes)
    name = chosen.name if setup == chosen.setup else f"{chosen.name}-custom"
    rules = _train_rules(args)
    divergence = training.Divergence(args.runaway)
    output = args.output_dir or os.path.join("handbp-runs", name)
    if os.path.exists(output) and not os.path.isdir(output):
        raise ValueError(f"output directory {output!r} exists and is not a directory")
    held = f", {setup.validation_size} validation" if setup.validation_size else ""
    print(f"{name}: {chosen.description}" if name == chosen.name else f"{name}: {setup}")
    print(
        f"Iris ({setup.variant}): {150 - setup.test_size - setup.validation_size} training"
        f"{held}, {setup.test_size} test flowers; net {setup.sizes}; eta {setup.eta:g}; "
        f"at most {setup.epochs} epochs; {setup.dtype}"
    )
    bar = _ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    try:
        run = training.run_setup(setup, rules, divergence, bar)
    except training.TrainingDiverged as error:
        if bar is not None:
            bar.close()
        print(f"handbp train: {error}; nothing was written", file=sys.stderr)
        return 1
    if bar is not None:
        bar.close()
    stop = run.training.history.stop
    print(f"stopped: {stop.message}\n")
    _print_figures(run.final)
    print()
    _print_confusion(
        run.final["test"].confusion, f"test set ({run.final['test'].examples} flowers)"
    )
    paths = training.write_run(output, run, name)
    print(f"\nwrote {output}{os.sep}: {' '.join(os.path.basename(p) for p in paths)}")
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    weights, metadata = training.load_weights(args.weights)
    n_in, n_out = weights.W1.shape[0], weights.W2.shape[1]
    if (n_in, n_out) != (len(data.FEATURES), len(data.SPECIES)):
        raise ValueError(
            f"the weights in {args.weights!r} are for a {n_in}-{weights.W1.shape[1]}-{n_out} "
            f"net; Iris needs {len(data.FEATURES)} inputs and {len(data.SPECIES)} outputs"
        )
    recorded = {
        "split_seed": metadata.get("split_seed", training.Setup.split_seed),
        "test_size": metadata.get("test_size", training.Setup.test_size),
        "variant": metadata.get("variant", data.SERIES_VARIANT),
    }
    chosen = {
        key: value if getattr(args, key) is None else getattr(args, key)
        for key, value in recorded.items()
    }
    for key in ("split_seed", "test_size"):
        if isinstance(chosen[key], bool) or not isinstance(chosen[key], int):
            raise ValueError(f"{key} in {args.weights!r} must be an integer, got {chosen[key]!r}")
    iris = data.load_iris(str(chosen["variant"]), weights.W1.dtype)
    split = data.train_test_split(iris, int(chosen["test_size"]), seed=int(chosen["split_seed"]))
    source = (
        "as saved with the weights"
        if all(key in metadata and getattr(args, key) is None for key in recorded)
        else "from the options and defaults"
    )
    print(
        f"{args.weights}: {n_in}-{weights.W1.shape[1]}-{n_out} net, {weights.W1.dtype}; "
        f"test split S = {chosen['split_seed']}, {chosen['test_size']} flowers, "
        f"{chosen['variant']} data ({source})\n"
    )
    final = {
        "train": training.evaluate(split.train.X, split.train.Y, *weights),
        "test": training.evaluate(split.test.X, split.test.Y, *weights),
    }
    _print_figures(final)
    print()
    _print_confusion(final["test"].confusion, f"test set ({final['test'].examples} flowers)")
    return 0


def _run_descent(args: argparse.Namespace) -> int:
    from handbp import plots

    runs = descent.learning_rate_experiments(args.x0)
    print(f"Part 7: gradient descent x <- x - eta * 2x on f(x) = x^2, from x = {args.x0:g}\n")
    print(f"{'eta':>6}  {'steps':>5}  {'what happens':<28}  {'x after':>12}  {'f(x) after':>12}")
    for run in runs:
        x = float(run.path[-1])
        print(f"{run.eta:>6g}  {run.steps:>5}  {run.label:<28}  {x:>12.6g}  {x * x:>12.6g}")
    figure = plots.plot_descent(runs)
    directory = os.path.dirname(os.path.abspath(args.output))
    handle, temporary = tempfile.mkstemp(suffix=".png", dir=directory)
    os.close(handle)
    try:
        plots.save_figure(figure, temporary)
        os.replace(temporary, args.output)
    except BaseException:
        os.unlink(temporary)
        raise
    print(f"\nwrote {args.output}")
    return 0


def _register_train(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "train",
        help="part 14: train the net on Iris, watch the curves, save weights and plots",
        description="Train the series' net on Iris by full-batch gradient descent (part 14). "
        "A preset reproduces one of the series' runs; the options below change it. Prints "
        "the final MSE, accuracy and test confusion matrix and writes history.csv, "
        "summary.json, mse.png, accuracy.png and weights.npz to the output directory.",
    )
    parser.add_argument(
        "--preset",
        choices=list(training.PRESETS),
        default="run1-15000",
        metavar="NAME",
        help=f"one of the series' runs: {', '.join(training.PRESETS)} (default: %(default)s)",
    )
    parser.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    setup = parser.add_argument_group("the run (default: the preset's)")
    setup.add_argument("--epochs", type=_positive_int, metavar="N", help="epochs to run, at most")
    setup.add_argument(
        "--eta", "--learning-rate", dest="eta", type=_positive_float, help="learning rate"
    )
    setup.add_argument(
        "--hidden", type=_positive_int, metavar="H", help="hidden nodes (the 2 of 4-2-3)"
    )
    setup.add_argument("--seed", type=_seed, metavar="N", help="seed of the initial weights")
    setup.add_argument(
        "--split-seed", type=_seed, metavar="S", help="seed S of the train/test split"
    )
    setup.add_argument(
        "--test-size", type=_positive_int, metavar="N", help="flowers in the test set"
    )
    setup.add_argument(
        "--variant",
        choices=data.VARIANTS,
        help="Iris variant: 'uci' (the UCI/Kaggle copy the series loaded, the presets' "
        "default) or 'fisher' (Fisher's values, as in R and scikit-learn)",
    )
    setup.add_argument("--dtype", choices=("float64", "float32"), help="float type")
    stopping = parser.add_argument_group(
        "stopping rules (combinable; training stops at the first that fires)"
    )
    stopping.add_argument(
        "--target-mse", type=_positive_float, metavar="X", help="stop once the MSE <= X"
    )
    stopping.add_argument(
        "--target-accuracy",
        type=_share,
        metavar="A",
        help="stop once the training accuracy >= A (0 to 1)",
    )
    stopping.add_argument(
        "--plateau",
        type=_positive_int,
        metavar="WINDOW",
        help="stop when the MSE improved by less than --plateau-tolerance over WINDOW epochs",
    )
    stopping.add_argument(
        "--plateau-tolerance",
        metavar="TOL",
        type=_positive_float,
        default=1e-4,
        help="relative improvement that counts as a plateau (default: %(default)s)",
    )
    stopping.add_argument(
        "--early-stopping",
        type=_positive_int,
        metavar="PATIENCE",
        help="stop when the validation MSE has not improved for PATIENCE epochs and "
        "restore the best weights",
    )
    stopping.add_argument(
        "--validation-size",
        metavar="N",
        type=_positive_int,
        help="training flowers held out for --early-stopping (default with it: 20)",
    )
    stopping.add_argument(
        "--runaway",
        metavar="FACTOR",
        type=_positive_float,
        default=training.Divergence.runaway,
        help="diverged when the MSE exceeds this many times its lowest value "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help="where to write the results (default: handbp-runs/<preset>)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run_train)


def _register_evaluate(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "evaluate",
        help="accuracy and confusion matrix of saved weights on the test split",
        description="Load weights saved by `handbp train` (an .npz file with W1 and W2, "
        "read without pickle) and report MSE, accuracy and the test confusion matrix. "
        "The split is the one saved with the weights unless the options say otherwise.",
    )
    parser.add_argument("weights", help="the .npz file, e.g. handbp-runs/run1-15000/weights.npz")
    parser.add_argument("--split-seed", type=_seed, help="seed S of the train/test split")
    parser.add_argument("--test-size", type=_positive_int, help="flowers in the test set")
    parser.add_argument("--variant", choices=data.VARIANTS, help="Iris variant")
    parser.set_defaults(func=_run_evaluate)


def _register_descent(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "descent",
        help="part 7: gradient descent on x^2 with the series' four learning rates (PNG)",
        description="Part 7's picture: gradient descent on f(x) = x^2 from x = 5 with "
        "eta = 0.2 (ideal), 0.002 (too small: 10, 100, 1000 steps), 0.9 (overshoots) and "
        "1.1 (diverges). Prints where each run ends and draws the paths.",
    )
    parser.add_argument("--x0", type=float, default=5.0, help="start (default: %(default)s)")
    parser.add_argument(
        "--output", default="descent.png", help="PNG file to write (default: %(default)s)"
    )
    parser.set_defaults(func=_run_descent)


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
    _register_train(subparsers)
    _register_evaluate(subparsers)
    _register_descent(subparsers)
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
