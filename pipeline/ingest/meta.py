"""Document metadata from the text: date, title, report year, and a cable's header fields."""

from __future__ import annotations

import re
from datetime import date

import dateparser

from .cable import archive_fields, is_cable, parse_header

_PUBLISHED = re.compile(
    r"^(?:Publication Date|Published(?: on)?|Date(?: of publication)?|Posted(?: on)?)\s*:?\s+(?P<date>[^\n]{6,40})$",
    re.M | re.I)
# a byline or dateline near the top that ends in a written-out date: "`Mr. BURTON of Indiana — 19 March
# 2010`" (Congressional Record), "ALMATY, Kazakhstan - March 3, 2009"
_DATELINE = re.compile(
    r"^[`*_ ]*[^\n]{0,100}?\s[—–-]\s+(?P<date>\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})"
    r"[`*_ ]*$", re.M)
_REPORT_YEAR = re.compile(r"\b(?:Reports?|Review|Yearbook|Survey)\b[^\n]{0,60}?\b(?P<year>(?:19|20)\d\d)\b")


_ISO_PREFIX = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?![\d-])")


def _iso(text: str) -> str:
    try:
        parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first",
                                                                     "REQUIRE_PARTS": ["year"]})
    except (ValueError, OverflowError, TypeError, LookupError):
        return ""
    return parsed.date().isoformat() if parsed else ""


def iso_date_prefix(value: str) -> str:
    """The calendar date an archive field starts with ('2008-03-05 11:33' -> '2008-03-05', '2008-03',
    '2008'), or "" when it names no real date ('2008-13', '2008-W60', '0000-00-00', 'garbage')."""
    m = _ISO_PREFIX.match(value.strip())
    if not m:
        return ""
    year, month, day = (int(g) if g else 0 for g in m.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return ""
    return m.group(0)


def document_meta(text: str) -> dict:
    """Metadata kzx can read from the text itself; empty values are left out. Never raises: a header
    value that cannot be read is dropped and named in `notes`."""
    try:
        return _document_meta(text)
    except Exception as exc:  # noqa: BLE001  (metadata is optional; the document is still parsed)
        return {"notes": f"metadata not read ({type(exc).__name__})"}


def _document_meta(text: str) -> dict:
    meta: dict = {}
    notes: list[str] = []
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if is_cable(text):
        header = parse_header(text)
        meta["kind"] = "cable"
        if header.dtg and header.dtg[2]:
            meta["date"] = header.dtg[2][:10]
            meta["dtg"] = header.dtg[2]
        elif header.dtg:
            notes.append(f"date-time group '{text[header.dtg[0]:header.dtg[1]]}' is not a real date (dropped)")
        if header.sender:
            meta["source"] = text[header.sender[0]:header.sender[1]]
        meta["addressees"] = "|".join(text[a:b] for a, b in header.addressees)
        meta["tags"] = "|".join(t for _, _, t in header.tags)
        if header.subject:
            meta["title"] = " ".join(text[header.subject[0]:header.subject[1]].split())
        if header.reference:
            meta["reference"] = header.reference
    archive = archive_fields(text)
    # the archive's lines (Reference ID, Created, Origin) also head a cable extract without its routing
    if archive.get("Created") and "date" not in meta:
        if created := iso_date_prefix(archive["Created"]):
            meta["date"] = created
        else:
            notes.append(f"Created: '{archive['Created'][:40]}' is not a date (dropped)")
    if meta.get("kind") == "cable" or archive.get("Reference ID"):
        for key, field in (("Reference ID", "reference"), ("Classification", "classification"), ("Origin", "source")):
            if archive.get(key):
                meta.setdefault(field, archive[key])
    if meta.get("kind") != "cable":
        published = _PUBLISHED.search(text)
        if "date" not in meta and published and (date := _iso(published.group("date"))):
            meta["date"] = date
        dateline = _DATELINE.search("\n".join(text.splitlines()[:15]))
        if "date" not in meta and dateline and (date := _iso(dateline.group("date"))):
            meta["date"] = date
        if lines:
            meta["title"] = lines[0][:200]
        report = _REPORT_YEAR.search(text[:2000])
        if report:
            meta["report_year"] = report.group("year")
    meta["notes"] = "; ".join(notes)
    return {k: v for k, v in meta.items() if v}
