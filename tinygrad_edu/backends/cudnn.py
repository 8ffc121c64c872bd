"""``torch.backends.cudnn``: settings a script may write (``deterministic = True``);
they change nothing here (no GPU, and every op is deterministic already)."""
from __future__ import annotations

__all__ = ["is_available", "deterministic", "benchmark", "enabled"]

deterministic = False
benchmark = False
enabled = True


def is_available() -> bool:
    return False
