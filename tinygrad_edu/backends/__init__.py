"""``torch.backends``: only ``mps`` (Apple GPUs), which is not available here."""
from . import mps

__all__ = ["mps"]
