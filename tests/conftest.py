"""Shared fixtures: the real pipeline, run once on a copy of the sample corpus."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOLD = DATA / "seeds.jsonl"


@pytest.fixture(scope="session")
def settings():
    from pipeline.config import load_settings

    return load_settings()


@pytest.fixture(scope="session")
def nlp(settings):
    from pipeline.nlp import build_pipeline

    return build_pipeline(settings)


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """(input dir, out dir, summary) of one extract over the sample corpus."""
    from pipeline import api

    base = tmp_path_factory.mktemp("sample")
    raw = base / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    out = base / "out"
    summary = api.extract(raw, out, workers=1)
    return raw, out, summary


@pytest.fixture()
def parse_text(nlp):
    """Runs the pipeline on one text (with optional document metadata) and returns plain rows."""
    from pipeline.engines.local import parse
    from pipeline.model import Document

    def run(text: str, meta: dict | None = None, doc_id: str = "t.txt"):
        from pipeline.ingest.meta import document_meta

        document = Document(doc_id, text, meta={**document_meta(text), **(meta or {})})
        _, mentions, relations, error, _ = next(parse(nlp, [document]))
        assert not error, error
        return mentions, relations

    return run


def pdf_bytes(objects: list[bytes], trailer_extra: str = "") -> bytes:
    """A PDF file of the given objects (object 1 the catalog), with its cross-reference table: the
    offsets the hand-written test PDFs need."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
