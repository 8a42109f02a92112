"""Incremental benchmark: a full run on N documents, a rerun with nothing new, then sets of 10 added.

    python benchmarks/incremental.py CORPUS_DIR [--docs 1000] [--workers 1] [--sets 5]

CORPUS_DIR is any folder of documents (e.g. the shared archive of 6,683 cables). The first N files
(sorted) go into the full run. Each added set starts from a copy of that run's out dir: the first set
is the next 10 files in sorted order, the others are drawn at random (seed 0) from the rest. Every
step is `kzx extract` in a new process, timed from start to exit, as a user rerunning the CLI sees it.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADDED = 10


def timed_extract(raw: Path, out: Path, workers: int) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out),
                    "--workers", str(workers)], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sets", type=int, default=5, help="sets of 10 documents added, one at a time")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    base, rest = files[: args.docs], files[args.docs:]
    sets = [rest[:ADDED]] + [random.Random(0).sample(rest[ADDED:], ADDED * (args.sets - 1))[i:i + ADDED]
                             for i in range(0, ADDED * (args.sets - 1), ADDED)]
    with tempfile.TemporaryDirectory() as tmp:
        raw, out = Path(tmp) / "raw", Path(tmp) / "out"
        raw.mkdir()
        for f in base:
            shutil.copy(f, raw / f.name)
        full = timed_extract(raw, out, args.workers)
        print(f"full run      {len(base):>5} documents  {full:8.2f} s")
        again = timed_extract(raw, out, args.workers)
        print(f"nothing new   {0:>5} documents  {again:8.2f} s  {100 * again / full:5.1f}% of full")
        added = []
        for n, chosen in enumerate(sets, 1):
            raw_n, out_n = Path(tmp) / f"raw{n}", Path(tmp) / f"out{n}"
            shutil.copytree(raw, raw_n)
            shutil.copytree(out, out_n)
            for f in chosen:
                shutil.copy(f, raw_n / f.name)
            words = sum(len(f.read_text(encoding="utf-8", errors="replace").split()) for f in chosen)
            added.append(timed_extract(raw_n, out_n, args.workers))
            how = "next in order" if n == 1 else "random"
            print(f"{ADDED} added #{n}  ({how}, {words:,} words)  {added[-1]:8.2f} s  {100 * added[-1] / full:5.1f}% of full")
            shutil.rmtree(raw_n)
            shutil.rmtree(out_n)
        mean = sum(added) / len(added)
        print(f"{ADDED} added, mean of {len(added)} sets  {mean:8.2f} s  {100 * mean / full:5.1f}% of full "
              f"(worst {100 * max(added) / full:.1f}%)")


if __name__ == "__main__":
    main()
