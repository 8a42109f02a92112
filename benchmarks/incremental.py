"""Incremental benchmark: a full run on N documents, a rerun with nothing new, then 10 added.

    python benchmarks/incremental.py CORPUS_DIR [--docs 1000] [--workers 2]

CORPUS_DIR is any folder of documents (e.g. the shared archive of 6,683 cables). The first N+10
files (sorted) are copied to a temporary input dir; N go into the full run, 10 are added later.
Times are of the library call (`pipeline.api.extract`), ingest to written outputs.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from pipeline import api


def timed(raw: Path, out: Path, workers: int) -> tuple[float, api.Summary]:
    start = time.perf_counter()
    summary = api.extract(raw, out, workers=workers)
    return time.perf_counter() - start, summary


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())[: args.docs + 10]
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "out"
        raw.mkdir()
        for f in files[: args.docs]:
            shutil.copy(f, raw / f.name)
        full, s = timed(raw, out, args.workers)
        print(f"full run     {len(s.parsed):>5} parsed  {full:8.2f} s")
        again, s = timed(raw, out, args.workers)
        print(f"nothing new  {len(s.parsed):>5} parsed  {again:8.2f} s  {100 * again / full:5.1f}% of full")
        for f in files[args.docs:]:
            shutil.copy(f, raw / f.name)
        added, s = timed(raw, out, args.workers)
        print(f"10 added     {len(s.parsed):>5} parsed  {added:8.2f} s  {100 * added / full:5.1f}% of full")


if __name__ == "__main__":
    main()
