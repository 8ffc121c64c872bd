"""``torch.backends``: ``mps`` (Apple GPUs) and ``cudnn``, neither available here."""
from . import cudnn, mps

__all__ = ["cudnn", "mps"]
