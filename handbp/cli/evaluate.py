"""``handbp evaluate``: saved weights on a test split, honestly labelled."""

from __future__ import annotations

import argparse
import dataclasses
import sys
import zlib
from pathlib import Path
from typing import Any
from zipfile import BadZipFile, ZipFile

import numpy as np

from handbp import data, training
from handbp.cli import options
from handbp.training.fitting import LOSS_LABELS

ZIP_MAGIC = b"PK\x03\x04"
"""The first bytes of a zip archive, which an .npz file is."""

NPY_MAGIC = b"\x93NUMPY"
"""The first bytes of a single .npy array."""

SPLIT_KEYS: tuple[str, ...] = ("split_seed", "test_size", "variant")
"""What a weights file saved by `handbp train` records about its split."""


def read_weights(path: str) -> training.LoadedWeights:
    """:func:`handbp.training.load_weights`, with every way a file can be broken a ValueError.

    ``load_weights`` reports most broken files itself; a file that is not an archive at
    all, or a truncated or corrupt ``.npz`` archive, is recognised first (:func:`check_archive`).
    """
    check_archive(path)
    return training.load_weights(path)


def check_archive(path: str) -> None:
    """Refuse a file that is not a whole ``.npz`` archive (or ``.npy`` array), with a ValueError."""
    where = f"weights file {path!r}"
    if not path:
        raise ValueError("the weights file must be a path to a weights.npz file, got ''")
    if Path(path).is_dir():
        raise ValueError(f"{where} is a directory; expected a weights.npz file")
    try:
        with open(path, "rb") as file:
            start = file.read(len(NPY_MAGIC))
    except OSError as error:
        raise ValueError(f"cannot read {where}: {error.strerror or error}") from error
    if not start:
        raise ValueError(f"cannot read {where}: it is empty")
    is_zip = start.startswith(ZIP_MAGIC)
    if not is_zip and start != NPY_MAGIC:
        raise ValueError(
            f"cannot read {where}: not a NumPy .npz archive (it starts with {start!r}); "
            "`handbp train` writes one as weights.npz"
        )
    if is_zip:
        # NumPy reports a truncated or corrupt archive as zipfile's BadZipFile (or zlib's
        # error) from deep inside np.load, and leaves the file open: test it whole first.
        try:
            with ZipFile(path) as archive:
                bad_member = archive.testzip()
            damaged = None if bad_member is None else f"{bad_member} fails its CRC check"
        except (BadZipFile, zlib.error, EOFError, OSError) as error:
            damaged = str(error)
        if damaged is not None:
            raise ValueError(
                f"cannot read {where}: a damaged or truncated .npz archive ({damaged})"
            )


def evaluate_net(args: argparse.Namespace) -> int:
    """Evaluate a net saved by a mini-batch run on the split recorded with it."""
    given = [key for key in SPLIT_KEYS if getattr(args, key) is not None]
    if given:
        flag = "--" + given[0].replace("_", "-")
        raise ValueError(
            f"{flag} is for the series' weights; {args.weights!r} holds a net trained by "
            f"`handbp train --data ...`, evaluated on the split recorded with it"
        )
    net, params, metadata = training.load_net(args.weights)
    fields = {field.name for field in dataclasses.fields(training.FitSetup)}
    recorded: dict[str, Any] = {key: value for key, value in metadata.items() if key in fields}
    recorded["widths"] = net.widths
    try:
        setup = training.FitSetup(**recorded)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"{args.weights!r} records a run that cannot be rebuilt: {error}"
        ) from error
    split = setup.split()
    held = setup.split(split.train, setup.validation_fraction)
    print(
        f"{args.weights}: {setup.sizes} net ({', '.join(net.activations)}; {net.loss}), "
        f"{params.weights[0].dtype}; {setup.data}, test split seed {setup.split_seed}, "
        f"{len(split.test)} test examples (as saved with the weights)\n"
    )
    parts = {"train": held.train, "validation": held.test, "test": split.test}
    label = LOSS_LABELS[net.loss]
    print(f"{'':<12}{label:>14}  accuracy")
    for part, dataset in parts.items():
        loss, accuracy, confusion = training.judge(net, params, dataset)
        total, right = int(confusion.sum()), int(confusion.trace())
        print(f"{part:<12}{loss:>14.6f}  {accuracy:.4f}  ({right}/{total})")
    print()
    options.print_confusion(confusion, f"test set ({int(confusion.sum())} examples)", setup.classes)
    return 0


def recorded_split(metadata: dict[str, str | int | float], path: str) -> dict[str, Any]:
    """The split saved with the weights: key -> value, for the keys the file holds."""
    recorded: dict[str, Any] = {}
    for key in SPLIT_KEYS:
        if key not in metadata:
            continue
        value = metadata[key]
        if key == "variant":
            if value not in data.VARIANTS:
                raise ValueError(
                    f"variant in {path!r} must be one of {data.VARIANTS}, got {value!r}"
                )
        elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key} in {path!r} must be an integer >= 0, got {value!r}")
        recorded[key] = value
    return recorded


def trained_on(recorded: dict[str, Any], iris: data.Dataset, split: data.Split) -> int | None:
    """How many of ``split``'s test flowers were training flowers of the recorded split."""
    if not all(key in recorded for key in ("split_seed", "test_size")):
        return None
    original = data.train_test_split(
        iris,
        int(recorded["test_size"]),
        seed=int(recorded["split_seed"]),
    )
    return int(np.isin(split.test_rows, original.train_rows).sum())


def run(args: argparse.Namespace) -> int:
    """Evaluate the weights on the split; warn when it is not the one they were saved with."""
    check_archive(args.weights)
    if training.is_net_file(args.weights):
        return evaluate_net(args)
    weights, metadata = read_weights(args.weights)
    n_in, n_hidden, n_out = weights.W1.shape[0], weights.W1.shape[1], weights.W2.shape[1]
    if (n_in, n_out) != (len(data.FEATURES), len(data.SPECIES)):
        raise ValueError(
            f"the weights in {args.weights!r} are for a {n_in}-{n_hidden}-{n_out} "
            f"net; Iris needs {len(data.FEATURES)} inputs and {len(data.SPECIES)} outputs"
        )
    recorded = recorded_split(metadata, args.weights)
    defaults: dict[str, Any] = {
        "split_seed": training.RunSetup.split_seed,
        "test_size": training.RunSetup.test_size,
        "variant": data.SERIES_VARIANT,
    }
    chosen: dict[str, Any] = {
        key: getattr(args, key)
        if getattr(args, key) is not None
        else recorded.get(key, defaults[key])
        for key in SPLIT_KEYS
    }
    iris = data.load_iris(str(chosen["variant"]), weights.W1.dtype)
    split = data.train_test_split(iris, int(chosen["test_size"]), seed=int(chosen["split_seed"]))
    seen = trained_on(recorded, iris, split)
    same = all(recorded.get(key) == chosen[key] for key in SPLIT_KEYS)
    if same:
        source, test_name = "as saved with the weights", "test"
    elif seen is None:
        source, test_name = (
            "the weights file records no split: defaults and options",
            "test (may overlap training)",
        )
        print(
            f"handbp evaluate: warning: {args.weights} does not record the split it was "
            f"trained with; its 'test' flowers may have been trained on",
            file=sys.stderr,
        )
    else:
        source = "from the options, not the split saved with the weights"
        test_name = f"test ({seen} trained on)" if seen else "test"
        saved = ", ".join(f"{key} {recorded[key]}" for key in SPLIT_KEYS if key in recorded)
        print(
            f"handbp evaluate: warning: this split differs from the one saved with the "
            f"weights ({saved}): {seen} of its {split.test.X.shape[0]} test flowers were "
            f"training flowers",
            file=sys.stderr,
        )
    print(
        f"{args.weights}: {n_in}-{n_hidden}-{n_out} net, {weights.W1.dtype}; "
        f"test split S = {chosen['split_seed']}, {chosen['test_size']} flowers, "
        f"{chosen['variant']} data ({source})\n"
    )
    final = {
        "train": training.evaluate(split.train.X, split.train.Y, *weights),
        test_name: training.evaluate(split.test.X, split.test.Y, *weights),
    }
    options.print_figures(final)
    print()
    test = final[test_name]
    options.print_confusion(test.confusion, f"{test_name} set ({test.examples} flowers)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``handbp evaluate``."""
    parser = subparsers.add_parser(
        "evaluate",
        help="accuracy and confusion matrix of saved weights on the test split",
        description="Load weights saved by `handbp train` (an .npz file with W1 and W2, "
        "or a net of any depth with its spec, read without pickle) and report the loss, "
        "accuracy and the test confusion matrix. "
        "The split is the one saved with the weights unless the options say otherwise; "
        "then a warning says how many of the 'test' flowers the weights were trained on.",
    )
    parser.add_argument("weights", help="the .npz file, e.g. handbp-runs/run1-15000/weights.npz")
    parser.add_argument("--split-seed", type=options.seed, help="seed S of the train/test split")
    parser.add_argument("--test-size", type=options.positive_int, help="flowers in the test set")
    parser.add_argument("--variant", choices=data.VARIANTS, help="Iris variant")
    parser.set_defaults(func=run)
