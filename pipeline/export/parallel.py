"""Writers side by side: GraphML, GEXF and the report are written by a forked copy of this process
while this one writes the CSV tables and the JSON, when twice this process's memory fits the
configured budget (a fork shares its pages, but each process's RSS counts them). Elsewhere (no fork,
no /proc, a bigger graph) one process writes everything; the files are the same either way.

The copy writes into a staging folder; this process moves the files into place only after the copy
exited cleanly, so a copy outliving a killed run can never put stale files over a newer run's."""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

from . import OUTPUT_FILES, WRITERS
from .model_rows import Export

SIDE_FORMATS = ("graphml", "gexf", "report")  # about half the writing time
STAGING_PREFIX = ".kzx-staging-"


def resident_mb() -> float | None:
    """This process's resident memory in MiB (Linux /proc), None where unknown."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return None


def side_formats(formats, memory_mb: int) -> list[str]:
    """The formats a forked copy may write: none without fork, without a budget, or over it."""
    rss = resident_mb()
    if not hasattr(os, "fork") or rss is None or 2 * rss > memory_mb:
        return []
    side = [f for f in formats if f in SIDE_FORMATS]
    return side if len(side) < len(formats) else []  # this process writes the rest meanwhile


def write_outputs(export: Export, out: Path, formats, memory_mb: int) -> list[Path]:
    """Every format's files, written as the module docstring says; returns them in format order."""
    side = side_formats(formats, memory_mb)
    written: dict[str, list[Path]] = {}
    if side:
        staging = out / f"{STAGING_PREFIX}{os.getpid()}"
        staging.mkdir(parents=True, exist_ok=True)
        try:
            pid = _fork_writer(export, staging, side)
            try:
                for fmt in formats:
                    if fmt not in side:
                        written[fmt] = WRITERS[fmt](export, out)
            finally:
                _, status = os.waitpid(pid, 0)
            staged = {fmt: [staging / name for name in OUTPUT_FILES[fmt]] for fmt in side}
            if os.waitstatus_to_exitcode(status) == 0 and all(p.is_file() for ps in staged.values() for p in ps):
                for fmt, paths in staged.items():
                    written[fmt] = [_move(p, out) for p in paths]
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    for fmt in formats:  # everything when nothing was forked; a failed copy's share is written here
        if fmt not in written:
            written[fmt] = WRITERS[fmt](export, out)
    return [path for fmt in formats for path in written[fmt]]


def remove_stale_staging(out: Path) -> None:
    """Staging folders and temporary output files (atomic_open's '.<name>.<random>.tmp') of earlier
    runs that were killed (called under the out dir's lock)."""
    for path in Path(out).glob(STAGING_PREFIX + "*"):
        shutil.rmtree(path, ignore_errors=True)
    names = {name for names in OUTPUT_FILES.values() for name in names}
    for path in Path(out).glob(".*.tmp"):
        if path.name[1:].split(".tmp")[0].rsplit(".", 1)[0] in names and path.is_file():
            path.unlink(missing_ok=True)


def _fork_writer(export: Export, staging: Path, side: list[str]) -> int:
    with warnings.catch_warnings():
        # Python 3.12 warns on fork while other threads run (here: a progress bar's refresh thread).
        # The copy takes no lock those threads may hold: it only formats strings, writes its own files
        # and leaves with os._exit, running no atexit handler and flushing no inherited buffer.
        warnings.simplefilter("ignore", DeprecationWarning)
        parent = os.getpid()
        pid = os.fork()
    if pid == 0:
        code = 1
        try:
            from ..engines import die_with_parent

            die_with_parent(parent)
            for fmt in side:
                WRITERS[fmt](export, staging)
            code = 0
        finally:
            os._exit(code)
    return pid


def _move(path: Path, out: Path) -> Path:
    target = out / path.name
    os.replace(path, target)
    return target
