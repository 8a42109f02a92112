"""Writes a review file of every typed edge of an out dir, with its evidence, marked against gold.

    python benchmarks/relations_review.py tests/data/seeds.jsonl data/out > benchmarks/relations_review.md

Edges that match a gold relation are marked right; the others are listed for a person to judge
(the closing note records those judgements).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from pipeline import api


def main(gold: str, out: str) -> None:
    report = api.evaluate_relations_output(gold, out)
    with open(Path(out) / "relations.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    right, total = report.typed_precision
    print("# Typed edges of the sample corpus, with evidence\n")
    print(f"Matching a gold relation: {right}/{total}. Gold pairs found as any edge: "
          f"{report.any_recall[0]}/{report.any_recall[1]}.\n")
    print("| doc | type | source | target | gold | evidence |\n|---|---|---|---|---|---|")
    for edge, ok in report.judged:
        evidence = next(r for r in rows if (r["doc_id"], r["source"], r["target"], r["type"]) ==
                        (edge["doc_id"], edge["source"], edge["target"], edge["type"]))["sentence"]
        print(f"| {edge['doc_id'][:3]} | {edge['type']} | {edge['source']} | {edge['target']} | "
              f"{'right' if ok else 'not in gold'} | {evidence.replace('|', '/')[:220]} |")


if __name__ == "__main__":
    main(*sys.argv[1:3])
