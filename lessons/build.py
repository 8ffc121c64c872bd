"""Run the lessons and store them as notebooks with their outputs.

Each lesson is written as a jupytext "percent" script, ``NN_name.py`` (the text
you review and diff), and stored beside it as ``NN_name.ipynb`` with the outputs
of a fresh run (what a code-hosting site shows, pictures included). After
editing a lesson, refresh its notebook with one command, from the repository root:

    python lessons/build.py            # every lesson
    python lessons/build.py 03 08      # some of them

tests/test_lessons.py uses the same functions to run every lesson on a fresh
kernel with the reference solutions of ``solutions/`` put in place of the
exercises, and checks that the stored notebooks match their scripts.
"""
from __future__ import annotations

import base64
import os
import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def lesson_scripts() -> list[Path]:
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


def exercise_key(cell: dict) -> str | None:
    """"1.1" for a cell tagged ``exercise`` that starts with ``# Exercise 1.1``."""
    if "exercise" not in cell.get("metadata", {}).get("tags", []):
        return None
    m = re.match(r"# Exercise (\d+\.\d+)", cell["source"])
    if m is None:
        raise ValueError(f"an exercise cell must start with '# Exercise N.M':\n{cell['source']}")
    return m.group(1)


def read_lesson(script: Path) -> nbformat.NotebookNode:
    return jupytext.read(script)


def solutions_of(script: Path) -> dict[str, str]:
    """The reference solutions: ``solutions/<same name>.py``, a ``# %% Exercise N.M``
    cell per exercise."""
    text = (HERE / "solutions" / script.name).read_text(encoding="utf-8")
    parts = re.split(r"^# %% Exercise (\d+\.\d+)\n", text, flags=re.M)
    return {key: f"# Exercise {key} (reference solution)\n" + code.strip() + "\n"
            for key, code in zip(parts[1::2], parts[2::2])}


def with_solutions(nb: nbformat.NotebookNode, solutions: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of ``nb`` with each exercise cell replaced by its solution."""
    nb = nbformat.from_dict(nb)
    keys = [exercise_key(c) for c in nb.cells]
    missing = sorted(set(k for k in keys if k) ^ set(solutions))
    if missing:
        raise ValueError(f"exercises and solutions don't match: {missing}")
    for cell, key in zip(nb.cells, keys):
        if key:
            cell.source = solutions[key]
    return nb


def execute(nb: nbformat.NotebookNode, timeout: int = 120) -> float:
    """Run ``nb`` in place on a fresh kernel, from the lessons folder, importing
    this checkout's tinygrad_edu; return the seconds it took."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in [env.get("PYTHONPATH")] if p])
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                            resources={"metadata": {"path": str(HERE)}})
    start = time.perf_counter()
    client.execute(env=env)
    return time.perf_counter() - start


def check_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """What each check cell printed."""
    out = []
    for cell in nb.cells:
        if "check" in cell.get("metadata", {}).get("tags", []):
            out.append("".join(o.get("text", "") for o in cell.get("outputs", [])
                               if o.get("output_type") == "stream"))
    return out


def export_pictures(nb: nbformat.NotebookNode) -> list[Path]:
    """Write the picture of each cell tagged ``docs:<file>`` to ``docs/<file>``
    (the README shows them)."""
    written = []
    for cell in nb.cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if not tag.startswith("docs:"):
                continue
            path = ROOT / "docs" / tag[len("docs:"):]
            mime = "image/svg+xml" if path.suffix == ".svg" else "image/png"
            data = next(o["data"][mime] for o in cell.outputs if mime in o.get("data", {}))
            if mime == "image/png":
                path.write_bytes(base64.b64decode(data))
            else:
                path.write_text(data, encoding="utf-8")
            written.append(path)
    return written


def build(names: list[str]) -> None:
    for script in lesson_scripts():
        if names and not any(script.name.startswith(n) for n in names):
            continue
        nb = read_lesson(script)
        seconds = execute(nb)
        nbformat.write(nb, script.with_suffix(".ipynb"))
        print(f"{script.with_suffix('.ipynb').relative_to(ROOT)}: {seconds:.1f} s")
        for path in export_pictures(nb):
            print(f"  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    build(sys.argv[1:])
