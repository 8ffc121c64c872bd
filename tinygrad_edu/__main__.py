"""``python -m tinygrad_edu SCRIPT.py [ARGS...]``: run an unchanged PyTorch script
on tinygrad_edu.

The script sees ``import torch`` (``torch.nn``, ``torch.optim``,
``torch.utils.data``, ...) answered by tinygrad_edu (``_as_torch.py``), and
runs as if started directly: ``sys.argv`` is ``[SCRIPT.py, ARGS...]``,
``__name__`` is ``"__main__"``, and its folder is first on ``sys.path``.
"""
from __future__ import annotations

import os
import runpy
import sys

from ._as_torch import torch_is_tinygrad_edu

USAGE = "usage: python -m tinygrad_edu SCRIPT.py [ARGS...]"


def main(argv: list[str]) -> int:
    """Run ``argv[0]`` (a script path) with ``argv[1:]`` as its arguments."""
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE + "\n\nRuns a PyTorch script with `import torch` answered by tinygrad_edu.")
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"{USAGE}\nerror: no such file: {script}", file=sys.stderr)
        return 2
    sys.argv = list(argv)
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    with torch_is_tinygrad_edu():
        runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
