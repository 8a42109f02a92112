"""Rows stage: a parsed Doc -> plain Mention and Relation records (the only reader of kzx's Doc fields)."""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc

from .model import Mention, Relation


def doc_rows(doc: Doc, doc_id: str, offset: int = 0) -> tuple[list[Mention], list[Relation]]:
    """Mentions and relations of one Doc; `offset` shifts a piece of a long document into place."""
    text = doc._.kzx_source or doc.text
    values = doc._.kzx_values or {}
    links = doc._.kzx_links or {}
    regions = doc._.kzx_boilerplate or []
    starts = [r[0] for r in regions]
    meta = doc._.kzx_meta or {}

    def in_boilerplate(start: int, end: int) -> bool:
        i = bisect_right(starts, start) - 1
        return i >= 0 and regions[i][0] <= start and end <= regions[i][1]

    mentions = []
    sent_dates: dict[int, str] = {}
    for ent in doc.ents:
        sent = ent.sent
        key = f"{ent.start_char}:{ent.end_char}"
        value = values.get(key, "") if ent.label_ == "DATE" else ""
        if value and sent.start_char not in sent_dates:
            sent_dates[sent.start_char] = value
        mentions.append(Mention(doc_id, ent.start_char + offset, ent.end_char + offset,
                                text[ent.start_char:ent.end_char], ent.label_, value,
                                sent.start_char + offset, sent.end_char + offset,
                                in_boilerplate(ent.start_char, ent.end_char),
                                ent.kb_id_ or links.get(key, "")))
    relations = []
    for hs, he, ts, te, rtype, directed, confidence, label in doc._.kzx_relations or []:
        if in_boilerplate(hs, he) or in_boilerplate(ts, te):
            continue
        span = doc.char_span(hs, he, alignment_mode="expand")
        sent = span.sent if span is not None else doc[:]
        date = sent_dates.get(sent.start_char) or meta.get("date", "")
        relations.append(Relation(doc_id, hs + offset, he + offset, ts + offset, te + offset, rtype,
                                  sent.start_char + offset, sent.end_char + offset, date, directed, confidence,
                                  label))
    return mentions, relations
