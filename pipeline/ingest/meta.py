"""Document metadata from the text: date, title, report year, and a cable's header fields."""

from __future__ import annotations

import re

import dateparser

from .cable import archive_fields, is_cable, parse_header

_PUBLISHED = re.compile(
    r"^(?:Publication Date|Published(?: on)?|Date(?: of publication)?|Posted(?: on)?)\s*:?\s+(?P<date>[^\n]{6,40})$",
    re.M | re.I)
_REPORT_YEAR = re.compile(r"\b(?:Reports?|Review|Yearbook|Survey)\b[^\n]{0,60}?\b(?P<year>(?:19|20)\d\d)\b")


def _iso(text: str) -> str:
    parsed = dateparser.parse(text, languages=["en"], settings={"PREFER_DAY_OF_MONTH": "first",
                                                                 "REQUIRE_PARTS": ["year"]})
    return parsed.date().isoformat() if parsed else ""


def document_meta(text: str) -> dict:
    """Metadata kzx can read from the text itself; empty values are left out."""
    meta: dict = {}
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if is_cable(text):
        header = parse_header(text)
        meta["kind"] = "cable"
        if header.dtg:
            meta["date"] = header.dtg[2][:10]
            meta["dtg"] = header.dtg[2]
        if header.sender:
            meta["source"] = text[header.sender[0]:header.sender[1]]
        meta["addressees"] = "|".join(text[a:b] for a, b in header.addressees)
        meta["tags"] = "|".join(t for _, _, t in header.tags)
        if header.subject:
            meta["title"] = " ".join(text[header.subject[0]:header.subject[1]].split())
        if header.reference:
            meta["reference"] = header.reference
        archive = archive_fields(text)
        if archive.get("Created") and "date" not in meta:
            meta["date"] = archive["Created"][:10]
        for key, field in (("Reference ID", "reference"), ("Classification", "classification"), ("Origin", "source")):
            if archive.get(key):
                meta.setdefault(field, archive[key])
    else:
        published = _PUBLISHED.search(text)
        if published and (date := _iso(published.group("date"))):
            meta["date"] = date
        if lines:
            meta["title"] = lines[0][:200]
        report = _REPORT_YEAR.search(text[:2000])
        if report:
            meta["report_year"] = report.group("year")
    return {k: v for k, v in meta.items() if v}
