"""``tinygrad_edu.nn``: modules, layers, losses and their functional forms
(``torch.nn``'s names and semantics)."""
from . import functional, init, rnn_utils, utils
from .activation import (CELU, ELU, GELU, GLU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU,
                         LogSigmoid, Mish, PReLU, ReLU6, SiLU, Softmin, Softplus, Softsign,
                         Threshold, Hardshrink, Softshrink, Tanhshrink)
from .attention import MultiheadAttention
from .containers import ModuleDict, ParameterDict, ParameterList
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .distance import CosineSimilarity, PairwiseDistance
from .layers import (Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax,
                     Tanh, Dropout1d, Dropout2d, Unflatten, Upsample, PixelShuffle,
                     PixelUnshuffle, Bilinear, Unfold, Fold, Dropout3d, Softmax2d)
from .loss import (BCELoss, BCEWithLogitsLoss, CosineEmbeddingLoss, CrossEntropyLoss,
                   HingeEmbeddingLoss, HuberLoss, KLDivLoss, L1Loss, MarginRankingLoss, MSELoss,
                   NLLLoss, PoissonNLLLoss, SmoothL1Loss, SoftMarginLoss, TripletMarginLoss,
                   MultiLabelSoftMarginLoss, GaussianNLLLoss, MultiMarginLoss)
from .module import Module, ModuleList, Parameter, Sequential
from .normalization import (BatchNorm1d, BatchNorm2d, GroupNorm, InstanceNorm1d, InstanceNorm2d,
                            InstanceNorm3d, LayerNorm, RMSNorm)
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d, ConstantPad2d,
                      ConstantPad3d, ReflectionPad1d, ReflectionPad2d, ReflectionPad3d,
                      ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, ZeroPad1d, ZeroPad2d,
                      ZeroPad3d)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,
                          TransformerEncoder, TransformerEncoderLayer)
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d,
                      AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d)
from .sparse import Embedding

utils.rnn = rnn_utils  # (torch.nn.utils.rnn: pad_sequence)

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Dropout",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "LeakyReLU", "GELU", "SiLU",
    "MultiheadAttention", "ModuleDict", "ParameterList", "SmoothL1Loss", "HuberLoss",
    "Softplus", "ELU", "SELU", "CELU", "Hardtanh", "ReLU6", "LogSigmoid", "Softsign",
    "Hardswish", "Hardsigmoid", "Mish", "Softmin", "PReLU", "GLU", "Threshold", "Unflatten",
    "ParameterDict", "CosineSimilarity", "PairwiseDistance", "KLDivLoss", "MarginRankingLoss",
    "SoftMarginLoss", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "ConvTranspose2d",
    "ConvTranspose1d", "Conv1d", "MaxPool1d", "AvgPool1d", "GroupNorm", "Dropout1d", "Dropout2d",
    "Hardshrink", "Softshrink", "Tanhshrink", "RMSNorm", "AdaptiveAvgPool1d", "TripletMarginLoss",
    "CosineEmbeddingLoss", "HingeEmbeddingLoss", "PoissonNLLLoss", "ZeroPad1d", "ZeroPad2d",
    "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ReflectionPad1d",
    "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
    "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
    "Upsample", "Transformer", "TransformerEncoder", "TransformerEncoderLayer",
    "TransformerDecoder", "TransformerDecoderLayer", "PixelShuffle", "PixelUnshuffle", "Bilinear",
    "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "Unfold", "Fold", "Dropout3d",
    "Softmax2d", "MultiLabelSoftMarginLoss", "GaussianNLLLoss", "MultiMarginLoss",
    "AdaptiveMaxPool2d", "AdaptiveMaxPool1d",
    "functional", "init", "utils",
]
