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
