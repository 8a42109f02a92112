"""The export model: the graph plus the per-mention and per-evidence rows every writer may need."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import CO_OCCURS, Graph, Mention, Relation


@dataclass
class Export:
    graph: Graph
    mentions: list[Mention]
    entity_ids: list[str]
    relations: list[Relation]
    texts: dict[str, str]
    documents: dict[str, dict]
    first_dates: dict[str, str] = field(default_factory=dict)
    skipped_dates: dict[str, str] = field(default_factory=dict)  # doc_id -> stored values left out

    def node_dates(self) -> dict[str, set[str]]:
        """Every evidence date of the edges touching each node: its time in the GEXF and the CSV timeset."""
        dates: dict[str, set[str]] = {}
        for e in self.graph.edges:
            if e.dates:
                for n in (e.source, e.target):
                    dates.setdefault(n, set()).update(e.dates)
        return dates

    def sentence(self, doc_id: str, start: int, end: int) -> str:
        return " ".join(self.texts.get(doc_id, "")[start:end].split())

    def mention_rows(self):
        last, sentence = None, ""
        for m, eid in zip(self.mentions, self.entity_ids):
            if (where := (m.doc_id, m.sent_start, m.sent_end)) != last:  # mentions come in text order
                last, sentence = where, self.sentence(*where)
            yield [m.doc_id, m.start, m.end, m.text, m.label, eid, m.value, sentence, m.boilerplate]

    def relation_rows(self):
        """One row per piece of evidence of a typed relation (co-occurrence is counted in edges.csv)."""
        needed = {(r.doc_id, start, end) for r in self.relations
                  for start, end in ((r.head_start, r.head_end), (r.tail_start, r.tail_end))}
        entity_of = {key: (eid, m) for m, eid in zip(self.mentions, self.entity_ids)
                     if (key := (m.doc_id, m.start, m.end)) in needed}
        for r in self.relations:
            head = entity_of.get((r.doc_id, r.head_start, r.head_end))
            tail = entity_of.get((r.doc_id, r.tail_start, r.tail_end))
            if not head or not tail or head[1].boilerplate or tail[1].boilerplate \
                    or head[0] == tail[0]:
                continue
            yield [r.doc_id, head[0], tail[0], r.type, r.directed, head[1].text, tail[1].text, r.sent_start,
                   r.sent_end, self.sentence(r.doc_id, r.sent_start, r.sent_end), r.date, r.confidence, r.label]

    def document_table(self) -> tuple[list[str], object]:
        """The metadata keys of every document, and one row per document (sorted by id)."""
        keys = sorted({k for d in self.documents.values() for k in d["meta"]})
        return keys, ([doc_id, d["status"], d["error"] or "", d["sha256"], d["size"], *(d["meta"].get(k, "") for k in keys)]
                      for doc_id, d in sorted(self.documents.items()))

    def mention_spans(self, doc_ids) -> dict[str, list[tuple[int, int, str, str]]]:
        """(start, end, label, entity id) of the mentions of the given documents."""
        wanted, spans = set(doc_ids), {}
        for m, eid in zip(self.mentions, self.entity_ids):
            if m.doc_id in wanted:
                spans.setdefault(m.doc_id, []).append((m.start, m.end, m.label, eid))
        return spans

    def edge_counts(self) -> tuple[int, int]:
        """(typed edges, co-occurrence edges) of the graph."""
        co = sum(1 for e in self.graph.edges if e.type == CO_OCCURS)
        return len(self.graph.edges) - co, co
