"""The export model read from the store: the same interface as model_rows.Export, every collection a
stream of rows from the stored graph's tables (pipeline/stored_graph.py), so writing a graph holds one
row, one document's text and a small cache in memory at a time, whatever the corpus's size.

Each collection is read again by every loop over it; a forked writer opens its own connection."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from ..model import CO_OCCURS, Edge, Entity, Mention
from ..stored_graph import valid_date

_EDGE_ORDER = "type = 'CO_OCCURS', src, dst, type"


class _Count:
    """A collection known by its size only (an entity's or an edge's documents: writers count them)."""

    __slots__ = ("n",)

    def __init__(self, n: int):
        self.n = n

    def __len__(self) -> int:
        return self.n


class _Rows:
    """A re-iterable, sized stream: `rows()` makes a fresh iterator, `count()` the size."""

    def __init__(self, rows, count):
        self._rows, self._count = rows, count

    def __iter__(self):
        return self._rows()

    def __len__(self) -> int:
        return self._count()


class _SortedLookup:
    """.get(key, default) over (key, value) rows sorted by key, for callers that ask in ascending key
    order (writers walking nodes by id); a key asked again returns the same value."""

    def __init__(self, rows):
        self._rows = rows
        self._iter = None
        self._last = (None, None)
        self._next = None

    def get(self, key, default=None):
        if self._last[0] == key:
            return self._last[1]
        if self._iter is None or (self._last[0] is not None and key < self._last[0]):
            self._iter, self._next = iter(self._rows()), None
        while True:
            if self._next is None:
                self._next = next(self._iter, (None, None))
            k, value = self._next
            if k is None or k > key:
                self._last = (key, default)
                return default
            self._next = None
            if k == key:
                self._last = (key, value)
                return value


class StoredGraphView:
    def __init__(self, export: StoredExport):
        self.nodes = _Rows(export._nodes, export._node_count)
        self.edges = _Rows(export._edges, export._edge_count)


class StoredExport:
    """What every writer reads, from the store at `path` (its stored graph up to date)."""

    def __init__(self, path: Path, min_weight: int = 1, typed_only: bool = False):
        self.path = Path(path)
        self.min_weight, self.typed_only = int(min_weight), bool(typed_only)
        self._db, self._pid = None, None
        self.graph = StoredGraphView(self)
        self.skipped_dates = dict(self.db.execute("SELECT doc_id, dates FROM skipped_dates"))
        self.texts = _Texts(self)
        self.documents = _Documents(self)
        self.first_dates = _SortedLookup(lambda: ((n, min(d)) for n, d in self._node_dates()))

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None or self._pid != os.getpid():  # a forked writer reads with its own connection
            self._db, self._pid = sqlite3.connect(self.path), os.getpid()
            self._db.execute("PRAGMA cache_size = -65536")
        return self._db

    # ---- graph -----------------------------------------------------------------------------------

    def _kept(self, alias: str = "") -> str:
        p = f"{alias}." if alias else ""
        where = [f"{p}weight >= {self.min_weight}"]
        if self.typed_only:
            where.append(f"{p}type != '{CO_OCCURS}'")
        return " AND ".join(where)

    def _filtered(self) -> bool:
        return self.min_weight > 1 or self.typed_only

    def _node_where(self) -> str:
        where = "WHERE content"
        if self._filtered():
            where += (f" AND (EXISTS (SELECT 1 FROM edges e WHERE e.src = ents.eid AND {self._kept('e')}) OR "
                      f"EXISTS (SELECT 1 FROM edges e WHERE e.dst = ents.eid AND {self._kept('e')}))")
        return where

    def _nodes(self):
        for eid, label, name, wikidata, mentions, documents, aliases in self.db.execute(
                f"SELECT eid, label, name, wikidata, mentions, documents, aliases FROM ents {self._node_where()} "
                "ORDER BY eid"):
            yield Entity(eid, label, name, dict(json.loads(aliases)), mentions, _Count(documents), wikidata)

    def _node_count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM ents {self._node_where()}").fetchone()[0]

    def _edges(self):
        dates = self.db.execute(f"SELECT type = 'CO_OCCURS', src, dst, type, date FROM edge_dates ORDER BY "
                                f"{_EDGE_ORDER}, date")
        pending = next(dates, None)
        rows = self.db.execute(f"SELECT type = 'CO_OCCURS', src, dst, type, directed, weight, documents, evidence, "
                               f"ev_doc, confidence, label FROM edges WHERE {self._kept()} ORDER BY {_EDGE_ORDER}")
        for i, (co, src, dst, rtype, directed, weight, documents, evidence, ev_doc, confidence, label) in enumerate(rows):
            key = (co, src, dst, rtype)
            seen = set()
            while pending is not None and pending[:4] <= key:
                if pending[:4] == key:
                    seen.add(pending[4])
                pending = next(dates, None)
            yield Edge(f"e{i}", src, dst, rtype, bool(directed), weight, _Count(documents), evidence or "", ev_doc,
                       seen, 1.0 if confidence is None else confidence, label or "")

    def _edge_count(self) -> int:
        return self.db.execute(f"SELECT COUNT(*) FROM edges WHERE {self._kept()}").fetchone()[0]

    def edge_counts(self) -> tuple[int, int]:
        """(typed edges, co-occurrence edges) of the graph."""
        co = self.db.execute(f"SELECT COUNT(*) FROM edges WHERE {self._kept()} AND type = '{CO_OCCURS}'").fetchone()[0]
        return self._edge_count() - co, co

    def _node_dates(self):
        """(node, its edges' dates) in node order."""
        kept = self._kept("e")
        rows = self.db.execute(
            "SELECT n, d FROM (SELECT e.src AS n, x.date AS d FROM edge_dates x JOIN edges e USING (src, dst, type) "
            f"WHERE {kept} UNION SELECT e.dst, x.date FROM edge_dates x JOIN edges e USING (src, dst, type) "
            f"WHERE {kept}) ORDER BY n")
        current, dates = None, set()
        for n, d in rows:
            if n != current:
                if current is not None:
                    yield current, dates
                current, dates = n, set()
            dates.add(d)
        if current is not None:
            yield current, dates

    def node_dates(self) -> _SortedLookup:
        """Every evidence date of the edges touching each node, looked up in node order."""
        return _SortedLookup(self._node_dates)

    # ---- rows --------------------------------------------------------------------------------------

    def _text(self, doc_id: str) -> str:
        row = self.db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return (row[0] or "") if row else ""

    def mention_rows(self):
        last_doc, text, last, sentence = None, "", None, ""
        for doc_id, start, end, mtext, label, eid, value, ss, se, boilerplate in self.db.execute(
                'SELECT m.doc_id, m.start, m."end", m.text, m.label, k.eid, m.value, m.sent_start, m.sent_end, '
                'm.boilerplate FROM mentions m JOIN rkeys k ON k.kid = m.kid ORDER BY m.doc_id, m.start, m."end"'):
            if doc_id != last_doc:
                last_doc, text = doc_id, self._text(doc_id)
            if (where := (doc_id, ss, se)) != last:
                last, sentence = where, " ".join(text[ss:se].split())
            if value and label == "DATE" and not valid_date(value):
                value = ""
            yield [doc_id, start, end, mtext, label, eid, value or "", sentence, bool(boilerplate)]

    def relation_rows(self):
        """One row per piece of evidence of a typed relation (co-occurrence is counted in edges.csv)."""
        relations = self.db.execute(
            "SELECT doc_id, head_start, head_end, tail_start, tail_end, type, sent_start, sent_end, date, directed, "
            "confidence, label FROM relations ORDER BY doc_id, head_start, tail_start, type")
        last_doc, text, entity_of = None, "", {}
        for doc_id, hs, he, ts, te, rtype, ss, se, date, directed, confidence, label in relations:
            if doc_id != last_doc:
                last_doc, text = doc_id, self._text(doc_id)
                entity_of = {(s, e): (eid, t, b) for s, e, eid, t, b in self.db.execute(
                    'SELECT m.start, m."end", k.eid, m.text, m.boilerplate FROM mentions m JOIN rkeys k '
                    'ON k.kid = m.kid WHERE m.doc_id = ? ORDER BY m.start, m."end"', (doc_id,))}
            head, tail = entity_of.get((hs, he)), entity_of.get((ts, te))
            if not head or not tail or head[2] or tail[2] or head[0] == tail[0]:
                continue
            yield [doc_id, head[0], tail[0], rtype, bool(directed), head[1], tail[1], ss, se,
                   " ".join(text[ss:se].split()), date if date and valid_date(date) else "",
                   1.0 if confidence is None else confidence, label or ""]

    def document_table(self):
        """The metadata keys of every document, and one row per document (sorted by id)."""
        keys = sorted({k for meta in self._metas() for k in meta})

        def rows():
            for doc_id, status, error, sha256, size, meta in self._document_rows():
                yield [doc_id, status, error or "", sha256, size, *(meta.get(k, "") for k in keys)]

        return keys, rows()

    def _document_rows(self):
        from ..store import _meta

        for doc_id, status, error, sha256, size, meta in self.db.execute(
                "SELECT doc_id, status, error, sha256, size, meta FROM documents ORDER BY doc_id"):
            meta = _meta(meta)
            if meta.get("date") and not valid_date(meta["date"]):
                meta = {k: v for k, v in meta.items() if k != "date"}
            yield doc_id, status, error, sha256, size, meta

    def _metas(self):
        return (meta for *_, meta in self._document_rows())

    def mention_spans(self, doc_ids) -> dict[str, list[tuple[int, int, str, str]]]:
        """(start, end, label, entity id) of the mentions of the given documents."""
        return {doc_id: [tuple(r) for r in self.db.execute(
            'SELECT m.start, m."end", m.label, k.eid FROM mentions m JOIN rkeys k ON k.kid = m.kid WHERE m.doc_id = ? '
            'ORDER BY m.start, m."end"', (doc_id,))] for doc_id in doc_ids}

    def sentence(self, doc_id: str, start: int, end: int) -> str:
        return " ".join(self._text(doc_id)[start:end].split())


class _Texts:
    """doc_id -> text of the documents read, as a read-only mapping over the store."""

    def __init__(self, export: StoredExport):
        self.export = export

    def __iter__(self):
        return (r[0] for r in self.export.db.execute("SELECT doc_id FROM documents WHERE status = 'ok' ORDER BY doc_id"))

    def __len__(self) -> int:
        return self.export.db.execute("SELECT COUNT(*) FROM documents WHERE status = 'ok'").fetchone()[0]

    def __getitem__(self, doc_id: str) -> str:
        return self.export._text(doc_id)

    def get(self, doc_id: str, default: str = "") -> str:
        return self.export._text(doc_id) or default


class _Documents:
    """doc_id -> its record, as a read-only mapping over the store (the report asks for a few)."""

    def __init__(self, export: StoredExport):
        self.export = export

    def get(self, doc_id: str, default=None):
        from ..store import _meta

        row = self.export.db.execute("SELECT status, error, sha256, size, meta FROM documents WHERE doc_id = ?",
                                     (doc_id,)).fetchone()
        if row is None:
            return default
        meta = _meta(row[4])
        if meta.get("date") and not valid_date(meta["date"]):
            meta = {k: v for k, v in meta.items() if k != "date"}
        return {"status": row[0], "error": row[1], "sha256": row[2], "size": row[3], "meta": meta}
