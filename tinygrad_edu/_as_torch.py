"""``import torch`` answered by tinygrad_edu, for one run of a script
(``python -m tinygrad_edu script.py``; see ``__main__.py``).

How: while ``torch_is_tinygrad_edu()`` is active, a finder placed first on
``sys.meta_path`` answers every ``import torch...``. The names in
``TORCH_MODULES`` get a *view* of the matching tinygrad_edu module; any other
``torch.*`` raises an ImportError that names it. A view hands out the module's
attributes, and for a name the module lacks raises ``MissingTorchAPI``
(``tinygrad_edu has no torch.nn.Conv3d``) instead of a bare AttributeError.
``import tinygrad_edu`` alone changes nothing: only the runner installs this.

Reading path: off the path (how a PyTorch script finds tinygrad_edu).
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any, Iterator

__all__ = ["TORCH_MODULES", "MissingTorchAPI", "torch_is_tinygrad_edu"]

# torch's module -> the tinygrad_edu module that stands in for it
TORCH_MODULES = {
    "torch": "tinygrad_edu",
    "torch.nn": "tinygrad_edu.nn",
    "torch.nn.functional": "tinygrad_edu.nn.functional",
    "torch.nn.init": "tinygrad_edu.nn.init",
    "torch.nn.utils": "tinygrad_edu.nn.utils",
    "torch.nn.utils.rnn": "tinygrad_edu.nn.rnn_utils",
    "torch.optim": "tinygrad_edu.optim",
    "torch.optim.lr_scheduler": "tinygrad_edu.optim.lr_scheduler",
    "torch.utils": "tinygrad_edu.utils",
    "torch.utils.data": "tinygrad_edu.utils.data",
    "torch.utils.data.sampler": "tinygrad_edu.utils.sampler",
    "torch.linalg": "tinygrad_edu.linalg",
    "torch.autograd": "tinygrad_edu.autograd",
    "torch.autograd.functional": "tinygrad_edu.functional",
    "torch.cuda": "tinygrad_edu.cuda",
    "torch.backends": "tinygrad_edu.backends",
    "torch.backends.mps": "tinygrad_edu.backends.mps",
    "torch.backends.cudnn": "tinygrad_edu.backends.cudnn",
    "torch.accelerator": "tinygrad_edu.accelerator",
}
_TORCH_NAME = {ours: theirs for theirs, ours in TORCH_MODULES.items()}


class MissingTorchAPI(AttributeError):
    """A torch name that tinygrad_edu doesn't have (an AttributeError, so
    ``hasattr(torch, name)`` is still False)."""


class _TorchView(types.ModuleType):
    """``torch.X`` seen through tinygrad_edu's module for it."""

    def __init__(self, torch_name: str, module: types.ModuleType) -> None:
        super().__init__(torch_name, module.__doc__)
        self.__path__: list = []  # a package, so `import torch.nn` can look inside
        self.__file__ = getattr(module, "__file__", None)
        self._module = module

    def __getattr__(self, name: str) -> Any:
        try:
            value = getattr(self._module, name)
        except AttributeError:
            if name.startswith("__"):  # Python's own probes (__wrapped__, ...): the usual error
                raise
            raise MissingTorchAPI(f"tinygrad_edu has no {self.__name__}.{name}") from None
        if isinstance(value, types.ModuleType) and value.__name__ in _TORCH_NAME:
            return importlib.import_module(_TORCH_NAME[value.__name__])  # torch.nn: a view too
        return value

    def __dir__(self) -> list:
        return dir(self._module)


class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import torch...`` with views of tinygrad_edu's modules."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        if fullname not in TORCH_MODULES:
            raise ModuleNotFoundError(f"tinygrad_edu has no {fullname} (running this script "
                                      "with python -m tinygrad_edu)", name=fullname)
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _TorchView(spec.name, importlib.import_module(TORCH_MODULES[spec.name]))

    def exec_module(self, module: types.ModuleType) -> None:
        pass  # the view is ready as created


def _torch_entries() -> dict:
    return {k: v for k, v in sys.modules.items() if k == "torch" or k.startswith("torch.")}


@contextlib.contextmanager
def torch_is_tinygrad_edu() -> Iterator[None]:
    """Inside: ``import torch`` (and ``torch.nn``, ...) gives tinygrad_edu. After:
    as before (a real torch already imported comes back)."""
    saved = _torch_entries()
    for name in saved:
        del sys.modules[name]
    finder = _TorchFinder()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for name in _torch_entries():
            del sys.modules[name]
        sys.modules.update(saved)
