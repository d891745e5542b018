"""Fixtures shared by the test folders: the tutorials' executed notebooks, once per session."""

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def notebook_cache(tmp_path_factory) -> Path:
    """Where this session keeps executed tutorials, shared by tests/tutorials and tests/site.

    Whichever folder runs first executes the tutorials; the other reads them from here.
    """
    return tmp_path_factory.mktemp("notebooks")


@pytest.fixture(scope="session")
def jax_cache(tmp_path_factory) -> Path:
    """JAX's compilation cache for this session's tutorial kernels.

    Each tutorial runs in a fresh kernel, which would compile verify's JAX references
    again; with the cache, the kernels after the first load them instead.
    """
    return tmp_path_factory.mktemp("jax-cache")
