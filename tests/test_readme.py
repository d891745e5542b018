"""The README's quick start: two commands, and .ci/run runs the test command exactly."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, flags=re.S)
    return [
        line for block in blocks for line in block.splitlines() if line and not line.startswith("#")
    ]


def test_quick_start_has_exactly_two_commands_setup_then_run():
    commands = quick_start_commands()
    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.startswith("python3.11 -m venv .venv && ") and "handbp " in main_job
    assert tests.startswith("python3.11 -m venv .venv && ") and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert quick_start_commands()[1] in ci.splitlines()


def test_the_beyond_the_series_snippet_runs_and_proves_every_id(capsys):
    """The README's five lines, run as written: every chapter 2 id passes."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Beyond the series", 1)[1].split("\n## ", 1)[0]
    (snippet,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(snippet.strip().splitlines()) == 5
    exec(compile(snippet, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.rstrip().endswith("ids pass: all pass")
    for eq_id in ("layer_l_delta", "bias_l_update", "softmax_jvp", "softmax_cross_entropy_delta"):
        assert f"\n{eq_id} " in out
