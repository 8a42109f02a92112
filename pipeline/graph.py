"""Graph stage: resolved mentions and relations -> one aggregated graph of entities and edges."""

from __future__ import annotations

from .model import CO_OCCURS, Edge, Graph, Mention, Relation
from .resolve import Resolution

EVIDENCE_CHARS = 400  # an edge's example sentence; relations.csv keeps every sentence whole


def build_graph(mentions: list[Mention], relations: list[Relation], resolution: Resolution,
                texts: dict[str, str], cooccurrence: bool = True) -> Graph:
    """One node per entity with non-boilerplate mentions; one edge per source, target and type,
    weighted by its evidence count. Undirected edges are stored with source < target."""
    entity_of = {(m.doc_id, m.start, m.end): eid for m, eid in zip(mentions, resolution.entity_ids)}
    content = {eid for m, eid in zip(mentions, resolution.entity_ids) if not m.boilerplate}
    edges: dict[tuple, Edge] = {}
    for r in relations:
        if r.type == CO_OCCURS and not cooccurrence:
            continue
        src = entity_of.get((r.doc_id, r.head_start, r.head_end))
        dst = entity_of.get((r.doc_id, r.tail_start, r.tail_end))
        if not src or not dst or src == dst or src not in content or dst not in content:
            continue
        if not r.directed and dst < src:
            src, dst = dst, src
        key = (src, dst, r.type)
        edge = edges.get(key)
        if edge is None:
            sentence = " ".join(texts.get(r.doc_id, "")[r.sent_start:r.sent_end].split())
            if len(sentence) > EVIDENCE_CHARS:
                sentence = sentence[:EVIDENCE_CHARS - 1] + "…"
            edge = edges[key] = Edge("", src, dst, r.type, r.directed, 0, evidence=sentence, evidence_doc=r.doc_id)
        edge.weight += 1
        edge.documents.add(r.doc_id)
        if r.date:
            edge.dates.append(r.date)
    ordered = sorted(edges.values(), key=lambda e: (e.type == CO_OCCURS, e.source, e.target, e.type))
    for i, edge in enumerate(ordered):
        edge.id = f"e{i}"
    nodes = sorted((e for e in resolution.entities.values() if e.id in content), key=lambda e: e.id)
    return Graph(nodes, ordered)


def node_first_dates(graph: Graph) -> dict[str, str]:
    """Earliest evidence date touching each node (for timelines)."""
    first: dict[str, str] = {}
    for e in graph.edges:
        for node in (e.source, e.target):
            if e.first_date and (node not in first or e.first_date < first[node]):
                first[node] = e.first_date
    return first


