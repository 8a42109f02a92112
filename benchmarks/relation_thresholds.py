"""Per-type relation thresholds swept over the held-out predictions of a cross-validation run.

    python benchmarks/crossval.py --reuse --config LOW.toml --results R   # a kzx.toml whose relation
                                                                          # thresholds are all low (0.15)
    python benchmarks/relation_thresholds.py R [--floor 0.15] [--try TYPE=T ...]

relations.csv holds each typed relation's confidence, so keeping only those at or over a threshold
gives what a run with that threshold would have written (the stage takes a pair's most probable
relation class when its probability reaches the type's threshold). Prints, per type, precision /
recall / F1 at each threshold with the micro F1 beside it (other types at --floor), the micro figures
of configs/kzx.toml's thresholds, and of each --try set. A threshold chosen here is scored on the
predictions it was chosen on: the gain is an upper bound.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.crossval import gold_relations, gold_spans, relation_rows  # noqa: E402
from pipeline import api  # noqa: E402
from pipeline.evaluate import evaluate_relations, relation_table  # noqa: E402
from pipeline.train import fold_of, read_gold  # noqa: E402

STEPS = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("results", type=Path)
    ap.add_argument("gold", nargs="?", default=str(ROOT / "data" / "train" / "gold.jsonl"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--floor", type=float, default=0.15, help="the thresholds the extracts ran with")
    ap.add_argument("--try", dest="tries", action="append", default=[], help="TYPE=T,TYPE=T,... (default=T too)")
    args = ap.parse_args()
    documents = read_gold(args.gold)
    rows, edges, predicted, held_out = [], [], [], []
    for k in range(args.folds):
        held_out += [d for d in documents if fold_of(d.doc_id, args.folds) == k]
        r, e = relation_rows(args.results / f"fold-{k}")
        rows += r
        edges += e
        predicted += api.predicted_spans(args.results / f"fold-{k}" / "out")
    gold, gold_rel = gold_spans(held_out), gold_relations(held_out)

    def score(thresholds: dict[str, float]) -> dict:
        kept = [r for r in rows if r["type"] == "OTHER"
                or float(r["confidence"]) >= thresholds.get(r["type"], thresholds["default"])]
        return relation_table(evaluate_relations(gold_rel, gold, predicted, kept, edges))

    floor = {"default": args.floor}
    for rtype in sorted({r["type"] for r in rows} - {"OTHER"}):
        cells = []
        for t in STEPS:
            table = score({**floor, rtype: t})
            row = table.get(rtype, {"p": 0, "r": 0, "f1": 0})
            cells.append(f"{t}: {row['p']:.2f}/{row['r']:.2f}/{row['f1']:.2f} ({table['micro']['f1']:.3f})")
        print(rtype, " | ".join(cells))
    config = tomllib.loads((ROOT / "configs" / "kzx.toml").read_text(encoding="utf-8"))
    shipped = config["components"]["kzx_relations"]["thresholds"]
    print("configs/kzx.toml", shipped, score(shipped)["micro"])
    for spec in args.tries:
        thresholds = {"default": 0.5}
        thresholds.update({k: float(v) for k, v in (p.split("=") for p in spec.split(","))})
        print(spec, score(thresholds)["micro"])


if __name__ == "__main__":
    main()
