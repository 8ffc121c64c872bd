"""The one timing rule of the benchmarks: the median of repeats."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def median_time(fn: Callable[[], object], repeats: int, number: int = 1) -> float:
    """Median over ``repeats`` of the mean time of ``number`` calls (seconds)."""
    fn()  # warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return statistics.median(times)


def median_times(fns: dict[str, Callable[[], object]], repeats: int,
                 number: int = 1) -> dict[str, float]:
    """``median_time`` for several ways of doing the same work, taken turn about:
    each repeat times every one of them once, so a slow spell of the machine
    falls on all sides alike instead of on whichever ran during it."""
    for fn in fns.values():
        fn()  # warm up
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            times[name].append((time.perf_counter() - t0) / number)
    return {name: statistics.median(ts) for name, ts in times.items()}
