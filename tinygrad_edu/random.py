"""The package's random number generator (``tg.manual_seed`` seeds it)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ._device import check_device

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


class Generator:
    """``torch.Generator``: a random stream of its own, for the functions that take
    ``generator=`` (rand, randn, randint, randperm, normal, DataLoader), so they
    repeat without touching the package's stream.

    >>> g = Generator().manual_seed(0)
    >>> a = rand(3, generator=g)
    """

    def __init__(self, device: Any = "cpu") -> None:
        check_device("Generator", device)
        self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))

    def manual_seed(self, seed: int) -> "Generator":
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def seed(self) -> int:
        """Reseed from fresh entropy and return the seed used."""
        return self.manual_seed(int(np.random.SeedSequence().entropy % (2 ** 63)))._seed

    def initial_seed(self) -> int:
        return self._seed


def _rng(generator: Generator | None = None) -> np.random.Generator:
    """The stream to draw from: the package's, or ``generator``'s."""
    if generator is None:
        return _state["rng"]
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tinygrad_edu Generator (tg.Generator()), "
                        f"not {type(generator).__name__}")
    return generator.rng
