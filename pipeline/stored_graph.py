"""Stored-graph stage: resolution keys, entities and aggregated edges kept in the store's database,
brought up to date from the documents that changed since the last run.

resolve.resolve() groups a corpus's mentions in memory; this module computes the same grouping with
what must be in memory held there (the key index: one small record per resolution key) and
everything else in SQLite:

- `rkeys`: one row per resolution key (label, name key, the document of a bare surname), with its
  canonical name, gazetteer record, mention count, first occurrence (the order resolve() meets keys
  in), fuzzy-match block and surname, and the entity it resolved to;
- `doc_kids`: the keys each document's mentions have (its contribution), and `mentions.kid` per mention;
- `fuzzy`: the pairs of keys whose every word matches (resolve's fuzzy rule), found against the key's
  block once, when the key first appears;
- `doc_pairs`: each document's evidence (typed relations and co-occurrences) between keys;
- `ents`, `edges`, `edge_dates`: the entities and aggregated edges every writer reads.

An increment keys the changed documents (all that a document's own text decides), then re-resolves
only the keys those documents touch and every key that could join them (the closure over shared
fuzzy pairs, surnames, names under several labels, override groups and former entity mates): the
grouping rules never reach outside that closure, so the result equals a full rebuild's. Entities and
edges are recomputed for the entity ids that closure had or has. A full rebuild is the same code over
every key.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from itertools import groupby

from .export.common import date_bounds
from .graph import EVIDENCE_CHARS, clean_evidence, cooccurrences
from .ingest.cable import header_regions, in_regions
from .model import Mention, Relation
from .names.aliases import AliasTable, Overrides, parse_ref
from .resolve import best_surface, display_name, keyed_mentions, label_vote, slug

SCHEMA = """
CREATE TABLE IF NOT EXISTS rkeys (
    kid INTEGER PRIMARY KEY, label TEXT, key TEXT, rdoc TEXT, canonical TEXT, has_rec INTEGER, wikidata TEXT,
    n INTEGER DEFAULT 0, f_doc TEXT, f_start INTEGER, f_end INTEGER, block TEXT, surname TEXT,
    eid TEXT, g_doc TEXT, g_start INTEGER, g_end INTEGER, g_name TEXT, g_wikidata TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS rkeys_key ON rkeys (label, key, rdoc);
CREATE INDEX IF NOT EXISTS rkeys_name ON rkeys (key);
CREATE INDEX IF NOT EXISTS rkeys_block ON rkeys (block);
CREATE INDEX IF NOT EXISTS rkeys_surname ON rkeys (surname);
CREATE INDEX IF NOT EXISTS rkeys_eid ON rkeys (eid);
CREATE TABLE IF NOT EXISTS doc_kids (doc_id TEXT, kid INTEGER, n INTEGER, canonical TEXT, has_rec INTEGER, wikidata TEXT);
CREATE INDEX IF NOT EXISTS doc_kids_doc ON doc_kids (doc_id);
CREATE INDEX IF NOT EXISTS doc_kids_kid ON doc_kids (kid, doc_id);
CREATE TABLE IF NOT EXISTS doc_surfaces (doc_id TEXT, kid INTEGER, surface TEXT, n INTEGER, body INTEGER);
CREATE INDEX IF NOT EXISTS doc_surfaces_doc ON doc_surfaces (doc_id);
CREATE TABLE IF NOT EXISTS key_surfaces (kid INTEGER, surface TEXT, n INTEGER, body INTEGER,
    PRIMARY KEY (kid, surface)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fuzzy (a INTEGER, b INTEGER);
CREATE INDEX IF NOT EXISTS fuzzy_a ON fuzzy (a);
CREATE INDEX IF NOT EXISTS fuzzy_b ON fuzzy (b);
CREATE TABLE IF NOT EXISTS doc_pairs (
    doc_id TEXT, seq INTEGER, hk INTEGER, tk INTEGER, type TEXT, directed INTEGER, sent_start INTEGER,
    sent_end INTEGER, date TEXT, confidence REAL, label TEXT);
CREATE INDEX IF NOT EXISTS doc_pairs_doc ON doc_pairs (doc_id);
CREATE INDEX IF NOT EXISTS doc_pairs_hk ON doc_pairs (hk, tk);
CREATE INDEX IF NOT EXISTS doc_pairs_tk ON doc_pairs (tk);
CREATE TABLE IF NOT EXISTS skipped_dates (doc_id TEXT PRIMARY KEY, dates TEXT);
CREATE TABLE IF NOT EXISTS ents (
    eid TEXT PRIMARY KEY, label TEXT, name TEXT, wikidata TEXT, mentions INTEGER, documents INTEGER,
    aliases TEXT, content INTEGER);
CREATE TABLE IF NOT EXISTS edges (
    src TEXT, dst TEXT, type TEXT, directed INTEGER, weight INTEGER, documents INTEGER, ev_doc TEXT, ev_seq INTEGER,
    ev_start INTEGER, ev_end INTEGER, evidence TEXT, confidence REAL, label TEXT,
    PRIMARY KEY (src, dst, type));
CREATE INDEX IF NOT EXISTS edges_dst ON edges (dst);
-- the edges whose evidence sentence is still to be cut (_fill_evidence): not a scan of every edge
CREATE INDEX IF NOT EXISTS edges_unfilled ON edges (ev_doc) WHERE evidence IS NULL;
CREATE TABLE IF NOT EXISTS edge_dates (
    src TEXT, dst TEXT, type TEXT, date TEXT, n INTEGER, PRIMARY KEY (src, dst, type, date));
CREATE INDEX IF NOT EXISTS edge_dates_dst ON edge_dates (dst);
CREATE TABLE IF NOT EXISTS pending (doc_id TEXT PRIMARY KEY);
"""
STATE_TABLES = ("rkeys", "doc_kids", "doc_surfaces", "key_surfaces", "fuzzy", "doc_pairs", "skipped_dates", "ents",
                "edges", "edge_dates")
_CHUNK = 500  # ids per IN (...) list
_LAST = "\U0010ffff"  # the order of keys resolve() makes itself (shared surnames): after every real key


SCHEMA_VERSION = "2"


def ensure_schema(db: sqlite3.Connection) -> None:
    """The stage's tables, and the mentions' key columns; called by the store when it opens. Tables of
    another version are dropped: they are derived, and the next update rebuilds them."""
    row = db.execute("SELECT value FROM settings WHERE key = 'graph_schema'").fetchone()
    if row is None or row[0] != SCHEMA_VERSION:
        for name in STATE_TABLES:
            db.execute(f"DROP TABLE IF EXISTS {name}")
        db.execute("DELETE FROM settings WHERE key = 'graph_state'")
        db.execute("INSERT OR REPLACE INTO settings VALUES ('graph_schema', ?)", (SCHEMA_VERSION,))
    db.executescript(SCHEMA)
    have = {row[1] for row in db.execute("PRAGMA table_info(mentions)")}
    for column, kind in (("kid", "INTEGER"), ("surface", "TEXT")):
        if column not in have:
            db.execute(f"ALTER TABLE mentions ADD COLUMN {column} {kind}")
    db.execute('CREATE INDEX IF NOT EXISTS mentions_kid ON mentions (kid, doc_id, start, "end")')


def valid_date(value: str) -> bool:
    """Stored date values are not trusted: one that names no real time is left out (a decade such as
    '197', the 1970s, has no day bounds but is a time)."""
    return date_bounds(value) is not None or (len(value) == 3 and value.isdigit())


def _chunks(items, size: int = _CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _marks(items) -> str:
    return ",".join("?" * len(items))


class StoredGraph:
    """The stage over one store's connection; `settings` give the tables and rules of resolution."""

    def __init__(self, db: sqlite3.Connection, table: AliasTable, overrides: Overrides, threshold: float,
                 local_heads: frozenset[str], window: int, date_nodes: bool, fingerprint: str):
        self.db = db
        db.execute("PRAGMA cache_size = -65536")  # 64 MiB of pages: the rebuild's indexes and sorts
        self.table, self.overrides, self.threshold = table, overrides, threshold
        self.local_heads, self.window, self.date_nodes = local_heads, window, date_nodes
        self.fingerprint = fingerprint
        self.forbidden = set()
        for a, b in overrides.splits:
            self.forbidden |= {(parse_ref(a), parse_ref(b)), (parse_ref(b), parse_ref(a))}
        self.override_groups = [[parse_ref(r) for r in group] for group in overrides.merges]
        self._seen: dict = {}

    # ---- what changed ----------------------------------------------------------------------------

    def update(self) -> str:
        """Brings the tables up to date with the store; returns 'full', 'increment' or 'current'."""
        db = self.db
        state = db.execute("SELECT value FROM settings WHERE key = 'graph_state'").fetchone()
        if state is None or state[0] != self.fingerprint:
            self.rebuild()
            return "full"
        pending = [r[0] for r in db.execute("SELECT doc_id FROM pending ORDER BY doc_id")]
        if not pending:
            return "current"
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the parse's pages into the database: a shorter log
        db.execute("BEGIN IMMEDIATE")
        try:
            self._increment(pending)
            db.execute("DELETE FROM pending")
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                db.execute("ROLLBACK")
            raise
        return "increment"

    def rebuild(self) -> None:
        """Every table from the stored mentions and relations, one document at a time."""
        db = self.db
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM settings WHERE key = 'graph_state'")
            for name in STATE_TABLES:
                db.execute(f"DELETE FROM {name}")
            db.execute("DELETE FROM pending")
            db.execute("UPDATE mentions SET kid = NULL, surface = NULL WHERE kid IS NOT NULL")
            index: dict[tuple, int] = {}
            docs = [r[0] for r in db.execute("SELECT doc_id FROM documents WHERE status = 'ok' ORDER BY doc_id")]
            for doc_id in docs:
                self._index_document(doc_id, index)
            del index, docs
            self._finish_keys(None)
            self._find_fuzzy_pairs(None)
            for region in self._components():
                self._resolve_region(region)
            self._entities(None)
            self._edges(None)
            self._fill_evidence()
            db.execute("INSERT OR REPLACE INTO settings VALUES ('graph_state', ?)", (self.fingerprint,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # SQLite rolls back by itself on some errors (a full disk)
                db.execute("ROLLBACK")
            raise

    def _increment(self, doc_ids: list[str]) -> None:
        db = self.db
        touched: set[int] = set()
        delta: Counter = Counter()  # mentions each key gains (loses) with the changed documents
        removed = self._evidence_rows(doc_ids)  # what the documents gave the graph before
        present_before = self._present(doc_ids)  # (document, entity) pairs before
        for chunk in _chunks(doc_ids):
            q = _marks(chunk)
            for kid, n in db.execute(f"SELECT kid, n FROM doc_kids WHERE doc_id IN ({q})", chunk):
                touched.add(kid)
                delta[kid] -= n
            gone = db.execute(f"SELECT kid, surface, SUM(n), SUM(body) FROM doc_surfaces WHERE doc_id IN ({q}) "
                              f"GROUP BY kid, surface", chunk).fetchall()
            db.executemany("UPDATE key_surfaces SET n = n - ?, body = body - ? WHERE kid = ? AND surface = ?",
                           [(n, body, kid, surface) for kid, surface, n, body in gone])
            db.executemany("DELETE FROM key_surfaces WHERE kid = ? AND surface = ? AND n <= 0",
                           [(kid, surface) for kid, surface, _, _ in gone])
            for name in ("doc_kids", "doc_surfaces", "doc_pairs", "skipped_dates"):
                db.execute(f"DELETE FROM {name} WHERE doc_id IN ({q})", chunk)
        before = {r[0] for r in db.execute("SELECT MAX(kid) FROM rkeys")}.pop() or 0
        ok = {r[0] for chunk in _chunks(doc_ids)
              for r in db.execute(f"SELECT doc_id FROM documents WHERE status = 'ok' AND doc_id IN ({_marks(chunk)})",
                                  chunk)}
        for doc_id in sorted(ok):
            touched |= self._index_document(doc_id, None)
        for chunk in _chunks(ok):
            for kid, n in db.execute(f"SELECT kid, n FROM doc_kids WHERE doc_id IN ({_marks(chunk)})", chunk):
                delta[kid] += n
        touched |= {r[0] for r in db.execute("SELECT kid FROM rkeys WHERE kid > ?", (before,))}
        renamed = self._finish_keys(touched, delta)
        fresh = {k for k in touched if k > before} | renamed
        for chunk in _chunks(renamed):  # a key whose record changed is matched against its block again
            db.execute(f"DELETE FROM fuzzy WHERE a IN ({_marks(chunk)}) OR b IN ({_marks(chunk)})", chunk + chunk)
        self._find_fuzzy_pairs(fresh)
        region = self._closure(touched)
        old_map = self._eid_map(region)
        old_heads = self._heads(region)
        self._resolve_region(region)
        new_map = self._eid_map(region)
        new_heads = self._heads(region)
        # the entities to recompute: those of keys whose mentions, entity or group name changed
        changed = touched | {k for k in region if old_heads.get(k) != new_heads.get(k)}
        affected = {e for k in changed for e in (old_map.get(k), new_map.get(k))} - {None}
        # entities whose keys changed (a key with mentions outside the changed documents moved)
        remapped = {e for kid, eid in old_map.items() if kid <= before and eid != new_map.get(kid)
                    for e in (eid, new_map.get(kid))} - {None}
        old_content = self._ents_column(affected, "content")
        # an entity no old key entered or left is in the same unchanged documents as before: its count
        # of documents moves by the changed documents alone (no pass over all its documents)
        documents = {}
        old_documents = self._ents_column(affected - remapped, "documents")
        if old_documents:
            present_after = self._present(sorted(ok))
            for e, n in old_documents.items():
                documents[e] = n - present_before.get(e, 0) + present_after.get(e, 0)
        self._entities(affected, documents)
        new_content = self._ents_column(affected, "content")
        # those and the entities whose being a node changed: their edges are recomputed; the others'
        # take the changed documents' evidence
        remapped |= {e for e in affected if old_content.get(e) != new_content.get(e)}
        self._edges(remapped)
        self._delta_edges(removed, self._evidence_rows(sorted(ok)), remapped)
        self._fill_evidence()

    def _heads(self, kids: set[int]) -> dict[int, tuple]:
        return {r[0]: r[1:] for chunk in _chunks(kids) for r in self.db.execute(
            f"SELECT kid, eid, g_name, g_wikidata, g_doc, g_start, g_end FROM rkeys WHERE kid IN ({_marks(chunk)})",
            chunk)}

    def _eid_map(self, kids: set[int]) -> dict[int, str | None]:
        return {r[0]: r[1] for chunk in _chunks(kids)
                for r in self.db.execute(f"SELECT kid, eid FROM rkeys WHERE kid IN ({_marks(chunk)})", chunk)}

    def _present(self, doc_ids) -> Counter:
        """How many of the documents each entity is named in, as the tables map keys now."""
        out: Counter = Counter()
        for chunk in _chunks(doc_ids):
            for eid, n in self.db.execute(f"SELECT eid, COUNT(*) FROM (SELECT DISTINCT d.doc_id, k.eid FROM doc_kids d "
                                          f"JOIN rkeys k ON k.kid = d.kid WHERE d.doc_id IN ({_marks(chunk)}) AND "
                                          f"k.eid IS NOT NULL) GROUP BY eid", chunk):
                out[eid] += n
        return out

    def _ents_column(self, eids: set[str], column: str) -> dict[str, int]:
        """One column of the entities' rows ("content", "documents") by entity id."""
        return {r[0]: r[1] for chunk in _chunks(eids)
                for r in self.db.execute(f"SELECT eid, {column} FROM ents WHERE eid IN ({_marks(chunk)})", chunk)}

    # ---- per document: keys and evidence ---------------------------------------------------------

    def _index_document(self, doc_id: str, index: dict | None) -> set[int]:
        """Keys the document's mentions, stores its contribution; returns its keys. `index` is the key
        index of a full rebuild (None: look keys up in rkeys)."""
        db = self.db
        rows = db.execute('SELECT rowid, doc_id, start, "end", text, label, value, sent_start, sent_end, '
                          'boilerplate, link FROM mentions WHERE doc_id = ? ORDER BY start, "end"', (doc_id,)).fetchall()
        text, meta = db.execute("SELECT text, meta FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        mentions = [Mention(d, s, e, t, lab, v or "", ss, se, bool(b), link or "")
                    for _, d, s, e, t, lab, v, ss, se, b, link in rows]
        if len(self._seen) > 200_000:  # a cache only: bounded
            self._seen.clear()
        keyed = keyed_mentions(mentions, self.table, local_heads=self.local_heads, seen=self._seen)
        kids, counts, updates, first = [], Counter(), [], {}
        for (rowid, *_), m, (k, canonical, rec, surface) in zip(rows, mentions, keyed):
            full = (k[0], k[1], k[2] if len(k) == 3 else "")
            kid = self._key_id(full, canonical, rec, index)
            if full[2]:  # a bare surname may make its shared key (resolve's _join_surnames): it has a row
                self._key_id((full[0], full[1], ""), "", None, index)
            kids.append(kid)
            counts[kid] += 1
            if kid not in first:  # resolve() names a key after its first mention's canonical and record
                first[kid] = (canonical, int(rec is not None), (rec or {}).get("wikidata", ""))
            updates.append((kid, surface, rowid))
        db.executemany("UPDATE mentions SET kid = ?, surface = ? WHERE rowid = ?", updates)
        db.executemany("INSERT INTO doc_kids VALUES (?, ?, ?, ?, ?, ?)",
                       [(doc_id, k, n, *first[k]) for k, n in counts.items()])
        # each key's surface forms, counted, and those of the body (an entity's aliases, mentions and
        # whether it is a node are sums of these: no pass over an entity's mentions)
        surfaces: Counter = Counter()
        bodies: Counter = Counter()
        for m, (kid, surface, _) in zip(mentions, updates):
            surfaces[kid, surface] += 1
            bodies[kid, surface] += int(not m.boilerplate and (self.date_nodes or m.label != "DATE"))
        rows_s = [(doc_id, kid, surface, n, bodies[kid, surface]) for (kid, surface), n in surfaces.items()]
        db.executemany("INSERT INTO doc_surfaces VALUES (?, ?, ?, ?, ?)", rows_s)
        db.executemany("INSERT INTO key_surfaces VALUES (?, ?, ?, ?) ON CONFLICT (kid, surface) DO UPDATE SET "
                       "n = n + excluded.n, body = body + excluded.body", [r[1:] for r in rows_s])

        # dates that name no real time are left out of the graph and its timeline
        doc_meta = json.loads(meta or "{}") if meta else {}
        doc_date = doc_meta.get("date", "") if isinstance(doc_meta, dict) else ""
        skipped = set()
        if doc_date and not valid_date(doc_date):
            skipped.add(doc_date)
            doc_date = ""
        for m in mentions:
            if m.value and m.label == "DATE" and not valid_date(m.value):
                skipped.add(m.value)
                m.value = ""
        relations = [Relation(*r[:9], bool(r[9]), 1.0 if r[10] is None else r[10], r[11] or "") for r in db.execute(
            "SELECT doc_id, head_start, head_end, tail_start, tail_end, type, sent_start, sent_end, date, directed, "
            "confidence, label FROM relations WHERE doc_id = ? ORDER BY head_start, tail_start, type", (doc_id,))]
        for r in relations:
            if r.date and not valid_date(r.date):
                skipped.add(r.date)
                r.date = ""
        if skipped:
            db.execute("INSERT OR REPLACE INTO skipped_dates VALUES (?, ?)", (doc_id, ", ".join(sorted(skipped))))

        # the evidence, as graph.build_graph reads it from one document
        kid_at = {(m.start, m.end): kid for m, kid in zip(mentions, kids)}
        pairs = []
        for r in relations:
            hk, tk = kid_at.get((r.head_start, r.head_end)), kid_at.get((r.tail_start, r.tail_end))
            if hk is not None and tk is not None:
                pairs.append((hk, tk, r))
        if self.window:
            regions = header_regions(text or "")
            body = [m for m in mentions if not in_regions(regions, m.start)]
            for r in cooccurrences(body, doc_date, self.window):
                pairs.append((kid_at[(r.head_start, r.head_end)], kid_at[(r.tail_start, r.tail_end)], r))
        db.executemany("INSERT INTO doc_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       [(doc_id, i, hk, tk, r.type, int(r.directed), r.sent_start, r.sent_end, r.date, r.confidence,
                         r.label) for i, (hk, tk, r) in enumerate(pairs)])
        return set(counts)

    def _key_id(self, full: tuple, canonical: str, rec: dict | None, index: dict | None) -> int:
        """The key's row id, made when new; `index` caches ids during a rebuild (bounded: a miss asks
        the table)."""
        kid = index.get(full) if index is not None else None
        if kid is None:
            kid = self._kid(full)
            if kid is None:
                kid = self._new_key(full, canonical, rec)
            if index is not None:
                if len(index) >= 300_000:
                    index.clear()
                index[full] = kid
        return kid

    def _kid(self, full: tuple) -> int | None:
        row = self.db.execute("SELECT kid FROM rkeys WHERE label = ? AND key = ? AND rdoc = ?", full).fetchone()
        return row[0] if row else None

    def _new_key(self, full: tuple, canonical: str, rec: dict | None) -> int:
        label, key, rdoc = full
        words = key.split()
        block = None
        if label != "DATE" and len(key) >= 5 and not rdoc and not key.endswith("]"):
            block = f"{label}|{len(words)}|{words[0][:2]}|{words[-1][:2]}"
        surname = words[-1] if label == "PERSON" and words else None
        cur = self.db.execute("INSERT INTO rkeys (label, key, rdoc, canonical, has_rec, wikidata, block, surname) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (label, key, rdoc, canonical, int(rec is not None), (rec or {}).get("wikidata", ""),
                               block, surname))
        return cur.lastrowid

    def _finish_keys(self, kids: set[int] | None, delta: Counter | None = None) -> set[int]:
        """Mention counts, first occurrences and (from the first occurrence) canonical name and record of
        the keys (all when None); returns the keys whose canonical name or record changed."""
        db = self.db
        name = ("canonical = (SELECT d.canonical FROM doc_kids d WHERE d.kid = rkeys.kid AND d.doc_id = rkeys.f_doc), "
                "has_rec = (SELECT d.has_rec FROM doc_kids d WHERE d.kid = rkeys.kid AND d.doc_id = rkeys.f_doc), "
                "wikidata = (SELECT d.wikidata FROM doc_kids d WHERE d.kid = rkeys.kid AND d.doc_id = rkeys.f_doc)")
        if kids is None:
            db.execute("UPDATE rkeys SET n = 0, f_doc = NULL, f_start = NULL, f_end = NULL")
            db.execute("UPDATE rkeys SET n = (SELECT SUM(n) FROM doc_kids WHERE doc_kids.kid = rkeys.kid) "
                       "WHERE kid IN (SELECT kid FROM doc_kids)")
            first = db.execute('SELECT kid, doc_id, start, "end" FROM mentions WHERE kid IS NOT NULL '
                               'ORDER BY kid, doc_id, start, "end"')
            batch = []
            for kid, group in groupby(first, key=lambda r: r[0]):
                _, d, s, e = next(group)
                batch.append((d, s, e, kid))
                if len(batch) >= 50_000:
                    db.executemany("UPDATE rkeys SET f_doc = ?, f_start = ?, f_end = ? WHERE kid = ?", batch)
                    batch = []
            db.executemany("UPDATE rkeys SET f_doc = ?, f_start = ?, f_end = ? WHERE kid = ?", batch)
            db.execute(f"UPDATE rkeys SET {name} WHERE f_doc IS NOT NULL")
            return set()
        changed = set()
        for kid in kids:
            before = db.execute("SELECT canonical, has_rec FROM rkeys WHERE kid = ?", (kid,)).fetchone()
            row = db.execute('SELECT doc_id, start, "end" FROM mentions WHERE kid = ? ORDER BY doc_id, start, "end" '
                             "LIMIT 1", (kid,)).fetchone() or (None, None, None)
            db.execute("UPDATE rkeys SET n = MAX(0, n + ?), f_doc = ?, f_start = ?, f_end = ? WHERE kid = ?",
                       (delta.get(kid, 0), *row, kid))
            if row[0] is not None:
                db.execute(f"UPDATE rkeys SET {name} WHERE kid = ?", (kid,))
                if db.execute("SELECT canonical, has_rec FROM rkeys WHERE kid = ?", (kid,)).fetchone() != before:
                    changed.add(kid)
        return changed

    # ---- fuzzy pairs -----------------------------------------------------------------------------

    def _find_fuzzy_pairs(self, new: set[int] | None) -> None:
        """Pairs of keys of one block whose every word scores at least the threshold (rapidfuzz ratio),
        unless both are different gazetteer records: for every block (None), or for new keys against
        their blocks."""
        db = self.db
        if new is None:
            rows = db.execute("SELECT block, kid, key, canonical, has_rec FROM rkeys WHERE block IS NOT NULL "
                              "ORDER BY block, kid")
            for _, group in groupby(rows, key=lambda r: r[0]):
                members = [r[1:] for r in group]
                if len(members) > 1:
                    db.executemany("INSERT INTO fuzzy VALUES (?, ?)", self._pairs(members, members))
            return
        blocks = defaultdict(list)
        for chunk in _chunks(new):
            for block, kid, key, canonical, has_rec in db.execute(
                    f"SELECT block, kid, key, canonical, has_rec FROM rkeys WHERE block IS NOT NULL AND kid IN "
                    f"({_marks(chunk)})", chunk):
                blocks[block].append((kid, key, canonical, has_rec))
        for block, fresh in blocks.items():
            members = db.execute("SELECT kid, key, canonical, has_rec FROM rkeys WHERE block = ?", (block,)).fetchall()
            old = [m for m in members if m[0] not in new]
            pairs = self._pairs(fresh, fresh) + (self._pairs(fresh, old) if old else [])
            db.executemany("INSERT INTO fuzzy VALUES (?, ?)", pairs)

    def _pairs(self, a: list, b: list) -> list[tuple[int, int]]:
        """(smaller kid, larger kid) of every pair of a x b that the fuzzy rule joins (a == b: each once)."""
        import numpy as np  # here: a run with nothing new to resolve does not load it
        from rapidfuzz import fuzz, process

        same = a is b
        words_a = [r[1].split() for r in a]
        words_b = [r[1].split() for r in b]
        columns = [[w[pos] for w in words_b] for pos in range(len(words_a[0]))]
        step = max(1, 4_000_000 // max(1, len(b)))  # score matrices of at most 4M cells (32 MB) at a time
        out = []
        for lo in range(0, len(a), step):
            score = None
            for pos, column in enumerate(columns):
                s = process.cdist([w[pos] for w in words_a[lo:lo + step]], column, scorer=fuzz.ratio,
                                  dtype=np.float64, workers=1)
                score = s if score is None else np.minimum(score, s)
            for i, j in zip(*np.nonzero(score >= self.threshold)):
                i += lo
                if same and j <= i:
                    continue
                ra, rb = a[i], b[j]
                if ra[3] and rb[3] and ra[2] != rb[2]:  # two different gazetteer records
                    continue
                out.append((min(ra[0], rb[0]), max(ra[0], rb[0])))
        return out

    # ---- the closure an increment re-resolves ----------------------------------------------------

    def _closure(self, seeds: set[int]) -> set[int]:
        """Every key a grouping rule could join to the seeds, transitively: fuzzy pairs, the keys of a
        surname (full names and bare surnames), one name key under any label or document, override
        groups, and the keys of the entities they belonged to."""
        db = self.db
        refs = {ref for group in self.override_groups for ref in group}
        region, frontier = set(), set(seeds)
        while frontier:
            region |= frontier
            found = set()
            for chunk in _chunks(frontier):
                q = _marks(chunk)
                rows = db.execute(f"SELECT kid, label, key, surname, eid FROM rkeys WHERE kid IN ({q})", chunk).fetchall()
                found |= {r[0] for r in db.execute(f"SELECT b FROM fuzzy WHERE a IN ({q}) UNION "
                                                   f"SELECT a FROM fuzzy WHERE b IN ({q})", chunk + chunk)}
                names = sorted({r[2] for r in rows if r[1] != "DATE"})
                surnames = sorted({r[3] for r in rows if r[3]})
                eids = sorted({r[4] for r in rows if r[4]})
                for values, column in ((names, "key"), (surnames, "surname"), (eids, "eid")):
                    for part in _chunks(values):
                        found |= {r[0] for r in db.execute(f"SELECT kid FROM rkeys WHERE {column} IN ({_marks(part)})",
                                                           part)}
                for _, label, key, _, _ in rows:
                    if (label, key) in refs:
                        for group in self.override_groups:
                            if (label, key) in group:
                                for ref in group:
                                    found |= {r[0] for r in db.execute(
                                        "SELECT kid FROM rkeys WHERE label = ? AND key = ? AND rdoc = ''", ref)}
            frontier = found - region
        return region

    def _components(self, batch: int = 50_000):
        """The keys in groups no grouping rule crosses (fuzzy pairs, one name key, one surname, override
        groups), several groups to a batch of about `batch` keys: a rebuild resolves one batch at a time."""
        from array import array

        import numpy as np

        db = self.db
        top = db.execute("SELECT COALESCE(MAX(kid), 0) FROM rkeys").fetchone()[0]
        parent = array("q", range(top + 1))

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def join(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra != rb:
                parent[max(ra, rb)] = min(ra, rb)

        for a, b in db.execute("SELECT a, b FROM fuzzy"):
            join(a, b)
        for column, where in (("key", "label != 'DATE'"), ("surname", "surname IS NOT NULL")):
            last, first = None, 0
            for value, kid in db.execute(f"SELECT {column}, kid FROM rkeys WHERE {where} ORDER BY {column}"):
                if value == last:
                    join(first, kid)
                else:
                    last, first = value, kid
        for group in self.override_groups:
            kids = [r[0] for ref in group
                    for r in db.execute("SELECT kid FROM rkeys WHERE label = ? AND key = ? AND rdoc = ''", ref)]
            for kid in kids[1:]:
                join(kids[0], kid)
        roots = array("q", (find(k) for k in range(top + 1)))
        del parent
        order = np.argsort(np.frombuffer(roots, dtype=np.int64), kind="stable")
        out, last = [], None
        for kid in order.tolist():
            if kid == 0:
                continue
            root = roots[kid]
            if root != last and len(out) >= batch:
                yield set(out)
                out = []
            out.append(kid)
            last = root
        if out:
            yield set(out)

    def _eids_of(self, kids: set[int]) -> set[str]:
        return {r[0] for chunk in _chunks(kids)
                for r in self.db.execute(f"SELECT eid FROM rkeys WHERE eid IS NOT NULL AND kid IN ({_marks(chunk)})",
                                         chunk)}

    # ---- resolution of a closed set of keys (resolve.resolve's rules, in its order) --------------

    def _resolve_region(self, region: set[int] | None) -> None:
        db = self.db
        cols = "kid, label, key, rdoc, canonical, has_rec, wikidata, n, f_doc, f_start, f_end"
        if region is None:
            rows = db.execute(f"SELECT {cols} FROM rkeys").fetchall()
        else:
            rows = [r for chunk in _chunks(region)
                    for r in db.execute(f"SELECT {cols} FROM rkeys WHERE kid IN ({_marks(chunk)})", chunk)]
        # resolve() meets keys in mention order; keys without mentions exist only as shared surnames
        real = sorted((r for r in rows if r[7] > 0), key=lambda r: (r[8], r[9], r[10], r[0]))
        spare = {(r[1], r[2]): r for r in rows if r[7] == 0 and not r[3]}
        keys = [list(r) for r in real]  # index -> [kid, label, key, rdoc, canonical, has_rec, wikidata, n, ...]
        at = {(r[1], r[2], r[3]): i for i, r in enumerate(keys)}
        parent = list(range(len(keys)))
        tracked = {ref for pair in self.forbidden for ref in pair}
        refs_of: dict[int, set] = {}  # root -> the refs of its group an override split names

        def find(x: int) -> int:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        def union(a: int, b: int) -> None:
            ra, rb = find(a), find(b)
            if ra == rb:
                return
            if self.forbidden and any((x, y) in self.forbidden for x in refs_of.get(ra, ()) for y in refs_of.get(rb, ())):
                return
            parent[rb] = ra
            if rb in refs_of:
                refs_of.setdefault(ra, set()).update(refs_of.pop(rb))

        def add(row: list) -> int:
            keys.append(row)
            parent.append(len(parent))
            at[(row[1], row[2], row[3])] = len(keys) - 1
            return len(keys) - 1

        for i, k in enumerate(keys):
            if (k[1], k[2]) in tracked:
                refs_of[i] = {(k[1], k[2])}

        # surnames (resolve._join_surnames)
        full_by_surname = defaultdict(list)
        for i, k in enumerate(keys):
            words = k[2].split()
            if k[1] == "PERSON" and not k[3] and len(words) >= 2 and len(words[0]) > 1:
                full_by_surname[words[-1]].append(i)
        for i in range(len(real)):
            k = keys[i]
            if not k[3]:
                continue
            candidates = full_by_surname.get(k[2].split()[-1], [])
            chosen = candidates
            if len(candidates) > 1:
                local = self._in_document([keys[c][0] for c in candidates], k[3])
                chosen = [c for c in candidates if keys[c][0] in local] or candidates
            if len(chosen) == 1:
                union(chosen[0], i)
            else:
                shared = at.get((k[1], k[2], ""))
                if shared is None:
                    row = spare.get((k[1], k[2]))
                    # after every real key, in the order of the bare surnames that make them
                    shared = add([row[0] if row else None, k[1], k[2], "", "", 0, "", 0, _LAST + k[8], k[9], k[10]])
                    if (k[1], k[2]) in tracked:
                        refs_of[shared] = {(k[1], k[2])}
                union(shared, i)

        # fuzzy pairs (resolve._join_fuzzy), in its order: by block, then by key order
        present = {k[0]: i for i, k in enumerate(keys) if k[0] is not None}
        pairs = []
        kids = list(present)
        for chunk in _chunks(kids) if region is not None else [None]:
            query = "SELECT a, b FROM fuzzy" + (f" WHERE a IN ({_marks(chunk)})" if chunk else "")
            for a, b in db.execute(query, chunk or ()):
                if a in present and b in present:
                    ia, ib = present[a], present[b]
                    pairs.append((min(ia, ib), max(ia, ib)))
        for ia, ib in sorted(pairs):
            union(ia, ib)

        # one label per name (resolve._one_label_per_name)
        by_name = defaultdict(list)
        for i, k in enumerate(keys):
            if not k[3] and k[1] != "DATE" and not k[2].endswith("]"):
                by_name[k[2]].append(i)
        members = None
        for name, ks in by_name.items():
            if len({keys[i][1] for i in ks}) < 2:
                continue
            if members is None:
                members = defaultdict(list)
                for i in range(len(keys)):
                    members[find(i)].append(i)
            votes: Counter = Counter()
            for root in {find(i) for i in ks}:
                label = keys[root][1]
                votes[label] += sum(keys[x][7] for x in members[root] if keys[x][1] == label)
            known = {keys[i][1] for i in ks if keys[i][5]}
            label = label_vote(dict(votes), known)
            winner = next((i for i in ks if keys[i][1] == label), None)
            if winner is None:
                winner = next(find(i) for i in ks if keys[find(i)][1] == label)
            if keys[find(winner)][1] != label:  # make_root: the winner becomes its group's root
                root = find(winner)
                parent[root] = parent[winner] = winner
                members[winner] = members.pop(root)
                if root in refs_of:
                    refs_of[winner] = refs_of.pop(root)
            for i in ks:
                if keys[i][1] != label:
                    ra, rb = find(winner), find(i)
                    union(winner, i)
                    if find(i) == ra and ra != rb:
                        members[ra] += members.pop(rb)

        for group in self.override_groups:
            known_refs = [at[(*ref, "")] for ref in group if (*ref, "") in at]
            for i in known_refs[1:]:
                union(known_refs[0], i)

        # each group's entity: its name, label and record (resolve's _canonical), then renames
        groups = defaultdict(list)
        for i in range(len(keys)):
            groups[find(i)].append(i)
        unnamed = [root for root, group in groups.items() if not any(keys[i][4] for i in group)]
        surfaces = self._group_surfaces({root: [keys[i][0] for i in groups[root] if keys[i][0] is not None]
                                         for root in unnamed})
        updates = []
        for root, group in groups.items():
            named = Counter()
            for i in group:
                if keys[i][4]:
                    named[keys[i][4]] += keys[i][7]
            wikidata = ""
            if named:
                canonical = max(named, key=lambda c: (named[c], -min(i for i in group if keys[i][4] == c)))
                holders = [keys[i] for i in group if keys[i][4] == canonical]
                record = next((k for k in holders if k[5]), None)
                wikidata = record[6] if record else ""
            else:
                canonical = display_name(best_surface(surfaces.get(root) or Counter({keys[root][2]: 1})))
            refs = {(keys[i][1], keys[i][2]) for i in group if not keys[i][3]}
            rename = next((to for ref, to in self.overrides.renames.items() if parse_ref(ref) in refs), None)
            eid = slug(keys[root][1], rename or canonical)
            r = keys[root]
            for i in group:
                if keys[i][0] is not None:
                    updates.append((eid, r[8], r[9], r[10], rename or canonical, wikidata, keys[i][0]))
        if region is not None:  # keys of the region that no group holds (no mentions left) lose their entity
            db.executemany("UPDATE rkeys SET eid = NULL WHERE kid = ?", [(k,) for k in region])
        db.executemany("UPDATE rkeys SET eid = ?, g_doc = ?, g_start = ?, g_end = ?, g_name = ?, g_wikidata = ? "
                       "WHERE kid = ?", updates)

    def _in_document(self, kids: list[int], doc_id: str) -> set[int]:
        return {r[0] for r in self.db.execute(f"SELECT kid FROM doc_kids WHERE doc_id = ? AND kid IN ({_marks(kids)})",
                                              [doc_id, *kids])}

    def _group_surfaces(self, groups: dict[int, list[int]]) -> dict[int, Counter]:
        """The surface forms of each group's mentions, counted (for its name when no key has a canonical)."""
        group_of = {kid: root for root, kids in groups.items() for kid in kids}
        out: dict[int, Counter] = defaultdict(Counter)
        for chunk in _chunks(group_of, 5000):
            for kid, surface, n in self.db.execute(f"SELECT kid, surface, n FROM key_surfaces WHERE kid IN "
                                                   f"({_marks(chunk)})", chunk):
                out[group_of[kid]][surface] += n
        return out

    # ---- entities --------------------------------------------------------------------------------

    def _entities(self, eids: set[str] | None, documents: dict[str, int] | None = None) -> None:
        """The entities of `eids` (all when None) from their keys' surfaces: the name, label and record
        of the group met first (resolve's setdefault), aliases counted, mentions, documents (those in
        `documents` given, the others counted)."""
        documents = documents or {}
        db = self.db
        if eids is None:
            db.execute("DELETE FROM ents")
            every = db.execute("SELECT DISTINCT eid FROM rkeys WHERE eid IS NOT NULL ORDER BY eid").fetchall()
            eids_iter = [[r[0] for r in every[i:i + _CHUNK]] for i in range(0, len(every), _CHUNK)]
            del every
        else:
            for chunk in _chunks(eids):
                db.execute(f"DELETE FROM ents WHERE eid IN ({_marks(chunk)})", chunk)
            eids_iter = list(_chunks(sorted(eids)))
        for chunk in eids_iter:
            where = f"WHERE k.eid IN ({_marks(chunk)})" if chunk else "WHERE k.eid IS NOT NULL"
            heads = db.execute(f"SELECT k.eid, k.g_name, k.g_wikidata FROM rkeys k {where} "
                               f"ORDER BY k.eid, k.g_doc, k.g_start, k.g_end, k.kid", chunk or ())
            head = {eid: next(group)[1:] for eid, group in groupby(heads, key=lambda r: r[0])}
            rows = db.execute(f"SELECT k.eid, s.surface, SUM(s.n), SUM(s.body) FROM key_surfaces s JOIN rkeys k "
                              f"ON k.kid = s.kid {where} GROUP BY k.eid, s.surface ORDER BY k.eid", chunk or ())
            unknown = [e for e in chunk if e not in documents] if chunk else None
            docs = {e: documents[e] for e in chunk if e in documents} if chunk else {}
            if unknown is None or unknown:
                where_d = f"WHERE k.eid IN ({_marks(unknown)})" if unknown else "WHERE k.eid IS NOT NULL"
                docs.update(db.execute(f"SELECT k.eid, COUNT(DISTINCT d.doc_id) FROM doc_kids d JOIN rkeys k "
                                       f"ON k.kid = d.kid {where_d} GROUP BY k.eid", unknown or ()))
            out = []
            for eid, group in groupby(rows, key=lambda r: r[0]):
                aliases, content = Counter(), 0
                for _, surface, n, body_n in group:
                    aliases[surface] += n
                    content += body_n
                name, wikidata = head[eid]
                label = eid.split(":", 1)[0].upper()
                out.append((eid, label, name, wikidata, sum(aliases.values()), docs.get(eid, 0),
                            json.dumps(sorted(aliases.items(), key=lambda a: (-a[1], a[0])), ensure_ascii=False),
                            int(content > 0)))
            db.executemany("INSERT INTO ents VALUES (?, ?, ?, ?, ?, ?, ?, ?)", out)

    # ---- edges -----------------------------------------------------------------------------------

    _EVIDENCE = ("SELECT a.eid, b.eid, p.type, p.directed, p.doc_id, p.seq, p.sent_start, p.sent_end, p.date, "
                 "p.confidence, p.label FROM doc_pairs p JOIN rkeys a ON a.kid = p.hk JOIN rkeys b ON b.kid = p.tk "
                 "JOIN ents ea ON ea.eid = a.eid AND ea.content JOIN ents eb ON eb.eid = b.eid AND eb.content "
                 "WHERE a.eid != b.eid")

    def _evidence_rows(self, doc_ids) -> list[tuple]:
        """The graph evidence of some documents as the tables map it now: (source, target, type,
        directed, doc_id, seq, sentence start, end, date, confidence, label), undirected with source <
        target, as graph.build_graph keys it."""
        out = []
        for chunk in _chunks(doc_ids):
            for row in self.db.execute(f"{self._EVIDENCE} AND p.doc_id IN ({_marks(chunk)})", chunk):
                out.append(_oriented(row))
        return out

    def _edges(self, eids: set[str] | None) -> None:
        """The aggregated edges touching `eids` (all when None) recomputed from the documents' evidence:
        weight, documents, dates, the highest confidence, the first evidence's sentence, label and
        direction (the first in document and evidence order)."""
        db = self.db
        if eids is None:
            db.execute("DELETE FROM edges")
            db.execute("DELETE FROM edge_dates")
            sources = [db.execute(self._EVIDENCE)]
        else:
            kids = [r[0] for chunk in _chunks(eids)
                    for r in db.execute(f"SELECT kid FROM rkeys WHERE eid IN ({_marks(chunk)})", chunk)]
            for chunk in _chunks(eids):
                q = _marks(chunk)
                for table in ("edge_dates", "edges"):
                    db.execute(f"DELETE FROM {table} WHERE src IN ({q}) OR dst IN ({q})", chunk + chunk)
            sources = []
            for chunk in _chunks(kids):
                q = _marks(chunk)
                sources.append(db.execute(f"{self._EVIDENCE} AND (p.hk IN ({q}) OR p.tk IN ({q}))",
                                          chunk + chunk).fetchall())
        self._aggregate(sources, distinct=eids is not None)

    def _aggregate(self, sources, distinct: bool) -> None:
        """Evidence rows -> new edge rows (their evidence sentences filled afterwards)."""
        db = self.db
        db.execute("CREATE TEMP TABLE IF NOT EXISTS evidence_rows (src TEXT, dst TEXT, type TEXT, directed INTEGER, "
                   "doc_id TEXT, seq INTEGER, sent_start INTEGER, sent_end INTEGER, date TEXT, confidence REAL, "
                   "label TEXT)")
        db.execute("DELETE FROM temp.evidence_rows")
        insert = "INSERT INTO temp.evidence_rows VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        for source in sources:
            batch = []
            for row in source:
                batch.append(_oriented(row))
                if len(batch) >= 50_000:
                    db.executemany(insert, batch)
                    batch = []
            db.executemany(insert, batch)
        rows = db.execute(f"SELECT {'DISTINCT' if distinct else ''} * FROM temp.evidence_rows "
                          "ORDER BY src, dst, type, doc_id, seq")
        edges, dates = [], []
        for key, group in groupby(rows, key=lambda r: r[:3]):
            edge, counts = _edge_of(list(group))
            edges.append(edge)
            dates.extend((*key, d, n) for d, n in counts.items())
            if len(edges) >= 50_000:
                self._put_edges(edges, dates)
                edges, dates = [], []
        self._put_edges(edges, dates)
        db.execute("DELETE FROM temp.evidence_rows")

    def _put_edges(self, edges: list, dates: list) -> None:
        self.db.executemany("INSERT INTO edges VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", edges)
        self.db.executemany("INSERT INTO edge_dates VALUES (?, ?, ?, ?, ?)", dates)

    def _delta_edges(self, removed: list[tuple], added: list[tuple], skip: set[str]) -> None:
        """Edges brought up to date with the evidence of documents taken out and put in, where the
        mapping of keys to entities did not change (`skip`: the entities whose edges were recomputed).
        An edge that loses its first evidence or its most confident one is recomputed."""
        db = self.db
        where = "src = ? AND dst = ? AND type = ?"
        recompute = set()
        added_by = _by_edge(added, skip)
        for key, rows in _by_edge(removed, skip).items():
            edge = db.execute(f"SELECT weight, documents, ev_doc, ev_seq, confidence FROM edges WHERE {where}",
                              key).fetchone()
            if edge is None:
                continue
            weight, documents, ev_doc, ev_seq, confidence = edge
            if weight <= len(rows):
                db.execute(f"DELETE FROM edges WHERE {where}", key)
                db.execute(f"DELETE FROM edge_dates WHERE {where}", key)
                continue
            db.execute(f"UPDATE edges SET weight = ?, documents = ? WHERE {where}",
                       (weight - len(rows), documents - len({r[4] for r in rows}), *key))
            for date, n in Counter(r[8] for r in rows if r[8]).items():
                db.execute(f"UPDATE edge_dates SET n = n - ? WHERE {where} AND date = ?", (n, *key, date))
            db.execute(f"DELETE FROM edge_dates WHERE {where} AND n <= 0", key)
            # a document stored again (edited, or parsed again) usually gives the same evidence back: an
            # edge whose first evidence returns as it was, and whose highest confidence the returning rows
            # reach again, needs no pass over all its evidence (its sentence is cut again: the text may
            # have changed around the same offsets)
            back = added_by.get(key, [])
            again = {_evidence_id(r) for r in back}
            top = max((r[9] for r in back), default=None)
            first = [r for r in rows if (r[4], r[5]) == (ev_doc, ev_seq)]
            if any(_evidence_id(r) not in again for r in first) or (
                    any(r[9] >= confidence for r in rows) and (top is None or top < confidence)):
                recompute.add(key)
            elif first:
                db.execute(f"UPDATE edges SET evidence = NULL WHERE {where}", key)
        for key, rows in added_by.items():
            rows.sort(key=lambda r: (r[4], r[5]))
            new, counts = _edge_of(rows)
            edge = db.execute(f"SELECT weight, documents, ev_doc, ev_seq, confidence FROM edges WHERE {where}",
                              key).fetchone()
            if edge is None:
                self._put_edges([new], [(*key, d, n) for d, n in counts.items()])
            else:
                weight, documents, ev_doc, ev_seq, confidence = edge
                db.execute(f"UPDATE edges SET weight = ?, documents = ?, confidence = ? WHERE {where}",
                           (weight + new[4], documents + new[5], max(confidence, new[11]), *key))
                if (new[6], new[7]) < (ev_doc, ev_seq):  # an earlier first evidence
                    db.execute(f"UPDATE edges SET directed = ?, ev_doc = ?, ev_seq = ?, ev_start = ?, ev_end = ?, "
                               f"evidence = NULL, label = ? WHERE {where}", (new[3], *new[6:10], new[12], *key))
                db.executemany("INSERT INTO edge_dates VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + "
                               "excluded.n", [(*key, d, n) for d, n in counts.items()])
        for key in recompute:
            self._recompute_edge(key)

    def _recompute_edge(self, key: tuple) -> None:
        """One edge from its evidence (both orientations of its entities' keys are read)."""
        db = self.db
        src, dst, rtype = key
        kids = {eid: [r[0] for r in db.execute("SELECT kid FROM rkeys WHERE eid = ?", (eid,))] for eid in (src, dst)}
        rows = []
        for a, b in ((src, dst), (dst, src)):
            for ha in _chunks(kids[a]):
                for hb in _chunks(kids[b]):
                    rows += [o for row in db.execute(f"{self._EVIDENCE} AND p.type = ? AND p.hk IN ({_marks(ha)}) "
                                                     f"AND p.tk IN ({_marks(hb)})", [rtype, *ha, *hb])
                             if (o := _oriented(row))[:3] == key]
        db.execute("DELETE FROM edges WHERE src = ? AND dst = ? AND type = ?", key)
        db.execute("DELETE FROM edge_dates WHERE src = ? AND dst = ? AND type = ?", key)
        if rows:
            rows.sort(key=lambda r: (r[4], r[5]))
            edge, counts = _edge_of(rows)
            self._put_edges([edge], [(*key, d, n) for d, n in counts.items()])

    def _fill_evidence(self) -> None:
        """Each new edge's evidence sentence, cut from its document's text (one document read at a time)."""
        db = self.db
        cursor = db.execute("SELECT e.rowid, e.ev_doc, e.ev_start, e.ev_end FROM edges e WHERE e.evidence IS NULL "
                            "ORDER BY e.ev_doc")
        updates = []
        for doc_id, group in groupby(cursor, key=lambda r: r[1]):
            text = (db.execute("SELECT text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone() or ("",))[0] or ""
            for rowid, _, start, end in group:
                sentence = clean_evidence(" ".join(text[start:end].split()))
                if len(sentence) > EVIDENCE_CHARS:
                    sentence = sentence[:EVIDENCE_CHARS - 1] + "…"
                updates.append((sentence, rowid))
            if len(updates) >= 50_000:
                db.executemany("UPDATE edges SET evidence = ? WHERE rowid = ?", updates)
                updates = []
        db.executemany("UPDATE edges SET evidence = ? WHERE rowid = ?", updates)


def _oriented(row: tuple) -> tuple:
    """An evidence row with an undirected pair's entities in order (source < target)."""
    if not row[3] and row[1] < row[0]:
        return (row[1], row[0], *row[2:])
    return tuple(row)


def _evidence_id(row: tuple) -> tuple:
    """What an edge takes from its first evidence row: document, position, direction, sentence, label."""
    return (row[4], row[5], row[3], row[6], row[7], row[10])


def _by_edge(rows: list[tuple], skip: set[str]) -> dict[tuple, list[tuple]]:
    out = defaultdict(list)
    for r in rows:
        if r[0] not in skip and r[1] not in skip:
            out[r[:3]].append(r)
    return out


def _edge_of(rows: list[tuple]) -> tuple[tuple, Counter]:
    """An edge row from its evidence rows (in document and evidence order), and its dates counted."""
    first = rows[0]
    confidence = max(r[9] for r in rows)
    counts = Counter(r[8] for r in rows if r[8])
    return ((first[0], first[1], first[2], first[3], len(rows), len({r[4] for r in rows}), first[4], first[5],
             first[6], first[7], None, confidence, first[10]), counts)
