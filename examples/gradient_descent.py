"""Gradient descent, watched step by step.

We minimise two functions of a point p = (x0, x1) and draw the path each optimizer
takes over the function's contour lines:

  1. the bowl  f(p) = x0^2 + x1^2, starting at (-3, 4). Its minimum is (0, 0).
     Plain gradient descent walks straight downhill. We also try a learning rate
     that is too large (each step overshoots further: divergence) and one that is
     too small (we barely move: stalling).
  2. the Rosenbrock function  f(p) = (1 - x0)^2 + 100 (x1 - x0^2)^2, a narrow,
     curved valley with its minimum at (1, 1). The gradient points at the valley
     walls, not along the floor, so plain gradient descent zig-zags and crawls;
     Momentum and Adam do much better.

Nothing here is a neural network: the "model" is a single 2-vector p, and
``p.grad`` comes from ``loss.backward()`` as it would for any network weights.

    python examples/gradient_descent.py                    # 500 steps each
    python examples/gradient_descent.py --optimizer adam --lr 0.3   # add your own run
"""
from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import optim
from _common import parse_args, progress, pyplot, save

args = parse_args("gradient_descent", __doc__.splitlines()[0], steps=500,
                  lr={"sgd": 0.1, "momentum": 0.01, "adam": 0.1}, optimizer="sgd")
tg.manual_seed(args.seed)
user_run = args.lr_given  # with --lr, your optimizer and learning rate join the race


# --- 1. The two functions, written with Tensor operations so backward() works -------

def bowl(p):
    return (p ** 2).sum()


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


# --- 2. One run: start at `start`, take `steps` optimizer steps, record the path -----

def descend(f, start, build_optimizer, steps):
    p = tg.tensor(start, dtype=tg.float64, requires_grad=True)   # the point we move
    opt = build_optimizer([p])   # e.g. optim.SGD([p], lr=0.1): p is its only parameter
    path, values = [p.detach().numpy().copy()], [f(p).item()]
    for _ in range(steps):
        opt.zero_grad()
        loss = f(p)          # forward: the function's value at p
        loss.backward()      # backward: p.grad = df/dp
        opt.step()           # the update, e.g. p -= lr * p.grad for plain SGD
        path.append(p.detach().numpy().copy())
        values.append(f(p).item())
        if not np.isfinite(values[-1]) or np.abs(path[-1]).max() > 1e6:
            break            # diverged: no point in continuing
    return np.array(path), np.array(values)


# --- 3. The runs we compare, per function: a label, and how to build its optimizer -----
# Every run moves a fresh point, so a run says how to build its optimizer for the
# parameters it is given: `lambda params: optim.SGD(params, lr=0.1)` is a one-line
# function that does just that, and descend() calls it with [p].

problems = {
    "bowl": dict(f=bowl, start=[-3.0, 4.0], minimum=(0.0, 0.0), runs=[
        ("SGD, lr=0.1", lambda params: optim.SGD(params, lr=0.1)),
        ("Momentum 0.9, lr=0.02", lambda params: optim.SGD(params, lr=0.02, momentum=0.9)),
        ("Adam, lr=0.3", lambda params: optim.Adam(params, lr=0.3)),
        ("SGD, lr=1.02 (too large)", lambda params: optim.SGD(params, lr=1.02)),
        ("SGD, lr=0.002 (too small)", lambda params: optim.SGD(params, lr=0.002)),
    ]),
    "rosenbrock": dict(f=rosenbrock, start=[-1.5, 2.0], minimum=(1.0, 1.0), runs=[
        ("SGD, lr=1e-3", lambda params: optim.SGD(params, lr=1e-3)),
        ("Momentum 0.9, lr=1e-3", lambda params: optim.SGD(params, lr=1e-3, momentum=0.9)),
        ("Adam, lr=0.1", lambda params: optim.Adam(params, lr=0.1)),
        ("SGD, lr=2.5e-3 (too large)", lambda params: optim.SGD(params, lr=2.5e-3)),
        ("SGD, lr=1e-4 (too small)", lambda params: optim.SGD(params, lr=1e-4)),
    ]),
}
if user_run:
    def your_optimizer(params):      # --optimizer picks which one, --lr its learning rate
        if args.optimizer == "sgd":
            return optim.SGD(params, lr=args.lr)
        elif args.optimizer == "momentum":
            return optim.SGD(params, lr=args.lr, momentum=0.9)
        else:   # "adam"
            return optim.Adam(params, lr=args.lr)

    for prob in problems.values():
        prob["runs"].append((f"you: {args.optimizer}, lr={args.lr:g}", your_optimizer))

results = {}
for name, prob in problems.items():
    print(f"\n{name}: minimum at {prob['minimum']}, starting from {tuple(prob['start'])}")
    results[name] = []
    for label, build_optimizer in prob["runs"]:
        path, values = descend(prob["f"], prob["start"], build_optimizer, args.steps)
        results[name].append((label, path, values))
        end = path[-1]
        diverged = not np.isfinite(values[-1]) or values[-1] > values[0]   # went uphill
        verdict = "DIVERGED" if diverged else f"f = {values[-1]:.3g}"
        progress(f"  {label:<28}", len(values) - 1, args.steps,
                 end=f"({end[0]:.3g}, {end[1]:.3g})", result=verdict)


# ---- pictures (after the lesson): paths over contours (top), f against step (bottom) ----

plt = pyplot()
if plt is not None:
    from matplotlib.colors import LogNorm

    # one style per run, in the order of `runs`: the too-small run is a wide faint band
    # underneath, so the runs that share its straight path stay visible on top of it
    styles = [dict(color="tab:blue", marker="o", ms=5, lw=1.5, zorder=6),
              dict(color="tab:orange", marker=".", ms=5, lw=3, zorder=4),
              dict(color="tab:green", marker=".", ms=3, lw=1.2, zorder=5),
              dict(color="tab:red", marker="X", ms=8, lw=0.8, ls=":", zorder=5),
              dict(color="tab:gray", lw=6, alpha=0.6, zorder=3),
              dict(color="tab:purple", marker=".", ms=4, lw=1.5, zorder=6)]
    fig, axes = plt.subplots(2, 2, figsize=(13, 10.5), gridspec_kw={"height_ratios": [3, 2]})
    views = {"bowl": ((-5, 5), (-5, 5)), "rosenbrock": ((-2, 2), (-1, 3))}
    titles = {"bowl": r"Bowl $f = x_0^2 + x_1^2$",
              "rosenbrock": r"Rosenbrock $f = (1-x_0)^2 + 100\,(x_1 - x_0^2)^2$"}
    for col, (name, prob) in enumerate(problems.items()):
        (x_lo, x_hi), (y_lo, y_hi) = views[name]
        gx, gy = np.meshgrid(np.linspace(x_lo, x_hi, 300), np.linspace(y_lo, y_hi, 300))
        # evaluate f on the whole grid at once: p[0], p[1] are (300, 300) grids
        grid = prob["f"](tg.tensor(np.stack([gx, gy]))).numpy() if name == "rosenbrock" \
            else gx ** 2 + gy ** 2
        ax = axes[0, col]
        ax.contourf(gx, gy, grid + 1e-3, levels=np.logspace(-1, 3.6, 30), norm=LogNorm(),
                    cmap="Blues_r", alpha=0.6)
        ax.contour(gx, gy, grid + 1e-3, levels=np.logspace(-1, 3.6, 15), norm=LogNorm(),
                   colors="white", linewidths=0.5)
        for (label, path, _), style in zip(results[name], styles):
            # a diverging run: draw it only until it first leaves the picture
            outside = np.flatnonzero((path[:, 0] < x_lo) | (path[:, 0] > x_hi)
                                     | (path[:, 1] < y_lo) | (path[:, 1] > y_hi))
            if len(outside):
                path = path[: outside[0] + 1]
            ax.plot(path[:, 0], path[:, 1], label=label, **style)
        ax.plot(*prob["start"], "ko", ms=9, label="start", zorder=7)
        ax.plot(*prob["minimum"], "*", color="gold", mec="black", ms=18, label="minimum",
                zorder=7)
        ax.set(xlim=(x_lo, x_hi), ylim=(y_lo, y_hi), xlabel="$x_0$", ylabel="$x_1$",
               title=f"{titles[name]}: {args.steps} steps", aspect="equal")
        ax.legend(loc="upper right" if name == "bowl" else "upper center", fontsize=8,
                  framealpha=0.95)

        ax = axes[1, col]
        for (label, _, values), style in zip(results[name], styles):
            ax.semilogy(np.clip(values, 1e-12, 1e12), color=style["color"], lw=2,
                        ls=style.get("ls", "-"), label=label)
        ax.set(xlabel="step", ylabel="f(p)  (log scale)",
               title=f"{name.capitalize()}: f against step",
               ylim=(1e-10, 1e8))
        ax.legend(fontsize=8, loc="lower left", framealpha=0.95)
    fig.suptitle("Gradient descent: which optimizer, and which learning rate?", fontsize=14)
    fig.tight_layout()
    save(fig, args.out / "gradient_descent.png")
