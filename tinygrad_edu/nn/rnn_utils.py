"""``nn.utils.rnn`` (``torch.nn.utils.rnn``): ``pad_sequence``, which makes one
batch of sequences of different lengths. Differentiable: each sequence is padded
(``F.pad``) and the results stacked.

Reading path: off the path.
"""
from __future__ import annotations

from typing import Sequence

from .._errors import TensorError
from ..creation import stack
from ..tensor import Tensor
from . import functional as F

__all__ = ["pad_sequence"]


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Sequences of shapes (L_i, *) as one tensor (L_max, B, *) (or (B, L_max, *) with
    ``batch_first``), the shorter ones filled with ``padding_value`` at the end (or at
    the start, ``padding_side='left'``)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    seqs = list(sequences)
    if not seqs:
        raise TensorError("pad_sequence: received an empty list of sequences")
    trailing = {tuple(s.shape[1:]) for s in seqs}
    if len(trailing) != 1 or any(s.ndim == 0 for s in seqs):
        raise TensorError(f"pad_sequence: the sequences must have the same shape after their first "
                          f"dim, got shapes {[tuple(s.shape) for s in seqs]}")
    longest = max(s.shape[0] for s in seqs)

    def padded(s: Tensor) -> Tensor:
        extra = longest - s.shape[0]
        where = (0, extra) if padding_side == "right" else (extra, 0)
        return F.pad(s, (0, 0) * (s.ndim - 1) + where, value=padding_value)
    return stack([padded(s) for s in seqs], dim=0 if batch_first else 1)
