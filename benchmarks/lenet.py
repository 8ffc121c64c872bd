"""Time a LeNet-style training step: tinygrad_edu vs the same step written by
hand in NumPy (``lenet_numpy.py``) vs torch eager, and the peak memory of one
step (tracemalloc) of tinygrad_edu vs the hand-written NumPy.

    python benchmarks/lenet.py            # 50 repeats, taken turn about
    python benchmarks/lenet.py --quick    # 5 repeats (a smoke test)

The step: batch 64 of 1x28x28, conv 1->6 5x5, ReLU, 2x2 max-pool, conv 6->16
5x5, ReLU, 2x2 max-pool, linear 256->120, ReLU, linear 120->10,
cross-entropy, SGD (lr 0.01). float32, one BLAS thread on every side.
Targets: time at most 1.25x and peak memory at most 2x the hand-written NumPy.

Wall time and CPU time (``time.process_time``) are both reported: on a busy
shared machine the CPU time is the steadier measure.

The allocator. Both sides allocate ~10 MB of fresh arrays per step. With
glibc's default settings, whether malloc hands them out from its heap or hands
pages back to the kernel and faults them in again (about 2,200 page faults, 4-5
ms a step) depends on the process's allocation history, and falls on one side
or the other: the same code measured 1.03x, 1.28x and 2.31x NumPy in three
runs. So the script runs itself with malloc's thresholds pinned
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``: freed memory stays in
the heap, for every side alike: this process only, never the library) and
measures what the engine itself costs; ``--default-malloc`` measures with
glibc's defaults instead.

    python benchmarks/lenet.py --default-malloc
"""
from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402

# malloc's thresholds pinned for this process (see the docstring); glibc reads
# them at start-up, so the script starts itself again with them set.
PINNED_MALLOC = {"MALLOC_MMAP_THRESHOLD_": str(32 * 2**20), "MALLOC_TRIM_THRESHOLD_": str(256 * 2**20)}
if "--default-malloc" not in sys.argv and any(os.environ.get(k) != v for k, v in PINNED_MALLOC.items()):
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **PINNED_MALLOC})
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402
from lenet_numpy import LeNetNumpy  # noqa: E402  (benchmarks/lenet_numpy.py)

try:
    import torch  # noqa: E402

    torch.set_num_threads(1)
except ImportError:  # torch is a comparison only, never required
    torch = None


def build(lib):
    """The model, in tinygrad_edu or torch (the same code for both)."""
    class LeNet(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.nn.Conv2d(1, 6, 5)
            self.conv2 = lib.nn.Conv2d(6, 16, 5)
            self.pool = lib.nn.MaxPool2d(2)
            self.fc1 = lib.nn.Linear(256, 120)
            self.fc2 = lib.nn.Linear(120, 10)

        def forward(self, x):
            x = self.pool(self.conv1(x).relu())
            x = self.pool(self.conv2(x).relu())
            return self.fc2(self.fc1(x.flatten(1)).relu())
    return LeNet()


def _median_wall_and_cpu(fns: dict, repeats: int) -> tuple[dict, dict]:
    """``timing.median_times``'s turn-about loop, keeping the process's CPU time
    of each call beside its wall time: on a shared machine the wall clock also
    counts the time other jobs held the CPU, which falls unevenly on the sides."""
    for fn in fns.values():
        fn()  # warm up
    wall: dict = {name: [] for name in fns}
    cpu: dict = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    return ({k: statistics.median(v) for k, v in wall.items()},
            {k: statistics.median(v) for k, v in cpu.items()})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="5 repeats instead of 50")
    ap.add_argument("--default-malloc", action="store_true",
                    help="glibc's default malloc thresholds (page faults land unevenly on the sides)")
    args = ap.parse_args()
    repeats = 5 if args.quick else 50
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, 64)
    lr = 0.01

    tg.manual_seed(0)
    model = build(tg)
    params = {k: v.numpy().copy() for k, v in model.state_dict().items()}
    opt = tg.optim.SGD(model.parameters(), lr=lr)
    xt, tt = tg.tensor(x), tg.tensor(t)
    loss_fn = nn.CrossEntropyLoss()

    def tg_step():
        opt.zero_grad()
        loss = loss_fn(model(xt), tt)
        loss.backward()
        opt.step()
        return loss

    hand = LeNetNumpy(params)

    def np_step():
        return hand.step(x, t, lr)

    # The same numbers first: one step each from the same weights.
    l_np, l_tg = np_step(), float(tg_step().item())
    assert abs(l_np - l_tg) < 1e-4, (l_np, l_tg)
    steps = {"NumPy by hand": np_step, "tinygrad_edu": tg_step}
    if torch is not None:
        tmodel = build(torch)
        tmodel.load_state_dict({k: torch.tensor(v) for k, v in params.items()})
        topt = torch.optim.SGD(tmodel.parameters(), lr=lr)
        tx, ttt = torch.tensor(x), torch.tensor(t)
        tloss = torch.nn.CrossEntropyLoss()

        def torch_step():
            topt.zero_grad()
            loss = tloss(tmodel(tx), ttt)
            loss.backward()
            topt.step()
            return loss
        steps["torch eager"] = torch_step

    wall, cpu = _median_wall_and_cpu(steps, repeats)
    print(f"LeNet-style step, batch 64, float32, median of {repeats} (turn about), malloc "
          + ("glibc's defaults" if args.default_malloc else "thresholds pinned (see lenet.py's docstring)") + ":")
    print(f"  {'':14s} {'wall':>8s}              {'CPU (process_time)':>18s}")
    for name in steps:
        print(f"  {name:14s} {wall[name] * 1e3:8.2f} ms {wall[name] / wall['NumPy by hand']:5.2f}x"
              f"   {cpu[name] * 1e3:8.2f} ms {cpu[name] / cpu['NumPy by hand']:5.2f}x NumPy")

    peaks = {}
    for name in ("NumPy by hand", "tinygrad_edu"):
        steps[name]()  # (warm: lazily built things don't count)
        tracemalloc.start()
        steps[name]()
        peaks[name] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print("peak memory of one step (tracemalloc):")
    for name, p in peaks.items():
        print(f"  {name:14s} {p / 2**20:8.2f} MiB   {p / peaks['NumPy by hand']:5.2f}x NumPy")


if __name__ == "__main__":
    main()
