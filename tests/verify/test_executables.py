"""verify.executables: compiled programs kept on disk, reused only under the same key."""

from __future__ import annotations

import numpy as np
import pytest

from verify import executables
from verify._jax import jax


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The store switched on in a fresh folder, and off again (with this process's
    programs forgotten) after the test."""
    monkeypatch.setenv("HANDBP_JAX_CACHE", str(tmp_path))
    executables.forget()
    directory = executables.enable()
    assert directory == tmp_path / "executables"
    yield directory
    executables.disable()
    executables.forget()


def _scaled_sum(x, w):
    return {"y": (x @ w).sum(axis=1), "z": jax.numpy.tanh(x)}


def _arguments(rows: int = 3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(rows, 4)), rng.normal(size=(4, 2))


def _same(a, b) -> bool:
    """The same tree with bit-for-bit equal arrays."""
    if jax.tree.structure(a) != jax.tree.structure(b):
        return False
    pairs = zip(jax.tree.leaves(a), jax.tree.leaves(b), strict=True)
    return all(np.array_equal(p, q) for p, q in pairs)


def _never_traced(x, w):
    raise AssertionError("traced: the stored program was not used")


def test_a_stored_program_is_loaded_in_a_new_process_and_gives_the_same_numbers(store):
    args = _arguments()
    first = executables.run(jax.jit(_scaled_sum), args, "scaled sum")
    assert len(list(store.glob("*.jaxexe"))) == 1
    executables.forget()  # as a new process: only the disk
    again = executables.run(jax.jit(_never_traced), args, "scaled sum")
    assert _same(first, again)
    assert _same(first, _scaled_sum(*args))


def test_another_key_or_other_shapes_is_another_program(store):
    executables.run(jax.jit(_scaled_sum), _arguments(3), "scaled sum")
    executables.run(jax.jit(_scaled_sum), _arguments(5), "scaled sum")
    executables.run(jax.jit(_scaled_sum), _arguments(3), "another key")
    executables.run(jax.jit(_scaled_sum), _arguments(3), "scaled sum")  # the first again
    assert len(list(store.glob("*.jaxexe"))) == 3


def test_a_broken_file_is_dropped_and_the_program_compiled_again(store):
    args = _arguments()
    expected = executables.run(jax.jit(_scaled_sum), args, "scaled sum")
    (path,) = store.glob("*.jaxexe")
    path.write_bytes(path.read_bytes()[:1000])  # cut short, as by a full disk
    executables.forget()
    assert _same(executables.run(jax.jit(_scaled_sum), args, "scaled sum"), expected)
    assert path.stat().st_size > 1000  # stored whole again


def test_the_folder_keeps_the_newest_programs_only(store, monkeypatch):
    monkeypatch.setattr(executables, "KEPT_FILES", 2)
    for rows in (3, 4, 5):
        executables.run(jax.jit(_scaled_sum), _arguments(rows), "scaled sum")
    assert len(list(store.glob("*.jaxexe"))) == 2
    executables.forget()
    with pytest.raises(AssertionError, match="traced"):  # the first one is gone
        executables.run(jax.jit(_never_traced), _arguments(3), "scaled sum")
    executables.run(jax.jit(_never_traced), _arguments(5), "scaled sum")  # the last is kept


def test_with_the_store_off_a_program_is_reused_in_this_process_until_forgotten():
    executables.disable()
    executables.forget()
    args = _arguments()
    first = executables.run(jax.jit(_scaled_sum), args, "scaled sum, in memory")
    assert _same(executables.run(jax.jit(_never_traced), args, "scaled sum, in memory"), first)
    executables.forget()
    with pytest.raises(AssertionError, match="traced"):
        executables.run(jax.jit(_never_traced), args, "scaled sum, in memory")
    executables.forget()


def test_without_a_key_or_with_the_store_off_nothing_is_written(store, tmp_path):
    executables.run(jax.jit(_scaled_sum), _arguments(), None)
    assert not list(store.iterdir())
    executables.disable()
    executables.run(jax.jit(_scaled_sum), _arguments(), "scaled sum")
    assert not list(store.iterdir())


def test_the_store_is_off_with_the_cache_and_when_jax_has_its_own(monkeypatch, tmp_path):
    monkeypatch.setenv("HANDBP_JAX_CACHE", "off")
    assert executables.enable() is None
    monkeypatch.setenv("HANDBP_JAX_CACHE", str(tmp_path))
    before = jax.config.jax_compilation_cache_dir
    jax.config.update("jax_compilation_cache_dir", str(tmp_path / "jax"))  # nothing compiled
    try:
        assert executables.enable() is None  # JAX's cached executables do not serialise
    finally:
        jax.config.update("jax_compilation_cache_dir", before)
        executables.disable()


def test_the_source_digest_changes_with_any_file_and_only_then(tmp_path):
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (package / "sub" / "b.py").write_text("y = 2\n")
    (package / "notes.txt").write_text("not code")
    first = executables.source_digest([package])
    assert executables.source_digest([package]) == first
    (package / "notes.txt").write_text("changed, still not code")
    assert executables.source_digest([package]) == first
    (package / "sub" / "b.py").write_text("y = 3\n")
    assert executables.source_digest([package]) != first


def test_the_fingerprint_is_one_digest_per_process():
    assert len(executables.fingerprint()) == 64
    assert executables.fingerprint() is executables.fingerprint()
