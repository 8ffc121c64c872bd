"""Devices, as a CPU-only build of PyTorch has them: ``tg.device('cpu')``,
``x.device``, ``device=`` on creation functions, ``.to(device)``. There is one
device, the CPU; asking for a GPU raises ``NoGPUError``, as ``torch.zeros(2).cuda()``
does on a machine without CUDA. (``tg.cuda``, ``tg.backends.mps`` and
``tg.accelerator`` say no GPU is available, so the usual
``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU.)

Reading path: off the path (parity with PyTorch, not the idea).
"""
from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["device", "NoGPUError", "is_device", "check_device", "no_gpu", "set_default_device",
           "get_default_device"]

# the device types torch.device knows; tinygrad_edu can run on the first only
DEVICE_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "mtia", "hpu", "ipu", "vulkan")


class NoGPUError(RuntimeError, AssertionError):
    """A tensor or module sent to a GPU. A RuntimeError, and an AssertionError
    as torch's "Torch not compiled with CUDA enabled" is."""


class device:
    """Where a tensor lives: ``device('cpu')``, ``device('cpu:0')``, ``device('cpu', 0)``.

    >>> device('cpu')
    device(type='cpu')
    >>> str(device('cpu:0'))
    'cpu:0'
    """

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        name, colon, number = str(type).partition(":")
        if name not in DEVICE_TYPES or (colon and not number.isdigit()):
            raise RuntimeError(f"device: expected one of {', '.join(DEVICE_TYPES)} at the start "
                               f"of the device string (with an optional ':index'), got {type!r}")
        self.type = name
        self.index = int(number) if colon else index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: Any) -> bool:  # (a string is not a device: device('cpu') != 'cpu', as torch)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def is_device(a: Any) -> bool:
    """Is ``a`` a device (``device('cpu')``, 'cpu', 'cuda:0', ...), rather than a dtype?"""
    return isinstance(a, device) or isinstance(a, str) and a.partition(":")[0] in DEVICE_TYPES


def check_device(where: str, dev: Any) -> None:
    """Refuse any device but the CPU (None means the default: the CPU)."""
    if dev is None or isinstance(dev, bool):
        return
    if isinstance(dev, int):  # torch reads a bare int as a CUDA device index
        dev = device("cuda", dev)
    if device(dev).type != "cpu":
        no_gpu(where, device(dev))


def no_gpu(where: str, dev: Any = "cuda") -> NoReturn:
    raise NoGPUError(f"{where}: tinygrad_edu runs on the CPU only; there is no {dev} device "
                     "here (as with a PyTorch built without CUDA: 'Torch not compiled with CUDA "
                     "enabled'). Use 'cpu', or torch.cuda.is_available() to choose.")


def set_default_device(dev: Any) -> None:
    """``torch.set_default_device``: 'cpu' (or None) is the only choice here."""
    check_device("set_default_device", dev)


def get_default_device() -> device:
    return CPU
