"""``tg.utils``: helpers outside the core (``tg.utils.data``, as ``torch.utils.data``)."""
from . import data

__all__ = ["data"]
