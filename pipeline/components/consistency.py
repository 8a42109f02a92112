"""Consistency stage: one name, one reading per document.

- A surname of a person named in full ("Yerkin Akhinzhanov") is a PERSON wherever it stands alone
  in the document, whatever the model made of it there. A one-word name the model read as a person
  at least twice, and more often than as anything else, is added where the model missed it.
- An entity found only in a re-cased upper-case line (a heading or SUBJECT line) is kept when the
  gazetteer knows it or the document names it elsewhere in normal case; "ELECTION SHORTCOMINGS"
  read as a person is dropped.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import guarded, source_text


class Consistency:
    def __init__(self, nlp: Language, name: str, min_surname_len: int):
        self.name = name
        self.min_surname_len = min_surname_len

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        source = source_text(doc)
        recased = doc._.kzx_source is not None
        seen: dict[str, bool] = {}
        ents = [e for e in doc.ents if not (recased and self._unconfirmed(e, source, seen))]
        full = {e[-1].lower_ for e in ents if e.label_ == "PERSON" and len(e) >= 2
                and len(e[-1]) >= self.min_surname_len and e[-1].is_alpha}
        full |= {e[0].lower_ for e in ents if e.label_ == "PERSON" and len(e) == 1 and e.kb_id_}
        labels: dict[str, Counter] = {}
        for e in ents:
            if len(e) == 1 and e[0].is_alpha and len(e[0]) >= self.min_surname_len:
                labels.setdefault(e[0].lower_, Counter())[e.label_] += 1
        single = {name for name, c in labels.items()
                  if c["PERSON"] >= 2 and c["PERSON"] > sum(c.values()) - c["PERSON"]}
        names = full | single
        if names:
            covered = {i: e for e in ents for i in range(e.start, e.end)}
            added, relabelled = [], set()
            for token in doc:
                if not token.text[:1].isupper() or token.lower_ not in names:
                    continue
                ent = covered.get(token.i)
                if ent is None:
                    added.append(Span(doc, token.i, token.i + 1, label="PERSON"))
                elif len(ent) == 1 and ent.label_ != "PERSON" and token.lower_ in full:
                    relabelled.add(ent.start)
                    added.append(Span(doc, token.i, token.i + 1, label="PERSON", kb_id=ent.kb_id))
            ents = filter_spans([e for e in ents if e.start not in relabelled] + added)
        doc.ents = one_label_per_name(ents)
        return doc

    @staticmethod
    def _unconfirmed(ent: Span, source: str, seen: dict[str, bool]) -> bool:
        """Found in a re-cased line only, unknown to the gazetteer and named nowhere else."""
        if ent.label_ == "DATE" or ent.kb_id_ or source[ent.start_char:ent.end_char] == ent.text:
            return False
        if ent.text not in seen:
            seen[ent.text] = re.search(rf"(?<!\w){re.escape(ent.text)}(?!\w)", source) is None
        return seen[ent.text]


def one_label_per_name(ents: list[Span]) -> list[Span]:
    """One name, one type in a document: spans of the same text with different labels take the label
    the gazetteer gives it, else the label of the clear majority (at least two, more than all others)."""
    by_text: dict[str, list[Span]] = {}
    for e in ents:
        if e.label_ != "DATE":
            by_text.setdefault(e.text.lower(), []).append(e)
    relabel: dict[int, str] = {}
    for group in by_text.values():
        counts = Counter(e.label_ for e in group)
        if len(counts) < 2:
            continue
        known = {e.label_ for e in group if e.kb_id_}
        if len(known) == 1:
            label = known.pop()
        else:
            label, n = counts.most_common(1)[0]
            if n < 2 or n <= sum(counts.values()) - n:
                continue
        relabel.update({e.start: label for e in group if e.label_ != label})
    if not relabel:
        return ents
    return [Span(e.doc, e.start, e.end, label=relabel[e.start], kb_id=e.kb_id) if e.start in relabel else e
            for e in ents]


@Language.factory("kzx_consistency", default_config={"min_surname_len": 3}, assigns=["doc.ents"])
def make_consistency(nlp: Language, name: str, min_surname_len: int) -> Consistency:
    return Consistency(nlp, name, min_surname_len)
