"""``torch.accelerator``: there is none here (tinygrad_edu runs on the CPU)."""
from __future__ import annotations

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    return False


def current_accelerator() -> None:
    return None


def device_count() -> int:
    return 0
