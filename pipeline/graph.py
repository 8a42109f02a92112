"""Graph stage: resolved mentions and relations -> one aggregated graph of entities and edges."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain, groupby

from .ingest.cable import header_regions, in_regions
from .model import CO_OCCURS, Edge, Graph, Mention, Relation
from .resolve import Resolution

EVIDENCE_CHARS = 400  # an edge's example sentence; relations.csv keeps every sentence whole
# list markers and cable paragraph markers in front of a sentence: "-- ", "¶2. (C) ", "3. (SBU) ", "(U) "
_LEADING_MARKERS = re.compile(r"^(?:[-–—*•·]+\s*|¶\s*|\d{1,3}\.\s+(?=\(|[A-Z])|\((?:U|C|S|SBU|TS|C/NF|S/NF|LOU|FOUO)\)\s*)+")


def clean_evidence(sentence: str) -> str:
    """An edge's evidence sentence without the list and paragraph markers in front of it (a cell that
    starts with '--' would otherwise be shown as a guarded formula)."""
    return _LEADING_MARKERS.sub("", sentence) or sentence


def cooccurrences(mentions: list[Mention], doc_date: str = "", window: int = 12) -> Iterator[Relation]:
    """CO_OCCURS pairs of one document's mentions (in text order): two different surface forms in one
    sentence, at most `window` mentions apart, boilerplate left out. Dated by the sentence's first
    DATE value, else the document's date."""
    for (sent_start, sent_end), group in groupby(mentions, key=lambda m: (m.sent_start, m.sent_end)):
        inside = list(group)
        date = next((m.value for m in inside if m.label == "DATE" and m.value), doc_date)
        for i, a in enumerate(inside):
            for b in inside[i + 1:i + 1 + window]:
                if a.text != b.text and not a.boilerplate and not b.boilerplate:
                    yield Relation(a.doc_id, a.start, a.end, b.start, b.end, CO_OCCURS, sent_start, sent_end,
                                   date, False)


def build_graph(mentions: list[Mention], relations: list[Relation], resolution: Resolution,
                texts: dict[str, str], doc_dates: dict[str, str] | None = None, window: int = 12,
                date_nodes: bool = True, min_weight: int = 1, typed_only: bool = False) -> Graph:
    """One node per entity with non-boilerplate mentions; one edge per source, target and type,
    weighted by its evidence count (typed relations from the store, co-occurrence derived from the
    mentions; `window` 0 leaves it out). Undirected edges are stored with source < target.
    `date_nodes` False keeps DATE entities out of the graph (their values still date the edges);
    edges below `min_weight` and, with `typed_only`, co-occurrence edges are left out, and so are
    nodes that keep no edge because of those two filters."""
    ids = resolution.entity_ids
    content = {eid for m, eid in zip(mentions, ids) if not m.boilerplate and (date_nodes or m.label != "DATE")}
    typed: dict[str, list[Relation]] = {}
    for r in relations:
        typed.setdefault(r.doc_id, []).append(r)
    dates = doc_dates or {}
    edges: dict[tuple, Edge] = {}
    # one document at a time: only its mentions' entity ids are looked up
    for doc_id, group in groupby(range(len(mentions)), key=lambda k: mentions[k].doc_id):
        positions = list(group)
        entity_at = {(mentions[k].start, mentions[k].end): ids[k] for k in positions}
        # header lines (routing, addressees, 'Classified By', serial lines) are not sentences: their
        # mentions stay in mentions.csv but join no co-occurrence
        regions = header_regions(texts.get(doc_id, "")) if window else []
        body = [mentions[k] for k in positions if not in_regions(regions, mentions[k].start)]
        derived = cooccurrences(body, dates.get(doc_id, ""), window) if window else ()
        for r in chain(typed.get(doc_id, ()), derived):
            src, dst = entity_at.get((r.head_start, r.head_end)), entity_at.get((r.tail_start, r.tail_end))
            if src and dst and src != dst and src in content and dst in content:
                _add(edges, r, src, dst, texts)
    kept = [e for e in edges.values() if e.weight >= min_weight and not (typed_only and e.type == CO_OCCURS)]
    ordered = sorted(kept, key=lambda e: (e.type == CO_OCCURS, e.source, e.target, e.type))
    for i, edge in enumerate(ordered):
        edge.id = f"e{i}"
    if min_weight > 1 or typed_only:  # a filtered graph shows what is connected
        content &= {x for e in ordered for x in (e.source, e.target)}
    nodes = sorted((e for e in resolution.entities.values() if e.id in content), key=lambda e: e.id)
    return Graph(nodes, ordered)


def _add(edges: dict[tuple, Edge], r: Relation, src: str, dst: str, texts: dict[str, str]) -> None:
    if not r.directed and dst < src:
        src, dst = dst, src
    edge = edges.get((src, dst, r.type))
    if edge is None:
        sentence = clean_evidence(" ".join(texts.get(r.doc_id, "")[r.sent_start:r.sent_end].split()))
        if len(sentence) > EVIDENCE_CHARS:
            sentence = sentence[:EVIDENCE_CHARS - 1] + "…"
        edge = edges[(src, dst, r.type)] = Edge("", src, dst, r.type, r.directed, 0, evidence=sentence,
                                                 evidence_doc=r.doc_id, confidence=r.confidence,
                                                 label=r.label)
    elif r.confidence > edge.confidence:
        edge.confidence = r.confidence
    edge.weight += 1
    edge.documents.add(r.doc_id)
    if r.date:
        edge.dates.add(r.date)


def node_first_dates(graph: Graph) -> dict[str, str]:
    """Earliest evidence date touching each node (for timelines)."""
    first: dict[str, str] = {}
    for e in graph.edges:
        if date := e.first_date:
            for node in (e.source, e.target):
                if node not in first or date < first[node]:
                    first[node] = date
    return first


