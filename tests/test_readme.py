"""The README's two set-up commands are the project's front door: keep them
true. CI (.ci/run) must run exactly the README's test command."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert len(fast) >= 2, fast
    for name, text in fast:
        assert "Measured" in text, f"fast path {name!r} does not say what it gains"


# ---------------------------------------------------------------- the sections with code
def section(name: str) -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"\n## {name}\n" in text, f"README has no section '{name}'"
    return text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def run_section(name: str, tmp_path: Path) -> str:
    """Run the section's python blocks, in order, as one script in a fresh folder."""
    code = "\n".join(re.findall(r"```python\n(.*?)```", section(name), flags=re.S))
    assert code.strip(), f"section '{name}' has no example"
    (tmp_path / "example.py").write_text(code, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "example.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout


def test_new_sections_sit_between_the_tour_and_the_pictures() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    heads = re.findall(r"^## (.+)$", text, flags=re.M)
    new = ["Seeing backprop", "Write your own op", "Save and load", "Moving to PyTorch", "Lessons",
           "How it works", "What backprop really runs"]
    start = heads.index("A 30-second tour")
    assert heads[start + 1:start + 1 + len(new)] == new
    assert heads[start + 1 + len(new)] == "What the examples draw"


def test_readme_seeing_backprop(tmp_path) -> None:
    out = run_section("Seeing backprop", tmp_path)
    assert "<svg" in (tmp_path / "backprop.svg").read_text(encoding="utf-8")
    assert "Step 1: MSE #0" in out and "N = 4" in out
    assert "BadSquare at node 1: input 0" in out


def test_readme_write_your_own_op(tmp_path) -> None:
    out = run_section("Write your own op", tmp_path)
    assert out.splitlines()[0] == "True" and "tensor(" in out


def test_readme_save_and_load(tmp_path) -> None:
    out = run_section("Save and load", tmp_path)
    assert out.strip() == "True"
    assert (tmp_path / "checkpoint.npz").exists()


def test_readme_moving_to_pytorch_round_trip(tmp_path) -> None:
    pytest.importorskip("torch")
    out = run_section("Moving to PyTorch", tmp_path)
    assert float(out.strip()) < 1e-5  # the same outputs, to float32 rounding


def test_readme_runner_command_runs_a_pytorch_script(tmp_path) -> None:
    (command,) = re.findall(r"```bash\n(python -m tinygrad_edu .*?)\n```", section("Moving to PyTorch"))
    (tmp_path / "train.py").write_text(
        "import argparse\nimport torch\nimport torch.nn as nn\n"
        "from torch.utils.data import DataLoader, TensorDataset\n"
        "parser = argparse.ArgumentParser()\nparser.add_argument('--epochs', type=int)\n"
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
        "model = nn.Linear(3, 10).to(device)\n"
        "loader = DataLoader(TensorDataset(torch.randn(64, 3)), batch_size=64)\n"
        "for epoch in range(parser.parse_args().epochs):\n"
        "    for (x,) in loader:\n"
        "        print(epoch, model(x.to(device)).shape, device)\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, *command.split()[1:]], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.splitlines() == [f"{e} torch.Size([64, 10]) cpu" for e in range(5)]
    with pytest.raises(subprocess.CalledProcessError):  # and a GPU stops it, naming CUDA
        (tmp_path / "train.py").write_text("import torch\ntorch.zeros(1).cuda()\n")
        subprocess.run([sys.executable, *command.split()[1:]], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=120, check=True)


def test_readme_lessons_table_lists_the_ten_lessons() -> None:
    text = section("Lessons")
    links = re.findall(r"^\| (\d+) \| \[[^\]]+\]\((lessons/[\w.]+\.ipynb)\)", text, flags=re.M)
    assert [int(k) for k, _ in links] == list(range(1, 11))
    for _, path in links:
        assert (ROOT / path).exists() and (ROOT / path).with_suffix(".py").exists()
    pictures = re.findall(r"\((docs/[\w.]+\.(?:png|svg))\)", text)
    assert len(pictures) == 2
    for p in pictures:
        assert (ROOT / p).stat().st_size > 1000
    assert "pip install -e '.[lessons]'" in text
