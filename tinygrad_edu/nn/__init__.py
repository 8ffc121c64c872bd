"""``tinygrad_edu.nn``: modules, layers, losses and their functional forms
(``torch.nn``'s names and semantics)."""
from .module import Module, ModuleList, Parameter, Sequential

__all__ = ["Module", "Parameter", "Sequential", "ModuleList"]
