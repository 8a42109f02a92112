"""What every writer shares: atomic files, safe CSV cells, XML-safe strings, date bounds and intervals."""

from __future__ import annotations

import calendar
import os
import re
import tempfile
from contextlib import contextmanager
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

# what XML 1.0 forbids, as a positive class: the negated form of its Char production scans text ~4x slower
_FORBIDDEN_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_XML_FORBIDDEN = re.compile(f"[{_FORBIDDEN_CHARS}]")
_TEXT_WORK = re.compile(f"[&<>\r{_FORBIDDEN_CHARS}]")
_ATTR_WORK = re.compile(f"[&<>\"'\n\r\t{_FORBIDDEN_CHARS}]")
_NOT_NMTOKEN = re.compile(r"[^\w.:-]")
_UMASK = os.umask(0)
os.umask(_UMASK)
_SEASONS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 12)}


@contextmanager
def atomic_open(path: Path, mode: str = "w", **kwargs):
    """Writes to a temporary file beside `path` and renames it into place only when complete."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def xml_safe(value) -> str:
    """A string XML 1.0 can hold: forbidden control characters removed."""
    return _XML_FORBIDDEN.sub("", str(value))


def xml_text(value) -> str:
    """Element text: forbidden characters removed, markup escaped, CR kept as a reference (XML parsers
    turn a literal CR into LF). Most values need nothing, and are returned as they are."""
    text = value if isinstance(value, str) else str(value)
    if _TEXT_WORK.search(text) is None:
        return text
    return escape(xml_safe(text), {"\r": "&#13;"})


def xml_attr(value) -> str:
    """A quoted attribute value (xml.sax.saxutils.quoteattr of the XML-safe string), fast when plain."""
    text = value if isinstance(value, str) else str(value)
    if _ATTR_WORK.search(text) is None:
        return f'"{text}"'
    return quoteattr(xml_safe(text))


@lru_cache(maxsize=200_000)
def xml_id(value: str) -> str:
    """An XML NMTOKEN (GraphML node ids): kzx's slug ids already are; anything else is made so."""
    return _NOT_NMTOKEN.sub("_", xml_safe(value)) or "_"


FORMULA_START = "=+-@\t\r"  # a cell starting so is run as a formula by spreadsheets


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula, with booleans as true/false."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text and text[0] in FORMULA_START else text


@lru_cache(maxsize=100_000)
def date_bounds(value: str) -> tuple[str, str] | None:
    """First and last day a date value covers: '2008' -> 2008-01-01..2008-12-31; '2006-FA' -> autumn;
    '198' -> the 1980s; '18' -> the 19th century (1800-1899). None for a value that names no real time
    ('2008-13', '2008-W60', '0000-00-00', '00'): stored values are not trusted, and such a value is left
    out of the timeline."""
    if not value:
        return None
    try:
        return _bounds(value)
    except (ValueError, OverflowError):
        return None


def _bounds(value: str) -> tuple[str, str] | None:
    if "/" in value:
        a, b = (date_bounds(v) for v in value.split("/", 1))
        return (a[0], b[1]) if a and b and a[0] <= b[1] else None
    if len(value) == 3 and value.isdigit():  # a decade (TIMEX '198': the 1980s)
        return date(int(value) * 10, 1, 1).isoformat(), date(int(value) * 10 + 9, 12, 31).isoformat()
    if len(value) == 2 and value.isdigit():  # a century (TIMEX '18': the 19th century)
        return date(int(value) * 100, 1, 1).isoformat(), date(int(value) * 100 + 99, 12, 31).isoformat()
    week = re.match(r"^(\d{4})-W(\d{2})$", value)
    if week:
        monday = date.fromisocalendar(int(week.group(1)), int(week.group(2)), 1)
        return monday.isoformat(), (monday + timedelta(days=6)).isoformat()
    m = re.match(r"^(\d{4})(?:-(\d{2}|SP|SU|FA|WI))?(?:-(\d{2}))?", value)
    if not m:
        return None
    year, part, day = m.groups()
    y = int(year)
    if part is None:
        return date(y, 1, 1).isoformat(), date(y, 12, 31).isoformat()
    if part in _SEASONS:
        first, last = _SEASONS[part]
        return date(y, first, 1).isoformat(), date(y, last, calendar.monthrange(y, last)[1]).isoformat()
    mo = int(part)
    if day is None:
        return date(y, mo, 1).isoformat(), date(y, mo, calendar.monthrange(y, mo)[1]).isoformat()
    return date(y, mo, int(day)).isoformat(), date(y, mo, int(day)).isoformat()


def date_intervals(values) -> list[tuple[str, str]]:
    """The days a set of date values covers, as sorted, non-overlapping (first, last) day pairs:
    '2008' and '2008-03-04' are one interval. Gephi refuses overlapping intervals in a time set."""
    merged: list[list[str]] = []
    for first, last in sorted(b for b in map(date_bounds, set(values)) if b):
        if merged and first <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [(first, last) for first, last in merged]


def gephi_timeset(values) -> str:
    """Gephi's interval-set syntax for the days the values cover ('<[2008-01-01, 2008-12-31]>'), which
    its spreadsheet importer types as an IntervalSet: in a `timeset` column, the element's own time."""
    intervals = date_intervals(values)
    return "<" + "; ".join(f"[{first}, {last}]" for first, last in intervals) + ">" if intervals else ""
