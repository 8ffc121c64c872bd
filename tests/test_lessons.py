"""The lessons stay true: each runs on a fresh kernel within 60 s with its
reference solutions in place of the exercises, and every check cell then says
"correct"; a wrong solution is caught; the stored notebooks match their scripts.
(lessons/build.py refreshes the stored notebooks; see lessons/README.md.)"""
from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from pathlib import Path

import pytest

pytest.importorskip("nbclient")
pytest.importorskip("jupytext")
pytest.importorskip("ipykernel")
import nbformat  # noqa: E402

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"lessons_{name}", LESSONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


build = _load("build")
SCRIPTS = build.lesson_scripts()
TIMES: dict = {}


def test_there_are_ten_lessons() -> None:
    assert [s.name[:2] for s in SCRIPTS] == [f"{k:02d}" for k in range(1, 11)]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_lesson_runs_and_its_reference_solutions_pass(script: Path) -> None:
    nb = build.with_solutions(build.read_lesson(script), build.solutions_of(script))
    seconds = build.execute(nb)
    TIMES[script.stem] = seconds
    print(f"{script.stem}: {seconds:.1f} s")
    checks = build.check_outputs(nb)
    assert len(checks) >= 2, "each lesson ends with two or three exercises"
    assert checks == ["correct\n"] * len(checks), checks
    assert seconds < 60, f"{script.name} took {seconds:.0f} s (budget: 60 s on 2 cores)"


def test_a_wrong_solution_is_caught() -> None:
    """The check cells can fail: lesson 1 with a one-sided difference for 1.1."""
    script = SCRIPTS[0]
    solutions = build.solutions_of(script)
    solutions["1.1"] = solutions["1.1"].replace("(f(x + eps) - f(x - eps)) / (2 * eps)",
                                                "(f(x + eps) - f(x)) / eps")
    assert "(f(x + eps) - f(x)) / eps" in solutions["1.1"]
    nb = build.with_solutions(build.read_lesson(script), solutions)
    build.execute(nb)
    first = build.check_outputs(nb)[0]
    assert first.startswith("not yet:") and "one-sided" in first


def test_every_check_rejects_an_unsolved_exercise() -> None:
    """Run in this process: each check, given the learner's untouched stubs
    (here: nothing defined), says what is missing, never "correct"."""
    sys.path.insert(0, str(LESSONS))
    try:
        checks = _load("checks")
    finally:
        sys.path.remove(str(LESSONS))
    keys = set()
    for script in SCRIPTS:
        keys |= set(build.solutions_of(script))
    assert keys == set(checks.CHECKS)
    for key in sorted(keys):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            checks.check(key, {})
        assert out.getvalue().startswith("not yet:"), (key, out.getvalue())


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_stored_notebook_matches_its_script(script: Path) -> None:
    """The .ipynb a reader sees is the script's cells, each code cell run once
    in order on a fresh kernel (python lessons/build.py), without errors."""
    stored = nbformat.read(script.with_suffix(".ipynb"), as_version=4)
    source = build.read_lesson(script)
    assert [(c.cell_type, c.source) for c in stored.cells] == \
        [(c.cell_type, c.source) for c in source.cells], \
        f"{script.with_suffix('.ipynb').name} is stale: run python lessons/build.py {script.name[:2]}"
    code = [c for c in stored.cells if c.cell_type == "code"]
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) or "image/svg+xml" in o.get("data", {})
               for c in code for o in c.outputs), "every lesson draws something"
