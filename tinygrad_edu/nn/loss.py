"""Loss modules: each stores its options and calls its ``nn.functional`` form.

Every loss takes ``reduction``: ``'mean'`` (default), ``'sum'``, or
``'none'`` (one value per element or sample). torch's older ``size_average``
and ``reduce`` arguments still work, as in torch (with its deprecation warning).
"""
from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .module import Module

__all__ = ["MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
           "SmoothL1Loss", "HuberLoss", "KLDivLoss", "MarginRankingLoss", "SoftMarginLoss",
           "TripletMarginLoss", "CosineEmbeddingLoss", "HingeEmbeddingLoss", "PoissonNLLLoss",
           "MultiLabelSoftMarginLoss", "GaussianNLLLoss", "MultiMarginLoss"]


class _Loss(Module):
    def __init__(self, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = F._reduction(type(self).__name__, size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    # ``weight`` (and ``pos_weight``) are buffers: forward reads them from
    # ``self._buffers`` directly, as ``Linear`` reads its parameters, because
    # ``self.weight`` goes through ``Module.__getattr__``, a slow path in a hot loop.

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """l = mean((x - y)^2) (``sum`` or elementwise with ``reduction``).

    Shape: input and target the same shape (or broadcastable).
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """l = mean(|x - y|) (``sum`` or elementwise with ``reduction``)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood: l_i = -w[t_i] x[i, t_i] for log-probabilities
    x (the output of ``LogSoftmax(dim=1)``).

    'mean' divides by sum_i w[t_i] over the samples not equal to ``ignore_index``.

    Args:
        weight: optional per-class weights, shape (C,).
        ignore_index: a target value that contributes nothing (default -100).

    Shape:
        input (N, C) or (N, C, d1, ...); target (N,) or (N, d1, ...) of class indices.
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, self._buffers["weight"],
                          ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy of raw logits: ``NLLLoss()(LogSoftmax(dim=1)(x), t)`` in one
    fused, stable step:

        l_i = -w[t_i] log(exp(x[i, t_i]) / sum_c exp(x[i, c]))

    The target is class indices (integers) or class probabilities (floats of
    the input's shape: l_i = -sum_c w_c y_ic log_softmax(x)_ic).

    Args:
        weight: optional per-class weights, shape (C,).
        ignore_index: a class-index target that contributes nothing (default -100).

    Shape:
        input (N, C) or (N, C, d1, ...) or (C,); target (N,) or (N, d1, ...) or
        the input's shape for probabilities.

    Example::

        >>> loss = nn.CrossEntropyLoss()
        >>> loss(tg.randn(3, 5, requires_grad=True), tg.tensor([1, 0, 4])).backward()
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 ignore_index: int = -100, reduce: Any = None, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, self._buffers["weight"],
                               ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities: l = -w (y log x + (1-y) log(1-x)),
    each log clamped to >= -100 (as torch) so x = 0 or 1 stays finite.

    Shape: input and target the same shape, values in [0, 1].
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self._buffers["weight"],
                                      reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """``BCELoss`` after a ``Sigmoid``, fused and stable for any logit:

        l = w ((1-y) x + (1 + (pos_weight-1) y) log(1 + exp(-x)))

    Args:
        weight: optional weight, broadcast against the loss.
        pos_weight: optional weight of positive examples, one per class.
    """

    def __init__(self, weight: Tensor | None = None, size_average: Any = None,
                 reduce: Any = None, reduction: str = "mean",
                 pos_weight: Tensor | None = None) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self._buffers["weight"],
                                                  reduction=self.reduction,
                                                  pos_weight=self._buffers["pos_weight"])


class SmoothL1Loss(_Loss):
    """l = 0.5 (x - y)^2 / beta where |x - y| < beta, else |x - y| - 0.5 beta
    (quadratic near 0, L1 further out; beta = 0 is the L1 loss).

    Args:
        beta: where the loss turns from quadratic to linear (default 1.0).
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """l = 0.5 (x - y)^2 where |x - y| < delta, else delta (|x - y| - 0.5 delta).

    Args:
        delta: where the loss turns from quadratic to linear (default 1.0).
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """l = target (log target - input), pointwise: the KL divergence of the
    distribution ``target`` from exp(``input``) (input holds log-probabilities,
    e.g. ``log_softmax``'s output).

    Args:
        reduction: 'mean' (over every element, with torch's warning), 'batchmean'
            (the sum over the batch size: the KL divergence per sample), 'sum' or 'none'.
        log_target: the target holds log-probabilities too.
    """

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        super().__init__(size_average, reduce, "mean" if reduction == "batchmean" else reduction)
        if reduction == "batchmean" and size_average is None and reduce is None:
            self.reduction = reduction
        self.log_target = log_target

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class MarginRankingLoss(_Loss):
    """l = max(0, -y (x1 - x2) + margin), y = 1 where x1 should rank higher, -1 where x2.

    Args:
        margin: how far apart the ranked inputs must be (default 0).
    """

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin,
                                     reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """l = log(1 + exp(-y x)), y = 1 or -1 (the two-class logistic loss)."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """l = max(d(anchor, positive) - d(anchor, negative) + margin, 0), d the p-norm
    distance: pull the positive closer to the anchor than the negative, by ``margin``.

    Args:
        margin: default 1.0.  p: the norm of the distance (default 2).
        eps: added to the differences (default 1e-6).
        swap: use the smaller of d(anchor, negative) and d(positive, negative) (default False).
    """

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} "
                             "instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(anchor, positive, negative, self.margin, self.p, self.eps,
                                     self.swap, reduction=self.reduction)


class CosineEmbeddingLoss(_Loss):
    """l = 1 - cos(x1, x2) where y = 1, max(0, cos(x1, x2) - margin) where y = -1."""

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """l = x where y = 1, max(0, margin - x) where y = -1 (x: a distance)."""

    def __init__(self, margin: float = 1.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)


class PoissonNLLLoss(_Loss):
    """l = exp(x) - y x (``log_input``, the default) or x - y log(x + eps): the negative
    log-likelihood of counts y; ``full`` adds Stirling's approximation of log(y!)."""

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None,
                 eps: float = 1e-8, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps,
                                  reduction=self.reduction)


class MultiLabelSoftMarginLoss(_WeightedLoss):
    """l = mean over the C labels of -(y log sigmoid(x) + (1 - y) log sigmoid(-x)) (weighted
    per label by ``weight``): a binary cross-entropy for each label of a multi-label target."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, self._buffers["weight"],
                                             reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """l = 0.5 (log var + (x - y)^2 / var) (+ 0.5 log(2 pi) with ``full``), var >= ``eps``:
    a regression that also predicts its own uncertainty."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction=reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Tensor, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps,
                                   reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """The multi-class hinge loss: sum over wrong classes j of
    max(0, margin - x[y] + x[j])^p (times weight[y]), over the number of classes."""

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Tensor | None = None,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        if p not in (1, 2):
            raise ValueError("only p == 1 and p == 2 supported")
        self.p, self.margin = p, margin

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.multi_margin_loss(input, target, self.p, self.margin, self._buffers["weight"],
                                   reduction=self.reduction)
