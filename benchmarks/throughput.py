"""Throughput benchmark: the bare base model's nlp.pipe against the full kzx extract, on one corpus.

    python benchmarks/throughput.py CORPUS_DIR [--docs 1000] [--workers 1 2] [--no-bare]

Times, on the first N files of CORPUS_DIR (sorted): the pretrained pipeline with the components kzx
enables (tok2vec, tagger, parser, attribute_ruler, ner) over the decoded texts, one process; then
`kzx extract` from files to written outputs, in a fresh out dir, for each worker count. Prints
words/s (whitespace words of the decoded texts) and ratios, and the peak RSS of all kzx processes
(sampled with psutil). `--no-bare` skips the bare model (for memory runs on a whole archive).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from pipeline.config import load_settings
from pipeline.ingest import InputError, read_document
from pipeline.nlp import load_base


def peak_rss(cmd: list[str], cwd: Path | None = None, capture: bool = False, ok: tuple[int, ...] = (0, 3),
             interval: float = 0.2) -> tuple[float, float, str]:
    """(seconds, peak summed RSS in MiB of the process and its children, its stdout when `capture`)
    of a command; an exit status outside `ok` stops the benchmark."""
    start = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, text=True, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                        stderr=None if capture else subprocess.DEVNULL)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [proc, *proc.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(interval)
    out = proc.stdout.read() if capture else ""
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed with {proc.returncode}")
    return time.perf_counter() - start, peak / 2**20, out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-bare", action="store_true", help="time kzx extract only")
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.iterdir() if p.is_file())[: args.docs]
    texts = []
    for f in files:
        try:
            texts.append(read_document(f, f.name).text)
        except InputError:
            pass
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} documents, {words} words")
    bare = None
    if not args.no_bare:
        settings = load_settings()
        # the statistical components kzx runs (tok2vec, tagger, parser, ner), without its own heads
        nlp = load_base(settings.model, [*settings.disable, "kzx_orgtype", "kzx_relations"])
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=settings.batch_size):
            pass
        bare = time.perf_counter() - start
        print(f"bare model ({', '.join(nlp.pipe_names)}), 1 process: {bare:8.1f} s  {words / bare:8.0f} words/s")
    del texts
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        for f in files:
            shutil.copy(f, raw / f.name)
        results = {}
        for n in args.workers:
            out = Path(tmp) / f"out{n}"
            seconds, rss, _ = peak_rss([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out),
                                     "--workers", str(n)])
            results[n] = seconds
            ratio = f"ratio to bare {bare / seconds:4.2f}  " if bare else ""
            print(f"kzx extract, {n} worker(s):          {seconds:8.1f} s  {words / seconds:8.0f} words/s  "
                  f"{ratio}peak RSS {rss:6.0f} MiB")
        if 1 in results and 2 in results:
            print(f"2 workers / 1 worker speed-up: {results[1] / results[2]:.2f}x")


if __name__ == "__main__":
    main()
