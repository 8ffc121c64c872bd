"""``tg.autograd``, laid out as ``torch.autograd``: grad mode (``grad_mode.py``),
the op and its graph node (``function.py``), the backward walk
(``engine.py``), and the graph seen from outside (``graph.py``: the ops in order,
``next_functions``). ``tg.autograd.functional`` (jacobian, hessian) and
``tg.autograd.gradcheck`` are attached by the package's ``__init__``."""
from .._errors import TensorError
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .function import Function
from .engine import backward, grad

__all__ = ["Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
           "backward", "grad", "TensorError"]
