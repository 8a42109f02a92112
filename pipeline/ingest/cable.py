"""Cable headers: pure functions over the text of a US diplomatic cable (routing block, DTG, TAGS)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date

MONTHS = {m: i for i, m in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}

DTG = re.compile(r"\b(\d{2})(\d{2})(\d{2})Z\s+(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)\s+(\d{2,4})\b")
_FM = re.compile(r"^FM\s+(.+?)\s*$", re.M)
_ADDRESSEE = re.compile(
    r"^(?:(?:FM|TO|INFO)\s+)?(?:[A-Z]{4,8}/)?(?P<name>[A-Z][A-Z.&' /-]*?[A-Z.])"
    r"(?://(?P<offices>[A-Z0-9][A-Z0-9:/&.-]*?)//)?"  # offices of the addressee: 'WASHDC//J-3/J-5//'
    r"(?:\s+(?:PRIORITY|IMMEDIATE|ROUTINE|FLASH|NIACT|IMMED))*(?:\s+\d+)?\s*$")
# an archive dump's line continuation: a backslash closing each line of the cable ('FM AMEMBASSY X\'),
# and a tab where the dump's next field (the classification line) runs on
_CONTINUED = re.compile(r"[ \t]*\\[ \t]*$|\t.*$")
_BLOCK_END = re.compile(r"\n[ \t]*\\?[ \t]*\n|\t")
_SUBJECT = re.compile(r"^SUBJECT:\s*", re.M)
_TAGS = re.compile(r"^TAGS:?\s+(.+)$", re.M)
_TAG = re.compile(r"\b[A-Z]{2,6}\b")
_CLASSIFICATION = re.compile(
    r"^(?:UNCLAS(?:SIFIED)?|C O N F I D E N T I A L|CONFIDENTIAL|S E C R E T|SECRET|LIMITED OFFICIAL USE)"
    r"\b.*?\b(?:SECTION \d+ OF \d+\s+)?(?P<post>[A-Z][A-Z ]*?[A-Z])\s+(?P<ref>\d{2,})\s*$", re.M)
_REF_ID = re.compile(r"^(?:\d{2}\s)?(?P<post>[A-Z][A-Z ]*?[A-Z])\s+0*(?P<num>\d+)\s+\d{3}(?:\.\d)?\s+OF\s+\d{3}\s*$", re.M)


_ARCHIVE = re.compile(r"^(?P<key>Reference ID|Created|Released|Classification|Origin):\s*(?P<value>[^\n]*?)\s*$", re.M)
_MISSIONS = {"AMEMBASSY": "Embassy", "AMCONSUL": "Consulate", "USMISSION": "Mission", "USOFFICE": "Office",
             "AMCONSULATE": "Consulate", "USLO": "Liaison Office"}


def is_cable(text: str) -> bool:
    """A cable has a date-time group and an FM line near its top, or TAGS and SUBJECT lines."""
    head = text[:3000]
    return bool((DTG.search(head) and _FM.search(head))
                or (_TAGS.search(head) and _SUBJECT.search(head)))


def archive_fields(text: str) -> dict[str, str]:
    """The 'Reference ID / Created / Origin' lines that cable archives put above the cable."""
    return {m.group("key"): m.group("value") for m in _ARCHIVE.finditer(text[:1000])}


def mission_of(name: str) -> tuple[str, str] | None:
    """('Embassy', 'Astana') for a routing name 'AMEMBASSY ASTANA'; None for other addressees."""
    words = name.split(maxsplit=1)
    if len(words) == 2 and words[0] in _MISSIONS:
        return _MISSIONS[words[0]], words[1].title()
    return None


def dtg_value(match: re.Match) -> str:
    """ISO value of a date-time group: '140826Z SEP 07' -> '2007-09-14T08:26Z'; "" when it names no
    real time (day 99, hour 25)."""
    day, hour, minute, mon, year = match.groups()
    year = int(year)
    year = year if year > 999 else (2000 + year if year < 50 else 1900 + year)
    try:
        date(year, MONTHS[mon], int(day))
    except ValueError:
        return ""
    if int(hour) > 23 or int(minute) > 59:
        return ""
    return f"{year:04d}-{MONTHS[mon]:02d}-{int(day):02d}T{hour}:{minute}Z"


@dataclass
class CableHeader:
    """What a cable's header says, with character offsets of each part."""

    end: int = 0
    dtg: tuple[int, int, str] | None = None
    sender: tuple[int, int] | None = None
    addressees: list[tuple[int, int]] = field(default_factory=list)
    offices: list[tuple[int, int]] = field(default_factory=list)  # 'J-3' of 'JOINT STAFF WASHDC//J-3//'
    copies: list[tuple[int, int]] = field(default_factory=list)  # names of later copies of the routing
    more_dtgs: list[tuple[int, int]] = field(default_factory=list)  # their date-time groups
    tags: list[tuple[int, int, str]] = field(default_factory=list)
    subject: tuple[int, int] | None = None
    post: tuple[int, int] | None = None
    reference: str = ""


def parse_header(text: str) -> CableHeader:
    """Finds the routing block, DTG, sender, addressees, TAGS, SUBJECT and reference id."""
    header = CableHeader()
    subject = _SUBJECT.search(text)
    if subject:
        end = text.find("\n\n", subject.end())
        header.subject = (subject.end(), end if end >= 0 else len(text))
        header.end = header.subject[1]
    else:
        blank = re.search(r"\n\s*\n", text[text.find("FM ") + 1:]) if "FM " in text else None
        header.end = (text.find("FM ") + 1 + blank.end()) if blank else 0
    dtg = DTG.search(text, 0, header.end or len(text))
    if dtg:
        header.dtg = (dtg.start(), dtg.end(), dtg_value(dtg))  # value "" when it names no real time
    limit = header.end or len(text)
    n, stop = -1, 0
    for fm in _FM.finditer(text, 0, limit):  # an archive may hold the cable twice
        if fm.start() < stop:  # an FM line inside the block already read
            continue
        n += 1
        block_end = _BLOCK_END.search(text, fm.start())
        pos = fm.start()
        stop = block_end.end() if block_end else len(text)
        for line in text[pos:stop].split("\n"):
            m = _ADDRESSEE.match(_CONTINUED.sub("", line))
            if m and not line.startswith(("ZEN", "ZNR", "ZNY")):
                span = (pos + m.start("name"), pos + m.end("name"))
                if n:
                    header.copies.append(span)
                elif line.startswith("FM"):
                    header.sender = span
                else:
                    header.addressees.append(span)
                if m["offices"]:
                    at = pos + m.start("offices")
                    for part in m["offices"].split("/"):
                        if part:
                            header.offices.append((at, at + len(part)))
                        at += len(part) + 1
            pos += len(line) + 1
        if n:
            own = None  # the copy's own date-time group: the last one before its FM line
            for own in DTG.finditer(text, max(0, fm.start() - 200), fm.start()):
                pass
            if own and own.start() > (header.dtg or (0, 0))[1]:
                header.more_dtgs.append((own.start(), own.end()))
    tags = _TAGS.search(text, 0, header.end or len(text))
    if tags:
        header.tags = [(tags.start(1) + t.start(), tags.start(1) + t.end(), t.group())
                       for t in _TAG.finditer(tags.group(1))]
    cls = _CLASSIFICATION.search(text, 0, header.end or len(text))
    if cls:
        header.post = (cls.start("post"), cls.end("post"))
        header.reference = f'{cls.group("post")} {cls.group("ref")}'
    return header


def page_headers(text: str) -> list[tuple[int, int]]:
    """Offsets of the post name in page-break headers ('ASTANA 00002541 002 OF 002')."""
    return [(m.start("post"), m.end("post")) for m in _REF_ID.finditer(text)]


_HEADER_LINES = re.compile(
    r"^(?:(?:Reference ID|Created|Released|Classification|Origin):[^\n]*"  # archive metadata
    r"|[ \t]*(?:\(U\)[ \t]*)?Classified[ \t]+[Bb]y:?[^\n]*"  # the classifying officer
    r"|REF(?:S)?:[^\n]*"  # references to other cables
    r"|(?:\d{2}[ \t])?[A-Z][A-Z ]*?[A-Z][ \t]+0*\d+[ \t]+\d{3}(?:\.\d)?[ \t]+OF[ \t]+\d{3}[ \t]*)$",  # page lines
    re.M)


def header_regions(text: str) -> list[tuple[int, int]]:
    """Character ranges of a document's header lines, which are not sentences: a cable's routing and
    addressee block and everything above its SUBJECT line, archive metadata lines, 'Classified By' lines,
    REF lines and page-break serial lines. Sorted, non-overlapping."""
    regions = [(m.start(), m.end()) for m in _HEADER_LINES.finditer(text)]
    if is_cable(text):
        header = parse_header(text)
        top = text.rfind("\n", 0, header.subject[0]) + 1 if header.subject else header.end
        if top > 0:
            regions.append((0, top))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(regions):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def in_regions(regions: list[tuple[int, int]], offset: int) -> bool:
    """Whether an offset lies in one of sorted, non-overlapping (start, end) ranges."""
    i = bisect_right(regions, (offset, float("inf"))) - 1
    return i >= 0 and regions[i][0] <= offset < regions[i][1]


_DISTRIBUTION = re.compile(
    r"^(?:(?P<to>[A-Z][A-Z0-9/&-]*)[ \t]+(?:PLEASE[ \t]+PASS[ \t]+TO|PASS[ \t]+TO|PASS|FOR)|PLEASE[ \t]+PASS[ \t]+TO|PASS[ \t]+TO)"
    r"[ \t]+(?P<rest>[^\n]*?)[ \t\\]*$", re.M)
_ITEM_SEPARATOR = re.compile(r"[ \t]*(?:,|;|\bAND\b|\bFOR\b|\bPLEASE PASS TO\b|\bPASS TO\b|\bALSO\b)[ \t]*")
_TOKEN = re.compile(r"\([^()\n]*\)|\S+")
_INITIAL = re.compile(r"^[A-Z]\.$")
_NAME = re.compile(r"^[A-Z][A-Z'-]*[A-Z]$")
_LINE = re.compile(r"^[^\n]*", re.M)
_NOT_A_LIST = re.compile(r"^(?:E\.\s?O\.|EO\b|TAGS|SUBJECT|REF|CLASSIFIED|SIPDIS|SENSITIVE|NOFORN)", re.I)


def distribution_lines(text: str, start: int, end: int, offices: set[str], titles: set[str]):
    """The offices and people of a cable's distribution lines ('STATE FOR EUR/CACEN, SA, DRL',
    'NSC FOR MERKEL', 'CENTCOM FOR CG CJTF-82 AND POLAD', 'DEPT FOR SCA/CEN AND EEB B. GLEN GRIFFIN')
    between `start` and `end`: (start, end, 'office' | 'person') spans. A line counts when its first
    word is a known office (`offices`: upper-case names) or an office code with a slash, and the rest
    is in upper case. An item is an office when it is known, holds a slash or a digit, or is
    a first word of at most four letters; a run of initials and names, a name in parentheses or a single longer word
    (the run-together 'JWOOD') is a person; title words ('A/S', 'CG') are skipped."""
    out: list[tuple[int, int, str]] = []
    for line in _DISTRIBUTION.finditer(text, start, end):
        to, rest = line["to"], line["rest"]
        to = None if to == "PLEASE" else to
        if to and not (to in offices or "/" in to):
            continue
        if not rest or any(c.islower() for c in rest):
            continue
        if to:
            out.append((line.start("to"), line.end("to"), "office"))
        segments = [(line.start("rest"), line.start("rest") + len(rest))]
        for more in _LINE.finditer(text, line.end() + 1, end):  # the list runs on to the next blank line
            words = more.group().strip(" \t\\")
            if not words or any(c.islower() for c in words) or _NOT_A_LIST.match(words) or _DISTRIBUTION.match(words):
                break
            segments.append((more.start(), more.start() + len(more.group().rstrip(" \t\\"))))
        for a, b in segments:
            out += _distribution_items(text, a, b, offices, titles)
    return out


def _distribution_items(text: str, start: int, end: int, offices: set[str], titles: set[str]):
    out: list[tuple[int, int, str]] = []
    pos = start
    for item in _ITEM_SEPARATOR.split(text[start:end]):
        at = text.find(item, pos, end) if item else -1
        if at < 0:
            continue
        pos = at + len(item)
        person: list[tuple[int, int]] = []
        first = True
        for tok in _TOKEN.finditer(item):
            word, s, e = tok.group(), at + tok.start(), at + tok.end()
            if word.startswith("("):
                inner = word[1:-1].strip()
                if inner and all(_NAME.match(w) or _INITIAL.match(w) for w in inner.split()):
                    out.append((s + 1, e - 1, "person"))
                continue
            if word in titles:
                continue
            officeish = (word in offices or "/" in word or any(c.isdigit() for c in word)
                         or (first and word.isalpha() and len(word) <= 4))
            first = False
            if officeish and not person:
                out.append((s, e, "office"))
            elif _NAME.match(word) or _INITIAL.match(word):
                person.append((s, e))
            else:
                person = []
                break
        if person and (len(person) > 1 or len(text[person[0][0]:person[0][1]]) >= 5):
            out.append((person[0][0], person[-1][1], "person"))
    return out
