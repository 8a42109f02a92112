"""False merges of a cross-validation run: kzx entities that join two or more gold entities.

    python benchmarks/false_merges.py [RESULTS] [GOLD.jsonl] [--list]

RESULTS is a `benchmarks/crossval.py` results folder (default benchmarks/results/crossval): its
fold-*/out/mentions.csv are the held-out extracts. Each predicted mention with the span and label of a
gold mention of its document (boilerplate set aside) takes that gold mention's entity
("LABEL:canonical"; mentions with a span or label mistake are the entity figures' business); a kzx
entity whose mentions take k different gold entities counts k - 1 false merges. Prints the count, the
count per 10 documents and, with --list, each merge with its gold entities and mention counts.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crossval import gold_spans  # noqa: E402
from pipeline import api  # noqa: E402
from pipeline.train import read_gold  # noqa: E402


def gold_entity_of(pred, gold_by_doc) -> str | None:
    """The gold entity of the gold mention with the predicted mention's span and label (None: no such
    mention: a span or label mistake, scored by the entity figures, not a grouping one)."""
    return gold_by_doc.get(pred.doc_id, {}).get((pred.start, pred.end, pred.label))


def false_merges(predicted, gold) -> dict[str, Counter]:
    """kzx entity id -> Counter of the gold entities its mentions take, for entities taking two or more."""
    gold_by_doc: dict[str, dict] = defaultdict(dict)
    for g in gold:
        if not g.boilerplate:
            gold_by_doc[g.doc_id][(g.start, g.end, g.label)] = g.cluster
    taken: dict[str, Counter] = defaultdict(Counter)
    for p in predicted:
        if p.boilerplate:
            continue
        cluster = gold_entity_of(p, gold_by_doc)
        if cluster is not None:
            taken[p.cluster][cluster] += 1
    return {entity: c for entity, c in taken.items() if len(c) > 1}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", nargs="?", type=Path, default=ROOT / "benchmarks" / "results" / "crossval")
    ap.add_argument("gold", nargs="?", default=str(ROOT / "data" / "train" / "gold.jsonl"))
    ap.add_argument("--list", action="store_true", help="print each merge")
    args = ap.parse_args()
    gold = gold_spans(read_gold(Path(args.gold)))
    total, docs = 0, 0
    for out in sorted(args.results.glob("fold-*/out")):
        predicted = api.predicted_spans(out)
        fold_docs = {p.doc_id for p in predicted}
        docs += len(fold_docs)
        merges = false_merges(predicted, [g for g in gold if g.doc_id in fold_docs])
        n = sum(len(c) - 1 for c in merges.values())
        total += n
        print(f"{out.parent.name}: {len(fold_docs)} documents, {n} false merges")
        if args.list:
            for entity, c in sorted(merges.items()):
                print(f"  {entity}: " + "; ".join(f"{g} ({k})" for g, k in c.most_common()))
    if docs:
        print(f"all folds: {docs} documents, {total} false merges, {10 * total / docs:.2f} per 10 documents")


if __name__ == "__main__":
    main()
