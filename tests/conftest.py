"""Shared pytest set-up: hypothesis profiles, and the tutorials' executed notebooks.

``--hypothesis-profile=mutation`` (used by mutmut, see docs/mutation.md) drops the
deadlines: a mutant may be slow without being wrong, and timing must not kill it.
"""

from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("mutation", deadline=None, print_blob=False)


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
