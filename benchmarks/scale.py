"""Scale benchmark: a store of N documents' worth of realistic rows, its rebuild, and an increment of 10.

    python benchmarks/scale.py --synthetic N [--seed S] [--work DIR] [--cables DIR] [--seed-docs 300]

1. A seed run: `kzx extract --format csv` over --seed-docs cables of the shared archive (drawn with
   seed 0; cached in --work, so later runs reuse it).
2. N synthetic documents, each a copy of a seed document (drawn with --seed) whose names are
   perturbed word by word: a name's word is kept, or replaced by one of its variants, or by a new
   variant (same length, same first two letters, so it lands in the same fuzzy-match blocks and the
   text's offsets stay true), with the probability of a new word that Heaps' law V(t) = K t^beta, fitted
   on the seed run's mentions, gives at that point of the collection. Gazetteer-linked mentions and
   dates are kept: known bodies do not grow with a collection, new people and groups do. Rows go into
   a fresh store in bulk, as a run that parsed them would have left it.
3. The rebuild: resolution, graph and the csv, graphml, gexf and json outputs from the store, in a
   fresh process (time, peak RSS of it and its forked writer, summed, sampled with psutil).
4. An increment: 10 real cables not in the seed parsed into the store, then the outputs brought up to
   date. add10_parse_s is the parse (the model load left out), add10_nonwrite_s everything after it but
   the writing (storing the rows, resolution, graph), add10_s the parse, the update and the writing.

Prints one JSON line: docs, mentions, entities, edges, rebuild_s, peak_rss_mib, add10_s,
add10_nonwrite_s, add10_parse_s, heaps_k, heaps_beta.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ("csv", "graphml", "gexf", "json")
ADDED = 10
_WORD = re.compile(r"[^\W\d_]{3,}")


def seed_run(cables: Path, work: Path, docs: int) -> Path:
    """The seed store (cached): `kzx extract --format csv` over `docs` cables drawn with seed 0."""
    out = work / f"seed-{docs}" / "out"
    if (out / "kzx.sqlite").is_file() and (out / "nodes.csv").is_file():
        return out
    raw = out.parent / "raw"
    shutil.rmtree(out.parent, ignore_errors=True)
    raw.mkdir(parents=True)
    for name in seed_names(cables, docs):
        shutil.copy(cables / name, raw / name)
    subprocess.run([sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "--format", "csv"],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def seed_names(cables: Path, docs: int) -> list[str]:
    names = sorted(p.name for p in cables.iterdir() if p.is_file())
    random.Random(0).shuffle(names)
    return names[:docs]


def perturbable(label: str, link: str) -> bool:
    return label != "DATE" and not link


def heaps_fit(db: sqlite3.Connection) -> tuple[float, float]:
    """K, beta of V(t) = K t^beta: distinct name words after t words of unlinked non-date mentions."""
    seen, points, t = set(), [], 0
    for text, label, link in db.execute('SELECT text, label, link FROM mentions ORDER BY doc_id, start'):
        if not perturbable(label, link):
            continue
        for word in _WORD.findall(text):
            t += 1
            seen.add(word.lower())
            if t % 50 == 0:
                points.append((math.log(t), math.log(len(seen))))
    n = len(points)
    mx, my = sum(p[0] for p in points) / n, sum(p[1] for p in points) / n
    beta = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return math.exp(my - beta * mx), beta


def variant(word: str, j: int) -> str:
    """The j-th variant of a word (0: the word): its first two letters, then j in base 26, same length."""
    if j == 0 or len(word) < 3:
        return word
    tail = []
    while j and len(tail) < len(word) - 2:
        j, d = divmod(j, 26)
        tail.append(chr(ord("a") + d))
    chars = list(word)
    for i, c in enumerate(tail):
        pos = len(chars) - 1 - i
        chars[pos] = c.upper() if chars[pos].isupper() else c
    return "".join(chars)


def synthesize(seed_db: Path, store: Path, n: int, seed: int) -> dict:
    """Fills a fresh store with n perturbed copies of the seed's documents."""
    src = sqlite3.connect(seed_db)
    k, beta = heaps_fit(src)
    docs = [r for r in src.execute("SELECT doc_id, sha256, size, fingerprint, text, meta FROM documents "
                                   "WHERE status = 'ok' ORDER BY doc_id")]
    mentions: dict[str, list] = {}
    for row in src.execute('SELECT doc_id, start, "end", text, label, value, sent_start, sent_end, boilerplate, '
                           'link FROM mentions ORDER BY doc_id, start, "end"'):
        mentions.setdefault(row[0], []).append(row)
    relations: dict[str, list] = {}
    for row in src.execute("SELECT doc_id, head_start, head_end, tail_start, tail_end, type, sent_start, sent_end, "
                           "date, directed, confidence, label FROM relations"):
        relations.setdefault(row[0], []).append(row)
    # the parse settings, not the state of the seed's graph and outputs: the new store is rebuilt
    settings = list(src.execute("SELECT key, value FROM settings WHERE key NOT IN "
                                "('export_state', 'graph_state', 'export_counts')"))
    src.close()

    from pipeline.store import Store

    if store.parent.exists():
        shutil.rmtree(store.parent)
    Store(store).close()  # the schema, as kzx creates it
    db = sqlite3.connect(store, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    rng = random.Random(seed)
    variants: dict[str, int] = {}  # word -> variants made so far
    t = 0
    ncols_m = len(next(iter(mentions.values()))[0])
    ncols_r = 12
    db.execute("BEGIN")
    for i in range(n):
        doc_id, _, size, fingerprint, text, meta = rng.choice(docs)
        new_id = f"syn/{i:07d}/{doc_id}"
        chosen: dict[str, str] = {}  # one variant per word in a document: its names stay consistent
        chars = list(text)
        rows = []
        for row in mentions.get(doc_id, []):
            row = list(row)
            row[0] = new_id
            if perturbable(row[4], row[9] or ""):
                def swap(match: re.Match) -> str:
                    nonlocal t
                    word = match.group(0)
                    if word not in chosen:
                        t += 1
                        made = variants.get(word, 1)
                        if rng.random() < k * beta * t ** (beta - 1):
                            j = made
                            variants[word] = made + 1
                        else:
                            j = rng.randrange(made)
                        chosen[word] = variant(word, j)
                    return chosen[word]

                row[3] = _WORD.sub(swap, row[3])
                if "".join(chars[row[1]:row[2]]) == text[row[1]:row[2]] and len(row[3]) == row[2] - row[1]:
                    chars[row[1]:row[2]] = row[3]
            rows.append(row)
        body = "".join(chars)
        db.execute("INSERT INTO documents VALUES (?, ?, ?, 'ok', '', ?, ?, ?, ?)",
                   (new_id, hashlib.sha256(body.encode()).hexdigest(), size, fingerprint, time.time(), body, meta))
        db.executemany(f'INSERT INTO mentions (doc_id, start, "end", text, label, value, sent_start, sent_end, '
                       f'boilerplate, link) VALUES ({", ".join("?" * ncols_m)})', rows)
        db.executemany(f"INSERT INTO relations (doc_id, head_start, head_end, tail_start, tail_end, type, sent_start, "
                       f"sent_end, date, directed, confidence, label) VALUES ({', '.join('?' * ncols_r)})",
                       [(new_id, *r[1:]) for r in relations.get(doc_id, [])])
        if i % 2000 == 1999:
            db.execute("COMMIT")
            db.execute("BEGIN")
    db.executemany("INSERT OR REPLACE INTO settings VALUES (?, ?)", settings)
    db.execute("INSERT OR REPLACE INTO settings VALUES ('generation', ?)", (str(n + 1),))
    db.execute("COMMIT")
    counts = {"docs": n, "mentions": db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0]}
    db.close()
    return {**counts, "heaps_k": round(k, 3), "heaps_beta": round(beta, 3)}


def peak_rss(cmd: list[str]) -> tuple[float, float, str]:
    """(seconds, peak summed RSS in MiB of the process and its children, stdout) of a phase."""
    from benchmarks.throughput import peak_rss as measured

    return measured(cmd, cwd=ROOT, capture=True, ok=(0,), interval=0.1)


def rebuild(out: Path) -> None:
    """The rebuild as a run that changed the store does it: resolution, graph, every output."""
    from pipeline import api
    from pipeline.config import load_settings

    settings = load_settings()
    store = api.Store(out / api.STORE_NAME)
    summary = api.Summary()
    api._export(store, settings, out, FORMATS, summary)
    store.close()
    print(json.dumps({"entities": summary.entities, "edges": summary.typed_edges + summary.cooccurrence_edges}))


def add_documents(out: Path, raw: Path) -> None:
    """Parses the files of `raw` into the store, then brings the outputs up to date (timed apart)."""
    from pipeline import api
    from pipeline.config import load_settings
    from pipeline.engines.pool import Task, parse_inline
    from pipeline.export.parallel import write_outputs
    from pipeline.nlp import build_pipeline
    from pipeline.engines.pool import Budget

    settings = load_settings()
    nlp = build_pipeline(settings)
    fingerprint = settings.parse_fingerprint()
    plan = api.plan_run(raw, None, fingerprint)
    tasks = [Task(d, str(plan.paths[d]), *plan.hashes[d]) for d in plan.to_parse]
    start = time.perf_counter()
    budget = Budget(settings.document_seconds, settings.document_memory_mb, settings.max_file_mb * 2**20)
    results = [r for r in parse_inline(nlp, tasks, settings.batch_size, budget)]
    parsed = time.perf_counter()
    store = api.Store(out / api.STORE_NAME)
    for r in results:
        store.put_document(r.document, fingerprint, r.mentions, r.relations)
    export = api.build_export(store, settings)
    built = time.perf_counter()
    write_outputs(export, out, FORMATS, settings.export_memory_mb)
    done = time.perf_counter()
    store.close()
    print(json.dumps({"add10_s": round(done - start, 2), "add10_nonwrite_s": round(built - parsed, 2),
                      "add10_parse_s": round(parsed - start, 2)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--synthetic", type=int, required=True, metavar="N", help="documents in the store")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the synthetic documents")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kzx-scale"), help="where stores are made")
    parser.add_argument("--cables", type=Path, default=ROOT.parent / "shared" / "cables")
    parser.add_argument("--seed-docs", type=int, default=300, help="cables of the seed run")
    parser.add_argument("--phase", choices=("rebuild", "add"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--raw", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "rebuild":
        return rebuild(args.out)
    if args.phase == "add":
        return add_documents(args.out, args.raw)

    seed_out = seed_run(args.cables, args.work, args.seed_docs)
    out = args.work / f"n{args.synthetic}-s{args.seed}" / "out"
    result = synthesize(seed_out / "kzx.sqlite", out / "kzx.sqlite", args.synthetic, args.seed)
    rebuild_s, rss, printed = peak_rss([sys.executable, __file__, "--synthetic", str(args.synthetic),
                                        "--phase", "rebuild", "--out", str(out)])
    result.update(json.loads(printed.strip().splitlines()[-1]), rebuild_s=round(rebuild_s, 1),
                  peak_rss_mib=round(rss))
    raw = out.parent / "add10"
    raw.mkdir(exist_ok=True)
    used = set(seed_names(args.cables, args.seed_docs))
    for name in [n for n in sorted(p.name for p in args.cables.iterdir()) if n not in used][:ADDED]:
        shutil.copy(args.cables / name, raw / name)
    _, _, printed = peak_rss([sys.executable, __file__, "--synthetic", str(args.synthetic), "--phase", "add",
                              "--out", str(out), "--raw", str(raw)])
    result.update(json.loads(printed.strip().splitlines()[-1]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
