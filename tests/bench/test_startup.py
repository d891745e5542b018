"""bench.startup: commands in fresh processes, failures reported, not timed."""

import sys

import pytest

from bench import startup


def test_wall_time_of_a_command():
    assert startup.wall_time([sys.executable, "-c", "pass"]) > 0


def test_a_failing_command_stops_the_benchmark():
    with pytest.raises(RuntimeError, match="status 3"):
        startup.wall_time([sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"])


def test_interleaved_commands_run_in_turns(tmp_path):
    log = tmp_path / "log"
    commands = {
        name: [sys.executable, "-c", f"open({str(log)!r}, 'a').write({name!r})"] for name in "ab"
    }
    timings = startup.interleaved_commands(commands, repeats=2)
    assert log.read_text() == "ab" + "ab" * 2
    assert all(len(t.seconds) == 2 for t in timings.values())


def test_import_commands_cover_the_libraries_compared():
    commands = startup.import_commands()
    assert commands["python -c pass"] == [sys.executable, "-c", "pass"]
    for module in ("numpy", "handbp", "jax", "torch"):
        assert commands[f"import {module}"] == [sys.executable, "-c", f"import {module}"]


def test_verify_commands_compare_handbp_verify_with_import_jax():
    """The default command (both chapters), with the compilation cache and without."""
    commands = startup.verify_commands()
    assert commands["handbp verify"][1:] == ["verify"]
    assert commands["handbp verify"][0].endswith("handbp")
    assert commands["handbp verify, no compilation cache"] == [
        "env",
        "HANDBP_JAX_CACHE=off",
        *commands["handbp verify"],
    ]
    assert commands['python -c "import jax"'] == [sys.executable, "-c", "import jax"]


def test_verify_size_commands_time_one_net_with_and_without_the_cache():
    commands = startup.verify_size_commands("64-64-64", 64)
    options = ["--chapter", "1", "--sizes", "64-64-64", "--examples", "64"]
    assert commands["cached"][1:] == ["verify", *options]
    assert commands["compiling"] == ["env", "HANDBP_JAX_CACHE=off", *commands["cached"]]
    assert set(startup.VERIFY_TARGETS) <= {size for size, _ in startup.VERIFY_SIZES}
