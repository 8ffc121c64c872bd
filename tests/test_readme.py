"""The README's two set-up commands are the project's front door: keep them
true. CI (.ci/run) must run exactly the README's test command."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    commands = [line for b in blocks[:2] for line in b.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    return commands


def test_readme_opens_with_two_commands():
    cmds = readme_commands()
    assert len(cmds) == 2, cmds
    main_job, tests = cmds
    assert "examples/xor.py" in main_job
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text()
    assert readme_commands()[1] in ci.splitlines()


def test_ci_installs_torch_as_the_oracle():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "torch==2.13.0" in ci


# ---------------------------------------------------------------- the reading path
PATH_ROW = re.compile(r"^\| (\d) \| \[`([^`]+)`\]\([^)]*\) \| (\d+) \|", re.M)


def reading_path() -> list[tuple[int, str, int]]:
    section = (ROOT / "README.md").read_text().split("## How it works", 1)[1].split("\n## ", 1)[0]
    return [(int(step), path, int(n)) for step, path, n in PATH_ROW.findall(section)]


def test_reading_path_line_counts_are_true():
    rows = reading_path()
    assert [step for step, _, _ in rows] == list(range(1, 7)), rows
    for _, path, n in rows:
        lines = len((ROOT / "tinygrad_edu" / path).read_text().splitlines())
        assert lines == n, f"README says {path} has {n} lines; it has {lines}"


def test_reading_path_up_to_the_engine_is_at_most_1000_lines():
    rows = reading_path()
    upto = [n for _, path, n in rows[:[p for _, p, _ in rows].index("autograd/engine.py") + 1]]
    section = (ROOT / "README.md").read_text().split("## How it works", 1)[1]
    assert sum(upto) <= 1000, upto
    assert f"in {sum(upto):,} lines" in section, "the README's total for steps 1-3 is stale"


def test_each_file_on_the_path_says_where_it_sits():
    import ast
    for step, path, _ in reading_path():
        doc = ast.get_docstring(ast.parse((ROOT / "tinygrad_edu" / path).read_text())) or ""
        assert f"Reading path, step {step}" in doc, path


def test_the_walk_reads_as_the_idea_first():
    """The engine's main loop names micrograd's steps, in order: order, sum, chain rule, leaves
    are marked 1-4, and every fast path in it is labelled with what it gains."""
    src = (ROOT / "tinygrad_edu" / "autograd" / "engine.py").read_text()
    walk = src[src.index("def run_backward"):src.index("\ndef ", src.index("def run_backward") + 1)]
    marks = [walk.index(f"# {k}. {word}") for k, word in
             [(1, "Order"), (2, "Sum"), (4, "Leaves"), (3, "Chain rule")]]
    assert marks[0] < marks[1] < marks[3], "order, then sum, then the chain rule"
    fast = re.findall(r"# FAST PATH \(([^)]+)\):(.*?)(?=\n\s*[^#\s])", walk, flags=re.S)
    assert len(fast) >= 3, fast
    for name, text in fast:
        assert "Measured" in text, f"fast path {name!r} does not say what it gains"
