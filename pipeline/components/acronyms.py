"""Acronym stage: "Committee for National Security (KNB)" pairs, after Schwartz & Hearst (2003).

A short form in brackets right after a long form (or the reverse) defines a pair for the document.
The long form must hold the short form's characters in order, its first character starting a word
(`find_long_form`). Every bare occurrence of the short form in the document then gets the long
form's label, and its mentions are linked to the long form so resolution joins them. An
all-capital short form right after an entity is accepted without the letter test: transliterated
acronyms (KNB for Komitet Natsionalnoy Bezopasnosti) do not spell their English long forms.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import guarded, source_text

_PAIR = re.compile(r"\(\s*([^()]{2,80}?)\s*\)")


def short_form_ok(short: str, max_len: int) -> bool:
    """A plausible short form: one word of 2..max_len chars, starting alphanumeric, mostly capitals."""
    letters = [c for c in short if c.isalpha()]
    return (2 <= len(short) <= max_len and " " not in short and short[0].isalnum() and bool(letters)
            and sum(c.isupper() for c in letters) * 2 >= len(letters))


def find_long_form(short: str, words: list[str]) -> int | None:
    """Index of the first word of the shortest long form (within `words`, which end right before the
    bracket) whose characters contain `short`'s letters in order, the first at a word start."""
    letters = [c.lower() for c in short if c.isalnum()]
    limit = min(len(letters) + 5, 2 * len(letters))
    for first in range(len(words) - 1, max(-1, len(words) - 1 - limit), -1):
        candidate = " ".join(words[first:]).lower()
        if candidate[:1] != letters[0]:
            continue
        pos = 0
        for c in letters:
            pos = candidate.find(c, pos)
            if pos < 0:
                break
            pos += 1
        else:
            return first
    return None


class Acronyms:
    def __init__(self, nlp: Language, name: str, max_short_len: int):
        self.name = name
        self.max_short_len = max_short_len

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        pairs = self.pairs(doc)
        if not pairs:
            return doc
        text = source_text(doc)
        links = doc._.kzx_links or {}
        ents = list(doc.ents)
        for short, (label, long_text, kb_id) in pairs.items():
            for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
                span = doc.char_span(m.start(), m.end(), label=label, kb_id=kb_id)
                if span is None:
                    continue
                ents = [e for e in ents if not (e.start < span.end and span.start < e.end and len(e) <= len(span))]
                if not any(e.start < span.end and span.start < e.end for e in ents):
                    ents.append(span)
                links[f"{m.start()}:{m.end()}"] = long_text
        doc.ents = filter_spans(ents)
        doc._.kzx_links = links
        return doc

    def pairs(self, doc: Doc) -> dict[str, tuple[str, str, str]]:
        """short form -> (label, long form text, kb id): long forms that are entities, or that the
        letter test finds before a short form the model tagged (the long form then becomes an entity)."""
        text = source_text(doc)
        by_end = {e.end_char: e for e in doc.ents}
        by_start = {e.start_char: e for e in doc.ents}
        found = {}
        for m in _PAIR.finditer(text):
            inner = m.group(1)
            window = text[max(0, m.start() - 300):m.start()]
            before = window.rstrip()
            before_end = m.start() - (len(window) - len(before))
            if short_form_ok(inner, self.max_short_len) and before_end in by_end:
                ent = by_end[before_end]
                # an upper-case short form names the body before it; after a person only when its letters
                # are the name's ("(OBL)"), not a tag ("Adam Smith (D-WA)": party and state)
                if (inner.isupper() and ent.label_ != "PERSON") or find_long_form(inner, ent.text.split()) is not None:
                    found.setdefault(inner, (ent.label_, ent.text, ent.kb_id_))
            elif short_form_ok(inner, self.max_short_len) and m.start(1) in by_start:
                long_form = self._untagged_long_form(doc, inner, before, before_end, by_start[m.start(1)].label_)
                if long_form is not None:
                    found.setdefault(inner, (long_form.label_, long_form.text, ""))
            elif m.start(1) in by_start:
                ent = by_start[m.start(1)]
                words = before.split()
                if words and short_form_ok(words[-1], self.max_short_len) and ent.end_char == m.end(1) \
                        and find_long_form(words[-1], ent.text.split()) is not None:
                    found.setdefault(words[-1], (ent.label_, ent.text, ent.kb_id_))
        return found

    def _untagged_long_form(self, doc: Doc, short: str, before: str, end: int, label: str) -> Span | None:
        """The capitalised words before '(SF)' that spell SF, made an entity of SF's label."""
        line = before[before.rfind("\n") + 1:]
        words = line.split()
        first = find_long_form(short, words)
        if first is None:
            return None
        long_words = words[first:]
        if not all(w[:1].isupper() or w.lower() in _FUNCTION_WORDS for w in long_words):
            return None
        start = end - len(" ".join(long_words))
        span = doc.char_span(start, end, label=label)
        if span is None or span.text != " ".join(long_words):
            return None
        doc.ents = filter_spans([e for e in doc.ents if not (e.start < span.end and span.start < e.end)] + [span])
        return span


_FUNCTION_WORDS = {"of", "for", "and", "on", "the", "in", "to", "against", "at", "with"}


@Language.factory("kzx_acronyms", default_config={"max_short_len": 10}, assigns=["doc.ents"])
def make_acronyms(nlp: Language, name: str, max_short_len: int) -> Acronyms:
    return Acronyms(nlp, name, max_short_len)
