"""Evaluation stage: scores predicted mentions against a gold JSONL (see tests/data/GUIDELINES.md)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .model import LABELS


@dataclass(frozen=True)
class Span:
    doc_id: str
    start: int
    end: int
    label: str
    cluster: str = ""
    value: str = ""
    boilerplate: bool = False


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_gold(path: Path) -> list[Span]:
    """Gold mentions; the cluster of a mention is its label and canonical name."""
    spans = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        doc = json.loads(line)
        for e in doc["entities"]:
            spans.append(Span(doc["doc_id"], e["start"], e["end"], e["label"],
                              f'{e["label"]}:{e["canonical"]}', e.get("value") or "",
                              bool(e.get("boilerplate"))))
    return spans


def _overlaps(a: Span, b: Span) -> bool:
    return a.doc_id == b.doc_id and a.start < b.end and b.start < a.end


def match(gold: list[Span], pred: list[Span], exact: bool, typed: bool) -> list[tuple[Span, Span]]:
    """One-to-one matching of predicted to gold spans: exact offsets, or any overlap (largest first)."""
    by_doc: dict[str, list[Span]] = defaultdict(list)
    for p in pred:
        by_doc[p.doc_id].append(p)
    pairs, used = [], set()
    for g in gold:
        cands = [p for p in by_doc[g.doc_id] if id(p) not in used and (not typed or p.label == g.label)
                 and ((p.start, p.end) == (g.start, g.end) if exact else _overlaps(g, p))]
        if cands:
            best = max(cands, key=lambda p: min(p.end, g.end) - max(p.start, g.start))
            used.add(id(best))
            pairs.append((g, best))
    return pairs


def score(gold: list[Span], pred: list[Span], exact: bool, typed: bool = True) -> dict[str, PRF]:
    """Per-label and micro precision/recall/F1 (untyped matching counts under the gold label)."""
    pairs = match(gold, pred, exact, typed)
    table = {label: PRF() for label in LABELS}
    matched_pred = {id(p) for _, p in pairs}
    for g, _ in pairs:
        table[g.label].tp += 1
    matched_gold = {id(g) for g, _ in pairs}
    for g in gold:
        if id(g) not in matched_gold:
            table[g.label].fn += 1
    for p in pred:
        if id(p) not in matched_pred:
            table.setdefault(p.label, PRF()).fp += 1
    micro = PRF(sum(t.tp for t in table.values()), sum(t.fp for t in table.values()),
                sum(t.fn for t in table.values()))
    table["micro"] = micro
    return table


def bcubed(pairs: list[tuple[Span, Span]]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of predicted entity ids against gold canonicals."""
    if not pairs:
        return 0.0, 0.0, 0.0
    gold_of: dict[str, set[int]] = defaultdict(set)
    pred_of: dict[str, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(pairs):
        gold_of[g.cluster].add(i)
        pred_of[p.cluster].add(i)
    prec = rec = 0.0
    for g, p in pairs:
        both = len(gold_of[g.cluster] & pred_of[p.cluster])
        prec += both / len(pred_of[p.cluster])
        rec += both / len(gold_of[g.cluster])
    prec, rec = prec / len(pairs), rec / len(pairs)
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def without_boilerplate(gold: list[Span], pred: list[Span]) -> tuple[list[Span], list[Span]]:
    """Drops gold boilerplate mentions, and predictions that touch them, from both sides."""
    bp = [g for g in gold if g.boilerplate]
    keep_gold = [g for g in gold if not g.boilerplate]
    keep_pred = [p for p in pred if not any(_overlaps(p, b) for b in bp)]
    return keep_gold, keep_pred


def date_accuracy(pairs: list[tuple[Span, Span]]) -> tuple[int, int]:
    """Matched DATE mentions whose predicted ISO value equals the gold value (null == empty)."""
    dates = [(g, p) for g, p in pairs if g.label == "DATE"]
    return sum(1 for g, p in dates if g.value == p.value), len(dates)


@dataclass
class Report:
    """All figures of one evaluation, keyed by setting name ('all' / 'no_boilerplate')."""

    overlap: dict[str, dict[str, PRF]]
    exact: dict[str, dict[str, PRF]]
    untyped: dict[str, dict[str, PRF]]
    bcubed: dict[str, tuple[float, float, float]]
    dates: dict[str, tuple[int, int]]


def evaluate(gold: list[Span], pred: list[Span]) -> Report:
    docs = {g.doc_id for g in gold}
    pred = [p for p in pred if p.doc_id in docs]
    settings = {"all": (gold, pred), "no_boilerplate": without_boilerplate(gold, pred)}
    report = Report({}, {}, {}, {}, {})
    for name, (g, p) in settings.items():
        report.overlap[name] = score(g, p, exact=False)
        report.exact[name] = score(g, p, exact=True)
        report.untyped[name] = score(g, p, exact=False, typed=False)
        pairs = match(g, p, exact=False, typed=True)
        report.bcubed[name] = bcubed(pairs)
        report.dates[name] = date_accuracy(pairs)
    return report


@dataclass
class RelationReport:
    """Gold relation pairs found as typed edges / as any edge, and typed edges that match gold."""

    typed_recall: dict[str, tuple[int, int]]
    any_recall: tuple[int, int]
    typed_precision: tuple[int, int]
    judged: list[tuple[dict, bool]]


def load_gold_relations(path: Path) -> list[dict]:
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc = json.loads(line)
            out += [{**r, "doc_id": doc["doc_id"]} for r in doc.get("relations", [])]
    return out


def entity_map(gold: list[Span], pred: list[Span]) -> dict[tuple[str, str], set[str]]:
    """(doc_id, gold canonical name) -> predicted entity ids of the mentions that match it."""
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for g, p in match(gold, pred, exact=False, typed=False):
        out[(g.doc_id, g.cluster.split(":", 1)[1])].add(p.cluster)
    return out


def evaluate_relations(gold_relations: list[dict], gold: list[Span], pred: list[Span],
                       relations: list[dict], graph_edges: list[dict]) -> RelationReport:
    """`relations` are rows of relations.csv (doc_id, source, target, type): typed evidence;
    `graph_edges` rows of edges.csv (Source, Target): any edge of the graph, co-occurrence included."""
    ids = entity_map(gold, pred)
    edges = {(r["doc_id"], r["source"], r["target"], r["type"]) for r in relations}
    pairs = {frozenset((e["Source"], e["Target"])) for e in graph_edges}
    typed_recall: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    any_hit = 0
    gold_keys = set()
    for r in gold_relations:
        if r["type"] == "OTHER":
            continue
        heads, tails = ids.get((r["doc_id"], r["head"]), set()), ids.get((r["doc_id"], r["tail"]), set())
        gold_keys |= {(r["doc_id"], frozenset((h, t)), r["type"]) for h in heads for t in tails}
        typed = any((r["doc_id"], h, t, r["type"]) in edges or (r["doc_id"], t, h, r["type"]) in edges
                    for h in heads for t in tails)
        typed_recall[r["type"]][0] += typed
        typed_recall[r["type"]][1] += 1
        any_hit += any(frozenset((h, t)) in pairs for h in heads for t in tails)
    judged = []
    for d, s, t, rtype in sorted(edges):
        # OTHER is kept in the graph with its trigger words, but it is not one of the seven judged types
        if rtype not in ("CO_OCCURS", "OTHER"):
            judged.append(({"doc_id": d, "source": s, "target": t, "type": rtype},
                           (d, frozenset((s, t)), rtype) in gold_keys))
    total = sum(v[1] for v in typed_recall.values())
    return RelationReport({k: tuple(v) for k, v in typed_recall.items()}, (any_hit, total),
                          (sum(ok for _, ok in judged), len(judged)), judged)


def relation_table(report: RelationReport) -> dict[str, dict]:
    """Per relation type and micro: precision of the typed relations kzx wrote (per document, pair and
    type, against the gold (pair, type) set), recall of the gold relations, F1."""
    right: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row, ok in report.judged:
        right[row["type"]][0] += ok
        right[row["type"]][1] += 1
    out = {}
    for rtype in sorted(set(report.typed_recall) | set(right)):
        hit, gold = report.typed_recall.get(rtype, (0, 0))
        ok, pred = right.get(rtype, (0, 0))
        out[rtype] = _prf(ok, pred, hit, gold)
    hit = sum(v[0] for v in report.typed_recall.values())
    gold = sum(v[1] for v in report.typed_recall.values())
    out["micro"] = _prf(report.typed_precision[0], report.typed_precision[1], hit, gold)
    return out


def _prf(ok: int, pred: int, hit: int, gold: int) -> dict:
    p = ok / pred if pred else 0.0
    r = hit / gold if gold else 0.0
    return {"p": round(p, 3), "r": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "predicted": pred, "gold": gold}
