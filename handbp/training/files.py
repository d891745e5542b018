"""Weights on disk: an ``.npz`` archive of ``W1``, ``W2`` and scalar metadata, never pickled."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from handbp import network
from handbp.network import Weights


def save_weights(
    path: str | os.PathLike[str],
    weights: Weights,
    metadata: Mapping[str, str | int | float] | None = None,
) -> None:
    """Write ``W1``, ``W2`` (and scalar ``metadata``) to an ``.npz`` file, without pickle."""
    arrays: dict[str, np.ndarray] = {"W1": np.asarray(weights.W1), "W2": np.asarray(weights.W2)}
    for key, value in (metadata or {}).items():
        if key in arrays or not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"metadata {key!r} must be a str, int or float named other than W1/W2")
        arrays[key] = np.asarray(value)
    with open(path, "wb") as file:
        np.savez(file, **arrays)  # type: ignore[arg-type]


def _entries(archive: Any, where: str) -> dict[str, np.ndarray]:
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"{where} is a single .npy array, expected an .npz archive with W1, W2")
    with archive:
        missing = [key for key in ("W1", "W2") if key not in archive.files]
        if missing:
            raise ValueError(
                f"{where} lacks {' and '.join(missing)}; it holds {sorted(archive.files)}"
            )
        try:
            return {key: archive[key] for key in archive.files}
        except ValueError as error:  # object arrays need pickle, which is refused
            raise ValueError(f"{where} holds data that only pickle can read: {error}") from error


class LoadedWeights(NamedTuple):
    """Weights read by :func:`load_weights` and the scalar metadata saved with them."""

    weights: Weights
    metadata: dict[str, str | int | float]


def load_weights(path: str | os.PathLike[str]) -> LoadedWeights:
    """Read weights saved by :func:`save_weights`: checked, never unpickled.

    ``W1`` and ``W2`` must be finite float32/float64 matrices of one dtype that chain
    (``W1.shape[1] == W2.shape[0]``); other entries must be scalars (metadata).
    """
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file path (str or os.PathLike), got {path!r}"[:160])
    where = f"weights file {os.fspath(path)!r}"
    try:
        with open(path, "rb") as file:
            entries = _entries(np.load(file, allow_pickle=False), where)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, ValueError) and where in str(error):
            raise
        raise ValueError(f"cannot read {where} as a NumPy .npz archive: {error}") from error
    W1, W2 = entries.pop("W1"), entries.pop("W2")
    try:
        network.check_weights(W1, W2)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from error
    metadata: dict[str, str | int | float] = {}
    for key, value in entries.items():
        if value.ndim != 0 or value.dtype.kind not in "iufU":
            raise ValueError(
                f"{where}: entry {key!r} must be a scalar number or string (metadata), "
                f"got an array of dtype {value.dtype} and shape {value.shape}"
            )
        metadata[key] = value.item()
    return LoadedWeights(Weights(W1, W2), metadata)
