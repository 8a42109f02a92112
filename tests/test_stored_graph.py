"""The stored graph: an increment writes what a full rebuild writes, byte for byte, and touches only
what the changed documents reach."""

import filecmp
import hashlib
import shutil
from pathlib import Path

import pytest

from pipeline import api
from pipeline.config import load_settings
from pipeline.export import WRITERS
from pipeline.model import Document, Mention, Relation

from .conftest import ROOT

SAMPLE = ROOT / "data" / "raw"
FORMATS = ("csv", "graphml", "gexf", "json")


def _put(store, doc_id: str, sentences: list[tuple[str, list[tuple[str, str]]]], related=()) -> None:
    """A document of sentences, each with its (name, label) mentions; `related`: (head, tail, type)."""
    text, mentions = "", []
    for sentence, names in sentences:
        base = len(text)
        for name, label in names:
            start = base + sentence.index(name)
            mentions.append(Mention(doc_id, start, start + len(name), name, label, "", base, base + len(sentence)))
        text += sentence + " "
    relations = []
    for head, tail, rtype in related:
        h = next(m for m in mentions if m.text == head)
        t = next(m for m in mentions if m.text == tail)
        relations.append(Relation(doc_id, h.start, h.end, t.start, t.end, rtype, h.sent_start, h.sent_end,
                                  "2009-03-04", True, 0.9))
    store.put_document(Document(doc_id, text, hashlib.sha256(text.encode()).hexdigest(), len(text),
                                {"date": "2009-03-01"}), "fp", mentions, relations)


def _written(export, out: Path) -> Path:
    out.mkdir()
    for fmt in FORMATS:
        WRITERS[fmt](export, out)
    return out


def _same(a: Path, b: Path) -> list[str]:
    """Files that differ between two output folders."""
    return [p.name for p in sorted(a.iterdir()) if not filecmp.cmp(p, b / p.name, shallow=False)]


@pytest.fixture()
def store(tmp_path):
    s = api.Store(tmp_path / "kzx.sqlite")
    yield s
    s.close()


def test_every_increment_writes_what_a_full_rebuild_and_the_in_memory_resolution_write(store, tmp_path):
    settings = load_settings()
    steps = [
        # a full name, then a bare surname in another cable: it joins the only full name
        lambda: _put(store, "a.txt", [("Arman Zhaksylykov met Dauren Abenov in Aktobe.",
                                       [("Arman Zhaksylykov", "PERSON"), ("Dauren Abenov", "PERSON"),
                                        ("Aktobe", "PLACE")])], [("Arman Zhaksylykov", "Dauren Abenov", "MET_WITH")]),
        lambda: _put(store, "b.txt", [("Zhaksylykov spoke for Kazatomprom in Aktobe.",
                                       [("Zhaksylykov", "PERSON"), ("Kazatomprom", "AGENCY"), ("Aktobe", "PLACE")])]),
        # a second full name with that surname: the bare surname is no longer one person's
        lambda: _put(store, "c.txt", [("Serik Zhaksylykov and Dauren Abenov visited Kazatomprom.",
                                       [("Serik Zhaksylykov", "PERSON"), ("Dauren Abenov", "PERSON"),
                                        ("Kazatomprom", "AGENCY")])]),
        # a spelling variant that the fuzzy rule joins, and the same name tagged with another label
        lambda: _put(store, "d.txt", [("Arman Zhaksylikov left Kazatomprom for Aktobe.",
                                       [("Arman Zhaksylikov", "PERSON"), ("Kazatomprom", "GROUP"),
                                        ("Aktobe", "PLACE")])]),
        # a document edited, one removed (the other full name goes with it), one earlier in order added
        lambda: _put(store, "b.txt", [("Zhaksylykov and Abenov spoke in Aktobe.",
                                       [("Zhaksylykov", "PERSON"), ("Abenov", "PERSON"), ("Aktobe", "PLACE")])]),
        lambda: store.remove(["c.txt"]),
        lambda: _put(store, "0.txt", [("Kazatomprom, the Aktobe office of Kazatomprom, said so.",
                                       [("Kazatomprom", "GROUP"), ("Aktobe", "PLACE")])]),
        # the first document stored again as it was: its edges' first evidence comes back
        lambda: _put(store, "a.txt", [("Arman Zhaksylykov met Dauren Abenov in Aktobe.",
                                       [("Arman Zhaksylykov", "PERSON"), ("Dauren Abenov", "PERSON"),
                                        ("Aktobe", "PLACE")])], [("Arman Zhaksylykov", "Dauren Abenov", "MET_WITH")]),
    ]
    for i, step in enumerate(steps):
        step()
        graph = api.stored_graph(store, settings)
        assert graph.update() == ("full" if i == 0 else "increment")
        increment = _written(api.build_export(store, settings), tmp_path / f"inc{i}")
        memory = _written(api.build_memory_export(store, settings), tmp_path / f"mem{i}")
        graph.rebuild()
        full = _written(api.build_export(store, settings), tmp_path / f"full{i}")
        assert _same(increment, full) == [], f"step {i}"
        assert _same(full, memory) == [], f"step {i}"
    ids = {r.split(",")[3]: r.split(",")[5] for r in (tmp_path / "full7" / "mentions.csv").read_text().splitlines()[1:]}
    assert ids["Arman Zhaksylikov"] == ids["Arman Zhaksylykov"]


def test_an_increment_re_resolves_only_the_keys_the_new_document_reaches(store):
    settings = load_settings()
    _put(store, "a.txt", [("Arman Zhaksylykov met Dauren Abenov in Aktobe.",
                           [("Arman Zhaksylykov", "PERSON"), ("Dauren Abenov", "PERSON"), ("Aktobe", "PLACE")])])
    _put(store, "b.txt", [("Nurlan Ospanov visited Shymkent.", [("Nurlan Ospanov", "PERSON"), ("Shymkent", "PLACE")])])
    graph = api.stored_graph(store, settings)
    graph.update()
    _put(store, "c.txt", [("Ospanov returned to Shymkent.", [("Ospanov", "PERSON"), ("Shymkent", "PLACE")])])
    pending = [r[0] for r in store.db.execute("SELECT doc_id FROM pending")]
    assert pending == ["c.txt"]
    seen = []
    closure = graph._closure
    graph._closure = lambda seeds: seen.append(region := closure(seeds)) or region
    assert graph.update() == "increment"
    names = {r[0] for r in store.db.execute(f"SELECT key FROM rkeys WHERE kid IN ({','.join(map(str, seen[0]))})")}
    assert {"ospanov", "nurlan ospanov"} <= names and len(names) == 3  # and Shymkent's key; nothing of a.txt
    eid = dict(store.db.execute("SELECT text, entity FROM (SELECT m.text, k.eid AS entity FROM mentions m "
                                "JOIN rkeys k ON k.kid = m.kid)"))
    assert eid["Ospanov"] == eid["Nurlan Ospanov"] == "person:nurlan-ospanov"


def test_an_incremental_extract_equals_a_clean_extract_of_the_same_folder(tmp_path):
    names = sorted(p.name for p in SAMPLE.iterdir() if p.suffix == ".txt")[:4]
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in names[:3]:
        shutil.copy(SAMPLE / name, raw / name)
    out = tmp_path / "out"
    api.extract(raw, out, workers=1)
    shutil.copy(SAMPLE / names[3], raw / names[3])  # added
    (raw / names[0]).unlink()  # removed
    (raw / names[1]).write_text((SAMPLE / names[1]).read_text(encoding="utf-8").replace("Kazakhstan", "Kazakstan")
                                + "\nTokayev met Nazarbaev in Astana.\n", encoding="utf-8")  # edited
    summary = api.extract(raw, out, workers=1)
    assert sorted(summary.parsed) == sorted([names[1], names[3]]) and summary.removed == [names[0]]
    clean = tmp_path / "clean"
    api.extract(raw, clean, workers=1)
    files = sorted(p.name for p in clean.iterdir() if p.is_file() and p.name != api.STORE_NAME
                   and not p.name.startswith("."))
    assert "report.html" in files and "graph.gexf" in files
    assert [f for f in files if not filecmp.cmp(out / f, clean / f, shallow=False)] == []


def test_an_increment_reads_the_mentions_of_the_changed_documents_only(store):
    """An entity named in every document (a country) is brought up to date from per-key sums and the
    changed documents, not by counting its mentions or documents again."""
    settings = load_settings()
    for i in range(30):
        _put(store, f"{i:02d}.txt", [(f"Official {i} of Kazatomprom visited Aktobe.",
                                      [("Kazatomprom", "AGENCY"), ("Aktobe", "PLACE")])])
    graph = api.stored_graph(store, settings)
    assert graph.update() == "full"
    _put(store, "new.txt", [("Kazatomprom opened an office in Aktobe and Atyrau.",
                             [("Kazatomprom", "AGENCY"), ("Aktobe", "PLACE"), ("Atyrau", "PLACE")])])
    statements = []
    store.db.set_trace_callback(statements.append)
    try:
        assert graph.update() == "increment"
    finally:
        store.db.set_trace_callback(None)
    reads = [s for s in statements if " mentions" in s and not s.startswith("UPDATE mentions SET kid")]
    wide = [s for s in reads if "WHERE doc_id = " not in s and "LIMIT 1" not in s]
    assert reads and not wide, wide
    counted = [s for s in statements if "COUNT(DISTINCT d.doc_id)" in s]
    assert not [s for s in counted if "aktobe" in s or "kazatomprom" in s], counted  # moved by the delta
    counts = dict(store.db.execute("SELECT name, documents FROM ents"))
    assert counts["Aktobe"] == 31 and counts["Atyrau"] == 1, counts
