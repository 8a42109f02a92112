"""Cross-validation by document: train the entity stage on four folds, run kzx extract on the fifth.

    python benchmarks/crossval.py [GOLD.jsonl ...] [--folds 5] [--only-folds 0 1] [--epochs N]
                                  [--baselines] [--results benchmarks/results/crossval]

Each document's fold comes from its id (pipeline.train.fold_of), so folds are stable. For every fold
the entity stage is trained with `pipeline.train.train` (configs/ner.cfg) on the other folds' documents,
then `kzx extract` (the whole pipeline, rule stages included) runs over the held-out documents into a
fresh out dir, and its mentions are scored with kzx eval's code. The held-out predictions of all folds
are pooled and scored once: per label P/R/F1, typed overlap and exact, without the gold boilerplate,
B-cubed grouping and DATE values. Also scored, on the same documents: the trained NER alone (its
doc.ents after the NER and the AGENCY/GROUP typer of the trained pipeline, no rule stage) and, with --baselines, the bare base model (labels mapped, ORG as AGENCY) and
the rule stack of today (kzx extract with the base model). Writes a JSON and a Markdown table into
--results and prints the table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline import api  # noqa: E402
from pipeline.evaluate import Span, evaluate, evaluate_relations, relation_table  # noqa: E402
from pipeline.model import LABELS  # noqa: E402
from pipeline.train import GoldDocument, fold_of, read_gold, train  # noqa: E402

BARE_MAP = {"PERSON": "PERSON", "ORG": "AGENCY", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "NORP": "GROUP",
            "DATE": "DATE"}


def gold_spans(documents: list[GoldDocument]) -> list[Span]:
    return [Span(d.doc_id, e["start"], e["end"], e["label"], f'{e["label"]}:{e["canonical"]}', e.get("value") or "",
                 bool(e.get("boilerplate"))) for d in documents for e in d.entities]


def write_inputs(documents: list[GoldDocument], folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for d in documents:
        with open(folder / d.doc_id, "w", encoding="utf-8", newline="") as f:
            f.write(d.text)


CONFIG = None  # --config: the kzx.toml the extracts use


def extract_spans(documents: list[GoldDocument], work: Path, model: str | None) -> list[Span]:
    """kzx extract over the documents (a fresh store), its mentions as spans."""
    write_inputs(documents, work / "in")
    if (work / "out").exists():
        shutil.rmtree(work / "out")
    api.extract(work / "in", work / "out", config=CONFIG, model=model, workers=1, formats=("csv",))
    return api.predicted_spans(work / "out")


def relation_rows(work: Path) -> tuple[list[dict], list[dict]]:
    """relations.csv and edges.csv of an extract in `work`."""
    import csv

    with open(work / "out" / "relations.csv", encoding="utf-8", newline="") as f:
        relations = list(csv.DictReader(f))
    with open(work / "out" / "edges.csv", encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    return relations, edges


def gold_relations(documents: list[GoldDocument]) -> list[dict]:
    return [{**r, "doc_id": d.doc_id} for d in documents for r in d.relations]


def model_spans(documents: list[GoldDocument], model: str, label_map: dict | None = None) -> list[Span]:
    """The doc.ents of a spaCy pipeline alone over the re-cased texts (entity ids: the surface)."""
    import spacy

    from pipeline.casing import recase
    from pipeline.train import config_acronyms

    acronyms = config_acronyms(CONFIG)
    nlp = spacy.load(model, exclude=["lemmatizer", "attribute_ruler", "kzx_relations"])
    out = []
    for d, doc in zip(documents, nlp.pipe(recase(d.text, acronyms) for d in documents)):
        for ent in doc.ents:
            label = label_map.get(ent.label_) if label_map else ent.label_
            if label:
                out.append(Span(d.doc_id, ent.start_char, ent.end_char, label, ent.text.lower()))
    return out


def table(report) -> dict:
    """Figures of one evaluation, without the gold boilerplate mentions (kzx eval's main setting)."""
    setting = "no_boilerplate"
    rows = {}
    for label in (*LABELS, "micro"):
        o, e = report.overlap[setting][label], report.exact[setting][label]
        rows[label] = {"p": round(o.precision, 3), "r": round(o.recall, 3), "f1": round(o.f1, 3),
                       "exact_f1": round(e.f1, 3), "gold": o.tp + o.fn}
    right, total = report.dates[setting]
    p, r, f = report.bcubed[setting]
    return {"labels": rows, "date_values": [right, total], "bcubed": [round(p, 3), round(r, 3), round(f, 3)]}


def markdown(results: dict) -> str:
    names = list(results)
    lines = ["| label | " + " | ".join(f"{n} F1 (overlap / exact)" for n in names) + " |",
             "|---|" + "---|" * len(names)]
    for label in (*LABELS, "micro"):
        cells = []
        for n in names:
            row = results[n]["labels"][label]
            cells.append(f"{row['f1']:.3f} / {row['exact_f1']:.3f} (P {row['p']:.3f} R {row['r']:.3f})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines.append("| B-cubed F1 | " + " | ".join(f"{results[n]['bcubed'][2]:.3f}" for n in names) + " |")
    lines.append("| DATE values right | " + " | ".join(
        f"{results[n]['date_values'][0]}/{results[n]['date_values'][1]}" for n in names) + " |")
    return "\n".join(lines)


def write_errors(gold: list[Span], pooled: dict[str, list[Span]], texts: dict[str, str], folder: Path) -> None:
    """Per variant, a TSV of the held-out mistakes (typed overlap, gold boilerplate set aside): missed
    gold mentions, wrong labels and spurious predictions, with their context, for reading by kind."""
    from pipeline.evaluate import match, without_boilerplate

    folder.mkdir(parents=True, exist_ok=True)
    for name, spans in pooled.items():
        g, p = without_boilerplate(gold, spans)
        typed = match(g, p, exact=False, typed=True)
        hit_g, hit_p = {id(a) for a, _ in typed}, {id(b) for _, b in typed}
        untyped = {id(a): b for a, b in match([x for x in g if id(x) not in hit_g],
                                              [x for x in p if id(x) not in hit_p], exact=False, typed=False)}
        rows = []
        for x in g:
            if id(x) not in hit_g:
                other = untyped.get(id(x))
                kind = f"label {x.label}->{other.label}" if other else f"missed {x.label}"
                rows.append((kind, x, other))
        wrong = {id(b) for b in untyped.values()}
        for x in p:
            if id(x) not in hit_p and id(x) not in wrong:
                rows.append((f"spurious {x.label}", x, None))
        with open(folder / (name.replace(" ", "_").replace("(", "").replace(")", "") + ".tsv"), "w",
                  encoding="utf-8") as f:
            for kind, x, other in sorted(rows, key=lambda r: (r[0], r[1].doc_id, r[1].start)):
                t = texts[x.doc_id]
                ctx = (t[max(0, x.start - 40):x.start] + "[[" + t[x.start:x.end] + "]]" + t[x.end:x.end + 40])
                pred = f"{t[other.start:other.end]}" if other else ""
                f.write("\t".join([kind, x.doc_id, t[x.start:x.end].replace("\n", " "), pred.replace("\n", " "),
                                   ctx.replace("\n", " ").replace("\t", " ")]) + "\n")


def relation_markdown(results: dict) -> str:
    names = list(results)
    types = sorted({t for n in names for t in results[n] if t not in ("micro", "any edge")})
    lines = ["| relation type | " + " | ".join(f"{n} P / R / F1" for n in names) + " |", "|---|" + "---|" * len(names)]
    for t in (*types, "micro"):
        cells = []
        for n in names:
            row = results[n].get(t)
            cells.append(f"{row['p']:.3f} / {row['r']:.3f} / {row['f1']:.3f} ({row['predicted']} written, "
                         f"{row['gold']} gold)" if row else "-")
        lines.append(f"| {t} | " + " | ".join(cells) + " |")
    lines.append("| gold pairs found as any edge | " + " | ".join(
        f"{results[n]['any edge']['found']}/{results[n]['any edge']['gold']}" for n in names) + " |")
    return "\n".join(lines)


def retrain_relations(model: Path, documents: list[GoldDocument]) -> None:
    """A saved fold pipeline's organisation typing and relation stages trained anew (its NER is kept)."""
    import spacy

    from pipeline.train import config_acronyms, with_orgtype, with_relations

    acronyms = config_acronyms(CONFIG)
    nlp = with_relations(with_orgtype(spacy.load(model), documents), documents, acronyms)
    nlp.to_disk(model)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold", nargs="*", default=[str(ROOT / "data" / "train" / "gold.jsonl")])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--only-folds", type=int, nargs="*", help="run these folds only (a quick look)")
    ap.add_argument("--epochs", type=int, default=0, help="override training.max_epochs")
    ap.add_argument("--override", action="append", default=[], help="training config override KEY=JSON")
    ap.add_argument("--baselines", action="store_true", help="also the bare base model and today's rule stack")
    ap.add_argument("--config", type=Path, help="kzx.toml for the extracts (e.g. a profile that turns stages off)")
    ap.add_argument("--retrain-relations", action="store_true", help="with --reuse: train the relation stage anew")
    ap.add_argument("--reuse", action="store_true", help="use the fold models a previous run saved (no training)")
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results" / "crossval")
    args = ap.parse_args()

    global CONFIG
    CONFIG = args.config
    documents = [d for f in args.gold for d in read_gold(f)]
    folds = args.only_folds if args.only_folds is not None else list(range(args.folds))
    overrides = {k: json.loads(v) for k, v in (o.split("=", 1) for o in args.override)}
    if args.epochs:
        overrides["training.max_epochs"] = args.epochs
    args.results.mkdir(parents=True, exist_ok=True)
    pooled: dict[str, list[Span]] = {"kzx (trained)": [], "trained NER alone": []}
    held_out: list[GoldDocument] = []
    pooled_relations: dict[str, tuple[list, list]] = {"kzx (trained)": ([], [])}
    timings = {}
    for k in folds:
        test = [d for d in documents if fold_of(d.doc_id, args.folds) == k]
        rest = [d for d in documents if fold_of(d.doc_id, args.folds) != k]
        held_out += test
        work = args.results / f"fold-{k}"
        started = time.perf_counter()
        model = work / "model"
        if not (args.reuse and (model / "config.cfg").is_file()):
            model = train([], model, documents=rest, overrides=overrides)
        elif args.retrain_relations or not (model / "kzx_relations").is_dir() or not (model / "kzx_orgtype").is_dir():
            retrain_relations(model, rest)
        timings[f"train fold {k}"] = round(time.perf_counter() - started, 1)
        pooled["kzx (trained)"] += extract_spans(test, work, str(model))
        rel, edges = relation_rows(work)
        pooled_relations["kzx (trained)"][0].extend(rel)
        pooled_relations["kzx (trained)"][1].extend(edges)
        pooled["trained NER alone"] += model_spans(test, str(model))
        fold_report = table(evaluate(gold_spans(test), [s for s in pooled["kzx (trained)"]
                                                        if s.doc_id in {d.doc_id for d in test}]))
        print(f"fold {k}: {len(test)} documents, trained on {len(rest)} in {timings[f'train fold {k}']} s; "
              f"micro F1 {fold_report['labels']['micro']['f1']:.3f}", flush=True)
    if args.baselines:
        from pipeline.nlp import resolve_model

        base = resolve_model("base")
        pooled["bare base model"] = model_spans(held_out, base, BARE_MAP)
        pooled["rule stack (base model)"] = extract_spans(held_out, args.results / "rules", base)
        # (its relations come from the shipped relation stage, trained on every document: not held out)
    gold = gold_spans(held_out)
    results = {name: table(evaluate(gold, spans)) for name, spans in pooled.items()}
    relation_results = {}
    for name, (rel, edges) in pooled_relations.items():
        report = evaluate_relations(gold_relations(held_out), gold, pooled[name], rel, edges)
        relation_results[name] = relation_table(report)
        relation_results[name]["any edge"] = {"found": report.any_recall[0], "gold": report.any_recall[1]}
    results_meta = {"documents": len(held_out), "folds": folds, "of": args.folds, "overrides": overrides,
                    "timings_s": timings}
    (args.results / "crossval.json").write_text(json.dumps({"meta": results_meta, "results": results,
                                                            "relations": relation_results}, indent=1))
    write_errors(gold, pooled, {d.doc_id: d.text for d in held_out}, args.results / "errors")
    text = markdown(results) + "\n\n" + relation_markdown(relation_results)
    (args.results / "crossval.md").write_text(text + "\n")
    print(f"{len(held_out)} held-out documents, folds {folds} of {args.folds}")
    print(text)


if __name__ == "__main__":
    main()
