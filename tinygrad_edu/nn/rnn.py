"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells
(``RNNCell``, ``LSTMCell``, ``GRUCell``), with torch's arguments, parameter
names and shapes (``weight_ih_l0``, ``weight_hh_l0``, ``bias_ih_l0``, ...,
``_reverse`` for the backward direction), so state_dicts move across.

Each step is its cell's equations written with Tensor operations, so backprop
through time is the chain rule through the loop; the input's contribution to
every step is one matmul for the whole sequence, made before the loop::

    RNN:   h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    LSTM:  i, f, g, o = split(x W_ih^T + b_ih + h W_hh^T + b_hh)     (4 H wide)
           c' = sigmoid(f) c + sigmoid(i) tanh(g);  h' = sigmoid(o) tanh(c')
    GRU:   r, z, n_x = split(x W_ih^T + b_ih);  r_h, z_h, n_h = split(h W_hh^T + b_hh)
           r = sigmoid(r + r_h);  z = sigmoid(z + z_h);  n = tanh(n_x + r n_h)
           h' = (1 - z) n + z h

Reading path: off the path.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._dtypes import default_float, to_dtype
from .._errors import TensorError
from ..creation import stack
from ..ops import movement as M
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module, Parameter

__all__ = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _step(mode: str, xw: Tensor, h: Tensor, c: Tensor | None, w_hh: Tensor,
          b_hh: Tensor | None) -> tuple:
    """One time step of the cell ``mode``: ``xw`` is x W_ih^T + b_ih (already made).
    Returns (h', c') (c' is None but for LSTM)."""
    hw = F.linear(h, w_hh, b_hh)
    if mode == "LSTM":
        i, f, g, o = (xw + hw).chunk(4, -1)
        c = f.sigmoid() * c + i.sigmoid() * g.tanh()
        return o.sigmoid() * c.tanh(), c
    if mode == "GRU":
        r_x, z_x, n_x = xw.chunk(3, -1)
        r_h, z_h, n_h = hw.chunk(3, -1)
        r, z = (r_x + r_h).sigmoid(), (z_x + z_h).sigmoid()
        n = (n_x + r * n_h).tanh()
        return (1 - z) * n + z * h, None
    pre = xw + hw
    return (pre.tanh() if mode == "RNN_TANH" else pre.relu()), None


class _RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent layer shared by RNN, LSTM, GRU.

    Args:
        input_size: H_in, the features of each step's input.
        hidden_size: H, the features of the hidden state.
        num_layers: recurrent layers stacked (each reads the one below's outputs) (default 1).
        bias: learn b_ih and b_hh (default True).
        batch_first: input and output are (N, L, H) instead of (L, N, H) (default False).
        dropout: dropout on each layer's outputs but the last, in training (default 0).
        bidirectional: also run the sequence backwards; outputs joined (default False).

    Shape:
        input (L, N, H_in), (N, L, H_in) with batch_first, or (L, H_in) unbatched;
        h_0 (and LSTM's c_0): (D * num_layers, N, H), zeros when not given (D = 2 if
        bidirectional else 1); output (L, N, D * H); h_n (D * num_layers, N, H).

    Attributes:
        weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (and ``_reverse``):
        (gates * H, H_in or D * H), (gates * H, H), (gates * H,) (gates: RNN 1, LSTM 4
        in the order i, f, g, o, GRU 3 in the order r, z, n), all from U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError(f"hidden_size and num_layers must be positive, got {hidden_size} "
                             f"and {num_layers}")
        if proj_size:
            raise NotImplementedError("LSTM: proj_size is not supported")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional, self.proj_size = float(dropout), bidirectional, proj_size
        dt = to_dtype(dtype) or default_float[0]
        gates = _GATES[mode] * hidden_size
        for layer in range(num_layers):
            for sfx in ("", "_reverse") if bidirectional else ("",):
                width = input_size if layer == 0 else hidden_size * (2 if bidirectional else 1)
                setattr(self, f"weight_ih_l{layer}{sfx}", Parameter(np.empty((gates, width), dt)))
                setattr(self, f"weight_hh_l{layer}{sfx}", Parameter(np.empty((gates, hidden_size), dt)))
                if bias:
                    setattr(self, f"bias_ih_l{layer}{sfx}", Parameter(np.empty(gates, dt)))
                    setattr(self, f"bias_hh_l{layer}{sfx}", Parameter(np.empty(gates, dt)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(H), 1/sqrt(H)), as torch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _weights(self, layer: int, sfx: str) -> tuple:
        p = self._parameters
        return (p[f"weight_ih_l{layer}{sfx}"], p[f"weight_hh_l{layer}{sfx}"],
                p.get(f"bias_ih_l{layer}{sfx}"), p.get(f"bias_hh_l{layer}{sfx}"))

    def forward(self, input: Tensor, hx: Any = None) -> tuple:
        name, lstm = type(self).__name__, self.mode == "LSTM"
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise TensorError(f"{name}: expected input of shape (L, N, {self.input_size}) "
                              f"(or (L, {self.input_size}) unbatched), got {tuple(input.shape)}")
        batched = input.ndim == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        steps, n = x.shape[0], x.shape[1]
        dirs = 2 if self.bidirectional else 1
        h0, c0 = (hx if lstm and hx is not None else (hx, None))
        h0 = self._state(name, h0, batched, n, x)
        c0 = self._state(name, c0, batched, n, x) if lstm else None
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            outs = []
            for d, sfx in enumerate(("", "_reverse")[:dirs]):
                w_ih, w_hh, b_ih, b_hh = self._weights(layer, sfx)
                xw = F.linear(x, w_ih, b_ih)  # every step's input term, in one matmul
                h, c = h0[layer * dirs + d], (c0[layer * dirs + d] if lstm else None)
                seq = [None] * steps
                for t in (range(steps) if d == 0 else range(steps - 1, -1, -1)):
                    h, c = _step(self.mode, xw[t], h, c, w_hh, b_hh)
                    seq[t] = h
                outs.append(stack(seq))
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if dirs == 1 else M.Cat.apply(*outs, dim=2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout)
        out, h_n = x, stack(h_n)
        if batched and self.batch_first:
            out = out.transpose(0, 1)
        if not batched:
            out, h_n = out.squeeze(1), h_n.squeeze(1)
        if not lstm:
            return out, h_n
        c_n = stack(c_n)
        return out, (h_n, c_n if batched else c_n.squeeze(1))

    def _state(self, name: str, h: Any, batched: bool, n: int, like: Tensor) -> Tensor:
        """The initial state as (D * num_layers, N, H): zeros, or ``h`` checked."""
        want = ((2 if self.bidirectional else 1) * self.num_layers, n, self.hidden_size)
        if h is None:
            return like.new_zeros(*want)
        if not batched:
            h = h.unsqueeze(1) if h.ndim == 2 else h
        if tuple(h.shape) != want:
            raise TensorError(f"{name}: expected hidden size {want if batched else (want[0], want[2])}, "
                              f"got {tuple(h.shape)}")
        return h

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(_RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh) (or relu with
    ``nonlinearity='relu'``). Returns (output, h_n). See ``_RNNBase`` for the arguments."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, num_layers, bias,
                         batch_first, dropout, bidirectional, device=device, dtype=dtype)


class LSTM(_RNNBase):
    """Long short-term memory: gates i, f, g, o decide what the cell state c forgets,
    adds and shows (see the module docstring). ``forward(input, (h_0, c_0))`` returns
    (output, (h_n, c_n))."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, proj_size, device, dtype)


class GRU(_RNNBase):
    """Gated recurrent unit: a reset gate r and an update gate z (see the module
    docstring). Returns (output, h_n)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device=device, dtype=dtype)


# ---------------------------------------------------------------- one step
class _CellBase(Module):
    """One step of a recurrent layer, on (N, H_in) (or (H_in,)) inputs; parameters
    weight_ih (gates * H, H_in), weight_hh (gates * H, H), bias_ih, bias_hh (gates * H,),
    from U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool,
                 dtype: Any) -> None:
        super().__init__()
        self.mode, self.input_size, self.hidden_size, self.bias = mode, input_size, hidden_size, bias
        dt = to_dtype(dtype) or default_float[0]
        gates = _GATES[mode] * hidden_size
        self.weight_ih = Parameter(np.empty((gates, input_size), dt))
        self.weight_hh = Parameter(np.empty((gates, hidden_size), dt))
        if bias:
            self.bias_ih, self.bias_hh = Parameter(np.empty(gates, dt)), Parameter(np.empty(gates, dt))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        bound = 1.0 / math.sqrt(hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _run(self, input: Tensor, h: Any, c: Any) -> tuple:
        name = type(self).__name__
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise TensorError(f"{name}: expected input of shape (N, {self.input_size}) or "
                              f"({self.input_size},), got {tuple(input.shape)}")
        batched = input.ndim == 2
        x = input if batched else input.unsqueeze(0)
        zeros = x.new_zeros(x.shape[0], self.hidden_size)
        h = zeros if h is None else (h if batched else h.unsqueeze(0))
        c = None if self.mode != "LSTM" else (zeros if c is None else (c if batched else c.unsqueeze(0)))
        if tuple(h.shape) != tuple(zeros.shape):
            raise TensorError(f"{name}: hidden state of shape {tuple(h.shape)} should be "
                              f"{tuple(zeros.shape)}")
        p = self._parameters
        h, c = _step(self.mode, F.linear(x, p["weight_ih"], p["bias_ih"]), h, c,
                     p["weight_hh"], p["bias_hh"])
        return (h, c) if batched else (h.squeeze(0), None if c is None else c.squeeze(0))

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        return s


class RNNCell(_CellBase):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu). ``forward(input, hx)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_" + nonlinearity.upper(), input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx, None)[0]


class LSTMCell(_CellBase):
    """One LSTM step: ``forward(input, (h, c))`` returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Any = None) -> tuple:
        h, c = (None, None) if hx is None else hx
        return self._run(input, h, c)


class GRUCell(_CellBase):
    """One GRU step: ``forward(input, hx)`` returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(input, hx, None)[0]
