"""Decoding and dispatch: a file in the input dir -> a Document, or a one-line InputError."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import ftfy
from charset_normalizer import from_bytes

from ..model import Document
from .errors import InputError
from .formats import read_docx, read_html, read_pdf
from .meta import document_meta

MAX_BYTES = 100 * 1024 * 1024  # the default of [limits] max_file_mb
COMMON_ENCODINGS = ["utf_8", "cp1251", "koi8_r", "cp1252", "iso8859_5", "utf_16", "cp866", "latin_1"]
_BINARY_BYTES = [bytes([b]) for b in (*range(0, 9), *range(14, 27), *range(28, 32))]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _read_text(data: bytes, decode) -> tuple[str, dict]:
    return decode(data), {}


READERS = {".txt": _read_text, ".md": _read_text, ".text": _read_text, "": _read_text,
           ".html": read_html, ".htm": read_html, ".pdf": read_pdf, ".docx": read_docx}


def doc_id_of(relative: Path) -> str:
    """A document id for a path relative to the input dir; bytes of a file name that are not UTF-8
    are written as \\xNN, so every id can be stored, printed and written to the outputs."""
    return os.fsencode(relative.as_posix()).decode("utf-8", "backslashreplace")


def scan(input_dir: Path, exclude: Path | None = None) -> list[tuple[str, Path]]:
    """Files under input_dir as (doc_id, path): regular files, and links inside it that loop or lead
    nowhere (reading them fails with that reason). Links leading outside input_dir, hidden files and
    the `exclude` folder (an out dir inside the input dir) are left out."""
    root = input_dir.resolve()
    skip = exclude.resolve() if exclude is not None else None
    found = []
    for path in sorted(input_dir.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(input_dir).parts):
            continue
        try:
            real = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
            found.append((doc_id_of(path.relative_to(input_dir)), path))
            continue
        if not real.is_relative_to(root) or (skip is not None and (real == skip or real.is_relative_to(skip))):
            continue
        try:
            regular = path.is_file()
        except OSError:
            regular = False
        if regular or (path.is_symlink() and not real.exists()):
            found.append((doc_id_of(path.relative_to(input_dir)), path))
    return found


def file_hash(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a byte-order mark, or None: in UTF-16 the high byte of each code unit
    takes very few values (0 for Latin letters, spaces and newlines, 4 for Cyrillic...) while the
    low bytes vary; the side holding the NUL bytes gives the byte order."""
    if len(data) < 16 or len(data) % 2 or b"\x00" not in data:
        return None
    sample = data[:1 << 16]  # the byte statistics of the first 64 KiB decide
    for high, codec in ((sample[1::2], "utf-16-le"), (sample[0::2], "utf-16-be")):
        low = sample[0::2] if codec == "utf-16-le" else sample[1::2]
        if _top_share(high, 2) >= 0.9 and high.count(0) >= len(high) // 20 and _top_share(low, 2) < 0.9:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                continue
            if len(_CONTROL.findall(text)) <= len(text) // 100 and not _SURROGATE.search(text):
                return text
    return None


def _top_share(data: bytes, n: int) -> float:
    counts = sorted((data.count(bytes([b])) for b in set(data)), reverse=True)
    return sum(counts[:n]) / max(1, len(data))


def decode_noted(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, note): BOMs, UTF-16 without BOM and UTF-8 first, else charset detection
    (charset-normalizer). UTF-8 with a few invalid bytes keeps its text, the bytes replaced by U+FFFD,
    and the note says how many."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), ""
    if (text := utf16_without_bom(data)) is not None:
        return text, "UTF-16 without byte-order mark"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        pass
    replaced = data.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - data.count("\ufffd".encode())
    wide = len(replaced) - len(replaced.encode("ascii", "ignore")) - replaced.count("\ufffd")
    # mostly valid UTF-8 with non-ASCII letters: a corrupt byte or two, not another code page
    if wide >= 4 * bad and bad <= max(3, len(replaced) // 50):
        return replaced, f"{bad} invalid UTF-8 byte sequence{'s' if bad > 1 else ''} replaced by U+FFFD"
    return _detected(data), ""


def decode(data: bytes) -> str:
    """Bytes -> text (decode_noted without the note)."""
    return decode_noted(data)[0]


def _detected(data: bytes) -> str:
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
    # a lone surrogate (a PDF's text layer, a broken reference) cannot be stored or written as UTF-8
    return _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", text))


def read_document(path: Path, doc_id: str, max_bytes: int = MAX_BYTES) -> Document:
    """Reads one file into a Document; raises InputError with a one-line reason."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise InputError(f"skipped: unsupported file type '{path.suffix.lower()}'")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"too large: {size / 2**20:.0f} MiB (limit {max_bytes / 2**20:.0f} MiB, "
                             f"[limits] max_file_mb)", lasting=False)
        data = path.read_bytes()
    except RuntimeError:  # a symlink loop, before Python 3.13
        raise InputError("unreadable: symbolic link loop", lasting=False) from None
    except OSError as exc:
        if path.is_symlink() and not path.exists():
            raise InputError("unreadable: symbolic link that loops or leads nowhere", lasting=False) from None
        raise InputError(f"unreadable: {exc.strerror or exc}", lasting=False) from None
    if not data.strip():
        raise InputError("empty file")
    notes = []

    def noted_decode(raw: bytes) -> str:
        text, note = decode_noted(raw)
        if note:
            notes.append(note)
        return text

    text, meta = reader(data, noted_decode)
    text = _clean(text)
    if not text.strip():
        raise InputError("empty file")
    found = document_meta(text)
    notes += [n for n in (found.pop("notes", ""), meta.pop("notes", "")) if n]
    # a title or author from a file's own metadata may hold what the text may not (a lone surrogate)
    meta = {**found, **{k: _SURROGATE.sub("\ufffd", _CONTROL.sub(" ", str(v))) for k, v in meta.items() if v}}
    if notes:
        meta["notes"] = "; ".join(notes)
    return Document(doc_id, text, hashlib.sha256(data).hexdigest(), len(data), meta)
