"""``tinygrad_edu.nn``: modules, layers, losses and their functional forms
(``torch.nn``'s names and semantics)."""
from . import functional, init, utils
from .activation import GELU, LeakyReLU, SiLU
from .attention import MultiheadAttention
from .containers import ModuleDict, ParameterList
from .conv import Conv2d
from .layers import (Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax,
                     Tanh)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss,
                   NLLLoss, SmoothL1Loss)
from .module import Module, ModuleList, Parameter, Sequential
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d
from .sparse import Embedding

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Dropout",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "BatchNorm1d", "BatchNorm2d", "LayerNorm", "Embedding", "LeakyReLU", "GELU", "SiLU",
    "MultiheadAttention", "ModuleDict", "ParameterList", "SmoothL1Loss", "HuberLoss",
    "functional", "init", "utils",
]
