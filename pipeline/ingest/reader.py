"""Readers by file type and decoding: a file in the input dir -> a Document, or a one-line InputError."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from ..model import Document
from .meta import document_meta

TEXT_SUFFIXES = {".txt", ".md", ".text", ""}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class InputError(Exception):
    """A file kzx cannot read; the message is one line for the user."""


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
    """Bytes -> text: BOMs and UTF-8 first, else charset detection; mojibake repaired."""
    if not data.strip():
        raise InputError("empty file")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return _clean(data.decode(codec, errors="replace"))
    try:
        return _clean(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    if data.count(0) > len(data) // 10:
        raise InputError("binary file (not text)")
    best = from_bytes(data).best()
    if best is None:
        raise InputError("undecodable: no text encoding fits")
    return _clean(str(best))


def _clean(text: str) -> str:
    """Repairs mojibake when ftfy judges the text bad; control characters become spaces."""
    if ftfy.is_bad(text):
        text = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False, normalization=None)
    if "\x00" in text[:4096] and text.count("\x00") > len(text) // 10:
        raise InputError("binary file (not text)")
    return _CONTROL.sub(" ", text)


def read_document(path: Path, doc_id: str) -> Document:
    """Reads one file into a Document; raises InputError with a one-line reason."""
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES:
        raise InputError(f"skipped: unsupported file type '{suffix}'")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"unreadable: {exc.strerror or exc}") from None
    text = decode(data)
    if not text.strip():
        raise InputError("empty file")
    return Document(doc_id, text, hashlib.sha256(data).hexdigest(), len(data), document_meta(text))
