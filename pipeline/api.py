"""Library API: what the CLI and the tests call. extract(), status(), evaluate_output(), aliases()."""

from __future__ import annotations

import csv
import gc
import json
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings, load_settings, read_jsonl
from .evaluate import (RelationReport, Report, Span, evaluate, evaluate_relations, load_gold,
                       load_gold_relations)
from .export import FORMATS, OUTPUT_FILES
from .export.model_rows import Export
from .export.parallel import remove_stale_staging, write_outputs
from .graph import CO_OCCURS, build_graph, node_first_dates
from .ingest import InputError, read_document, scan
from .ingest.reader import file_hash
from .model import Document
from .names.aliases import AliasTable, Overrides
from .resolve import Resolution, resolve
from .store import Store

STORE_NAME = "kzx.sqlite"
LOCK_NAME = ".kzx.lock"


class LockError(RuntimeError):
    """Another kzx run holds the out dir."""


@dataclass
class Plan:
    """What a run has to do, from content hashes and fingerprints."""

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    hashes: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def to_parse(self) -> list[str]:
        return sorted(self.new + self.changed + self.failed)


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


class OutLock:
    """A lock file in the out dir naming the holding process; a dead holder's lock is taken over."""

    def __init__(self, out: Path):
        self.path = Path(out) / LOCK_NAME

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                return self
            except FileExistsError:
                pid = self._holder()
                if pid and _alive(pid):
                    raise LockError(f"another kzx run (pid {pid}) is using {self.path.parent}; "
                                    f"wait for it, or delete {self.path} if that process is gone") from None
                self.path.unlink(missing_ok=True)
        raise LockError(f"cannot lock {self.path.parent}")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)

    def _holder(self) -> int:
        try:
            return int(self.path.read_text().strip() or 0)
        except (OSError, ValueError):
            return 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def plan_run(input_dir: Path, store: Store, fingerprint: str, force: bool = False) -> Plan:
    """Compares the input dir with the store by content hash and pipeline fingerprint."""
    plan = Plan()
    known = store.documents()
    for doc_id, path in scan(Path(input_dir)):
        plan.paths[doc_id] = path
        plan.hashes[doc_id] = file_hash(path)
        old = known.get(doc_id)
        if old is None:
            plan.new.append(doc_id)
        elif old["status"] == "failed":
            plan.failed.append(doc_id)
        elif force or old["sha256"] != plan.hashes[doc_id][0] or old["fingerprint"] != fingerprint:
            plan.changed.append(doc_id)
        else:
            plan.unchanged.append(doc_id)
    plan.removed = sorted(set(known) - set(plan.paths))
    return plan


def load_resolution_tables(settings: Settings) -> tuple[AliasTable, Overrides]:
    records = [r for path in settings.gazetteer_files for r in read_jsonl(path)]
    overrides_file = settings.resolve.get("overrides")
    overrides = Overrides.from_records(read_jsonl(overrides_file) if overrides_file else [])
    return AliasTable.from_records(records), overrides


def extract(input_dir: Path | str = "data/raw", out_dir: Path | str = "data/out", config: Path | str | None = None,
            model: str | None = None, workers: int = 1, force: bool = False,
            formats: tuple[str, ...] = FORMATS, on_document: Callable[[str, str], None] | None = None,
            on_plan: Callable[[Plan], None] | None = None, engine: str = "local",
            scheduler: str | None = None, gpu: str | None = None,
            on_phase: Callable[..., None] | None = None) -> Summary:
    """Parses new and changed documents into the store, then rebuilds resolution and every export.
    `gpu` ("prefer"/"require") overrides the config's [model] gpu. `on_phase(name, total=None)` is told
    when each phase starts: see PHASES."""
    input_dir, out_dir = Path(input_dir), Path(out_dir)
    if not input_dir.is_dir():
        raise FileNotFoundError(f"input dir not found: {input_dir}")
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine '{engine}': choose local or dask")
    check_run_arguments(input_dir, out_dir, engine)
    unknown = set(formats) - set(FORMATS)
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(sorted(unknown))}; choose from {', '.join(FORMATS)}")
    settings = load_settings(config, model, gpu)
    fingerprint = settings.parse_fingerprint()
    summary = Summary()
    with OutLock(out_dir):
        remove_stale_staging(out_dir)
        store = Store(out_dir / STORE_NAME)
        try:
            phase = on_phase or _quiet
            phase("scan")
            plan = plan_run(input_dir, store, fingerprint, force)
            if on_plan:
                on_plan(plan)
            store.remove(plan.removed)
            summary.removed, summary.unchanged = plan.removed, len(plan.unchanged)
            if plan.to_parse:
                _parse_into(store, settings, plan, fingerprint, workers, summary, on_document, engine, scheduler,
                            out_dir, phase)
            summary.resolved_only = not plan.to_parse
            state = _export_state(store, settings, formats)
            if plan.to_parse or plan.removed or not _outputs_current(out_dir, store, state, formats):
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
    documents: dict[str, Document] = {}

    def readable():
        for doc_id in plan.to_parse:
            sha, size = plan.hashes[doc_id]
            try:
                document = read_document(plan.paths[doc_id], doc_id)
            except InputError as exc:
                store.put_failure(doc_id, sha, size, str(exc))
                summary.failed[doc_id] = str(exc)
                if on_document:
                    on_document(doc_id, "failed")
                continue
            documents[doc_id] = document
            yield document

    for doc_id, mentions, relations, error, meta in _engine_rows(settings, plan, readable(), workers, engine, scheduler,
                                                            out_dir, summary, phase or _quiet):
        document = documents.pop(doc_id)
        document.meta = meta
        if error:
            store.put_failure(doc_id, document.sha256, document.size, f"internal error in {error}")
            summary.failed[doc_id] = f"internal error in {error}"
        else:
            store.put_document(document, fingerprint, mentions, relations)
            summary.parsed.append(doc_id)
        if on_document:
            on_document(doc_id, "failed" if error else "parsed")


DOCUMENTS_PER_WORKER = 64  # below this a worker process costs more (its model load) than it saves


def _engine_rows(settings: Settings, plan: Plan, documents, workers: int, engine: str, scheduler: str | None,
                 out_dir: Path | None, summary: Summary, phase: Callable[..., None]):
    """Rows from the chosen engine; spaCy loads only when something needs parsing."""
    phase("load model")
    if engine == "dask":
        from .engines import dask as dask_engine
        from .nlp import save_pipeline

        model_dir = Path(settings.model)
        if not (model_dir / "config.cfg").is_file():
            # a LocalCluster can share a pipeline saved beside the store; remote workers need --model
            model_dir = save_pipeline(settings, Path(out_dir) / ".kzx-model")
        phase("parse", len(plan.to_parse))  # the Dask workers load the model as they start
        return dask_engine.parse(str(model_dir.resolve()), documents, scheduler, workers, settings.batch_size)
    from .engines.local import parse
    from .nlp import build_pipeline, use_gpu

    on_gpu = use_gpu(settings.gpu)
    nlp = build_pipeline(settings)
    # worker processes pay off only when there is enough to share out; a GPU or a transformer
    # (torch threads) is used from one process
    workers = max(1, min(workers, len(plan.to_parse) // DOCUMENTS_PER_WORKER, settings.max_workers or workers))
    if on_gpu or "transformer" in nlp.pipe_names:
        workers = 1
    summary.parse_device = f"{'GPU' if on_gpu else 'CPU'}, {workers} process{'es' if workers > 1 else ''}"
    phase("parse", len(plan.to_parse))
    return parse(nlp, documents, workers=workers, batch_size=settings.batch_size)


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


def report(out_dir: Path | str = "data/out", config: Path | str | None = None) -> list[Path]:
    """Writes report.html and graph.png from the store, without parsing anything."""
    summary = Summary()
    settings = load_settings(config)
    store = Store(Path(out_dir) / STORE_NAME)
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


def build_export(store: Store, settings: Settings, phase: Callable[..., None] | None = None) -> Export:
    """Resolution and graph rebuilt from the store's rows: what every writer reads."""
    phase = phase or _quiet
    phase("resolve")
    mentions, relations, resolution = resolve_store(store, settings)
    phase("graph")
    texts = store.texts()
    documents = store.documents()
    graph = build_graph(mentions, relations, resolution, texts,
                        {doc_id: d["meta"].get("date", "") for doc_id, d in documents.items()},
                        int(settings.graph.get("cooccurrence_window", 12)),
                        date_nodes=bool(settings.graph.get("date_nodes", False)),
                        min_weight=int(settings.graph.get("min_weight", 1)),
                        typed_only=bool(settings.graph.get("typed_only", False)))
    return Export(graph, mentions, resolution.entity_ids, relations, texts, documents, node_first_dates(graph))


def _resolve_and_write(store: Store, settings: Settings, out_dir: Path, formats, summary: Summary,
                       phase: Callable[..., None]) -> None:
    export = build_export(store, settings, phase)
    phase("write")
    summary.files += write_outputs(export, out_dir, formats, settings.export_memory_mb)
    summary.mentions = Counter(m.label for m in export.mentions if not m.boilerplate)
    summary.entities = len(export.graph.nodes)
    summary.typed_edges = sum(1 for e in export.graph.edges if e.type != CO_OCCURS)
    summary.cooccurrence_edges = sum(1 for e in export.graph.edges if e.type == CO_OCCURS)
    summary.failed.update(store.failures())


def status(input_dir: Path | str = "data/raw", out_dir: Path | str = "data/out",
           config: Path | str | None = None, model: str | None = None) -> Plan:
    """What the next extract would do; loads no model."""
    settings = load_settings(config, model)
    store = Store(Path(out_dir) / STORE_NAME)
    try:
        return plan_run(Path(input_dir), store, settings.parse_fingerprint())
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
        with open(out_dir / "nodes.csv", encoding="utf-8", newline="") as f:
            nodes = {r["Id"]: r["Label"] for r in csv.DictReader(f)}
        with open(out_dir / "edges.csv", encoding="utf-8", newline="") as f:
            edges = {(r["Source"], r["Target"], r["Kind"]) for r in csv.DictReader(f)}
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
          stop_event=None, debounce_ms: int = 1500, **options) -> None:
    """Runs an incremental extract now and after every burst of changes in input_dir, until stopped.
    Quiet periods also end in a cheap status check, so changes made while a run was busy are not missed."""
    from watchfiles import watch as watch_files

    on_change(extract_with_changes(input_dir, out_dir, **options))
    for changes in watch_files(input_dir, debounce=debounce_ms, stop_event=stop_event, recursive=True,
                               rust_timeout=max(1000, 4 * debounce_ms), yield_on_timeout=True):
        if not changes:
            plan = status(input_dir, out_dir, options.get("config"), options.get("model"))
            if not (plan.new or plan.changed or plan.removed):
                continue
        on_change(extract_with_changes(input_dir, out_dir, **options))


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
    store = Store(require_store(out_dir))
    try:
        _, _, resolution = resolve_store(store, settings)
    finally:
        store.close()
    merged = sorted((e for e in resolution.entities.values() if len(e.aliases) > 1 and e.label != "DATE"),
                    key=lambda e: (-e.mentions, e.id))
    return merged, resolution.near_misses, resolution.label_conflicts
