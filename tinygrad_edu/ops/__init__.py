"""Every differentiable op: one ``Function`` subclass each, forward and backward
side by side, grouped as in early tinygrad (unary, binary, reduce, movement),
the fused layers and losses behind ``nn.functional`` (nn), convolution and
pooling (conv), and the newer activations with erf (activation)."""
from .activation import Erf, Gelu, LeakyRelu, Silu
from .binary import (Add, Div, FloorDiv, MatMul, Maximum, Minimum, Mul, Pow, Remainder, Sub,
                     Where)
from .conv import (AvgPool2d, AvgPool2dGrad, Conv2d, Conv2dInputGrad, Conv2dWeightGrad,
                   MaxPool2d, MaxPool2dGrad)
from .movement import (Cast, Cat, Clone, Expand, GetItem, IndexAdd, Permute, Repeat, Reshape,
                       ScatterAlong, SetItem, Stack, SumTo, TakeAlong)
from .linalg import Det, Inverse, Solve
from .index import Flip, Gather, Roll, Scatter, ScatterAdd
from .math import (Acos, Asin, Atan, Atan2, Ceil, Cosh, Expm1, Floor, Frac, Hypot, Log1p, Log2,
                   Log10, LogAddExp, NanToNum, Round, Sinh, Softplus, Trunc, Xlogy)
from .reduce import Amax, Amin, LogSoftmax, LogSumExp, Mean, Prod, Softmax, Std, Sum
from .nn import (BCE, MSE, NLL, BCEWithLogits, CrossEntropy, LayerNorm, Linear,
                 ScaledDotProductAttention, SoftCrossEntropy)
from .unary import Abs, Clamp, Cos, Exp, Log, Neg, Relu, ReluGrad, Sigmoid, Sign, Sin, Sqrt, Tanh

__all__ = [
    "Add", "Sub", "Mul", "Div", "Remainder", "FloorDiv", "Pow", "MatMul", "Maximum", "Minimum",
    "Where",
    "Neg", "Exp", "Log", "Sqrt", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "ReluGrad", "Abs", "Sign", "Clamp",
    "Sum", "Mean", "Amax", "Amin", "Prod", "Std", "LogSumExp", "Softmax", "LogSoftmax",
    "Reshape", "Permute", "Expand", "SumTo", "Repeat", "GetItem", "IndexAdd", "SetItem",
    "TakeAlong", "ScatterAlong", "Cat", "Stack", "Cast", "Clone",
    "Linear", "LayerNorm", "ScaledDotProductAttention", "MSE", "NLL", "CrossEntropy", "SoftCrossEntropy", "BCE", "BCEWithLogits",
    "Conv2d", "Conv2dInputGrad", "Conv2dWeightGrad", "MaxPool2d", "MaxPool2dGrad", "AvgPool2d",
    "AvgPool2dGrad",
    "LeakyRelu", "Erf", "Gelu", "Silu",
    "Gather", "Scatter", "ScatterAdd", "Flip", "Roll",
    "Log1p", "Expm1", "Log2", "Log10", "Sinh", "Cosh", "Asin", "Acos", "Atan", "Atan2",
    "LogAddExp", "Hypot", "Xlogy", "Floor", "Ceil", "Trunc", "Round", "Frac", "Softplus",
    "NanToNum", "Inverse", "Det", "Solve",
]
