"""draw_graph / render_graph: golden DOT text, escaping, big graphs, every renderer path."""
from __future__ import annotations

import os
import shutil
import sys
import time

import graphviz
import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import viz

GOLDEN = os.path.join(os.path.dirname(__file__), "golden")
HAS_PURE = shutil.which("graphviz-pure") is not None or viz.find_renderer() is not None


def small_expression() -> tuple:
    """L = (a*b + c).sum() with names, in float64 so the numbers are exact."""
    a = tg.Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True, name="a")
    b = tg.Tensor(np.array([4.0, -5.0, 0.5]), requires_grad=True, name="b")
    c = tg.Tensor(np.array(0.25), requires_grad=True, name="c")
    L = (a * b + c).sum()
    L.name = "L"
    return a, b, c, L


def check_golden(name: str, text: str) -> None:
    path = os.path.join(GOLDEN, name)
    if os.environ.get("TG_UPDATE_GOLDEN"):
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    with open(path, encoding="utf-8") as f:
        assert text == f.read(), f"DOT text differs from {path} (TG_UPDATE_GOLDEN=1 rewrites it)"


def test_golden_before_backward() -> None:
    *_, L = small_expression()
    g = tg.draw_graph(L)
    assert isinstance(g, graphviz.Digraph)  # what Jupyter shows inline
    src = g.source
    check_golden("expr_before_backward.dot", src)
    assert src.count("grad: not computed yet") == 6  # 3 leaves, 2 intermediates, L
    assert "data 0.25" in src and "data [1, 2, 3]" in src and "data [4, -5, 0.5]" in src


def test_golden_after_backward() -> None:
    a, b, c, L = small_expression()
    L.backward(retain_graph=True)
    src = tg.draw_graph(L).source
    check_golden("expr_after_backward.dot", src)
    assert "not computed yet" not in src
    for t in (a, b, c):  # every value and gradient is in the picture
        assert "data " + viz.fmt_values(t.data)[0] in src
        assert "grad " + viz.fmt_values(t.grad.data)[0] in src
    assert "grad [4, -5, 0.5]" in src and "grad [1, 2, 3]" in src and "grad 3<" in src
    assert "data -3.75" in src  # L = 4 - 10 + 1.5 + 3 * 0.25
    assert "broadcast scalar to (3,)" in src  # c's gradient is summed back
    assert src == tg.draw_graph(L).source  # the same text every time


def test_intermediates_honest_after_backward_and_retain_grad() -> None:
    a, b, c, L = small_expression()
    h = a * b
    h.retain_grad()
    L2 = (h + c).sum()
    L2.backward(retain_graph=True)
    src = tg.draw_graph(L2).source
    assert "grad: not kept (call retain_grad())" in src  # the Add's output
    assert "grad [1, 1, 1]" in src  # h, retained


def test_freed_graph_says_so() -> None:
    *_, L = small_expression()
    L.backward()
    src = tg.draw_graph(L).source
    assert "value: freed by backward()" in src
    assert "backward(retain_graph=True)" in src
    assert "grad [4, -5, 0.5]" in src  # leaves still show their grads


def test_params_names_from_dict_and_module() -> None:
    w = tg.Tensor(np.ones((2, 3)), requires_grad=True)
    x = tg.Tensor(np.ones(3))
    y = (w @ x).sum()
    assert "fc1.weight" in tg.draw_graph(y, params={"fc1.weight": w}).source

    class Holder:
        def named_parameters(self):
            return iter([("layer.w", w)])

    assert "layer.w" in tg.draw_graph(y, params=Holder()).source


def test_nasty_name_is_escaped() -> None:
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True, name='a"b{c}<d>\n')
    y = (x * 2).sum()
    y.name = "Σ loss ✓ naïve"
    src = tg.draw_graph(y).source
    assert 'a&quot;b{c}&lt;d&gt;\\n' in src
    assert "&#931; loss &#10003; na&#239;ve" in src
    assert "\n\"" not in src and "<d>" not in src


@pytest.mark.skipif(not HAS_PURE, reason="no renderer (pip install graphviz-pure)")
def test_nasty_name_renders(tmp_path) -> None:
    x = tg.Tensor(np.array([1.0, 2.0]), requires_grad=True, name='a"b{c}<d>\n')
    y = (x * 2).sum()
    y.name = "Σ loss ✓ naïve"
    out = tg.render_graph(y, tmp_path / "nasty.svg")
    svg = open(out, encoding="utf-8").read()
    assert "a&quot;b{c}&lt;d&gt;\\n" in svg or 'a"b{c}&lt;d&gt;\\n' in svg
    assert "naïve" in svg or "na&#239;ve" in svg


def test_long_chain_is_folded_fast() -> None:
    x = tg.Tensor(np.array([0.5]), requires_grad=True, name="x")
    y = x
    for _ in range(50_000):  # 100,000 ops
        y = y * 1.0 + 0.0
    start = time.perf_counter()
    g = tg.draw_graph(y, max_nodes=60)
    seconds = time.perf_counter() - start
    src = g.source
    assert seconds < 10, f"drawing took {seconds:.1f} s"
    assert "more Add/Mul steps" in src or "more Mul/Add steps" in src
    assert "99,9" in src  # most of the 100,000 ops are in the fold
    assert "<b>x</b>" in src  # the leaf is still drawn behind the fold
    assert src.count("[label=") < 120
    # explain's/gradcheck's numbering walks the whole chain without recursion too
    assert len(viz.ops_in_order(y)) == 100_000


def test_max_nodes_not_exceeded_much_on_wide_graph() -> None:
    xs = [tg.Tensor(np.array([float(i)]), requires_grad=True) for i in range(300)]
    total = xs[0]
    for x in xs[1:]:
        total = total + x * x
    src = tg.draw_graph(total, max_nodes=50).source
    assert "more" in src and src.count("[label=") < 150


def test_broadcast_step_only_for_real_broadcasts() -> None:
    x = tg.Tensor(np.ones((2, 3)), requires_grad=True)
    b = tg.Tensor(np.ones(3), requires_grad=True)
    src = tg.draw_graph(((x + b).reshape(3, 2) @ tg.Tensor(np.ones((2, 2)))).sum()).source
    assert src.count("backward: <b>SumTo</b>") == 1


def test_matmul_batch_broadcast_is_drawn_as_a_sum() -> None:
    # w (4, 5) is used by every matrix of the batch: its gradient is summed over
    # the batch, which the picture shows as a SumTo step; x's is not.
    x = tg.Tensor(np.ones((2, 3, 4)), requires_grad=True)
    w = tg.Tensor(np.ones((4, 5)), requires_grad=True, name="w")
    src = tg.draw_graph((x @ w).sum()).source
    assert src.count("backward: <b>SumTo</b>") == 1
    assert "broadcast (4, 5) to (2, 4, 5)" in src
    v = tg.Tensor(np.ones(4), requires_grad=True)  # 1-D times a batch: summed too
    src = tg.draw_graph((v @ tg.Tensor(np.ones((2, 4, 5)), requires_grad=True)).sum()).source
    assert "broadcast (4,) to (2, 4)" in src and src.count("<b>SumTo</b>") == 1


def test_bad_arguments() -> None:
    with pytest.raises(TypeError):
        tg.draw_graph(np.ones(3))
    with pytest.raises(ValueError, match="format"):
        tg.render_graph(tg.ones(2), "graph.pdfx")


# ---------------------------------------------------------------- rendering
def test_render_dot_needs_no_renderer(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    *_, L = small_expression()
    out = tg.render_graph(L, tmp_path / "g.dot")
    assert out == str(tmp_path / "g.dot")
    assert open(out, encoding="utf-8").read() == tg.draw_graph(L).source


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_render_with_graphviz_pure_and_no_system_dot(tmp_path, monkeypatch, fmt) -> None:
    real_which = shutil.which

    def which(name, *args, **kwargs):
        return None if name == "dot" else real_which(name, *args, **kwargs)

    monkeypatch.setattr(shutil, "which", which)
    exe = viz.find_renderer()
    # graphviz-pure is in the 'test' extra, so CI must prove this path: fail, don't skip
    assert exe is not None, "graphviz-pure is not installed: pip install -e '.[test]'"
    assert "graphviz-pure" in os.path.basename(exe)
    a, b, c, L = small_expression()
    L.backward(retain_graph=True)
    path = tmp_path / f"graph.{fmt}"
    assert tg.render_graph(L, path) == str(path)
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if fmt == "png" else b"<svg" in data
    if fmt == "svg":
        assert "grad [4, -5, 0.5]" in data.decode("utf-8").replace("&#45;", "-")
    assert sorted(os.listdir(tmp_path)) == [f"graph.{fmt}"]  # exactly path, no leftovers


@pytest.mark.skipif(shutil.which("dot") is None, reason="no system Graphviz dot")
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_render_with_system_dot(tmp_path, fmt) -> None:
    assert os.path.basename(viz.find_renderer()).startswith("dot")
    *_, L = small_expression()
    path = tg.render_graph(L, tmp_path / f"graph.{fmt}")
    assert os.path.getsize(path) > 0


def test_render_prefers_a_dot_on_path(tmp_path, monkeypatch) -> None:
    # Without a system Graphviz here, a `dot` on PATH that records its arguments
    # (and hands them to graphviz-pure, which takes dot's flags) shows that
    # render_graph picks `dot` first and calls it right.
    pure = viz.find_renderer()
    assert pure is not None, "graphviz-pure is not installed: pip install -e '.[test]'"
    if os.path.basename(pure).startswith("dot"):
        pytest.skip("a real dot is installed: test_render_with_system_dot covers it")
    bindir, log = tmp_path / "bin", tmp_path / "dot-args.txt"
    bindir.mkdir()
    shim = bindir / "dot"
    shim.write_text(f"#!{sys.executable}\nimport subprocess, sys\n"
                    f"open({str(log)!r}, 'w').write(repr(sys.argv[1:]))\n"
                    f"sys.exit(subprocess.call([{pure!r}] + sys.argv[1:]))\n")
    shim.chmod(0o755)
    monkeypatch.setenv("PATH", str(bindir) + os.pathsep + os.environ.get("PATH", ""))
    assert viz.find_renderer() == str(shim)
    *_, L = small_expression()
    path = tmp_path / "graph.svg"
    assert tg.render_graph(L, path) == str(path)
    assert b"<svg" in path.read_bytes()
    assert "-Tsvg" in log.read_text()


def test_render_without_any_renderer(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    monkeypatch.setenv("PATH", "")
    *_, L = small_expression()
    with pytest.raises(tg.viz.GraphvizNotFoundError) as info:
        tg.render_graph(L, tmp_path / "graph.png")
    msg = str(info.value)
    assert "pip install graphviz-pure" in msg and "apt install graphviz" in msg
    dot = tmp_path / "graph.dot"
    assert dot.exists() and dot.read_text(encoding="utf-8") == tg.draw_graph(L).source
    assert not (tmp_path / "graph.png").exists()


def test_render_passes_no_shell(tmp_path, monkeypatch) -> None:
    calls = []
    real_run = viz.subprocess.run

    def run(args, **kwargs):
        calls.append((args, kwargs))
        return real_run(args, **kwargs)

    if viz.find_renderer() is None:
        pytest.skip("no renderer installed")
    monkeypatch.setattr(viz.subprocess, "run", run)
    *_, L = small_expression()
    tg.render_graph(L, tmp_path / "g.svg")
    args, kwargs = calls[0]
    assert isinstance(args, list) and not kwargs.get("shell")
    assert args[1] == "-Tsvg" and "-o" in args


def test_example_script_writes_both_pictures(tmp_path) -> None:
    import subprocess
    import sys
    if viz.find_renderer() is None:
        pytest.skip("no renderer installed")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = os.path.join(root, "examples", "render_graph.py")
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, script, "--out", str(tmp_path), "--quiet"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path)) == ["after.png", "after.svg", "before.png", "before.svg"]
    after = (tmp_path / "after.svg").read_text(encoding="utf-8")
    assert "fc1.weight" in after and "not computed yet" not in after
    assert "not computed yet" in (tmp_path / "before.svg").read_text(encoding="utf-8")


def test_render_graph_gives_the_usual_mode_without_touching_the_umask(tmp_path, monkeypatch):
    mask = os.umask(0o022)
    os.umask(mask)

    def no_umask(mask):
        raise AssertionError("render_graph changed the process umask")
    monkeypatch.setattr(os, "umask", no_umask)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    path = tg.render_graph((x * x).sum(), tmp_path / "g.dot")
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask
    assert os.listdir(tmp_path) == ["g.dot"]


def test_save_and_render_share_one_atomic_writer():
    from tinygrad_edu import _files, serialization
    assert not hasattr(serialization, "_umask") and not hasattr(viz, "_usual_mode")
    assert callable(_files.atomic_path)


# ---------------------------------------------------------------- Jupyter, and graphs after backward()
def test_graph_shows_inline_in_jupyter_without_system_dot(tmp_path, monkeypatch) -> None:
    """What Jupyter does with draw_graph's result: ask IPython's formatter for its
    display data. With no `dot` on PATH a plain graphviz.Digraph can't answer;
    ours draws with graphviz-pure."""
    formatters = pytest.importorskip("IPython.core.formatters")
    import xml.etree.ElementTree as ET
    monkeypatch.setenv("PATH", str(tmp_path))  # no system dot (graphviz-pure sits beside python)
    assert shutil.which("dot") is None
    *_, L = small_expression()
    L.backward(retain_graph=True)
    g = tg.draw_graph(L)
    assert isinstance(g, graphviz.Digraph)  # still the object graphviz users know
    with pytest.raises(graphviz.ExecutableNotFound):  # what the plain Digraph does here
        graphviz.Digraph(body=list(g.body))._repr_mimebundle_()
    data, _ = formatters.DisplayFormatter().format(g)
    svg = data["image/svg+xml"]
    root = ET.fromstring(svg.encode("utf-8"))
    assert root.tag.endswith("svg")
    assert "grad [4, -5, 0.5]" in svg.replace("&#45;", "-")
    assert g._repr_mimebundle_(include=["image/png"])["image/png"].startswith(b"\x89PNG")


def test_graph_keeps_its_class_when_copied_or_pickled() -> None:
    import copy
    import pickle
    *_, L = small_expression()
    g = tg.draw_graph(L)
    for h in (g.copy(), copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert type(h) is type(g) and h.source == g.source


def test_graph_after_plain_backward_keeps_constant_inputs() -> None:
    """The README tour's picture: x, y and the 2 of a ** 2 stay in the graph
    after a plain backward(), with the values of the tensors still alive."""
    tg.manual_seed(0)
    x = tg.linspace(-3, 3, 8).reshape(8, 1)
    x.name = "x"
    y = x.sin()
    y.name = "y"
    model = tg.nn.Sequential(tg.nn.Linear(1, 4), tg.nn.Tanh(), tg.nn.Linear(4, 1))
    loss = tg.nn.MSELoss()(model(x), y) + model[0].bias.sum() ** 2
    before = tg.draw_graph(loss, params=model).source
    loss.backward()
    after = tg.draw_graph(loss, params=model).source
    nodes = lambda src: sorted(ln.split(" [")[0].strip() for ln in src.splitlines()  # noqa: E731
                               if ln.startswith("\tn") and "->" not in ln)
    assert nodes(after) == nodes(before)
    for text in ("<b>x</b>", "<b>y</b>", "label=2 "):
        assert text in before and text in after
    assert "data " + viz.fmt_values(y.data)[0] in after  # y is alive: its values are shown


def test_freed_constant_says_so_in_its_box() -> None:
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    z = (w * tg.tensor([3.0, 4.0])).sum()  # the constant lives only in the graph
    z.backward()
    src = tg.draw_graph(z).source
    consts = [ln for ln in src.splitlines() if ln.startswith("\tn") and viz.COLORS["const"] in ln]
    assert len(consts) == 1
    assert "(2,) float32" in consts[0] and "value: freed by backward()" in consts[0]
    assert "no grad (requires_grad=False)" in consts[0]


# ---------------------------------------------------------------- hardening
@pytest.mark.parametrize("name", ["esc\x1b[31m", "nul\x00x", "bell\x07", "del\x7f", "c1\x85",
                                  "back\\", "quote\"\\", "bidi\u202e", "surrogate\ud800"])
def test_any_name_renders_to_valid_svg(tmp_path, name) -> None:
    import xml.etree.ElementTree as ET
    x = tg.Tensor([1.0, 2.0], requires_grad=True, name=name)
    y = (x * 2).sum()
    y.name = name
    path = tg.render_graph(y, tmp_path / "g.svg")
    ET.parse(path)  # well-formed XML: no raw control character, no broken entity


class _Backslash(tg.autograd.Function):
    """y = 2x;  dx = dy * 2 \\"""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_an_op_whose_rule_ends_in_a_backslash_renders(tmp_path) -> None:
    import xml.etree.ElementTree as ET
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = _Backslash.apply(x).sum()
    ET.parse(tg.render_graph(y, tmp_path / "g.svg"))


def test_folded_boxes_count_their_own_hidden_leaves() -> None:
    # Folded regions reaching 80 leaves in all: each box counts the leaves it hides
    # itself (the count must not run on from box to box), so the boxes' counts and
    # the leaves drawn add up to the 80.
    def chain(k):
        total = None
        for i in range(40):
            leaf = tg.tensor([float(i + k)], requires_grad=True)
            total = leaf * 1.0 if total is None else total + leaf * 1.0
        return total
    y = chain(0) * chain(100)
    src = tg.draw_graph(y, max_nodes=16).source
    import re
    counts = [int(c.replace(",", "")) for c in re.findall(r"and ([\d,]+) more leaf tensors", src)]
    drawn = src.count(viz.COLORS["leaf"]) - 1  # (one is the legend's)
    assert len(counts) >= 2 and sum(counts) + drawn == 80, (counts, drawn)


def test_complex_values_are_drawn_as_complex_numbers() -> None:
    import warnings
    x = tg.tensor(np.array([1 + 2j, 3 - 1j], dtype=np.complex128), requires_grad=True)
    y = (x * x).sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no ComplexWarning from dropping imaginary parts
        src = tg.draw_graph(y).source
    assert "1+2j" in src and "3-1j" in src, src
