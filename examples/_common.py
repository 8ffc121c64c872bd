"""The boring part every example shares: command-line flags, progress lines, and
saving plots (or explaining how to get them). The story is in the examples: each
builds its own data, model, loss and optimizer, in its own text."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

PLOT_HINT = ("matplotlib is not installed, so no plots were drawn (training ran anyway).\n"
             "To get the plots:  pip install -e '.[examples]'   (or: pip install matplotlib)")


def parse_args(name: str, description: str, *, epochs: int | None = None,
               steps: int | None = None, lr: dict[str, float] | None = None,
               optimizer: str = "adam", argv: list[str] | None = None,
               extra: Any = None) -> argparse.Namespace:
    """The flags every example takes. ``lr`` maps optimizer name -> its default
    learning rate (a good lr depends on the optimizer); its names are the choices of
    ``--optimizer`` (sgd, momentum, adam, and any the example adds); ``--lr`` overrides it.
    ``extra(parser)`` may add the example's own flags."""
    p = argparse.ArgumentParser(prog=f"examples/{name}.py", description=description)
    if epochs is not None:
        p.add_argument("--epochs", type=int, default=epochs,
                       help=f"passes over the data (default {epochs})")
    if steps is not None:
        p.add_argument("--steps", type=int, default=steps,
                       help=f"optimizer steps (default {steps})")
    if lr is not None:
        p.add_argument("--optimizer", choices=list(lr), default=optimizer,
                       help=f"default {optimizer}")
        p.add_argument("--lr", type=float, default=None,
                       help="learning rate (default: " +
                       ", ".join(f"{k} {v:g}" for k, v in lr.items()) + ")")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", type=Path, default=Path("out") / name,
                   help=f"folder for plots and files (default out/{name}/)")
    if extra is not None:
        extra(p)
    args = p.parse_args(argv)
    args.lr_given = lr is not None and args.lr is not None   # did the user pass --lr?
    if lr is not None and args.lr is None:
        args.lr = lr[args.optimizer]
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def pyplot() -> Any:
    """matplotlib.pyplot drawing to files (no window), or None (and a hint) without it."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(PLOT_HINT)
        return None
    plt.rcParams.update({"figure.dpi": 100, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.titleweight": "bold", "font.size": 10})
    return plt


def save(fig: Any, path: Path) -> None:
    """Write ``fig`` as a PNG and say where it went."""
    fig.savefig(path, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    print(f"wrote {path}")


def progress(what: str, i: int, total: int, **values: float) -> None:
    """One line of training progress: 'step  120/2000  loss 0.03121  acc 0.98'."""
    parts = "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                      for k, v in values.items())
    print(f"{what} {i:>{len(str(total))}}/{total}  {parts}", flush=True)
