"""Each tutorial is executed once per test session and shared by the tests that read it."""

import functools
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from tests.tutorials.build_script import build


@pytest.fixture(scope="session")
def jax_cache_env(tmp_path_factory) -> dict[str, str]:
    """JAX's compilation cache in a folder of this session, shared by the tutorials' kernels.

    Each tutorial runs in a fresh kernel, which would compile verify's JAX references
    again; with the cache, the kernels after the first load them (about 1.3 s less each).
    """
    return {
        "JAX_COMPILATION_CACHE_DIR": str(tmp_path_factory.mktemp("jax-cache")),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0",
    }


@pytest.fixture(scope="session")
def executed(jax_cache_env) -> Callable[[Path], nbformat.NotebookNode]:
    """``executed(path)``: the tutorial run top to bottom (an error in any cell fails the test).

    Figures are drawn without a display (Agg), and the tutorials take their short runs.
    """
    env = {"MPLBACKEND": "Agg", build.QUICK_ENV: "1", **jax_cache_env}
    return functools.cache(lambda path: build.execute(path, env=env))
