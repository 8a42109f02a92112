"""Readers by file type: bytes -> (text, metadata). HTML keeps the main text only."""

from __future__ import annotations

import io
import zipfile

from .errors import InputError


def read_html(data: bytes, decode) -> tuple[str, dict]:
    """Main text of a saved web page (trafilatura drops navigation, teasers and footers)."""
    import trafilatura

    html = decode(data)
    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True,
                               favor_precision=True)
    if not text or not text.strip():
        raise InputError("no article text found in the HTML page")
    meta = {}
    found = trafilatura.extract_metadata(html)
    if found is not None:
        for key, value in (("title", found.title), ("date", found.date), ("byline", found.author),
                           ("source", found.sitename), ("url", found.url)):
            if value:
                meta[key] = str(value)
    return text, meta


def read_pdf(data: bytes, decode) -> tuple[str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError("encrypted PDF")
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        info = reader.metadata or {}
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(f"unreadable PDF: {exc}".splitlines()[0][:200]) from None
    if not text.strip():
        raise InputError("PDF has no text layer (scanned image?)")
    meta = {"title": str(info.get("/Title") or ""), "byline": str(info.get("/Author") or "")}
    return text, {k: v for k, v in meta.items() if v}


def read_docx(data: bytes, decode) -> tuple[str, dict]:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"unreadable Word file: {exc}".splitlines()[0][:200]) from None
    text = "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
    props = document.core_properties
    meta = {"title": props.title or "", "byline": props.author or "",
            "date": props.created.date().isoformat() if props.created else ""}
    return text, {k: v for k, v in meta.items() if v}
