"""``torch.cuda`` on a machine without a GPU (tinygrad_edu runs on the CPU)."""
from __future__ import annotations

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all"]


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def manual_seed(seed: int) -> None:
    """Seeds nothing: there is no GPU generator (as torch without CUDA)."""


manual_seed_all = manual_seed
