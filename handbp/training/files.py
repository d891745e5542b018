"""Weights on disk: an ``.npz`` archive of ``W1``, ``W2`` (the series' net) or of any
net's ``W1 .. WL``, ``b1 .. bL`` and its spec, with scalar metadata, never pickled."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from handbp import netchecks, network
from handbp.checks import FLOAT_DTYPES, describe, file_path
from handbp.network import Weights
from handbp.nn import Net, Params


def save_weights(
    path: str | os.PathLike[str],
    weights: Weights,
    metadata: Mapping[str, str | int | float] | None = None,
) -> None:
    """Write ``W1``, ``W2`` (and scalar ``metadata``) to an ``.npz`` file, without pickle.

    ``weights`` is a :class:`Weights` or a pair ``(W1, W2)``: finite float matrices that
    chain, as :func:`load_weights` reads them back.
    """
    path = file_path(path, writing=True)
    if not isinstance(weights, tuple | list) or len(weights) != 2:
        raise TypeError(
            f"weights must be a Weights(W1, W2) or a pair (W1, W2), got {describe(weights)}"
        )
    network.check_weights(*weights)
    arrays: dict[str, np.ndarray] = {"W1": np.asarray(weights[0]), "W2": np.asarray(weights[1])}
    for key, value in _metadata(metadata).items():
        if key in arrays or not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"metadata {key!r} must be a str, int or float named other than W1/W2")
        arrays[key] = np.asarray(value)
    with open(path, "wb") as file:
        np.savez(file, **arrays)  # type: ignore[arg-type]


def _metadata(metadata: Any) -> Mapping[str, Any]:
    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a dict of scalars or None, got {describe(metadata)}")
    return metadata or {}


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
    where = f"weights file {os.fspath(file_path(path))!r}"
    try:
        with open(path, "rb") as file:
            entries = _entries(np.load(file, allow_pickle=False), where)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, ValueError) and where in str(error):
            raise
        raise ValueError(f"cannot read {where} as a NumPy .npz archive: {error}") from error
    if all(key in entries for key in NET_KEYS):
        raise ValueError(f"{where} holds a net saved by save_net: read it with load_net")
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


NET_KEYS: tuple[str, ...] = ("widths", "activations", "loss", "biases")
"""The entries of a net's file (:func:`save_net`) that say how to rebuild its :class:`Net`."""


def save_net(
    path: str | os.PathLike[str],
    net: Net,
    params: Params,
    metadata: Mapping[str, str | int | float] | None = None,
) -> None:
    """Write a net of :mod:`handbp.nn`: ``W1 .. WL``, ``b1 .. bL``, its spec and ``metadata``.

    The spec (``widths`` like ``"64-32-10"``, ``activations`` like ``"relu,softmax"``,
    ``loss``, ``biases`` 0/1) is stored as scalars, so :func:`load_net` rebuilds the net.
    """
    path = file_path(path, writing=True)
    if not isinstance(net, Net):
        raise TypeError(f"net must be a handbp.nn.Net, got {describe(net)}")
    params = netchecks.check(net, {"params": params})["params"]
    arrays: dict[str, np.ndarray] = {}
    for layer, W in enumerate(params.weights, start=1):
        arrays[f"W{layer}"] = np.asarray(W)
    for layer, b in enumerate(params.biases or (), start=1):
        arrays[f"b{layer}"] = np.asarray(b)
    spec = {
        "widths": "-".join(str(width) for width in net.widths),
        "activations": ",".join(net.activations),
        "loss": net.loss,
        "biases": int(net.biases),
    }
    for key, value in {**spec, **_metadata(metadata)}.items():
        if key in arrays or not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"metadata {key!r} must be a str, int or float named other than W/b")
        arrays[key] = np.asarray(value)
    with open(path, "wb") as file:
        np.savez(file, **arrays)  # type: ignore[arg-type]


class LoadedNet(NamedTuple):
    """A net read by :func:`load_net`: the :class:`Net`, its parameters and the other metadata."""

    net: Net
    params: Params
    metadata: dict[str, str | int | float]


def is_net_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is an ``.npz`` archive written by :func:`save_net` (it holds a spec)."""
    file_path(path)
    try:
        with open(path, "rb") as file:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):  # a single .npy array
                return False
            with archive:
                return all(key in archive.files for key in NET_KEYS)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return False


def load_net(path: str | os.PathLike[str]) -> LoadedNet:
    """Read a net saved by :func:`save_net`, never unpickled, checked against its spec."""
    where = f"weights file {os.fspath(file_path(path))!r}"
    try:
        with open(path, "rb") as file:
            archive = np.load(file, allow_pickle=False)
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ValueError(f"{where} is a single .npy array, expected an .npz archive")
            with archive:
                try:
                    entries = {key: archive[key] for key in archive.files}
                except ValueError as error:  # object arrays need pickle, which is refused
                    raise ValueError(
                        f"{where} holds data that only pickle can read: {error}"
                    ) from error
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        if isinstance(error, ValueError) and where in str(error):
            raise
        raise ValueError(f"cannot read {where} as a NumPy .npz archive: {error}") from error
    missing = [key for key in NET_KEYS if key not in entries]
    if missing:
        raise ValueError(f"{where} lacks the net's {', '.join(missing)}")
    spec = {key: entries.pop(key) for key in NET_KEYS}
    if any(value.ndim != 0 for value in spec.values()):
        shapes = {key: value.shape for key, value in spec.items()}
        raise ValueError(
            f"{where}: its net spec is not a net: its entries must be scalars, got shapes {shapes}"
        )
    widths_text = str(spec["widths"].item())
    try:
        widths = tuple(int(width) for width in widths_text.split("-"))
    except ValueError:
        raise ValueError(
            f"{where}: its net spec is not a net: widths must be layer sizes like 4-16-3, got {widths_text!r}"
        ) from None
    biases = spec["biases"].item()
    if spec["biases"].dtype.kind not in "iub" or biases not in (0, 1):
        raise ValueError(
            f"{where}: its net spec is not a net: biases must be 0 or 1, got {biases!r}"
        )
    try:
        activations = tuple(str(spec["activations"].item()).split(","))
        net = Net(widths, activations, str(spec["loss"].item()), bool(biases))
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: its net spec is not a net: {error}") from error
    weights = tuple(entries.pop(f"W{layer}", None) for layer in range(1, net.depth + 1))
    biases = tuple(entries.pop(f"b{layer}", None) for layer in range(1, net.depth + 1))
    if any(W is None for W in weights) or (net.biases and any(b is None for b in biases)):
        raise ValueError(f"{where} lacks some of the weights of its {net.depth} layers")
    params = Params(weights, biases if net.biases else None)  # type: ignore[arg-type]
    try:
        dtype = weights[0].dtype if weights[0].dtype in FLOAT_DTYPES else np.float64
        net.forward(np.zeros((1, net.widths[0]), dtype), params)  # checks shapes and dtypes
    except (TypeError, ValueError) as error:
        raise ValueError(f"{where}: {error}") from error
    metadata: dict[str, str | int | float] = {}
    for key, value in entries.items():
        if value.ndim != 0 or value.dtype.kind not in "iufU":
            raise ValueError(f"{where}: entry {key!r} must be a scalar (metadata)")
        metadata[key] = value.item()
    return LoadedNet(net, params, metadata)
