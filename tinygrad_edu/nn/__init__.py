"""``tinygrad_edu.nn``: modules, layers, losses and their functional forms
(``torch.nn``'s names and semantics)."""
from . import functional, init, utils
from .layers import (Dropout, Flatten, Identity, Linear, LogSoftmax, ReLU, Sigmoid, Softmax,
                     Tanh)
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss)
from .module import Module, ModuleList, Parameter, Sequential

__all__ = [
    "Module", "Parameter", "Sequential", "ModuleList",
    "Linear", "ReLU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "Identity", "Flatten", "Dropout",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss",
    "functional", "init", "utils",
]
