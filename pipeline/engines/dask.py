"""Dask engine: the parse stage as tasks on Dask workers (a LocalCluster when no scheduler is given).

Each worker loads the saved kzx pipeline once (a directory from `kzx model build`, reachable at the
same path on every worker) and returns plain rows; the client writes them to the store, in input
order. Resolution and export stay on the client.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from itertools import islice

from ..model import Document, Mention, Relation

_MODELS: dict = {}  # per worker process: model dir -> loaded pipeline


def _model(model_dir: str):
    if model_dir not in _MODELS:
        import spacy

        from .. import components  # noqa: F401  (registers the kzx stages where entry points are absent)

        _MODELS[model_dir] = spacy.load(model_dir)
    return _MODELS[model_dir]


def parse_batch(model_dir: str, documents: list[Document], batch_size: int) -> list[tuple]:
    """Runs on a worker: one batch of documents through the pipeline, rows back; a document a stage
    fails on comes back with its one-line reason, the others with their rows."""
    from .pool import parse_documents

    return [(r.doc_id, r.mentions, r.relations, r.error, r.document.meta if r.document else {})
            for r in parse_documents(_model(model_dir), documents, batch_size)]


def parse(model_dir: str, documents: Iterable[Document], scheduler: str | None = None, workers: int = 2,
          batch_size: int = 4, chunk: int = 8) -> Iterator[tuple[str, list[Mention], list[Relation], str, dict]]:
    """Yields (doc_id, mentions, relations, error, meta) in input order; at most 2 chunks per worker in flight."""
    from dask.distributed import Client, LocalCluster

    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        in_flight = max(2, 2 * len(client.scheduler_info()["workers"]))
        pending: deque = deque()
        stream = iter(documents)
        while batch := list(islice(stream, chunk)):
            pending.append(client.submit(parse_batch, model_dir, batch, batch_size, pure=False))
            if len(pending) >= in_flight:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
