"""Time tinygrad_edu against hand-written NumPy and PyTorch eager, in one run.

    python benchmarks/run.py              # print the table
    python benchmarks/run.py --write      # also refresh benchmarks/README.md
    python benchmarks/run.py --quick      # fewer repeats, shorter chain (a smoke test)

Every case does the same work three ways on the same data (float32; the chain float64):
tinygrad_edu, NumPy with forward and backward written out by hand, and torch
eager (when installed). Each time is the median of repeats, taken turn about
(NumPy, tinygrad_edu, torch, NumPy, ...) so that a slow spell of the machine
falls on every side alike; the ratios are to the hand-written NumPy of the same run. BLAS runs on one thread on every side
(two-thread BLAS stalls now and then on 2-core machines).
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tinygrad_edu as tg  # noqa: E402
from timing import median_time, median_times  # noqa: E402  (benchmarks/timing.py)

try:
    import torch  # noqa: E402

    torch.set_num_threads(1)
except ImportError:  # torch is a test oracle only, never required
    torch = None


# ---------------------------------------------------------------- case 1
def case_small(repeats: int) -> dict:
    """z = (a*b + a).sum(); z.backward() on 16x16 float32."""
    rng = np.random.default_rng(0)
    A = rng.standard_normal((16, 16)).astype(np.float32)
    B = rng.standard_normal((16, 16)).astype(np.float32)

    def numpy_step():
        z = (A * B + A).sum()
        gz = np.ones_like(z)
        ga = gz * B + gz  # d/da of a*b + a
        gb = gz * A
        return z, ga, gb

    a = tg.tensor(A, requires_grad=True)
    b = tg.tensor(B, requires_grad=True)

    def tg_step():
        a.grad = b.grad = None
        z = (a * b + a).sum()
        z.backward()

    fns = {"numpy": numpy_step, "tinygrad_edu": tg_step}
    f = tg.compile(lambda a, b: (a * b + a).sum())

    def compiled_step():
        a.grad = b.grad = None
        z = f(a, b)
        z.backward()

    fns["compiled"] = compiled_step
    if torch is not None:
        ta = torch.tensor(A, requires_grad=True)
        tb = torch.tensor(B, requires_grad=True)

        def torch_step():
            ta.grad = tb.grad = None
            z = (ta * tb + ta).sum()
            z.backward()

        fns["torch"] = torch_step
    return median_times(fns, repeats, 2000)


# ---------------------------------------------------------------- case 2
def tg_chain(n: int) -> object:
    """The chain in tinygrad_edu: n steps forward, then backward; returns dy/dx."""
    x = tg.ones(1, dtype=tg.float64, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001 + 0.0001
    y.backward(tg.ones(1, dtype=tg.float64))
    return x.grad


def case_chain(n: int, repeats: int) -> dict:
    """y = y * 1.0001 + 0.0001 repeated n times, then backward; time per step.
    y is a 1-element float64 array on every side (1.0001**1e6 = 2.7e43 would
    overflow float32)."""

    def numpy_run():
        y = np.ones(1, dtype=np.float64)
        for _ in range(n):
            y = y * 1.0001 + 0.0001
        g = np.ones(1, dtype=np.float64)
        for _ in range(n):  # dy_k/dy_{k-1} = 1.0001
            g = g * 1.0001
        return g

    fns = {"numpy": numpy_run, "tinygrad_edu": lambda: tg_chain(n)}
    if torch is not None:
        def torch_run():
            x = torch.ones(1, dtype=torch.float64, requires_grad=True)
            y = x
            for _ in range(n):
                y = y * 1.0001 + 0.0001
            y.backward(torch.ones(1, dtype=torch.float64))
            return x.grad

        fns["torch"] = torch_run
    return {name: t / n for name, t in median_times(fns, repeats).items()}


def chain_without_gc(n: int, repeats: int) -> float:
    """tinygrad_edu's chain time per step with Python's cyclic garbage collector
    paused: shows how much of the cost is the collector scanning the graph's
    objects while forward builds it (the tables above keep it on, as users do)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        return median_time(lambda: tg_chain(n), repeats) / n
    finally:
        if was_on:
            gc.enable()


def chain_scaling(sizes: list[int]) -> list[tuple[int, float]]:
    """tinygrad_edu's time per step of the chain at several lengths: flat when
    forward and backward are linear in the length of the graph."""
    return [(n, median_time(lambda: tg_chain(n), 3) / n) for n in sizes]


# ---------------------------------------------------------------- MLP cases
def _chunked_update(p: np.ndarray, g: np.ndarray, lr: float, chunk: int = 16384) -> None:
    """p -= lr * g a chunk at a time, as tinygrad_edu's SGD updates big parameters."""
    if p.size <= 2 * chunk:
        p -= lr * g
        return
    flat, g = p.reshape(-1), g.reshape(-1)
    for i in range(0, flat.size, chunk):
        part = flat[i:i + chunk]
        part -= lr * g[i:i + chunk]


def _mlp_case(sizes: tuple, batch: int, hidden_act: str, loss: str, lr: float,
              repeats: int, number: int, chunked_numpy: bool = False) -> dict:
    """One SGD training step of an MLP with one hidden layer. With
    ``chunked_numpy``, a second hand-written NumPy step whose update goes chunk
    by chunk (as tinygrad_edu's SGD) is timed too, as "numpy, chunked update"."""
    n_in, n_hidden, n_out = sizes
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, n_in)).astype(np.float32)
    if loss == "ce":
        labels = rng.integers(0, n_out, batch)
        Y = labels
    else:
        Y = rng.integers(0, 2, (batch, n_out)).astype(np.float32)
    W1 = (rng.uniform(-1, 1, (n_hidden, n_in)) / np.sqrt(n_in)).astype(np.float32)
    b1 = np.zeros(n_hidden, np.float32)
    W2 = (rng.uniform(-1, 1, (n_out, n_hidden)) / np.sqrt(n_hidden)).astype(np.float32)
    b2 = np.zeros(n_out, np.float32)

    P = [W1.copy(), b1.copy(), W2.copy(), b2.copy()]

    def numpy_step(chunked=False):
        w1, c1, w2, c2 = P
        h_pre = X @ w1.T + c1
        h = 1 / (1 + np.exp(-h_pre))
        out = h @ w2.T + c2
        if loss == "ce":
            m = out.max(axis=1, keepdims=True)
            e = np.exp(out - m)
            s = e.sum(axis=1, keepdims=True)
            p = e / s
            val = -np.mean(np.log(p[np.arange(batch), Y]))
            d_out = p
            d_out[np.arange(batch), Y] -= 1
            d_out /= batch
        else:
            out = 1 / (1 + np.exp(-out))
            diff = out - Y
            val = np.mean(diff * diff)
            d_out = (2 / diff.size) * diff * out * (1 - out)
        g_w2 = d_out.T @ h
        g_c2 = d_out.sum(axis=0)
        d_h = d_out @ w2
        d_hpre = d_h * h * (1 - h)
        g_w1 = d_hpre.T @ X
        g_c1 = d_hpre.sum(axis=0)
        for p_, g_ in zip(P, (g_w1, g_c1, g_w2, g_c2)):
            if chunked:
                _chunked_update(p_, g_, lr)
            else:
                p_ -= lr * g_
        return val

    nn, optim = tg.nn, tg.optim
    act = {"sigmoid": nn.Sigmoid}[hidden_act]
    layers = [nn.Linear(n_in, n_hidden), act(), nn.Linear(n_hidden, n_out)]
    if loss != "ce":
        layers.append(nn.Sigmoid())
    model = nn.Sequential(*layers)
    model.load_state_dict({"0.weight": tg.tensor(W1), "0.bias": tg.tensor(b1),
                           "2.weight": tg.tensor(W2), "2.bias": tg.tensor(b2)})
    crit = nn.CrossEntropyLoss() if loss == "ce" else nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=lr)
    tx = tg.tensor(X)
    ty = tg.tensor(Y)

    def tg_step():
        opt.zero_grad()
        val = crit(model(tx), ty)
        val.backward()
        opt.step()
        return val

    fns = {"numpy": numpy_step, "tinygrad_edu": tg_step}
    loss_of = tg.compile(lambda x, y: crit(model(x), y))

    def compiled_step():
        opt.zero_grad()
        val = loss_of(tx, ty)
        val.backward()
        opt.step()
        return val

    fns["compiled"] = compiled_step
    if chunked_numpy:
        fns["numpy, chunked update"] = lambda: numpy_step(chunked=True)
    if torch is not None:
        tlayers = [torch.nn.Linear(n_in, n_hidden), torch.nn.Sigmoid(),
                   torch.nn.Linear(n_hidden, n_out)]
        if loss != "ce":
            tlayers.append(torch.nn.Sigmoid())
        tmodel = torch.nn.Sequential(*tlayers)
        tmodel.load_state_dict({"0.weight": torch.tensor(W1), "0.bias": torch.tensor(b1),
                                "2.weight": torch.tensor(W2), "2.bias": torch.tensor(b2)})
        tcrit = torch.nn.CrossEntropyLoss() if loss == "ce" else torch.nn.MSELoss()
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr)
        ttx = torch.tensor(X)
        tty = torch.tensor(Y)

        def torch_step():
            topt.zero_grad()
            val = tcrit(tmodel(ttx), tty)
            val.backward()
            topt.step()
            return val

        fns["torch"] = torch_step
    return median_times(fns, repeats, number)


def case_mnist_mlp(repeats: int) -> dict:
    return _mlp_case((784, 128, 10), 100, "sigmoid", "ce", 0.1, repeats, 20)


def case_xor(repeats: int) -> dict:
    return _mlp_case((2, 16, 1), 4, "sigmoid", "mse", 0.5, repeats, 1000)


# ---------------------------------------------------------------- report
# (title, function, eager target, tg.compile target): ratios to hand-written NumPy.
# The chain has no target now (a Python engine of this shape can't reach 4x: floor.py),
# and no compiled time (a million ops is over tg.compile's size limit: a graph break).
CASES = [
    ("`(a*b + a).sum().backward()`, 16x16", "case_small", 4.8, 2.5),
    ("chain `y = y*1.0001 + 0.0001`, fwd+bwd, per step", "case_chain", None, None),
    ("train step 784-128-10, sigmoid, CE, batch 100, SGD", "case_mnist_mlp", 1.15, 1.05),
    ("train step 2-16-1 XOR MLP, MSE, SGD", "case_xor", 3.0, 1.5),
]
TRACE_TARGET = 0.050  # seconds to trace and generate the XOR step


def trace_time(repeats: int) -> float:
    """The first call of a fresh ``tg.compile`` of the XOR loss: the eager run that
    records the ops, generating the code, and checking it against eager mode."""
    import time
    nn = tg.nn
    x = tg.tensor(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32))
    y = tg.tensor(np.array([[0], [1], [1], [0]], np.float32))
    times = []
    for _ in range(repeats):
        model = nn.Sequential(nn.Linear(2, 16), nn.Sigmoid(), nn.Linear(16, 1), nn.Sigmoid())
        crit = nn.MSELoss()
        f = tg.compile(lambda x, y: crit(model(x), y))
        t0 = time.perf_counter()
        f(x, y)
        times.append(time.perf_counter() - t0)
    return sorted(times)[len(times) // 2]


def fmt_time(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    return f"{s * 1e3:.3f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--write", action="store_true", help="refresh benchmarks/README.md")
    ap.add_argument("--quick", action="store_true", help="few repeats, 100,000-step chain")
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--chunked-numpy", action="store_true",
                    help="784-128-10 only, also against NumPy updating chunk by chunk")
    args = ap.parse_args()
    repeats = args.repeats or (3 if args.quick else 7)
    if args.chunked_numpy:
        res = _mlp_case((784, 128, 10), 100, "sigmoid", "ce", 0.1, repeats, 20, chunked_numpy=True)
        print(", ".join(f"{k} {fmt_time(v)}" for k, v in res.items()))
        for ref in ("numpy", "numpy, chunked update"):
            print(f"tinygrad_edu / {ref}: {res['tinygrad_edu'] / res[ref]:.3f}x")
        return
    chain_n = 100_000 if args.quick else 1_000_000

    rows, by_name = [], {}
    for title, fn_name, target, c_target in CASES:
        fn = globals()[fn_name]
        res = fn(chain_n, max(3, repeats // 2)) if fn_name == "case_chain" else fn(repeats)
        rows.append((title, res, target, c_target))
        by_name[fn_name] = res
        print(f"{title}: " + ", ".join(f"{k} {fmt_time(v)}" for k, v in res.items()), flush=True)

    def against(ratio: float, target: float | None) -> str:
        if target is None:
            return "—"
        return f"≤ {target}x ({'met' if ratio <= target else 'NOT met'})"

    lines = ["| case | NumPy by hand | tinygrad_edu | tg.compile | torch eager | tinygrad_edu / NumPy "
             "| tg.compile / NumPy | torch / NumPy | target eager | target compiled |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for title, res, target, c_target in rows:
        ratio = res["tinygrad_edu"] / res["numpy"]
        t_ratio = f"{res['torch'] / res['numpy']:.2f}x" if "torch" in res else "—"
        t_time = fmt_time(res["torch"]) if "torch" in res else "—"
        c_ratio = res["compiled"] / res["numpy"] if "compiled" in res else None
        c_time = fmt_time(res["compiled"]) if "compiled" in res else "—"
        lines.append(f"| {title} | {fmt_time(res['numpy'])} | {fmt_time(res['tinygrad_edu'])} "
                     f"| {c_time} | {t_time} | **{ratio:.2f}x** | "
                     + (f"**{c_ratio:.2f}x**" if c_ratio is not None else "—")
                     + f" | {t_ratio} | {against(ratio, target)} | "
                     + (against(c_ratio, c_target) if c_ratio is not None else "—") + " |")
    traced = trace_time(max(5, repeats))
    lines += ["", f"tg.compile: tracing and generating the XOR step (its first call) takes "
              f"{traced * 1e3:.1f} ms (target ≤ {TRACE_TARGET * 1e3:.0f} ms: "
              f"{'met' if traced <= TRACE_TARGET else 'NOT met'})."]
    scaling = chain_scaling(sorted({10_000, 100_000, chain_n}))
    lines += ["", "Chain, tinygrad_edu alone, by length (linear time: the same cost per step):", "",
              "| steps | " + " | ".join(f"{n:,}" for n, _ in scaling) + " |",
              "|---|" + "---|" * len(scaling),
              "| time per step (fwd+bwd) | " + " | ".join(fmt_time(t) for _, t in scaling) + " |"]
    chain = by_name["case_chain"]
    no_gc = chain_without_gc(chain_n, max(3, repeats // 2))
    lines += ["", f"Chain with Python's cyclic garbage collector paused (tinygrad_edu only): "
              f"{fmt_time(no_gc)} per step, {no_gc / chain['numpy']:.2f}x NumPy "
              f"(with it on: {chain['tinygrad_edu'] / chain['numpy']:.2f}x)."]
    table = "\n".join(lines)
    env = (f"Python {platform.python_version()}, NumPy {np.__version__}, "
           f"torch {torch.__version__ if torch else 'not installed'}, {os.cpu_count()} cores, "
           f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}, torch threads 1; "
           f"medians of {repeats} repeats (chain: {chain_n:,} steps)")
    print()
    print(table)
    print()
    print(env)
    if args.write:
        path = Path(__file__).with_name("README.md")
        text = path.read_text() if path.exists() else ""
        start, end = "<!-- table:start -->", "<!-- table:end -->"
        block = f"{start}\n{table}\n\n{env}\n{end}"
        if start in text and end in text:
            text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text += "\n" + block + "\n"
        path.write_text(text)
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
