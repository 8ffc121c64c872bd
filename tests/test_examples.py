"""Every example runs, writes what it promises, and its headline claim holds.

Each example runs in a subprocess (``sys.executable``) with its output folder in a
temporary directory. The cheap ones run at full length so their claims are checked
as a reader would see them: XOR's truth table, linear regression within 1e-3 of
lstsq, digits >= 95% test accuracy. The whole file takes well under a minute.
"""
from __future__ import annotations

import gzip
import hashlib
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
OURS = ["xor", "linear_regression", "polynomial_regression", "logistic_regression", "digits",
        "gradient_descent", "numerical_vs_backprop"]
HINT = "pip install -e '.[examples]'"

# Run a script with matplotlib made unimportable (sys.modules[name] = None makes
# `import name` raise ImportError), as on a machine without the `examples` extra.
NO_MATPLOTLIB = """
import runpy, sys
sys.modules["matplotlib"] = None
sys.modules["matplotlib.pyplot"] = None
script = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, str(__import__("pathlib").Path(script).parent))
runpy.run_path(script, run_name="__main__")
"""


def run(name: str, *args: str, cwd: Path, prelude: str | None = None,
        timeout: float = 300) -> str:
    """Run examples/<name>.py with ``args`` in ``cwd``; return its stdout (fail on error)."""
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    script = str(EXAMPLES / f"{name}.py")
    cmd = [sys.executable, script, *args] if prelude is None else \
        [sys.executable, "-c", prelude, script, *args]
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{name} failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r.stdout


def assert_png(path: Path) -> None:
    """A real PNG: the signature, an IHDR chunk with a sane size, and it decodes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR", f"{path}: no IHDR chunk"
    width, height = struct.unpack(">II", data[16:24])
    assert 200 <= width <= 4000 and 150 <= height <= 4000, (path, width, height)
    mpimg = pytest.importorskip("matplotlib.image")
    assert mpimg.imread(str(path)).shape[:2] == (height, width)


def number_after(label: str, text: str) -> float:
    m = re.search(re.escape(label) + r"\s*([-+0-9.eE]+)", text)
    assert m, f"{label!r} not in output:\n{text[-2000:]}"
    return float(m.group(1))


# ----------------------------------------------------------------------------- the claims

def test_xor_learns_the_truth_table(tmp_path):
    out = run("xor", cwd=tmp_path)          # the full default run, as the README's command
    assert "4/4 correct" in out and "XOR learned" in out
    rows = re.findall(r"^ (\d)   (\d)  \|  (\d)  \| ([0-9.]+)  (\d)  ok$", out, re.M)
    assert len(rows) == 4
    for x0, x1, target, prob, predicted in rows:
        assert int(target) == int(x0) ^ int(x1) == int(predicted)
        assert abs(float(prob) - int(target)) < 0.05
    assert number_after("final loss", out) < 0.01
    assert "step 500/500" in out                 # progress was printed while training
    folder = tmp_path / "out" / "xor"            # the default --out
    for png in ("loss.png", "boundary.png"):
        assert_png(folder / png)
    svg = (folder / "graph.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and "loss" in svg and "0.weight" in svg


def test_linear_regression_matches_lstsq(tmp_path):
    out = run("linear_regression", "--out", str(tmp_path), cwd=tmp_path)
    assert number_after("max difference from lstsq:", out) < 1e-3
    m_gd, b_gd = (float(v) for v in re.search(r"gradient descent\s+(\S+)\s+(\S+)", out).groups())
    assert abs(m_gd - 3) < 0.2 and abs(b_gd) < 0.2
    assert_png(tmp_path / "linear_regression.png")


def test_digits_reaches_95_percent_quickly(tmp_path):
    out = run("digits", "--out", str(tmp_path), cwd=tmp_path)
    m = re.search(r"test accuracy ([0-9.]+)% \((\d+)/(\d+)\) after (\d+) epochs, ([0-9.]+) s", out)
    assert m, out[-2000:]
    accuracy, seconds = float(m.group(1)), float(m.group(5))
    assert accuracy >= 95.0
    assert seconds < 60
    assert "confusion matrix" in out
    matrix = re.findall(r"^  (\d):  (.*)$", out, re.M)
    assert [int(d) for d, _ in matrix] == list(range(10))
    counts = [[0 if c == "." else int(c) for c in row.split()] for _, row in matrix]
    assert np.trace(counts) == int(m.group(2)) and np.sum(counts) == int(m.group(3))
    assert_png(tmp_path / "curves.png")
    assert_png(tmp_path / "misclassified.png")


# ----------------------------------------------------------------------------- short runs

def test_polynomial_regression(tmp_path):
    out = run("polynomial_regression", "--steps", "300", "--out", str(tmp_path), cwd=tmp_path)
    assert "least squares" in out and "Taylor" in out
    assert number_after("final loss", out) < 0.05
    assert_png(tmp_path / "polynomial_regression.png")


def test_logistic_regression(tmp_path):
    out = run("logistic_regression", "--out", str(tmp_path), cwd=tmp_path)
    assert number_after("training accuracy", out) > 85
    assert "decision boundary" in out
    assert_png(tmp_path / "logistic_regression.png")


def test_gradient_descent_shows_divergence_and_stalling(tmp_path):
    out = run("gradient_descent", "--steps", "60", "--out", str(tmp_path), cwd=tmp_path)
    assert out.count("DIVERGED") == 2                # the too-large lr, on both functions
    bowl = out.split("rosenbrock")[0]
    assert re.search(r"lr=0.1 .* f = \S+e-", bowl)   # plain SGD gets near the minimum
    assert_png(tmp_path / "gradient_descent.png")
    # your own run joins in with --optimizer/--lr
    out = run("gradient_descent", "--steps", "20", "--optimizer", "adam", "--lr", "0.5",
              "--out", str(tmp_path / "yours"), cwd=tmp_path)
    assert out.count("you: adam, lr=0.5") == 2


def test_numerical_vs_backprop(tmp_path):
    out = run("numerical_vs_backprop", "--steps", "5", "--out", str(tmp_path), cwd=tmp_path)
    assert "backprop agrees with the numerical gradient" in out
    assert number_after("largest difference anywhere:", out) < 1e-6
    ratios = [float(r.replace(",", "")) for r in re.findall(r"backprop is ([0-9,]+)x faster", out)]
    assert len(ratios) == 2 and min(ratios) > 10
    assert_png(tmp_path / "numerical_vs_backprop.png")


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_every_optimizer_flag_works(tmp_path, optimizer):
    out = run("xor", "--steps", "50", "--optimizer", optimizer, "--out", str(tmp_path),
              cwd=tmp_path)
    assert "step 50/50" in out


def test_digits_on_mnist_files(tmp_path):
    """--dataset mnist with tiny generated IDX files served from a file:// mirror."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    rng = np.random.default_rng(0)
    sums = {}
    for prefix, n in (("train", 64), ("t10k", 20)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n, dtype=np.uint8)
        for kind, a in (("images-idx3", images), ("labels-idx1", labels)):
            name = f"{prefix}-{kind}-ubyte.gz"
            head = bytes([0, 0, 8, a.ndim]) + struct.pack(f">{a.ndim}I", *a.shape)
            (mirror / name).write_bytes(gzip.compress(head + a.tobytes()))
            sums[name] = hashlib.md5((mirror / name).read_bytes()).hexdigest()
    prelude = (f"import tinygrad_edu as tg\ntg.datasets.MNIST.md5 = {sums!r}\n"
               f"tg.datasets.MNIST.mirrors = [{mirror.as_uri() + '/'!r}]\n" + NO_MATPLOTLIB)
    out = run("digits", "--dataset", "mnist", "--data-root", str(tmp_path / "data"),
              "--epochs", "2", "--out", str(tmp_path / "out"), cwd=tmp_path, prelude=prelude)
    assert "mnist: 64 training and 20 test images of 28x28 pixels" in out
    assert "epoch 2/2" in out and "confusion matrix" in out
    assert (tmp_path / "data" / "MNIST" / "raw" / "t10k-images-idx3-ubyte.gz").exists()


# ----------------------------------------------------------------------------- no matplotlib

@pytest.mark.parametrize("name, args", [
    ("linear_regression", []),
    ("xor", ["--steps", "100"]),
    ("gradient_descent", ["--steps", "10"]),
    ("digits", ["--epochs", "1"]),
])
def test_examples_train_without_matplotlib_and_say_how_to_get_plots(tmp_path, name, args):
    out = run(name, *args, "--out", str(tmp_path), cwd=tmp_path, prelude=NO_MATPLOTLIB)
    assert HINT in out
    assert not list(tmp_path.glob("*.png"))
    if name == "linear_regression":
        assert number_after("max difference from lstsq:", out) < 1e-3
    if name == "xor":
        assert (tmp_path / "graph.svg").exists()   # the graph needs graphviz, not matplotlib


# ----------------------------------------------------------------------------- all of them

@pytest.mark.parametrize("name", OURS)
def test_help_lists_the_common_flags(tmp_path, name):
    out = run(name, "--help", cwd=tmp_path)
    for flag in ("--optimizer", "--lr", "--out", "--seed"):
        assert flag in out
    assert "--epochs" in out or "--steps" in out


def test_every_example_is_tested_and_readable():
    scripts = sorted(p.stem for p in EXAMPLES.glob("*.py") if not p.stem.startswith("_"))
    assert set(OURS) <= set(scripts)
    for name in OURS:
        text = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")
        assert text.startswith('"""'), f"{name}: start with a docstring telling the story"
        assert "manual_seed(args.seed)" in text, f"{name}: fix the seed"


@pytest.mark.skipif(not (EXAMPLES / "render_graph.py").exists(), reason="no render_graph.py")
def test_render_graph_example_runs(tmp_path):
    run("render_graph", "--out", str(tmp_path), "--quiet", cwd=tmp_path)
    assert list(tmp_path.iterdir())


def test_readme_tour_runs(tmp_path):
    """The README's 30-second tour is real code: run it as written."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A 30-second tour", 1)[1]
    code = re.search(r"```python\n(.*?)```", tour, re.S).group(1)
    assert len(code.splitlines()) <= 35
    (tmp_path / "tour.py").write_text(code, encoding="utf-8")
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    r = subprocess.run([sys.executable, "tour.py"], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "tensor(12.)" in r.stdout
    assert number_after("step 1000  loss", r.stdout) < 1e-3
    assert "<svg" in (tmp_path / "tour_graph.svg").read_text(encoding="utf-8")


def test_readme_shows_the_committed_pictures():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"(docs/[\w.]+\.(?:png|svg))", readme)
    assert len(pictures) >= 5
    for p in pictures:
        assert (REPO / p).exists(), p
        if p.endswith(".png"):
            assert_png(REPO / p)
    for name in OURS + ["render_graph"]:
        assert f"examples/{name}.py" in readme
