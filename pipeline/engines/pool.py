"""Supervised local engine: every document is read, decoded, parsed and rowed in a worker process,
inside a time and memory budget.

The workers are forked from this process after the pipeline is loaded (nothing is loaded twice) and
die with it (Linux: PR_SET_PDEATHSIG; elsewhere they leave when their pipe closes). Each receives
batches of files, reads them (a zip bomb or a PDF nested too deeply stays in the worker), parses
them with nlp.pipe and sends plain rows back. This process watches every worker: one that spends
longer than the budget on what it said it is doing (reading one file, or parsing one batch), grows by
more than the memory budget while doing it, or dies, is killed and replaced. A file read alone is
then failed with the reason; the documents of a batch are parsed again one at a time, so only the
document that is really at fault fails, and every other one is stored.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
import time
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from spacy.language import Language

from ..ingest import InputError, read_document
from . import die_with_parent
from ..model import Document, Mention, Relation

POLL_SECONDS = 0.2
MAX_STARTS_WITHOUT_WORK = 3  # workers that die before doing anything: something is wrong with the machine


@dataclass(frozen=True)
class Task:
    """One input file to read and parse."""

    doc_id: str
    path: str
    sha256: str = ""
    size: int = 0


@dataclass
class Result:
    """What became of one task: a Document with its rows, or a one-line reason. `lasting` is set when
    the reason comes from the file itself (it will fail the same way until the file changes)."""

    doc_id: str
    document: Document | None = None
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    error: str = ""
    lasting: bool = False


@dataclass(frozen=True)
class Budget:
    seconds: float = 60.0
    memory_mb: int = 1024
    max_bytes: int = 100 * 2**20


def read_task(task: Task, budget: Budget) -> Document | Result:
    """The fault boundary of reading: a Document, or a failed Result with a one-line reason."""
    try:
        return read_document(Path(task.path), task.doc_id, budget.max_bytes)
    except InputError as exc:
        return Result(task.doc_id, error=str(exc), lasting=exc.lasting)
    except RecursionError:
        return Result(task.doc_id, error="unreadable: nested too deeply", lasting=True)
    except MemoryError:
        return Result(task.doc_id, error="unreadable: out of memory while reading it")
    except Exception as exc:  # noqa: BLE001  (whatever a reader library raises, the run goes on)
        return Result(task.doc_id, error=f"unreadable: {type(exc).__name__}: {exc}".splitlines()[0][:200],
                      lasting=True)


def parse_documents(nlp: Language, documents: list[Document], batch_size: int) -> Iterator[Result]:
    """Rows of documents read already; a stage that raises outside kzx's guarded stages (the tokenizer,
    a base component) fails the batch, whose documents are then parsed one at a time."""
    from .local import parse

    done: set[str] = set()
    try:
        for doc_id, mentions, relations, error, meta in parse(nlp, documents, workers=1, batch_size=batch_size):
            done.add(doc_id)
            yield rows_result(next(d for d in documents if d.doc_id == doc_id), mentions, relations, error, meta)
    except Exception as exc:  # noqa: BLE001
        rest = [d for d in documents if d.doc_id not in done]
        if len(rest) == 1:
            yield Result(rest[0].doc_id, error=f"internal error: {type(exc).__name__}: {exc}".splitlines()[0][:300])
            return
        for document in rest:
            yield from parse_documents(nlp, [document], batch_size)


def rows_result(document: Document, mentions, relations, error: str, meta: dict) -> Result:
    """An engine's rows of one document as a Result (a guarded stage's error fails the document)."""
    if error:
        return Result(document.doc_id, error=f"internal error in {error}")
    document.meta = meta
    return Result(document.doc_id, document, mentions, relations)


def parse_inline(nlp: Language, tasks: Iterable[Task], batch_size: int, budget: Budget) -> Iterator[Result]:
    """The same work in this process, without time or memory budgets (a GPU, a transformer)."""
    batch: list[Document] = []
    for task in tasks:
        read = read_task(task, budget)
        if isinstance(read, Result):
            yield read
            continue
        batch.append(read)
        if len(batch) >= batch_size:
            yield from parse_documents(nlp, batch, batch_size)
            batch = []
    if batch:
        yield from parse_documents(nlp, batch, batch_size)


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform != "darwin"


def _worker(conn, nlp: Language, batch_size: int, budget: Budget, parent: int) -> None:
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # reader libraries' warnings about a broken file (pypdf prints hundreds) are not the user's output:
    # the document's one-line reason is
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")
    try:
        conn.send(("ready",))
        while True:
            batch = conn.recv()
            if batch is None:
                return
            documents = []
            for task in batch:
                conn.send(("reading", task.doc_id))
                read = read_task(task, budget)
                if isinstance(read, Result):
                    conn.send(("done", read))
                else:
                    documents.append(read)
            if documents:
                conn.send(("parsing", [d.doc_id for d in documents]))
                for result in parse_documents(nlp, documents, batch_size):  # in a memory zone (local.parse)
                    conn.send(("done", result))
            conn.send(("idle",))
    except (EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        return


class _Worker:
    def __init__(self, context, nlp: Language, batch_size: int, budget: Budget):
        try:
            self.conn, child = context.Pipe()
            with warnings.catch_warnings():  # fork while a progress bar's thread runs: the child only parses
                warnings.simplefilter("ignore", DeprecationWarning)
                self.process = context.Process(target=_worker, args=(child, nlp, batch_size, budget, os.getpid()),
                                               daemon=True)
                self.process.start()
        except OSError as exc:
            raise RuntimeError(f"cannot start a parser process ({exc.strerror or exc}): use fewer --workers, "
                               "or free memory") from None
        child.close()
        self.batches: deque[list[Task]] = deque()  # sent, not finished; the first one is being worked on
        self.doing: list[str] = []  # what the worker said it is reading or parsing
        self.since = time.monotonic()
        self.rss_at_start = 0
        self.solo = False
        self.worked = False

    @property
    def busy(self) -> bool:
        return bool(self.batches)

    def send(self, batch: list[Task], solo: bool = False) -> None:
        self.batches.append(batch)
        self.solo = solo
        try:
            self.conn.send(batch)
        except OSError:  # it died: its sentinel says so next, and its batches go back to the queue
            pass

    def finish(self, doc_id: str) -> None:
        for batch in self.batches:
            for task in batch:
                if task.doc_id == doc_id:
                    batch.remove(task)
                    break
        while self.batches and not self.batches[0]:
            self.batches.popleft()
        if doc_id in self.doing:
            self.doing.remove(doc_id)

    def start_phase(self, doc_ids: list[str]) -> None:
        self.doing = list(doc_ids)
        self.since = time.monotonic()
        self.rss_at_start = resident_mb(self.process.pid)
        self.worked = True

    def kill(self) -> None:
        if self.process.is_alive():
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join(5)
        self.conn.close()


def resident_mb(pid: int) -> int:
    """Resident memory of a process in MiB (Linux /proc); 0 where unknown."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (OSError, ValueError, IndexError):
        return 0


def parse_supervised(nlp: Language, tasks: Iterable[Task], workers: int, batch_size: int,
                     budget: Budget) -> Iterator[Result]:
    """Results of every task, in the order they finish (see the module docstring)."""
    context = multiprocessing.get_context("fork")
    queue: deque[Task] = deque(tasks)
    solo: deque[Task] = deque()
    pool: list[_Worker] = []
    starts_without_work = 0
    try:
        pool = [_Worker(context, nlp, batch_size, budget) for _ in range(max(1, workers))]
        while queue or solo or any(w.busy for w in pool):
            for w in pool:  # keep every worker fed: one batch at work, one waiting in its pipe
                if w.solo and w.busy:
                    continue
                if solo and not w.busy:
                    w.send([solo.popleft()], solo=True)
                elif not solo and queue and len(w.batches) < 2:
                    w.send([queue.popleft() for _ in range(min(batch_size, len(queue)))])
            by_handle = {w.conn: w for w in pool} | {w.process.sentinel: w for w in pool}
            ready = wait(list(by_handle), timeout=POLL_SECONDS)
            dead: dict[_Worker, str] = {}
            for handle in ready:
                w = by_handle[handle]
                if w in dead:
                    continue
                if handle is w.process.sentinel and not w.conn.poll():
                    dead[w] = _death(w)
                    continue
                try:
                    while w.conn.poll():
                        message = w.conn.recv()
                        if message[0] == "reading":
                            w.start_phase([message[1]])
                        elif message[0] == "parsing":
                            w.start_phase(message[1])
                        elif message[0] == "done":
                            w.finish(message[1].doc_id)
                            yield message[1]
                except (EOFError, OSError):
                    dead[w] = _death(w)
            now = time.monotonic()
            for w in pool:
                if w in dead or not w.doing:
                    continue
                if now - w.since > budget.seconds:
                    dead[w] = f"over the time budget: took longer than {budget.seconds:g} s " \
                              f"([limits] document_seconds)"
                elif w.rss_at_start and resident_mb(w.process.pid) - w.rss_at_start > budget.memory_mb:
                    dead[w] = f"over the memory budget: needed more than {budget.memory_mb} MB " \
                              f"([limits] document_memory_mb)"
            for w, reason in dead.items():
                suspects = [t for batch in w.batches for t in batch if t.doc_id in w.doing]
                waiting = [t for batch in w.batches for t in batch if t.doc_id not in w.doing]
                queue.extendleft(reversed(waiting))
                if len(suspects) == 1 or w.solo:
                    for task in suspects:
                        yield Result(task.doc_id, error=reason)
                else:
                    solo.extend(suspects)
                starts_without_work = 0 if w.worked else starts_without_work + 1
                if starts_without_work >= MAX_STARTS_WITHOUT_WORK:
                    raise RuntimeError(f"parser processes keep dying before any work ({reason})")
                w.kill()
                pool[pool.index(w)] = _Worker(context, nlp, batch_size, budget)
        for w in pool:
            try:
                w.conn.send(None)
            except OSError:
                pass
        for w in pool:
            w.process.join(5)
    finally:
        for w in pool:
            w.kill()


def _death(w: _Worker) -> str:
    w.process.join(1)
    code = w.process.exitcode
    how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return f"the parser process died on it ({how})"
