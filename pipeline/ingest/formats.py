"""Readers by file type: bytes -> (text, metadata). HTML keeps the main text only."""

from __future__ import annotations

import io
import re
import zipfile
import zlib

from .errors import InputError

# a Word file whose parts expand to more than this, or more than RATIO times their packed size,
# is refused before it is unpacked (a zip bomb would take the memory of the whole machine)
MAX_UNPACKED = 256 * 2**20
MAX_RATIO = 200
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _valid_char_refs(html: str) -> str:
    """Character references XML cannot hold (&#xD800;, &#0;, beyond U+10FFFF) become U+FFFD: lxml
    would otherwise drop the whole page."""
    def fix(m: re.Match) -> str:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        ok = code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF
        return m.group() if ok else "&#xFFFD;"

    return _CHAR_REF.sub(fix, html) if "&#" in html else html


def _one_line(prefix: str, exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"{prefix}: {text}"[:200]


def read_html(data: bytes, decode) -> tuple[str, dict]:
    """Main text of a saved web page (trafilatura drops navigation, teasers and footers)."""
    import trafilatura

    html = _valid_char_refs(decode(data))
    text = trafilatura.extract(html, output_format="txt", include_comments=False, include_tables=True,
                               favor_precision=True)
    if not text or not text.strip():
        raise InputError("no article text found in the HTML page")
    meta = {}
    try:
        found = trafilatura.extract_metadata(html)
    except Exception as exc:  # noqa: BLE001  (metadata is optional: the article text is kept)
        found, meta["notes"] = None, f"page metadata not read ({type(exc).__name__})"
    if found is not None:
        for key, value in (("title", found.title), ("date", found.date), ("byline", found.author),
                           ("source", found.sitename), ("url", found.url)):
            if value:
                meta[key] = str(value)
    return text, meta


def read_pdf(data: bytes, decode) -> tuple[str, dict]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError("encrypted PDF")
        text = "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
        meta = _pdf_info(reader)
    except InputError:
        raise
    except RecursionError:
        raise InputError("unreadable PDF: its objects are nested too deeply") from None
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, AttributeError, IndexError,
            AssertionError, ArithmeticError, LookupError) as exc:
        raise InputError(_one_line("unreadable PDF", exc)) from None
    if not text.strip():
        raise InputError("PDF has no text layer (scanned image?)")
    return text, {k: v for k, v in meta.items() if v}


def _pdf_info(reader) -> dict:
    """Title and author of a PDF's info dictionary; one that cannot be read is noted, not fatal."""
    try:
        info = reader.metadata or {}
        return {"title": str(info.get("/Title") or ""), "byline": str(info.get("/Author") or "")}
    except Exception as exc:  # noqa: BLE001
        return {"notes": f"PDF metadata not read ({type(exc).__name__})"}


def _docx_properties(document) -> dict:
    """Title, author and creation date of a Word file; a value that cannot be read is noted, not fatal."""
    meta, notes = {}, []
    props = document.core_properties
    for key, read in (("title", lambda: props.title), ("byline", lambda: props.author),
                      ("date", lambda: props.created.date().isoformat() if props.created else "")):
        try:
            meta[key] = read() or ""
        except (ValueError, TypeError, AttributeError, OverflowError):
            notes.append(f"Word property '{key}' is not readable (dropped)")
    meta["notes"] = "; ".join(notes)
    return meta


def read_docx(data: bytes, decode) -> tuple[str, dict]:
    import docx
    from lxml.etree import LxmlError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            unpacked = sum(info.file_size for info in package.infolist())
        if unpacked > MAX_UNPACKED or unpacked > MAX_RATIO * max(len(data), 1):
            raise InputError(f"Word file refused: it unpacks to {unpacked / 2**20:.0f} MiB from "
                             f"{len(data) / 2**10:.0f} KiB (a zip bomb?)")
        document = docx.Document(io.BytesIO(data))
        text = "\n\n".join(p.text for p in document.paragraphs if p.text.strip())
        meta = _docx_properties(document)
    except InputError:
        raise
    except RecursionError:
        raise InputError("unreadable Word file: its XML is nested too deeply") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, TypeError, AttributeError, OSError,
            LxmlError, EOFError, NotImplementedError, zlib.error) as exc:
        raise InputError(_one_line("unreadable Word file", exc)) from None
    return text, {k: v for k, v in meta.items() if v}
