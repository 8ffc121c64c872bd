"""Gradient check: backpropagation against numerical differentiation.

There are two ways to get d loss / d w for every weight w of a network:

  * numerically, by central differences: nudge one weight up and down by eps and
    see how the loss changes,  (L(w + eps) - L(w - eps)) / (2 eps).  Obviously
    right, and slow: two forward passes *per weight*;
  * by backpropagation: one forward and one backward pass give every gradient at
    once. Fast, and easy to get subtly wrong when you write the backward rules.

So we compute both and compare. The network is the textbook two-layer net
(64 inputs -> 16 sigmoid units -> 10 scores, cross-entropy loss) on a few 8x8
digits, in float64 so the numerical estimate is accurate to ~1e-9. We check it
at the random initial weights and again after --steps steps of training, print
the largest difference for every parameter and how much faster backprop is,
and show how the numerical estimate depends on eps.

    python examples/numerical_vs_backprop.py
    python examples/numerical_vs_backprop.py --steps 0     # check at initialisation only
"""
from __future__ import annotations

import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from _common import parse_args, progress, pyplot, save

args = parse_args("numerical_vs_backprop", __doc__.splitlines()[0], steps=100,
                  lr={"sgd": 0.5, "momentum": 0.1, "adam": 0.01})
tg.manual_seed(args.seed)

# --- 1. A little data (32 digits) and the two-layer network, in float64 ---------------
images, labels = tg.datasets.load_digits(scale=True)
rng = np.random.default_rng(args.seed)
pick = rng.choice(len(images), size=32, replace=False)
x = tg.tensor(images[pick].reshape(32, 64).astype(np.float64))    # (32, 64)
t = tg.tensor(labels[pick])                                        # (32,) int64

model = nn.Sequential(nn.Linear(64, 16), nn.Sigmoid(), nn.Linear(16, 10)).double()
loss_fn = nn.CrossEntropyLoss()
n_weights = sum(p.numel() for p in model.parameters())
print(model)
print(f"{n_weights} weights, so the numerical gradient costs {2 * n_weights} forward passes")


def loss_now():
    return loss_fn(model(x), t)


# --- 2. The two ways to get the gradient ----------------------------------------------

def backprop_gradients():
    model.zero_grad()
    loss_now().backward()                          # one forward, one backward
    return {name: p.grad.numpy().copy() for name, p in model.named_parameters()}


def numerical_gradients(eps=1e-6):
    # tg.numerical_grad(f, p) nudges each element of p in place, calls f, and puts
    # the element back. Our f ignores its argument and just recomputes the loss,
    # which reads p through the model.
    return {name: tg.numerical_grad(lambda _: loss_now(), p, eps=eps).numpy()
            for name, p in model.named_parameters()}


def timed(fn, repeat):
    best = float("inf")
    for _ in range(repeat):                         # best of a few runs: less noise
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def check(title):
    """Compare the two, parameter by parameter, and time them."""
    back, t_back = timed(backprop_gradients, repeat=20)
    num, t_num = timed(numerical_gradients, repeat=1)
    print(f"\n{title}: loss {loss_now().item():.4f}")
    print(f"  {'parameter':<10} {'shape':<9} {'max |numerical - backprop|':>27}  "
          f"{'largest |grad|':>14}")
    worst = {}
    for name in back:
        diff = np.abs(num[name] - back[name]).max()
        worst[name] = diff
        print(f"  {name:<10} {str(back[name].shape):<9} {diff:>27.2e}  "
              f"{np.abs(back[name]).max():>14.2e}")
    print(f"  backprop {t_back * 1e3:.2f} ms, numerical {t_num * 1e3:.0f} ms: "
          f"backprop is {t_num / t_back:,.0f}x faster")
    return back, num, worst, (t_back, t_num)


at_init = check("at the random initial weights")

# --- 3. Train a little, then check again (gradients must be right everywhere) ---------
if args.steps:
    # the optimizer: --optimizer picks which one, --lr its learning rate
    if args.optimizer == "sgd":
        optimizer = optim.SGD(model.parameters(), lr=args.lr)
    elif args.optimizer == "momentum":
        optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    else:   # "adam"
        optimizer = optim.Adam(model.parameters(), lr=args.lr)
    for step in range(1, args.steps + 1):
        optimizer.zero_grad()
        loss = loss_now()
        loss.backward()
        optimizer.step()
        if step == 1 or step % max(1, args.steps // 4) == 0:
            progress("step", step, args.steps, loss=loss.item())
    trained = check(f"after {args.steps} training steps")
else:
    trained = None

overall = max(max(r[2].values()) for r in (at_init, trained) if r is not None)
print(f"\nlargest difference anywhere: {overall:.2e} "
      + ("-- backprop agrees with the numerical gradient." if overall < 1e-6
         else "-- suspiciously large: a backward rule may be wrong!"))

# --- 4. How the numerical estimate depends on eps (on the last layer's weight) --------
# Too large an eps: the difference quotient is a poor tangent (error ~ eps^2).
# Too small: float64 round-off in L(w+eps) - L(w-eps) takes over (error ~ 1e-16/eps).
last = list(dict(model.named_parameters()))[-2]          # '2.weight'
exact = backprop_gradients()[last]
eps_values = np.logspace(-1, -12, 23)
param = model.get_parameter(last)
eps_errors = [np.abs(tg.numerical_grad(lambda _: loss_now(), param, eps=eps).numpy() - exact).max()
              for eps in eps_values]
best_eps = eps_values[int(np.argmin(eps_errors))]
print(f"eps sweep on {last}: smallest error {min(eps_errors):.1e} at eps = {best_eps:.0e}")

# ---- pictures (after the lesson) -------------------------------------------------------
plt = pyplot()
if plt is not None:
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(17, 4.8))
    back, num, _, _ = at_init
    b = np.concatenate([v.ravel() for v in back.values()])
    n = np.concatenate([v.ravel() for v in num.values()])
    ax1.scatter(b, n, s=8, alpha=0.6, color="tab:blue", label=f"{b.size} gradients")
    lim = np.abs(np.r_[b, n]).max() * 1.05
    ax1.plot([-lim, lim], [-lim, lim], "k--", lw=1, label="numerical = backprop")
    ax1.set(xlabel="backprop gradient", ylabel="numerical gradient (central differences)",
            title="Every gradient of the net, both ways", xlim=(-lim, lim), ylim=(-lim, lim),
            aspect="equal")
    ax1.legend(loc="upper left")

    names = list(back)
    pos = np.arange(len(names))
    results = [("at init", at_init)] + ([(f"after {args.steps} steps", trained)] if trained else [])
    width = 0.8 / len(results)
    for k, (label, r) in enumerate(results):
        ax2.bar(pos + k * width, [max(r[2][m], 1e-17) for m in names], width, label=label)
    ax2.set_xticks(pos + width * (len(results) - 1) / 2, names)
    ax2.set(yscale="log", ylim=(1e-13, max(1e-5, overall * 10)), xlabel="parameter",
            ylabel="max |numerical - backprop|",
            title=f"Largest difference {overall:.0e}; backprop "
                  f"{at_init[3][1] / at_init[3][0]:,.0f}x faster")
    ax2.legend(loc="upper right")

    ax3.loglog(eps_values, eps_errors, "o-", color="tab:purple", lw=2, ms=4)
    ax3.axvline(1e-6, color="gray", ls=":", label="eps used above (1e-6)")
    ax3.set(xlabel="eps (step of the central difference)", ylabel="max error vs backprop",
            title=f"Choosing eps ({last}): truncation vs round-off")
    ax3.invert_xaxis()
    ax3.legend(loc="upper center")
    fig.tight_layout()
    save(fig, args.out / "numerical_vs_backprop.png")
