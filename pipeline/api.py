"""Library API: what the CLI and the tests call. extract(), status(), evaluate_output(), aliases()."""

from __future__ import annotations

import csv
import errno
import fcntl
import gc
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, load_settings, read_jsonl
from .evaluate import (RelationReport, Report, Span, evaluate, evaluate_relations, load_gold,
                       load_gold_relations)
from .export import FORMATS, OUTPUT_FILES
from .export.model_rows import Export
from .export.stored_rows import StoredExport
from .export.parallel import remove_stale_staging, write_outputs
from .graph import CO_OCCURS, build_graph, node_first_dates
from .ingest import scan
from .ingest.reader import file_hash
from .names.aliases import AliasTable, Overrides
from .resolve import Resolution, resolve
from .store import Store, store_error
from .stored_graph import StoredGraph

STORE_NAME = "kzx.sqlite"
LOCK_NAME = ".kzx.lock"


class LockError(RuntimeError):
    """Another kzx run holds the out dir."""


class OutputError(RuntimeError):
    """An output or the out dir cannot be written (read-only, disk full); nothing stored is lost."""


@dataclass
class Plan:
    """What a run has to do, from content hashes and fingerprints."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # failed last time (retried or not), or failing now
    retry: list[str] = field(default_factory=list)  # of them, those tried again now
    paths: dict[str, Path] = field(default_factory=dict)
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)  # files that could not even be hashed

    @property
    def to_parse(self) -> list[str]:
        return sorted(self.new + self.changed + self.retry)


@dataclass
class Summary:
    parsed: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    mentions: Counter = field(default_factory=Counter)
    entities: int = 0
    typed_edges: int = 0
    cooccurrence_edges: int = 0
    files: list[Path] = field(default_factory=list)
    resolved_only: bool = False
    parse_device: str = ""  # "GPU" or "CPU" when something was parsed here, with the process count
    notes: dict[str, str] = field(default_factory=dict)  # doc_id -> what was repaired or dropped in it


class OutLock:
    """The out dir's lock: an exclusive flock on a lock file naming the holder. The kernel releases it
    when the holder dies, so a dead run's lock is taken over at once, atomically: two runs never hold
    it, and a pid written in the file by someone else holds nothing. `wait` seconds: how long to wait
    for a live holder (0: refuse at once)."""

    def __init__(self, out: Path, wait: float = 0):
        self.path = Path(out) / LOCK_NAME
        self.wait = wait
        self.fd: int | None = None

    def __enter__(self):
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"cannot create the out dir {self.path.parent}: {exc.strerror or exc}; "
                              "choose another --out") from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
            except OSError as exc:
                raise OutputError(f"cannot write in {self.path.parent} ({exc.strerror or exc}): make it "
                                  "writable, or choose another --out") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    pid = self._holder()
                    raise LockError(f"another kzx run{f' (pid {pid})' if pid else ''} is using "
                                    f"{self.path.parent}; wait for it to finish") from None
                time.sleep(0.2)
                continue
            try:  # the file may have been removed by the holder we waited for: lock the new one then
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, str(os.getpid()).encode())
            self.fd = fd
            return self

    def __exit__(self, *exc):
        if self.fd is not None:
            self.path.unlink(missing_ok=True)  # before the unlock: a waiter then sees the file is gone
            os.close(self.fd)
            self.fd = None

    def _holder(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0


def plan_run(input_dir: Path, store: Store | None, fingerprint: str, force: bool = False,
             out_dir: Path | None = None, max_bytes: int | None = None) -> Plan:
    """Compares the input dir with the store by content hash and pipeline fingerprint. A file that
    failed for a reason of its own content (empty, binary, unreadable PDF; stored with the
    fingerprint) is tried again when it changes, the pipeline changes, or with `force`; any other
    failure (a budget, a crash, a file that could not be opened) on every run. A file that cannot be
    hashed or is over `max_bytes` fails here, without a model or a worker."""
    plan = Plan()
    known = store.documents() if store is not None else {}
    for doc_id, path in scan(Path(input_dir), exclude=out_dir):
        plan.paths[doc_id] = path
        try:
            plan.hashes[doc_id] = file_hash(path)
        except (OSError, RuntimeError) as exc:
            plan.hashes[doc_id] = ("", 0)
            reason = getattr(exc, "strerror", None) or ("symbolic link loop" if isinstance(exc, RuntimeError)
                                                        else str(exc))
            if isinstance(exc, FileNotFoundError) and path.is_symlink():
                reason = "symbolic link that loops or leads nowhere"
            plan.unreadable[doc_id] = f"unreadable: {reason}"
            plan.failed.append(doc_id)  # failing now, whatever it was before
            continue
        old = known.get(doc_id)
        size = plan.hashes[doc_id][1]
        if max_bytes is not None and size > max_bytes:
            plan.unreadable[doc_id] = (f"too large: {size / 2**20:.0f} MiB (limit {max_bytes / 2**20:.0f} MiB, "
                                       "[limits] max_file_mb)")
            plan.failed.append(doc_id)
            continue
        if old is None:
            plan.new.append(doc_id)
        elif old["status"] == "failed":
            plan.failed.append(doc_id)
            if force or not old["fingerprint"] or old["fingerprint"] != fingerprint \
                    or old["sha256"] != plan.hashes[doc_id][0]:
                plan.retry.append(doc_id)
        elif force or old["sha256"] != plan.hashes[doc_id][0] or old["fingerprint"] != fingerprint:
            plan.changed.append(doc_id)
        else:
            plan.unchanged.append(doc_id)
    plan.removed = sorted(set(known) - set(plan.paths))
    return plan


def load_resolution_tables(settings: Settings) -> tuple[AliasTable, Overrides]:
    # hand-written records first: where a key is both theirs and a world place's, theirs wins
    records = [r for path in settings.gazetteer_files + settings.world_place_files for r in read_jsonl(path)]
    overrides_file = settings.resolve.get("overrides")
    overrides = Overrides.from_records(read_jsonl(overrides_file) if overrides_file else [])
    return AliasTable.from_records(records), overrides


def extract(input_dir: Path | str = "data/raw", out_dir: Path | str = "data/out", config: Path | str | None = None,
            model: str | None = None, workers: int = 1, force: bool = False,
            formats: tuple[str, ...] = FORMATS, on_document: Callable[[str, str], None] | None = None,
            on_plan: Callable[[Plan], None] | None = None, engine: str = "local",
            scheduler: str | None = None, gpu: str | None = None, lock_wait: float = 0,
            on_phase: Callable[..., None] | None = None) -> Summary:
    """Parses new and changed documents into the store, then rebuilds resolution and every export.
    `gpu` ("prefer"/"require") overrides the config's [model] gpu; `lock_wait`: seconds to wait for
    another run that holds the out dir. `on_phase(name, total=None)` is told when each phase starts:
    see PHASES."""
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input dir not found: {input_dir}")
    if out_dir.resolve() == input_dir.resolve():
        raise ValueError(f"--out {out_dir} is the input dir: choose another folder for the outputs (a folder "
                         "inside the input dir is fine, it is not read back)")
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine '{engine}': choose local or dask")
    check_run_arguments(input_dir, out_dir, engine)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}")
    settings = load_settings(config, model, gpu)
    fingerprint = settings.parse_fingerprint()
    summary = Summary()
    with OutLock(out_dir, lock_wait):
        remove_stale_staging(out_dir)  # and temporary files of a run killed while writing
        store = Store(out_dir / STORE_NAME)
        try:
            phase = on_phase or _quiet
            phase("scan")
            plan = plan_run(input_dir, store, fingerprint, force, out_dir, settings.max_file_mb * 2**20)
            if on_plan:
                on_plan(plan)
            store.remove(plan.removed)
            for doc_id, reason in plan.unreadable.items():
                store.put_failure(doc_id, "", 0, reason)
                summary.failed[doc_id] = reason
            summary.removed, summary.unchanged = plan.removed, len(plan.unchanged)
            if plan.to_parse:
                _parse_into(store, settings, plan, fingerprint, workers, summary, on_document, engine, scheduler,
                            out_dir, phase)
            summary.resolved_only = not plan.to_parse
            state = _export_state(store, settings, formats)
            # the store's generation is in the state: a file that failed again as before changes nothing
            if not _outputs_current(out_dir, store, state, formats):
                _export(store, settings, out_dir, formats, summary, phase)
                store.set_setting("export_state", state)
                store.set_setting("export_counts", json.dumps([summary.entities, summary.typed_edges,
                                                               summary.cooccurrence_edges]))
            else:
                _summarise(store, summary)
        finally:
            store.close()
    return summary


# the phases of a run, in order, as extract() reports them to on_phase (parse with its document count)
PHASES = ("scan", "load model", "parse", "resolve", "graph", "write")


def _quiet(name: str, total: int | None = None) -> None:
    """on_phase when nobody listens."""


class EmptyInputError(ValueError):
    """The input dir holds no file and no earlier run's documents to remove."""


def check_run_arguments(input_dir: Path, out_dir: Path, engine: str) -> None:
    """The user mistakes an extract can name before it touches anything: an --out that is not a folder,
    --engine dask without the dask extra, an input dir with nothing to read and no store to update."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"--out {out_dir} is a file, not a folder: give a folder for the store and the outputs")
    if engine == "dask":
        try:
            import distributed  # noqa: F401  (the dask extra)
        except ImportError:
            raise ValueError('--engine dask needs the dask extra: pip install "kzx[dask]" (or use --engine local)') \
                from None
    if not (out_dir / STORE_NAME).is_file() and not scan(input_dir):
        raise EmptyInputError(f"no documents in {input_dir}: put .txt, .md, .html, .pdf or .docx files there "
                              "(searched recursively); nothing was written")


def require_store(out_dir: Path) -> Path:
    """The store of an earlier run, for the commands that only read it; a missing one is not created."""
    path = Path(out_dir) / STORE_NAME
    if not path.is_file():
        raise FileNotFoundError(f"no kzx store in {out_dir}: run kzx extract --out {out_dir} first")
    return path


def _parse_into(store: Store, settings: Settings, plan: Plan, fingerprint: str, workers: int,
                summary: Summary, on_document, engine: str = "local", scheduler: str | None = None,
                out_dir: Path | None = None, phase: Callable[..., None] | None = None) -> None:
    from .engines.pool import Task

    # small files first: a long one at the end of the run holds back no other document's rows
    order = sorted(plan.to_parse, key=lambda d: (plan.hashes[d][1], d))
    tasks = [Task(doc_id, str(plan.paths[doc_id]), *plan.hashes[doc_id]) for doc_id in order]
    for result in _engine_results(settings, plan, tasks, workers, engine, scheduler, out_dir, summary,
                                  phase or _quiet):
        doc_id = result.doc_id
        if result.error:
            sha, size = plan.hashes[doc_id]
            store.put_failure(doc_id, sha, size, result.error, fingerprint if result.lasting else "")
            summary.failed[doc_id] = result.error
        else:
            store.put_document(result.document, fingerprint, result.mentions, result.relations)
            summary.parsed.append(doc_id)
            if result.document.meta.get("notes"):
                summary.notes[doc_id] = result.document.meta["notes"]
        if on_document:
            on_document(doc_id, "failed" if result.error else "parsed")
    summary.parsed.sort()


DOCUMENTS_PER_WORKER = 64  # below this a worker process costs more (its model load) than it saves


def _engine_results(settings: Settings, plan: Plan, tasks: list, workers: int, engine: str, scheduler: str | None,
                    out_dir: Path | None, summary: Summary, phase: Callable[..., None]):
    """Results from the chosen engine; spaCy loads only when something needs parsing."""
    from .engines.pool import Budget, can_fork, parse_inline, parse_supervised

    phase("load model")
    budget = Budget(settings.document_seconds, settings.document_memory_mb, settings.max_file_mb * 2**20)
    if engine == "dask":
        return _dask_results(settings, plan, tasks, workers, scheduler, out_dir, budget, phase)
    from .nlp import build_pipeline, use_gpu

    on_gpu = use_gpu(settings.gpu)
    nlp = build_pipeline(settings)
    # worker processes pay off only when there is enough to share out; a GPU or a transformer
    # (torch threads) is used from one process
    workers = max(1, min(workers, len(plan.to_parse) // DOCUMENTS_PER_WORKER, settings.max_workers or workers))
    inline = on_gpu or "transformer" in nlp.pipe_names or not can_fork()
    if inline:
        workers = 1
    summary.parse_device = f"{'GPU' if on_gpu else 'CPU'}, {workers} process{'es' if workers > 1 else ''}"
    phase("parse", len(plan.to_parse))
    if inline:  # CUDA and torch's threads do not survive a fork: this process parses, without budgets
        return parse_inline(nlp, tasks, settings.batch_size, budget)
    return parse_supervised(nlp, tasks, workers, settings.batch_size, budget)


def _dask_results(settings: Settings, plan: Plan, tasks: list, workers: int, scheduler: str | None,
                  out_dir: Path | None, budget, phase: Callable[..., None]):
    """The Dask engine's rows as Results; files are read here, each inside its own fault boundary."""
    from .engines import dask as dask_engine
    from .engines.pool import Result, read_task
    from .nlp import save_pipeline

    model_dir = Path(settings.model)
    if not (model_dir / "config.cfg").is_file():
        # a LocalCluster can share a pipeline saved beside the store; remote workers need --model
        model_dir = save_pipeline(settings, Path(out_dir) / ".kzx-model")
    phase("parse", len(plan.to_parse))  # the Dask workers load the model as they start
    failed: list[Result] = []
    documents: dict = {}

    def readable():
        for task in tasks:
            read = read_task(task, budget)
            if isinstance(read, Result):
                failed.append(read)
            else:
                documents[task.doc_id] = read
                yield read

    for doc_id, mentions, relations, error, meta in dask_engine.parse(str(model_dir.resolve()), readable(), scheduler,
                                                                     workers, settings.batch_size):
        yield from failed
        failed.clear()
        document = documents.pop(doc_id)
        if error:  # the worker's one-line reason
            yield Result(doc_id, error=error)
        else:
            document.meta = meta
            yield Result(doc_id, document, mentions, relations)
    yield from failed


def resolve_store(store: Store, settings: Settings) -> tuple[list, list, Resolution]:
    mentions, relations = store.mentions(), store.relations()
    table, overrides = load_resolution_tables(settings)
    return mentions, relations, resolve(mentions, table, overrides, settings.resolve.get("fuzzy_threshold", 92),
                                        local_heads=frozenset(settings.resolve.get("document_local", [])))


def _export_state(store: Store, settings: Settings, formats) -> str:
    """What the outputs were built from: the store's contents, the resolution settings, the formats."""
    return f"{store.generation()}|{settings.resolve_fingerprint()}|{','.join(sorted(formats))}"


def _outputs_current(out_dir: Path, store: Store, state: str, formats) -> bool:
    files = [out_dir / name for fmt in formats for name in OUTPUT_FILES[fmt]]
    return store.get_setting("export_state") == state and all(f.is_file() for f in files)


def _summarise(store: Store, summary: Summary) -> None:
    """Summary figures of an unchanged graph, read from the store without re-resolving."""
    summary.mentions = store.label_counts()
    summary.entities, summary.typed_edges, summary.cooccurrence_edges = json.loads(store.get_setting("export_counts"))
    summary.failed.update(store.failures())


def open_store(out_dir: Path | str) -> Store:
    """The store of an out dir a read-only command uses; none there is an error, and nothing is created."""
    return Store(require_store(out_dir))


def report(out_dir: Path | str = "data/out", config: Path | str | None = None) -> list[Path]:
    """Writes report.html and graph.png from the store, without parsing anything."""
    summary = Summary()
    settings = load_settings(config)
    store = open_store(out_dir)
    try:
        _export(store, settings, Path(out_dir), ("report",), summary)
    finally:
        store.close()
    return summary.files


def _export(store: Store, settings: Settings, out_dir: Path, formats, summary: Summary,
            phase: Callable[..., None] | None = None) -> None:
    gc.collect()  # the parse's pipeline (reference cycles) goes before the rebuild's rows come in
    gc.disable()  # millions of long-lived row objects: collections would rescan them for nothing
    try:
        _resolve_and_write(store, settings, out_dir, formats, summary, phase or _quiet)
    finally:
        gc.enable()


def build_export(store: Store, settings: Settings, phase: Callable[..., None] | None = None) -> StoredExport:
    """The stored graph brought up to date with the store (only what changed documents touch is
    re-resolved; everything when the settings changed), and the export model that streams it to the
    writers."""
    phase = phase or _quiet
    phase("resolve")
    try:
        stored_graph(store, settings).update()
        phase("graph")
        return StoredExport(store.path, int(settings.graph.get("min_weight", 1)),
                            bool(settings.graph.get("typed_only", False)))
    except sqlite3.Error as exc:
        raise store_error(store.path, exc) from None


def stored_graph(store: Store, settings: Settings) -> StoredGraph:
    """The stored-graph stage over a store, with the resolution tables and settings of `settings`."""
    table, overrides = load_resolution_tables(settings)
    return StoredGraph(store.db, table, overrides, settings.resolve.get("fuzzy_threshold", 92),
                       frozenset(settings.resolve.get("document_local", [])),
                       int(settings.graph.get("cooccurrence_window", 12)), bool(settings.graph.get("date_nodes", False)),
                       f"{settings.parse_fingerprint()}|{settings.resolve_fingerprint()}")


def build_memory_export(store: Store, settings: Settings) -> Export:
    """Resolution and graph rebuilt in memory from every stored row (resolve.resolve, graph.build_graph):
    what build_export computed before the stored graph, kept as the reference the tests compare it with."""
    mentions, relations, resolution = resolve_store(store, settings)
    texts = store.texts()
    documents = store.documents()
    skipped = drop_invalid_dates(mentions, relations, documents)
    graph = build_graph(mentions, relations, resolution, texts,
                        {doc_id: d["meta"].get("date", "") for doc_id, d in documents.items()},
                        int(settings.graph.get("cooccurrence_window", 12)),
                        date_nodes=bool(settings.graph.get("date_nodes", False)),
                        min_weight=int(settings.graph.get("min_weight", 1)),
                        typed_only=bool(settings.graph.get("typed_only", False)))
    export = Export(graph, mentions, resolution.entity_ids, relations, texts, documents, node_first_dates(graph))
    export.skipped_dates = skipped
    return export


def drop_invalid_dates(mentions: list, relations: list, documents: dict[str, dict]) -> dict[str, str]:
    """Stored date values are not trusted: one that names no real time ('2008-13', '2008-W60',
    '0000-00-00', a store written by an older kzx) is emptied before the graph and its timeline are
    built. Returns doc_id -> the values dropped, for the summary."""
    from .export.common import date_bounds

    def invalid(value: str) -> bool:  # a decade ('197', the 1970s) is a value with no day bounds
        return date_bounds(value) is None and not (len(value) == 3 and value.isdigit())

    dropped: dict[str, set[str]] = {}
    for doc_id, d in documents.items():
        value = d["meta"].get("date", "")
        if value and invalid(value):
            dropped.setdefault(doc_id, set()).add(value)
            d["meta"] = {k: v for k, v in d["meta"].items() if k != "date"}
    for m in mentions:
        if m.value and m.label == "DATE" and invalid(m.value):
            dropped.setdefault(m.doc_id, set()).add(m.value)
            m.value = ""
    for r in relations:
        if r.date and invalid(r.date):
            dropped.setdefault(r.doc_id, set()).add(r.date)
            r.date = ""
    return {doc_id: ", ".join(sorted(values)) for doc_id, values in dropped.items()}


def _resolve_and_write(store: Store, settings: Settings, out_dir: Path, formats, summary: Summary,
                       phase: Callable[..., None]) -> None:
    export = build_export(store, settings, phase)
    for doc_id, values in export.skipped_dates.items():
        summary.notes[doc_id] = "; ".join(filter(None, [summary.notes.get(doc_id, ""),
                                                         f"stored date(s) {values} name no real time (left out)"]))
    phase("write")
    try:
        summary.files += write_outputs(export, out_dir, formats, settings.export_memory_mb)
    except sqlite3.Error as exc:  # the writers read the store as they go
        raise store_error(store.path, exc) from None
    except OSError as exc:
        where = exc.filename or out_dir
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            hint = "no space to write it (a full disk, or a file size limit): free space and run again"
        elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            hint = "it cannot be written: make it writable, or choose another --out"
        else:
            hint = "choose another --out"
        raise OutputError(f"cannot write {where} ({exc.strerror or exc}); {hint} (the store keeps every "
                          "parsed document: the next run only writes the outputs)") from None
    summary.mentions = store.label_counts()
    summary.entities = len(export.graph.nodes)
    summary.typed_edges, summary.cooccurrence_edges = export.edge_counts()
    summary.failed.update(store.failures())


def status(input_dir: Path | str = "data/raw", out_dir: Path | str = "data/out",
           config: Path | str | None = None, model: str | None = None) -> Plan:
    """What the next extract would do; loads no model and creates nothing."""
    settings = load_settings(config, model)
    if not Path(input_dir).is_dir():
        raise FileNotFoundError(f"input dir not found: {input_dir}")
    store = Store.existing(Path(out_dir) / STORE_NAME)
    if store is None:  # never run: every file is new
        return plan_run(Path(input_dir), None, settings.parse_fingerprint(), out_dir=Path(out_dir),
                        max_bytes=settings.max_file_mb * 2**20)
    try:
        return plan_run(Path(input_dir), store, settings.parse_fingerprint(), out_dir=Path(out_dir),
                        max_bytes=settings.max_file_mb * 2**20)
    finally:
        store.close()


@dataclass
class GraphChange:
    """What one incremental run changed in the graph."""

    summary: Summary
    nodes_added: list[str] = field(default_factory=list)
    nodes_removed: list[str] = field(default_factory=list)
    edges_added: int = 0
    edges_removed: int = 0


def _graph_snapshot(out_dir: Path) -> tuple[dict[str, str], set[tuple[str, str, str]]]:
    nodes, edges = {}, set()
    if (out_dir / "nodes.csv").is_file() and (out_dir / "edges.csv").is_file():
        try:
            with open(out_dir / "nodes.csv", encoding="utf-8", newline="") as f:
                nodes = {r["Id"]: r["Label"] for r in csv.DictReader(f)}
            with open(out_dir / "edges.csv", encoding="utf-8", newline="") as f:
                edges = {(r["Source"], r["Target"], r["Kind"]) for r in csv.DictReader(f)}
        except (OSError, UnicodeDecodeError, csv.Error, KeyError):  # edited by hand: all of it counts as new
            return {}, set()
    return nodes, edges


def extract_with_changes(input_dir: Path | str, out_dir: Path | str, **options) -> GraphChange:
    """extract(), reporting the nodes and edges it added and removed."""
    before_nodes, before_edges = _graph_snapshot(Path(out_dir))
    summary = extract(input_dir, out_dir, **options)
    after_nodes, after_edges = _graph_snapshot(Path(out_dir))
    return GraphChange(summary, sorted(after_nodes[n] for n in set(after_nodes) - set(before_nodes)),
                       sorted(before_nodes[n] for n in set(before_nodes) - set(after_nodes)),
                       len(after_edges - before_edges), len(before_edges - after_edges))


def watch(input_dir: Path | str, out_dir: Path | str, on_change: Callable[[GraphChange], None],
          stop_event=None, debounce_ms: int = 1500, on_wait: Callable[[str], None] | None = None,
          **options) -> None:
    """Runs an incremental extract now and after every burst of changes in input_dir, until stopped.
    Quiet periods also end in a cheap status check, so changes made while a run was busy are not missed.
    When another run (a manual extract) holds the out dir, it waits for it and then runs."""
    from watchfiles import watch as watch_files

    def run() -> None:
        waited = False
        while stop_event is None or not stop_event.is_set():
            try:
                # once told, wait in the lock itself (checking stop_event each second when there is one)
                wait = 0 if not waited else 1.0 if stop_event is not None else float("inf")
                on_change(extract_with_changes(input_dir, out_dir, lock_wait=wait, **options))
                return
            except LockError as exc:
                if not waited and on_wait:
                    on_wait(f"{exc}; waiting")
                waited = True

    run()
    for changes in watch_files(input_dir, debounce=debounce_ms, stop_event=stop_event, recursive=True,
                               rust_timeout=max(1000, 4 * debounce_ms), yield_on_timeout=True):
        if not changes:
            plan = status(input_dir, out_dir, options.get("config"), options.get("model"))
            if not (plan.new or plan.changed or plan.removed):
                continue
        run()


def predicted_spans(out_dir: Path | str) -> list[Span]:
    """mentions.csv of an out dir as evaluation spans (entity_id as cluster)."""
    with open(Path(out_dir) / "mentions.csv", encoding="utf-8", newline="") as f:
        return [Span(r["doc_id"], int(r["start"]), int(r["end"]), r["label"], r["entity_id"], r["value"],
                     r["boilerplate"] == "true") for r in csv.DictReader(f)]


def evaluate_output(gold: Path | str, out_dir: Path | str = "data/out") -> Report:
    """Scores an out dir's mentions.csv against a gold JSONL."""
    return evaluate(load_gold(Path(gold)), predicted_spans(out_dir))


def evaluate_relations_output(gold: Path | str, out_dir: Path | str = "data/out") -> RelationReport:
    """Scores an out dir's relations.csv against the gold relations."""
    with open(Path(out_dir) / "relations.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(Path(out_dir) / "edges.csv", encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    return evaluate_relations(load_gold_relations(Path(gold)), load_gold(Path(gold)), predicted_spans(out_dir), rows,
                              edges)


def alias_report(out_dir: Path | str = "data/out", config: Path | str | None = None):
    """Merged entities with their surface forms, the closest pairs that were not merged, and the names
    tagged with several labels (each now one entity of the label its mentions voted for)."""
    settings = load_settings(config)
    store = open_store(out_dir)
    try:
        _, _, resolution = resolve_store(store, settings)
    finally:
        store.close()
    merged = sorted((e for e in resolution.entities.values() if len(e.aliases) > 1 and e.label != "DATE"),
                    key=lambda e: (-e.mentions, e.id))
    return merged, resolution.near_misses, resolution.label_conflicts
