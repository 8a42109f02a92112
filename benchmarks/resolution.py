"""Resolution benchmark: N generated name mentions with transliteration variants, resolved on one core.

    python benchmarks/resolution.py 10000 50000 100000

Prints seconds per size and the seconds per 10k mentions, to show growth is about linear.
"""

from __future__ import annotations

import random
import sys
import time

from pipeline import api
from pipeline.config import load_settings
from pipeline.model import Mention
from pipeline.resolve import resolve

SYLLABLES = ["na", "zar", "bay", "ev", "to", "ka", "mu", "rat", "bek", "ali", "kul", "sul", "tan", "er", "lan", "jan",
             "asy", "kair", "dos", "zhan", "ser", "ik", "bol", "at", "gul", "nur", "ai", "dar", "kha", "lid"]
VARIANTS = [("ye", "e"), ("yev", "ev"), ("kh", "h"), ("zh", "j"), ("ss", "s"), ("y", "i"), ("q", "k")]
LABELS = ["PERSON", "AGENCY", "GROUP", "PLACE"]


def name(rng: random.Random) -> str:
    words = ["".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).title() for _ in range(rng.randint(1, 3))]
    return " ".join(words)


def variant(text: str, rng: random.Random) -> str:
    a, b = rng.choice(VARIANTS)
    return text.replace(a, b) if rng.random() < 0.5 else text


def mentions(n: int, seed: int = 7) -> list[Mention]:
    rng = random.Random(seed)
    entities = [(name(rng), rng.choice(LABELS)) for _ in range(max(1, n // 5))]
    out = []
    for i in range(n):
        text, label = rng.choice(entities)
        text = variant(text, rng)
        out.append(Mention(f"doc{i // 50}", (i % 50) * 40, (i % 50) * 40 + len(text), text, label))
    return out


def main(sizes: list[int]) -> None:
    table, overrides = api.load_resolution_tables(load_settings())
    for n in sizes:
        ms = mentions(n)
        start = time.perf_counter()
        result = resolve(ms, table, overrides)
        seconds = time.perf_counter() - start
        print(f"{n:>8} mentions  {seconds:6.2f} s  {seconds / n * 10_000:5.2f} s/10k  {len(result.entities)} entities")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 50_000, 100_000])
