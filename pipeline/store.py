"""Store stage: the embedded SQLite database in the out dir (documents, mentions, relations).

SQLite from the standard library, in WAL mode: no server, one file, atomic transactions, and
readers never block the one writer. Each document's rows are replaced in one transaction, so a
crash leaves every document either fully old or fully new.
"""

from __future__ import annotations

import errno
import functools
import json
import sqlite3
import time
from sys import intern
from collections import Counter
from dataclasses import astuple, fields
from pathlib import Path

from .model import Document, Mention, Relation

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY, sha256 TEXT, size INTEGER, status TEXT, error TEXT,
    fingerprint TEXT, processed REAL, text TEXT, meta TEXT);
CREATE TABLE IF NOT EXISTS mentions (
    doc_id TEXT, start INTEGER, "end" INTEGER, text TEXT, label TEXT, value TEXT,
    sent_start INTEGER, sent_end INTEGER, boilerplate INTEGER, link TEXT);
CREATE TABLE IF NOT EXISTS relations (
    doc_id TEXT, head_start INTEGER, head_end INTEGER, tail_start INTEGER, tail_end INTEGER, type TEXT,
    sent_start INTEGER, sent_end INTEGER, date TEXT, directed INTEGER, confidence REAL, label TEXT);
CREATE INDEX IF NOT EXISTS mentions_doc ON mentions (doc_id);
CREATE INDEX IF NOT EXISTS relations_doc ON relations (doc_id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT);
"""
_MENTION_COLS = ", ".join(f'"{f.name}"' for f in fields(Mention))
_RELATION_COLS = ", ".join(f.name for f in fields(Relation))


def _meta(stored: str | None) -> dict:
    """A document's stored metadata; a value that is not a JSON object (a damaged row) reads as none."""
    try:
        meta = json.loads(stored or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


class StoreError(RuntimeError):
    """The store cannot be used (damaged, read-only, disk full); the message says what to do."""


def store_error(path: Path, exc: BaseException) -> StoreError:
    """One line naming the store and what to do; nothing in it was lost by the failed operation."""
    text = str(exc)
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) \
            or "full" in text or code == 13:
        hint = ("no space to write it (a full disk, or a file size limit): free space and run again (what was "
                "stored is kept)")
    elif "readonly" in text or "read-only" in text or isinstance(exc, PermissionError) \
            or getattr(exc, "errno", None) == errno.EROFS:
        hint = "it cannot be written (read-only): make it writable, or choose another --out"
    elif "disk I/O error" in text:
        hint = ("the disk failed to write it (full, or failing): free space or check the disk, and run again "
                "(a failed write changes nothing stored)")
    elif "unable to open" in text or isinstance(exc, OSError):
        hint = f"it cannot be opened ({getattr(exc, 'strerror', None) or text}): check the --out folder"
    elif isinstance(exc, sqlite3.OperationalError) and "locked" in text:
        hint = "it is locked by another program: close it and run again"
    else:
        hint = (f"it is damaged ({text}): delete it to start over (every document is then parsed again), "
                "or restore it from a copy")
    return StoreError(f"the store {path}: {hint}")


def _guarded(method):
    """Turns SQLite's and the file system's errors into a StoreError naming the store."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (sqlite3.Error, OSError) as exc:
            raise store_error(self.path, exc) from None

    return wrapper


class Store:
    """Everything kzx knows about the input dir's documents, between runs. Every method raises
    StoreError, one line, for a damaged, read-only or full store."""

    @classmethod
    def existing(cls, path: Path) -> Store | None:
        """The store at `path` for reading, or None when there is none (nothing is created)."""
        return cls(path) if Path(path).is_file() else None

    def __init__(self, path: Path):
        self.path = Path(path)
        try:
            self._open()
        except (sqlite3.Error, OSError) as exc:
            if getattr(self, "db", None) is not None:
                self.db.close()
            raise store_error(self.path, exc) from None

    def _open(self) -> None:
        self.db = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        # a store written before relations had a confidence and a label gets the columns (its
        # documents are re-parsed anyway: the pipeline fingerprint changed with the stage)
        have = {row[1] for row in self.db.execute("PRAGMA table_info(relations)")}
        for column, kind in (("confidence", "REAL"), ("label", "TEXT")):
            if column not in have:
                self.db.execute(f"ALTER TABLE relations ADD COLUMN {column} {kind}")
        from .stored_graph import ensure_schema

        ensure_schema(self.db)  # the stored graph's tables, brought up to date from the documents that changed

    @_guarded
    def close(self) -> None:
        self.db.close()

    @_guarded
    def documents(self) -> dict[str, dict]:
        """doc_id -> its record (without the text)."""
        rows = self.db.execute("SELECT doc_id, sha256, size, status, error, fingerprint, processed, meta FROM documents")
        return {r[0]: {"sha256": r[1], "size": r[2], "status": r[3], "error": r[4], "fingerprint": r[5],
                       "processed": r[6], "meta": _meta(r[7])} for r in rows}

    @_guarded
    def failures(self) -> dict[str, str]:
        """doc_id -> one-line reason, for the documents kzx could not read."""
        return dict(self.db.execute("SELECT doc_id, error FROM documents WHERE status = 'failed'"))

    @_guarded
    def texts(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT doc_id, text FROM documents WHERE status = 'ok'"))

    @_guarded
    def put_document(self, document: Document, fingerprint: str, mentions: list[Mention],
                     relations: list[Relation]) -> None:
        """Replaces one document's rows in a single transaction."""
        with self._transaction():
            self._bump()
            self._delete_rows(document.doc_id)
            self.db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, 'ok', '', ?, ?, ?, ?)",
                            (document.doc_id, document.sha256, document.size, fingerprint, time.time(),
                             document.text, json.dumps(document.meta, ensure_ascii=False, sort_keys=True)))
            self.db.executemany(f"INSERT INTO mentions ({_MENTION_COLS}) VALUES ({', '.join('?' * len(fields(Mention)))})",
                                [astuple(m) for m in mentions])
            self.db.executemany(f"INSERT INTO relations ({_RELATION_COLS}) VALUES ({', '.join('?' * len(fields(Relation)))})",
                                [astuple(r) for r in relations])

    @_guarded
    def put_failure(self, doc_id: str, sha256: str, size: int, error: str, fingerprint: str = "") -> None:
        """Records a document kzx could not read; rows it contributed before are dropped. A failure
        stored with the fingerprint is one of the file's own content (not retried until it changes).
        The same failure again changes nothing (no new generation: the outputs stay as they are)."""
        same = self.db.execute("SELECT 1 FROM documents WHERE doc_id = ? AND status = 'failed' AND sha256 = ? "
                               "AND error = ? AND fingerprint = ?", (doc_id, sha256, error, fingerprint)).fetchone()
        if same:
            return
        with self._transaction():
            self._bump()
            self._delete_rows(doc_id)
            self.db.execute("INSERT OR REPLACE INTO documents VALUES (?, ?, ?, 'failed', ?, ?, ?, '', '{}')",
                            (doc_id, sha256, size, error, fingerprint, time.time()))

    @_guarded
    def remove(self, doc_ids: list[str]) -> None:
        if not doc_ids:
            return
        with self._transaction():
            self._bump()
            for doc_id in doc_ids:
                self._delete_rows(doc_id)
                self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    @_guarded
    def mentions(self) -> list[Mention]:
        """Every mention, by document and offset; repeated strings (ids, labels, values) are shared."""
        rows = self.db.execute(f"SELECT {_MENTION_COLS} FROM mentions ORDER BY doc_id, start, \"end\"")
        return [Mention(intern(d), s, e, t, intern(label), intern(v), ss, se, bool(b), intern(link))
                for d, s, e, t, label, v, ss, se, b, link in rows]

    @_guarded
    def relations(self) -> list[Relation]:
        rows = self.db.execute(f"SELECT {_RELATION_COLS} FROM relations ORDER BY doc_id, head_start, tail_start, type")
        return [Relation(*r[:9], bool(r[9]), 1.0 if r[10] is None else r[10], r[11] or "") for r in rows]

    @_guarded
    def get_setting(self, key: str) -> str:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else ""

    @_guarded
    def set_setting(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    @_guarded
    def generation(self) -> str:
        """Changes whenever any document's rows change (SQLite's count of committed changes is per
        connection, so kzx keeps its own counter)."""
        return self.get_setting("generation") or "0"

    def _bump(self) -> None:
        self.db.execute("INSERT OR REPLACE INTO settings VALUES ('generation', ?)", (str(int(self.generation()) + 1),))

    @_guarded
    def label_counts(self) -> Counter:
        return Counter(dict(self.db.execute("SELECT label, COUNT(*) FROM mentions WHERE boilerplate = 0 GROUP BY label")))

    def _delete_rows(self, doc_id: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO pending VALUES (?)", (doc_id,))  # for the stored graph
        self.db.execute("DELETE FROM mentions WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM relations WHERE doc_id = ?", (doc_id,))

    def _transaction(self):
        return _Transaction(self.db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        return False
