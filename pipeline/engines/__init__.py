"""Engines: where the parse runs (this machine's cores, or Dask workers)."""

import os
import signal
import sys


def die_with_parent(parent: int) -> None:
    """Asks the kernel to kill this process when its parent dies (Linux); exits if it is gone already."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
