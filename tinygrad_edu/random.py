"""The package's random number generator (``tg.manual_seed`` seeds it)."""
from __future__ import annotations

import numpy as np

_state = {"rng": np.random.default_rng()}


def manual_seed(seed: int) -> np.random.Generator:
    """Seed every random draw in tinygrad_edu (creation, nn.init, Dropout, DataLoader)."""
    _state["rng"] = np.random.default_rng(seed)
    return _state["rng"]


def seed() -> int:
    """Seed from fresh entropy and return the seed used."""
    s = int(np.random.SeedSequence().entropy % (2 ** 63))
    manual_seed(s)
    return s


def _rng() -> np.random.Generator:
    return _state["rng"]
