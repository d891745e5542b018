"""``handbp train``: part 14, train the net on Iris, print the figures, write the results."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from handbp import data, training
from handbp.cli import options, train_fit

DEFAULT_PRESET = "run1-15000"
"""The series' run `handbp train` makes when no preset or net options are given."""

SETUP_OPTIONS: dict[str, tuple[str, str]] = {
    "epochs": ("epochs", "epochs"),
    "eta": ("eta", "eta"),
    "hidden": ("n_hidden", "hidden nodes"),
    "seed": ("weight_seed", "weight seed"),
    "split_seed": ("split_seed", "split seed S"),
    "test_size": ("test_size", "test flowers"),
    "validation_size": ("validation_size", "validation flowers"),
    "variant": ("variant", "data"),
    "dtype": ("dtype", "dtype"),
}
"""The options of `handbp train` that change a preset: option dest -> (RunSetup field, name)."""


def stopping_rules(args: argparse.Namespace) -> list[training.StoppingRule]:
    """The stopping rules the options ask for, in the order of the options' help."""
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


def describe_changes(before: training.RunSetup, after: training.RunSetup) -> str:
    """``"eta 0.5 (preset: 0.1), hidden nodes 3 (preset: 2)"``: what options changed."""
    changed = []
    for field, name in SETUP_OPTIONS.values():
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            changed.append(
                f"{name} {new:g} (preset: {old:g})"
                if field == "eta"
                else f"{name} {new} (preset: {old})"
            )
    return ", ".join(changed)


def run(args: argparse.Namespace) -> int:
    """Train the chosen setup, print the figures and write the results."""
    if args.list_presets:
        print("the series' net on Iris (part 14):")
        for name, entry in training.PRESETS.items():
            print(f"  {name:<20} {entry.description}")
        print("any net by mini-batches (--data digits):")
        for name, fit_entry in training.FIT_PRESETS.items():
            print(f"  {name:<20} {fit_entry.description}")
        return 0
    if train_fit.wanted(args):
        return train_fit.run(args)
    chosen = training.preset(args.preset or DEFAULT_PRESET)
    changes = {
        field: getattr(args, option)
        for option, (field, _) in SETUP_OPTIONS.items()
        if getattr(args, option) is not None
    }
    if args.early_stopping is not None and args.validation_size is None:
        changes["validation_size"] = 20
    setup = dataclasses.replace(chosen.setup, **changes)
    name = chosen.name if setup == chosen.setup else f"{chosen.name}-custom"
    rules = stopping_rules(args)
    divergence = training.Divergence(args.runaway)
    output = options.output_dir(args.output_dir, name)
    if name == chosen.name:
        print(f"{name}: {chosen.description}")
    else:
        print(f"{name}: preset {chosen.name} with {describe_changes(chosen.setup, setup)}")
    held = f", {setup.validation_size} validation" if setup.validation_size else ""
    print(
        f"Iris ({setup.variant}): {150 - setup.test_size - setup.validation_size} training"
        f"{held}, {setup.test_size} test flowers; net {setup.sizes}; eta {setup.eta:g}; "
        f"at most {setup.epochs} epochs; {setup.dtype}"
    )
    bar = options.ProgressBar(sys.stderr) if not args.quiet and sys.stderr.isatty() else None
    try:
        result = training.run_setup(setup, rules, divergence, bar)
    except training.TrainingDiverged as error:
        if bar is not None:
            bar.finish(None)
        print(f"handbp train: {error}; nothing was written", file=sys.stderr)
        return 1
    stop = result.training.history.stop
    final_train = result.final["train"]
    if bar is not None:
        bar.finish(
            training.Progress(stop.epoch + 1, setup.epochs, final_train.mse, final_train.accuracy)
        )
    print(f"stopped: {stop.message}\n")
    train_fit.print_findings(result.training.history)
    options.print_figures(result.final)
    print()
    test = result.final["test"]
    options.print_confusion(test.confusion, f"test set ({test.examples} flowers)")
    paths = training.write_run(output, result, name)
    print(f"\nwrote {output}{os.sep}: {' '.join(os.path.basename(p) for p in paths)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp train``."""
    parser = subparsers.add_parser(
        "train",
        help="train a net (the series' on Iris, or any on the digits), save weights and plots",
        description="Train the series' net on Iris by full-batch gradient descent (part 14), "
        "or any net on the digits (or Iris) by mini-batches with SGD, momentum or Adam "
        "(--data digits, --net, --optimizer, ...). A preset reproduces one of the series' "
        "runs or an instructive digits run; the options below change it. Prints the final "
        "figures, what went wrong if anything did, and the test confusion matrix, and "
        "writes the history, a summary, the curves and the weights to the output directory.",
    )
    parser.add_argument(
        "--preset",
        choices=[*training.PRESETS, *training.FIT_PRESETS],
        metavar="NAME",
        help=f"one of the series' runs ({', '.join(training.PRESETS)}; default "
        f"{DEFAULT_PRESET}) or of the digits runs ({', '.join(training.FIT_PRESETS)}; "
        f"default with --data digits: {train_fit.DEFAULT_PRESET})",
    )
    parser.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    setup = parser.add_argument_group("the run (default: the preset's)")
    setup.add_argument(
        "--epochs", type=options.positive_int, metavar="N", help="epochs to run, at most"
    )
    setup.add_argument(
        "--eta", "--learning-rate", dest="eta", type=options.positive_float, help="learning rate"
    )
    setup.add_argument(
        "--hidden", type=options.positive_int, metavar="H", help="hidden nodes (the 2 of 4-2-3)"
    )
    setup.add_argument("--seed", type=options.seed, metavar="N", help="seed of the initial weights")
    setup.add_argument(
        "--split-seed", type=options.seed, metavar="S", help="seed S of the train/test split"
    )
    setup.add_argument(
        "--test-size", type=options.positive_int, metavar="N", help="flowers in the test set"
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
        "--target-mse", type=options.positive_float, metavar="X", help="stop once the MSE <= X"
    )
    stopping.add_argument(
        "--target-accuracy",
        type=options.share,
        metavar="A",
        help="stop once the training accuracy >= A (0 to 1)",
    )
    stopping.add_argument(
        "--plateau",
        type=options.positive_int,
        metavar="WINDOW",
        help="stop when the MSE improved by less than --plateau-tolerance over WINDOW epochs",
    )
    stopping.add_argument(
        "--plateau-tolerance",
        metavar="TOL",
        type=options.positive_float,
        default=1e-4,
        help="relative improvement that counts as a plateau (default: %(default)s)",
    )
    stopping.add_argument(
        "--early-stopping",
        type=options.positive_int,
        metavar="PATIENCE",
        help="stop when the validation MSE has not improved for PATIENCE epochs and "
        "restore the best weights",
    )
    stopping.add_argument(
        "--validation-size",
        metavar="N",
        type=options.positive_int,
        help="training flowers held out for --early-stopping (default with it: 20)",
    )
    stopping.add_argument(
        "--runaway",
        metavar="FACTOR",
        type=options.above_one,
        default=training.Divergence.runaway,
        help="diverged when the MSE exceeds this many times its lowest value "
        "(default: %(default)s)",
    )
    train_fit.add_options(parser)
    parser.add_argument(
        "--output-dir",
        metavar="DIR",
        help="where to write the results (default: handbp-runs/<preset>); checked for "
        "writing before training starts",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)
