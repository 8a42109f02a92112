"""Decoding and dispatch: a file in the input dir -> a Document, or a one-line InputError."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from ..model import Document
from .errors import InputError
from .formats import read_docx, read_html, read_pdf
from .meta import document_meta

MAX_BYTES = 200 * 1024 * 1024
COMMON_ENCODINGS = ["utf_8", "cp1251", "koi8_r", "cp1252", "iso8859_5", "utf_16", "cp866", "latin_1"]
_BINARY_BYTES = [bytes([b]) for b in (*range(0, 9), *range(14, 27), *range(28, 32))]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _read_text(data: bytes, decode) -> tuple[str, dict]:
    return decode(data), {}


READERS = {".txt": _read_text, ".md": _read_text, ".text": _read_text, "": _read_text,
           ".html": read_html, ".htm": read_html, ".pdf": read_pdf, ".docx": read_docx}


def scan(input_dir: Path) -> list[tuple[str, Path]]:
    """Regular files under input_dir (links leading outside it are not followed), as (doc_id, path)."""
    root = input_dir.resolve()
    found = []
    for path in sorted(input_dir.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(input_dir).parts):
            continue
        try:
            real = path.resolve()
            if not path.is_file() or not real.is_relative_to(root):
                continue
        except OSError:
            continue
        found.append((path.relative_to(input_dir).as_posix(), path))
    return found


def file_hash(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def decode(data: bytes) -> str:
    """Bytes -> text: BOMs and UTF-8 first, else charset detection (charset-normalizer)."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if sum(data.count(b) for b in _BINARY_BYTES) > len(data) // 20:
        raise InputError("binary file (not text)")
    matches = list(from_bytes(data))
    if not matches:
        raise InputError("undecodable: no text encoding fits")
    best = matches[0]
    # Short texts fit several code pages about equally well; prefer the ones such files use.
    close = [m for m in matches if m.chaos <= best.chaos + 0.05 and m.encoding in COMMON_ENCODINGS]
    if close:
        best = min(close, key=lambda m: COMMON_ENCODINGS.index(m.encoding))
    return str(best)


def _clean(text: str) -> str:
    """Repairs mojibake when ftfy judges the text bad; control characters become spaces."""
    if text.count("\x00") > len(text) // 10:
        raise InputError("binary file (not text)")
    if ftfy.is_bad(text):
        text = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False, normalization=None)
    return _CONTROL.sub(" ", text)


def read_document(path: Path, doc_id: str) -> Document:
    """Reads one file into a Document; raises InputError with a one-line reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"skipped: unsupported file type '{path.suffix.lower()}'")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InputError(f"too large: {path.stat().st_size // 2**20} MiB (limit {MAX_BYTES // 2**20} MiB)")
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"unreadable: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError("empty file")
    text, meta = reader(data, decode)
    text = _clean(text)
    if not text.strip():
        raise InputError("empty file")
    return Document(doc_id, text, hashlib.sha256(data).hexdigest(), len(data), {**document_meta(text), **meta})
