"""``torch.backends.mps``: no Apple GPU here (tinygrad_edu runs on the CPU)."""
from __future__ import annotations

__all__ = ["is_available", "is_built"]


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
