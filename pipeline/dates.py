"""Date values: pure functions that turn a DATE mention into an ISO 8601 / TIMEX3 value.

Absolute dates are parsed; partial and relative ones are resolved against an Anchor: the
document's own date, the year an annual report covers, and the last full date the text named.
What cannot be resolved stays empty: a value is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .ingest.cable import DTG, dtg_value

MONTHS = {m: i for i, m in enumerate(["january", "february", "march", "april", "may", "june", "july", "august",
                                      "september", "october", "november", "december"], 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}

_M = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_DAY_MONTH_YEAR = re.compile(rf"^(?:\w+day,? )?(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_M},? (?P<year>\d{{4}})(?:,? (?P<hh>\d\d):(?P<mm>\d\d)(?: ?(?:GMT|UTC|Z))?)?$", re.I)
_MONTH_DAY_YEAR = re.compile(rf"^(?:\w+day,? )?{_M} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})$", re.I)
_MONTH_DAY = re.compile(rf"^{_M} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?$", re.I)
_DAY_MONTH = re.compile(rf"^(?P<day>\d{{1,2}})(?:st|nd|rd|th)? (?:of )?{_M}$", re.I)
_MONTH_YEAR = re.compile(rf"^(?:(?:early|mid|late|the end of|the beginning of|the start of|the middle of|end of|mid-)\s*)?{_M},? (?P<year>\d{{4}})$", re.I)
_MONTH = re.compile(rf"^(?:(?:early|mid|late|the end of|the beginning of|the start of|the middle of|end of|mid-)\s*)?{_M}$", re.I)
_YEAR = re.compile(r"^(?:(?:early|mid|late|the beginning of|the start of|mid-)\s*)?(?P<year>(?:1[6-9]|20)\d\d)$", re.I)
_NUMERIC = re.compile(r"^(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})$")
_ISO = re.compile(r"^(?P<year>\d{4})-(?P<month>\d\d)-(?P<day>\d\d)$")
_SEASON = re.compile(r"^(?:the )?(?P<season>spring|summer|fall|autumn|winter)(?: of)? (?P<year>\d{4})$", re.I)
_YEAR_END = re.compile(r"^(?:the )?(?:year's end|end of the year|year-end|end of (?P<year>\d{4}))$", re.I)
_RANGE = re.compile(r"^(?:from |between )?(?P<a>.+?)\s*(?: through | to | until | till |–|—| - |-| and )\s*(?P<b>.+)$", re.I)
_DAY_ONLY = re.compile(r"^(?P<day>\d{1,2})$")
_PREPOSITION = re.compile(r"^(?:in|on|at|by|during|since|until|from|as of|before|after)\s+", re.I)
_RELATIVE = {
    "today": 0, "yesterday": -1, "tomorrow": 1, "the following day": 1, "the next day": 1,
    "the previous day": -1, "the day before": -1, "the day after": 1,
}
_AGO = re.compile(r"^(?:(?:about|around|some|nearly|almost|over|more than|less than)\s+)?(?P<n>a|an|one|two|three|four|five|"
                  r"six|seven|eight|nine|ten|eleven|twelve|\d+)\s+(?P<unit>day|week|month|year)s?\s+ago$", re.I)
_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-|late\s+)?(?P<decade>1[6-9]\d|20\d)0'?s$", re.I)
# "the '90s", "the 80s": a two-digit decade of the 1900s
_SHORT_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid-|late\s+)?'?(?P<d>[2-9])0'?s$", re.I)
# parts of a day (TIMEX3): "the evening of August 9", "Tuesday morning", "this morning", "tonight"
_PARTS = {"morning": "TMO", "afternoon": "TAF", "evening": "TEV", "night": "TNI"}
_PART_OF = re.compile(r"^(?:the\s+|that\s+)?(?P<part>morning|afternoon|evening|night)\s+of\s+(?P<rest>.+)$", re.I)
_PART_AFTER = re.compile(r"^(?P<rest>.+?)\s+(?P<part>morning|afternoon|evening|night)$", re.I)
_PART_TODAY = {"this morning": ("TMO", 0), "this afternoon": ("TAF", 0), "this evening": ("TEV", 0),
               "tonight": ("TNI", 0), "last night": ("TNI", -1), "yesterday morning": ("TMO", -1),
               "yesterday afternoon": ("TAF", -1), "yesterday evening": ("TEV", -1), "tomorrow morning": ("TMO", 1)}
# a time before its day: "1100 on August 8", "0930 hours on May 3"
_TIME_ON = re.compile(r"^(?P<hh>[01]\d|2[0-3])(?P<mm>[0-5]\d)\s*(?:hours|hrs)?\s+(?:on\s+)?(?P<rest>.+)$", re.I)
_WEEKS_REL = {"this week": 0, "last week": -1, "next week": 1, "the previous week": -1, "the following week": 1}
# the day the narrative is at (the last full date named), or a shift from it
_SAME_DAY = {"the same day": 0, "that day": 0, "that same day": 0, "later that day": 0, "earlier that day": 0,
             "later in the day": 0, "earlier in the day": 0, "later that evening": 0, "that evening": 0,
             "that morning": 0, "that afternoon": 0, "that night": 0, "the preceding day": -1}
# "later in November", "earlier this month", "early August 9": the date the words qualify
_QUALIFIED = re.compile(r"^(?:later|earlier|early|late)\s+(?:in\s+|on\s+)?(?P<rest>.+)$", re.I)
_PART_BEFORE = re.compile(r"^(?P<part>morning|afternoon|evening|night|mid-?day)\s+(?:of\s+)?(?P<rest>.+)$", re.I)
_NTH_DAY = re.compile(r"^the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)$", re.I)
_SEASONS = {"spring": "SP", "summer": "SU", "fall": "FA", "autumn": "FA", "winter": "WI"}
_SEASON_REL = re.compile(r"^(?P<rel>this|last|next|this past|this coming|the coming|the past|the previous|the following|the)\s+"
                         r"(?P<season>spring|summer|fall|autumn|winter)$", re.I)
_WEEKDAY_REL = re.compile(r"^(?P<rel>last|next|this past|this coming)\s+(?P<day>monday|tuesday|wednesday|thursday|friday|"
                          r"saturday|sunday)$", re.I)
_MONTH_REL = re.compile(rf"^(?P<rel>last|next|this past|this coming)\s+{_M}$", re.I)
# "the past year", "the last six months": an interval ending on the document's day; "the next two
# weeks", "the month ahead": one starting on it
_PAST_SPAN = re.compile(r"^the\s+(?:past|last|previous)\s+(?:(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
                        r"eleven|twelve|\d+)\s+)?(?P<unit>day|week|month|year)s?$", re.I)
_NEXT_SPAN = re.compile(r"^the\s+(?:(?:next|coming)\s+(?:(?P<n>a|an|one|two|three|four|five|six|seven|eight|nine|ten|"
                        r"eleven|twelve|\d+)\s+)?(?P<unit>day|week|month|year)s?|(?P<unit2>day|week|month|year)\s+ahead)$", re.I)
_HALF = re.compile(r"^(?:the\s+)?(?P<which>first|second)\s+half\s+of\s+(?P<year>\d{4})$", re.I)
_QUARTER = re.compile(r"^(?:the\s+)?(?P<which>first|second|third|fourth)\s+quarter\s+of\s+(?P<year>\d{4})$", re.I)
_WEEK_OF = re.compile(r"^the\s+week\s+of\s+(?P<rest>.+)$", re.I)
_ORDINALS = {w: i for i, w in enumerate(["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
                                         "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
                                         "sixteenth", "seventeenth", "eighteenth", "nineteenth", "twentieth",
                                         "twenty-first"], 1)}
_CENTURY = re.compile(r"^(?:the\s+)?(?:early\s+|mid-|late\s+)?(?:(?P<n>\d{1,2})(?:st|nd|rd|th)|(?P<word>[a-z-]+))\s+century$", re.I)
_HOLIDAYS = {"christmas": (12, 25), "christmas day": (12, 25), "christmas eve": (12, 24), "new year's day": (1, 1),
             "new year's eve": (12, 31)}
_NUMERIC_SHORT = re.compile(r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<yy>\d\d)$")
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_MONTHS_REL = {"this month": 0, "last month": -1, "next month": 1, "the following month": 1, "the previous month": -1}
_YEARS_REL = {"this year": 0, "last year": -1, "next year": 1, "the following year": 1, "the previous year": -1}


@dataclass
class Anchor:
    """What relative dates resolve against; `last` is the last full date the text named."""

    doc_date: str = ""
    report_year: str = ""
    last: date | None = None

    @property
    def year(self) -> int | None:
        return int(self.doc_date[:4]) if self.doc_date[:4].isdigit() else None

    @property
    def day(self) -> date | None:
        try:
            return date.fromisoformat(self.doc_date[:10]) if len(self.doc_date) >= 10 else None
        except ValueError:  # a stored date that names no real day anchors nothing
            return None


def _month(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS.get(key) or MONTHS[key[:3]]


def _year_for(month: int, anchor: Anchor) -> int | None:
    """The year of a month named without one: the report's year, else the one nearest the doc date."""
    if anchor.report_year:
        return int(anchor.report_year)
    if not anchor.doc_date:
        return None
    ref_year = int(anchor.doc_date[:4])
    ref_month = int(anchor.doc_date[5:7]) if len(anchor.doc_date) >= 7 else 6
    return min((ref_year - 1, ref_year, ref_year + 1), key=lambda y: abs((y * 12 + month) - (ref_year * 12 + ref_month)))


def _full(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def date_value(text: str, anchor: Anchor) -> str:
    """ISO value of a DATE mention, or "" when it cannot be resolved without guessing."""
    # (an archive dump's line continuations and paragraph signs inside a date: "October \\ ¶15")
    t = _PREPOSITION.sub("", " ".join(text.replace("’", "'").replace("\\", " ").replace("¶", " ").split()))
    low = t.lower()
    if m := DTG.search(t.upper()):
        return dtg_value(m)
    if m := _ISO.match(t):
        d = _full(int(m["year"]), int(m["month"]), int(m["day"]))
        return d.isoformat() if d else ""
    if m := _NUMERIC.match(t):
        d = _full(int(m["year"]), int(m["a"]), int(m["b"]))
        return d.isoformat() if d else ""
    if m := _DAY_MONTH_YEAR.match(t):
        d = _full(int(m["year"]), _month(m["month"]), int(m["day"]))
        if not d:
            return ""
        return f"{d.isoformat()}T{m['hh']}:{m['mm']}Z" if m["hh"] else d.isoformat()
    if m := _MONTH_DAY_YEAR.match(t):
        d = _full(int(m["year"]), _month(m["month"]), int(m["day"]))
        return d.isoformat() if d else ""
    if m := _MONTH_YEAR.match(t):
        return f"{int(m['year']):04d}-{_month(m['month']):02d}"
    if m := _SEASON.match(t):
        return f"{m['year']}-{_SEASONS[m['season'].lower()]}"
    if m := _YEAR.match(t):
        return m["year"]
    if m := _YEAR_END.match(t):
        year = m["year"] or anchor.report_year or (anchor.year and str(anchor.year))
        return f"{year}-12" if year else ""
    for pattern in (_MONTH_DAY, _DAY_MONTH):
        if m := pattern.match(t):
            month = _month(m["month"])
            year = _year_for(month, anchor)
            d = _full(year, month, int(m["day"])) if year else None
            return d.isoformat() if d else ""
    if m := _MONTH.match(t):
        month = _month(m["month"])
        year = _year_for(month, anchor)
        return f"{year:04d}-{month:02d}" if year else ""
    if low in _PART_TODAY and anchor.day:
        code, shift = _PART_TODAY[low]
        return f"{(anchor.day + timedelta(days=shift)).isoformat()}{code}"
    for pattern in (_PART_OF, _PART_AFTER):
        if (m := pattern.match(t)) and (day := date_value(m["rest"], anchor)) and len(day) == 10:
            return f"{day}{_PARTS[m['part'].lower()]}"
    if (m := _TIME_ON.match(t)) and (day := date_value(m["rest"], anchor)) and len(day) == 10:
        return f"{day}T{m['hh']}:{m['mm']}"
    if low in _RELATIVE:
        base = anchor.last if low.startswith("the ") else anchor.day
        return (base + timedelta(days=_RELATIVE[low])).isoformat() if base else ""
    if low in _SAME_DAY:
        return (anchor.last + timedelta(days=_SAME_DAY[low])).isoformat() if anchor.last else ""
    if low == "the month":  # the month the narrative is in
        return anchor.last.isoformat()[:7] if anchor.last else anchor.doc_date[:7] if len(anchor.doc_date) >= 7 else ""
    if m := _NTH_DAY.match(t):
        ref = anchor.last or anchor.day
        d = _full(ref.year, ref.month, int(m["day"])) if ref else None
        return d.isoformat() if d else ""
    if low in _HOLIDAYS:
        month, day = _HOLIDAYS[low]
        year = _year_for(month, anchor)
        return f"{year:04d}-{month:02d}-{day:02d}" if year else ""
    if m := _HALF.match(t):
        return f"{m['year']}-H{1 if m['which'].lower() == 'first' else 2}"
    if m := _QUARTER.match(t):
        return f"{m['year']}-Q{['first', 'second', 'third', 'fourth'].index(m['which'].lower()) + 1}"
    if m := _CENTURY.match(t):
        n = int(m["n"]) if m["n"] else _ORDINALS.get(m["word"].lower())
        return f"{n - 1:02d}" if n and n > 1 else ""
    if (m := _SEASON_REL.match(t)) and len(anchor.doc_date) >= 7:
        return _season(m["rel"].lower(), _SEASONS[m["season"].lower()], anchor)
    if (m := _WEEKDAY_REL.match(t)) and anchor.day:
        wd, rel = WEEKDAYS[m["day"].lower()], m["rel"].lower()
        if rel in ("last", "this past"):
            return (anchor.day - timedelta(days=(anchor.day.weekday() - wd - 1) % 7 + 1)).isoformat()
        return (anchor.day + timedelta(days=(wd - anchor.day.weekday() - 1) % 7 + 1)).isoformat()
    if (m := _MONTH_REL.match(t)) and len(anchor.doc_date) >= 7:
        month, now = _month(m["month"]), int(anchor.doc_date[:4]) * 12 + int(anchor.doc_date[5:7]) - 1
        if m["rel"].lower() in ("last", "this past"):
            total = now - ((now - (month - 1)) % 12 or 12)
        else:
            total = now + (((month - 1) - now) % 12 or 12)
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    if (m := _PAST_SPAN.match(t)) and anchor.day:
        n = int(_NUMBERS.get((m["n"] or "one").lower(), m["n"] or 1))
        return f"{_shift(anchor.day, -n, m['unit'].lower()).isoformat()}/{anchor.day.isoformat()}"
    if (m := _NEXT_SPAN.match(t)) and anchor.day:
        n = int(_NUMBERS.get((m["n"] or "one").lower(), m["n"] or 1))
        return f"{anchor.day.isoformat()}/{_shift(anchor.day, n, (m['unit'] or m['unit2']).lower()).isoformat()}"
    if (m := _WEEK_OF.match(t)) and len(day := date_value(m["rest"], anchor)) == 10:
        year, week, _ = date.fromisoformat(day).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if (m := _PART_BEFORE.match(t)) and len(day := date_value(m["rest"], anchor)) == 10:
        part = m["part"].lower()
        return f"{day}{_PARTS.get(part, 'TMI')}"
    if m := _NUMERIC_SHORT.match(t):
        yy = int(m["yy"])
        d = _full(2000 + yy if yy < 50 else 1900 + yy, int(m["a"]), int(m["b"]))
        return d.isoformat() if d else ""
    if (m := _QUALIFIED.match(t)) and (value := date_value(m["rest"], anchor)):
        return value
    if low in _MONTHS_REL and len(anchor.doc_date) >= 7:
        y, mo = int(anchor.doc_date[:4]), int(anchor.doc_date[5:7]) + _MONTHS_REL[low]
        y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
        return f"{y:04d}-{mo:02d}"
    if low in _YEARS_REL and anchor.year:
        return str(anchor.year + _YEARS_REL[low])
    if low in _WEEKS_REL and anchor.day:
        year, week, _ = (anchor.day + timedelta(weeks=_WEEKS_REL[low])).isocalendar()
        return f"{year:04d}-W{week:02d}"
    if (m := _AGO.match(t)) and anchor.doc_date:
        return _ago(int(_NUMBERS.get(m["n"].lower(), m["n"])), m["unit"].lower(), anchor)
    if m := _DECADE.match(t):
        return m["decade"]
    if m := _SHORT_DECADE.match(t):
        return f"19{m['d']}"
    if low.rstrip("s") in WEEKDAYS or low.removeprefix("on ").rstrip("s") in WEEKDAYS:
        return _weekday(WEEKDAYS[low.removeprefix("on ").rstrip("s")], anchor)
    if m := _RANGE.match(t):
        a = date_value(m["a"], anchor)
        b_text = m["b"]
        if _DAY_ONLY.match(b_text) and a and len(a) == 10:
            b = a[:8] + f"{int(b_text):02d}"
        else:
            b = date_value(b_text, anchor)
        return f"{a}/{b}" if a and b else ""
    return ""


def day_of_same_month(value: str, day: str) -> str:
    """The second day of "November 24 and 27": the first date's month with this day, "" if none."""
    if len(value) != 10 or not day.isdigit():
        return ""
    d = _full(int(value[:4]), int(value[5:7]), int(day))
    return d.isoformat() if d else ""


def shift_from_event(event_date: str, relative: str, unit: str) -> str:
    """The document's date from "<relative> <unit>'s <event>": "last month's Beslan" (2004-09-01)
    -> 2004-10; precision is the unit's (month or year)."""
    step = {"this": 0, "last": 1, "next": -1}[relative.lower()]
    year, month = int(event_date[:4]), int(event_date[5:7])
    if unit.lower() == "year":
        return str(year + step)
    total = year * 12 + month - 1 + step
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


def _shift(day: date, n: int, unit: str) -> date:
    """`day` moved by n days, weeks, months or years (a month's last day where the day does not exist)."""
    if unit in ("day", "week"):
        return day + timedelta(days=n * (7 if unit == "week" else 1))
    total = day.year * 12 + day.month - 1 + n * (12 if unit == "year" else 1)
    year, month = total // 12, total % 12 + 1
    for d in range(day.day, 27, -1):
        if moved := _full(year, month, d):
            return moved
    return date(year, month, min(day.day, 28))


def _season(rel: str, code: str, anchor: Anchor) -> str:
    """'this winter', 'last summer', 'next fall' from the document's month (TIMEX3: a winter is the
    year of its December)."""
    order = ["SP", "SU", "FA", "WI"]
    year, month = int(anchor.doc_date[:4]), int(anchor.doc_date[5:7])
    now = (year - 1) * 4 + 3 if month <= 2 else year * 4 + (month - 3) // 3
    want = order.index(code)
    before = now - ((now - want) % 4 or 4)
    after = now + ((want - now) % 4 or 4)
    if rel in ("last", "this past", "the past", "the previous"):
        key = before
    elif rel in ("next", "this coming", "the coming", "the following"):
        key = after
    else:  # "this": the current one, else the nearer
        key = now if now % 4 == want else min((before, after), key=lambda k: (abs(k - now), -k))
    return f"{key // 4:04d}-{order[key % 4]}"


def _ago(n: int, unit: str, anchor: Anchor) -> str:
    """'two months ago' from the document date, at the precision the unit allows."""
    if unit in ("day", "week"):
        return _shift(anchor.day, -n, unit).isoformat() if anchor.day else ""
    if unit == "month" and len(anchor.doc_date) >= 7:
        total = int(anchor.doc_date[:4]) * 12 + int(anchor.doc_date[5:7]) - 1 - n
        return f"{total // 12:04d}-{total % 12 + 1:02d}"
    return str(int(anchor.doc_date[:4]) - n) if unit == "year" else ""


def _weekday(weekday: int, anchor: Anchor) -> str:
    """A weekday on or after the text's last full date (narrative), else the latest one up to the doc date."""
    if anchor.last:
        delta = (weekday - anchor.last.weekday()) % 7
        return (anchor.last + timedelta(days=delta)).isoformat()
    if anchor.day:
        delta = (anchor.day.weekday() - weekday) % 7
        return (anchor.day - timedelta(days=delta)).isoformat()
    return ""
