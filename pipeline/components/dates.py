"""Date stage: completes and cleans DATE mentions, then gives each its ISO value.

- adds the date expressions the model missed (month names, "this month", "year's end", "30 April
  2009"), replacing shorter overlapping DATE spans;
- joins "September 24 through October 5" into one span; splits "November 24 and 27" into two;
- drops durations, frequencies and bare numbers that are not years (rules in configs/dates.json);
- values come from `pipeline.dates.date_value`, anchored on the document date the ingest stage put
  in doc._.kzx_meta and on the last full date named earlier in the text;
- a document with no date of its own takes one from a dated public event it names relative to itself
  ("this month's Beslan school tragedy" -> 2004-09; events in configs/gazetteers/events.jsonl);
- a date that begins an event's name and names no year is the event's date ("9/11", "the Sept. 11
  attacks" -> 2001-09-11), not a day of the document's year.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import DataStage, guarded, source_text
from ..config import read_json, read_jsonl
from ..dates import Anchor, date_value, day_of_same_month, shift_from_event
from ..ingest.cable import header_regions, in_regions


class Dates(DataStage):
    DATA = ('rules', 'events')

    def setup(self, nlp: Language, rules: dict, events: list) -> None:
        r = read_json(rules)
        self.events = {n.lower(): (e["date"], e["id"]) for e in read_jsonl(events) for n in e["names"]}
        longest_first = sorted(self.events, key=len, reverse=True)
        names = "|".join(re.escape(n) for n in longest_first)
        self.event_anchor = re.compile(r["event_anchor"].replace("{events}", names), re.I)
        # the events' names with any run of spaces between their words, matched where a date starts
        spaced = "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in longest_first)
        self.event_name = re.compile(rf"(?:the\s+)?(?P<event>{spaced})(?![\w-])", re.I) if self.events else None
        self.drop = re.compile("|".join(f"(?:{p})" for p in r["drop"]), re.I)
        self.add = re.compile("|".join(f"(?:{p})" for p in r["add"]))
        self.range = re.compile(r["range"], re.I)
        self.and_day = re.compile(r["and_day"])
        self.split_and = re.compile(r["split_and"])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        text = source_text(doc)
        completed, split_days = self._complete(doc, text)
        doc.ents = completed
        meta = doc._.kzx_meta or {}
        if not meta.get("date") and self.events and (m := self.event_anchor.search(text)):
            event_date, event = self.events[" ".join(m["event"].lower().split())]
            meta = doc._.kzx_meta = {**meta, "date": shift_from_event(event_date, m["rel"], m["unit"]),
                                     "date_from": event}
        anchor = Anchor(meta.get("date", ""), meta.get("report_year", ""))
        # header dates (archive release, declassification, page lines) never anchor "the following day"
        headers = header_regions(text)
        values = doc._.kzx_values or {}
        ents = []
        value = ""
        for ent in doc.ents:
            if ent.label_ == "DATE":
                if ent.start in split_days:  # "November 24 and 27": the day takes the month of the first
                    value = day_of_same_month(value, ent.text)
                elif self.drop.search(" ".join(ent.text.split())):
                    continue
                else:
                    ent = self._with_time_before(doc, text, ent, ents[-1].end if ents else 0)
                    value = date_value(ent.text, anchor)
                    if not value:  # "April or", "January 8 Friday": a date the model ran on past
                        ent, value = trim_date(ent, anchor)
                    value = self._event_date(text, ent, anchor.doc_date) or value
                values[f"{ent.start_char}:{ent.end_char}"] = value
                if len(value) >= 10 and "/" not in value and not in_regions(headers, ent.start_char):
                    anchor.last = date.fromisoformat(value[:10])
            ents.append(ent)
        doc.ents = ents
        doc._.kzx_values = values
        return doc

    def _event_date(self, text: str, ent: Span, doc_date: str = "") -> str:
        """The date of the event whose name begins with this date and holds it whole, when the date
        names no year of its own ("9/11", "September 11 attacks") and the event is not later than the
        document ("the January events" of a 2008 cable are not those of 2022); else ''."""
        if self.event_name is None or _YEAR.search(ent.text):
            return ""
        m = self.event_name.match(text, ent.start_char)
        if m is None or m.end() < ent.end_char:
            return ""
        event_date = self.events[" ".join(m["event"].lower().split())][0]
        return "" if doc_date and event_date[:len(doc_date)] > doc_date else event_date

    @staticmethod
    def _with_time_before(doc: Doc, text: str, ent: Span, floor: int) -> Span:
        """A day with the part of the day or the time before it that the model left out ("the evening
        of" / "1100 on" + "August 8"), not reaching back over the entity before (token `floor`)."""
        m = _TIME_BEFORE.search(text, max(0, ent.start_char - 40), ent.start_char)
        if m is None:
            return ent
        span = doc.char_span(m.start(), ent.end_char, label="DATE", alignment_mode="contract")
        return span if span is not None and span.start >= floor and span.end == ent.end else ent

    def _complete(self, doc: Doc, text: str) -> tuple[list[Span], set[int]]:
        ents = list(doc.ents)
        found = [s for m in self.add.finditer(text)
                 if (s := doc.char_span(m.start(), m.end(), label="DATE", alignment_mode="contract")) is not None]
        for span in found:
            clash = [e for e in ents if e.start < span.end and span.start < e.end]
            if all(e.label_ == "DATE" and len(e) <= len(span) for e in clash):
                ents = [e for e in ents if e not in clash] + [span]
        # "the 1980's" read as "1980": the decade's "'s" belongs to it
        ents = [Span(doc, e.start, e.end + 1, label="DATE")
                if e.label_ == "DATE" and _DECADE_YEAR.match(e.text) and e.end < len(doc)
                and doc[e.end].text in ("'s", "’s") and not doc[e.end - 1].whitespace_ else e for e in ents]
        ents = sorted(filter_spans(ents), key=lambda e: e.start)
        joined: list[Span] = []
        for ent in ents:
            prev = joined[-1] if joined else None
            if (prev is not None and prev.label_ == ent.label_ == "DATE"
                    and self.range.match(text[prev.end_char:ent.start_char])):
                joined[-1] = Span(doc, prev.start, ent.end, label="DATE")
            else:
                joined.append(ent)
        extra = []
        for i, ent in enumerate(joined):
            if ent.label_ == "DATE" and (m := self.split_and.match(ent.text)):
                first = doc.char_span(ent.start_char, ent.start_char + m.end("a"), label="DATE")
                second = doc.char_span(ent.start_char + m.start("b"), ent.end_char, label="DATE")
                if first is not None and second is not None:
                    joined[i] = first
                    extra.append(second)
        days = set()
        for ent in joined:
            if ent.label_ == "DATE" and (m := self.and_day.match(text, ent.end_char)):
                span = doc.char_span(m.start(1), m.end(1), label="DATE")
                if span is None:
                    continue
                if any(e.start == span.start and e.end == span.end and e.label_ == "DATE" for e in joined):
                    days.add(span.start)  # the model tagged the bare day itself
                elif not any(e.start < span.end and span.start < e.end for e in joined):
                    extra.append(span)
        return filter_spans(joined + extra), {e.start for e in extra} | days


_TIME_BEFORE = re.compile(r"(?<![\w-])(?:(?:the|that)\s+(?:morning|afternoon|evening|night)\s+of|"
                          r"(?:[01]\d|2[0-3])[0-5]\d\s*(?:hours|hrs)?\s+on)\s+$", re.I)
_DECADE_YEAR = re.compile(r"^(?:the\s+)?(?:early\s+|mid-|late\s+)?\d{3}0$", re.I)
_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)|'\d\d\b")  # a year written out ("2001", "'01")


def trim_date(ent: Span, anchor: Anchor, most: int = 2) -> tuple[Span, str]:
    """A DATE span without a value, cut by up to `most` trailing words (no numbers) when what is
    left has one; else the span as it was, with no value."""
    for cut in range(1, min(most, len(ent) - 1) + 1):
        if any(t.like_num for t in ent[len(ent) - cut:]):
            break
        shorter = ent[:len(ent) - cut]
        if shorter[-1].is_punct or shorter[-1].is_space:
            continue
        if value := date_value(shorter.text, anchor):
            return Span(ent.doc, shorter.start, shorter.end, label="DATE"), value
    return ent, ""


@Language.factory("kzx_dates", default_config={"rules": "", "events": []},
                  assigns=["doc.ents", "doc._.kzx_values"])
def make_dates(nlp: Language, name: str, rules: str | dict, events: str | list) -> Dates:
    return Dates(nlp, name, rules=rules, events=events)
