"""``tinygrad_edu.nn``: modules, layers, losses and their functional forms
(``torch.nn``'s names and semantics)."""
from . import functional, init, utils
from .conv import Conv2d
from .layers import (Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax,
                     Tanh)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss)
from .module import Module, ModuleList, Parameter, Sequential
from .pooling import AdaptiveAvgPool2d, AvgPool2d, MaxPool2d

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Dropout",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "Conv2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d",
    "functional", "init", "utils",
]
