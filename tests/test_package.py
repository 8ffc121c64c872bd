"""The package as a whole: its layers, its optional parts, and its hygiene
(the quality bars of DESIGN.md section 5 that no single module can test)."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tinygrad_edu"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_the_package_imports_without_graphviz_and_drawing_says_how_to_get_it():
    # sys.modules[name] = None makes `import name` raise ImportError, as if not installed
    res = _run(
        "import sys\n"
        "sys.modules['graphviz'] = None\n"
        "import tinygrad_edu as tg\n"
        "x = tg.tensor([1.0, 2.0], requires_grad=True)\n"
        "loss = (x * x).sum()\n"
        "loss.backward(retain_graph=True)\n"
        "assert x.grad.tolist() == [2.0, 4.0]\n"
        "tg.explain_backward(loss)\n"
        "tg.gradcheck(lambda a: (a * a).sum(), (tg.tensor([1.0], dtype=tg.float64, "
        "requires_grad=True),))\n"
        "try:\n"
        "    tg.draw_graph(loss)\n"
        "except ImportError as e:\n"
        "    print('ERROR:', e)\n")
    assert res.returncode == 0, res.stderr
    assert "ERROR:" in res.stdout and "pip install graphviz" in res.stdout, res.stdout


def _imports(path: Path) -> set[str]:
    """The modules a file imports, as absolute names inside the package."""
    rel = path.relative_to(ROOT).with_suffix("")
    package = list(rel.parts[:-1]) if rel.name != "__init__" else list(rel.parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package[:len(package) - (node.level - 1)] if node.level else []
            name = ".".join(base + ([node.module] if node.module else []))
            out.add(name)
            out.update(f"{name}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


@pytest.mark.parametrize("low, high", [
    ("optim", "tinygrad_edu.nn"),           # optimizers take parameters, not modules
    ("autograd", "tinygrad_edu.nn"),
    ("autograd", "tinygrad_edu.viz"),
    ("ops", "tinygrad_edu.nn"),
    ("gradcheck.py", "tinygrad_edu.viz"),   # the graph's order comes from the engine
    ("explain.py", "tinygrad_edu.viz"),
])
def test_layers_never_reach_up(low, high):
    files = [PACKAGE / low] if low.endswith(".py") else sorted((PACKAGE / low).rglob("*.py"))
    for f in files:
        bad = sorted(m for m in _imports(f) if m == high or m.startswith(high + "."))
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_no_module_imports_graphviz_at_the_top():
    for f in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(f.read_text())
        for node in tree.body:
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert "graphviz" not in names, f"{f.relative_to(ROOT)} imports graphviz at the top"


def test_no_file_in_the_package_is_over_700_lines():
    long = {str(f.relative_to(ROOT)): n for f in PACKAGE.rglob("*.py")
            if (n := len(f.read_text().splitlines())) > 700}
    assert not long, long


def test_pyflakes_finds_nothing():
    pytest.importorskip("pyflakes")
    res = subprocess.run([sys.executable, "-m", "pyflakes", str(PACKAGE)], capture_output=True,
                         text=True, timeout=120)
    assert res.returncode == 0 and not res.stdout.strip(), res.stdout + res.stderr
