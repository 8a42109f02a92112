"""Local engine: documents stream through nlp.pipe (n_process workers) and come back as rows.

Documents are taken in zones of ZONE_DOCUMENTS pieces; each zone runs inside spaCy's memory zone,
so nothing of a finished zone stays in memory but the plain rows handed to the store."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
import re
from itertools import islice

from spacy.language import Language

from ..casing import recase
from ..components.gazetteer import record_acronyms
from ..model import Document, Mention, Relation
from ..rows import doc_rows

MAX_PIECE = 200_000  # characters; longer documents are parsed in paragraph-aligned pieces
MAX_RUN = 100  # characters without a space the tokenizer is given at most (its affix loop is quadratic)
_LONG_RUN = re.compile(r"\S{%d,}" % (MAX_RUN + 1))
_PUNCTUATION = re.compile(r"[^\w]")
ZONE_DOCUMENTS = 1000  # documents per spaCy memory zone (and per set of worker processes)


def pieces(text: str, limit: int = MAX_PIECE) -> list[tuple[int, str]]:
    """Splits text on paragraph (else line) boundaries into pieces of at most ~limit characters."""
    out, start = [], 0
    while len(text) - start > limit:
        cut = text.rfind("\n\n", start, start + limit)
        if cut <= start:
            cut = text.rfind("\n", start, start + limit)
        if cut <= start:
            cut = start + limit
        out.append((start, text[start:cut]))
        start = cut
    out.append((start, text[start:]))
    return out


def break_long_runs(text: str, limit: int = MAX_RUN) -> str:
    """A same-length copy in which every run of more than `limit` characters without a space has a
    space after each `limit` characters, and its punctuation as letters: 8,000 '=' or 4,000 '(' took
    the tokenizer 12-14 s (its prefix and suffix loop is quadratic in a token's length), and 140 KB of
    '(' made 140,000 one-character tokens whose tok2vec arrays took over 1 GB. No word is that long;
    offsets stay true (the rows are cut from the original text)."""
    if _LONG_RUN.search(text) is None:
        return text

    def tame(m: re.Match) -> str:
        run = list(_PUNCTUATION.sub("x", m.group()))
        for i in range(limit - 1, len(run) - 1, limit):
            run[i] = " "
        return "".join(run)

    return _LONG_RUN.sub(tame, text)


def acronyms_of(nlp: Language) -> set[str]:
    gazetteer = nlp.get_pipe("kzx_gazetteer") if "kzx_gazetteer" in nlp.pipe_names else None
    return record_acronyms(gazetteer.records) if gazetteer else set()


def parse(nlp: Language, documents: Iterable[Document], workers: int = 1, batch_size: int = 4,
          ) -> Iterator[tuple[str, list[Mention], list[Relation], str, dict]]:
    """Yields (doc_id, mentions, relations, error, meta) per document, in input order; `error` is set
    when a stage failed on the document (its rows are then empty); `meta` is the document's metadata
    as the stages left it (e.g. a date the date stage found)."""
    acronyms = acronyms_of(nlp)
    pending: dict[int, list] = {}

    def pieces_of_documents():
        for seq, document in enumerate(documents):
            parts = pieces(document.text)
            pending[seq] = [len(parts), [], [], "", document.meta]
            for offset, part in parts:
                yield part, document.meta, (seq, document.doc_id, offset)

    def make(part: str, meta: dict):
        doc = nlp.make_doc(recased := break_long_runs(recase(part, acronyms)))
        if recased != part:
            doc._.kzx_source = part
        doc._.kzx_meta = meta
        return doc

    stream = pieces_of_documents()
    while True:
        zone = list(islice(stream, ZONE_DOCUMENTS))
        if not zone:
            return
        # strings and Docs made inside the zone are freed when it closes: memory stays flat
        with nlp.memory_zone():
            if workers > 1:
                docs = ((make(part, meta), context) for part, meta, context in zone)
                yield from _rows(nlp.pipe(docs, as_tuples=True, n_process=workers, batch_size=batch_size), pending)
                continue
            for group in batches(zone, batch_size):
                docs = [(make(part, meta), context) for part, meta, context in group]
                yield from _rows(nlp.pipe(docs, as_tuples=True, batch_size=len(docs)), pending)


def batches(items: list, batch_size: int, max_chars: int = MAX_PIECE) -> Iterator[list]:
    """Pieces in batches of at most batch_size that together hold at most max_chars characters (one
    longer piece goes alone): the parse's arrays grow with the tokens of a batch, and four 200,000-
    character pieces of one long report took the worker over 1 GB."""
    group: list = []
    chars = 0
    for item in items:
        if group and (len(group) >= batch_size or chars + len(item[0]) > max_chars):
            yield group
            group, chars = [], 0
        group.append(item)
        chars += len(item[0])
    if group:
        yield group


def _rows(parsed, pending: dict) -> Iterator[tuple[str, list[Mention], list[Relation], str, dict]]:
    for doc, (seq, doc_id, offset) in parsed:
        state = pending[seq]
        if doc._.kzx_error:
            state[3] = state[3] or doc._.kzx_error
        else:
            mentions, relations = doc_rows(doc, doc_id, offset)
            state[1] += mentions
            state[2] += relations
            if offset == 0:
                state[4] = doc._.kzx_meta or state[4]
        state[0] -= 1
        if state[0] == 0:
            del pending[seq]
            yield (doc_id, [], [], state[3], state[4]) if state[3] else (doc_id, state[1], state[2], "", state[4])
