"""Consistency stage: one name, one reading per document.

- A surname of a person named in full ("Yerkin Akhinzhanov") is a PERSON wherever it stands alone
  in the document, whatever the model made of it there. A one-word name the model read as a person
  at least twice, and more often than as anything else, is added where the model missed it.
- Two person spans one space apart are one name; a capitalised name right after a person's role
  noun ("political scientist X Y") is a person (person_names).
- A one-word "person" the document uses as a body at least twice ("X members", "members of X",
  "an X-led protest") and never as a person is a GROUP there (organisation_names).
- An unlinked name right after or before a lower-case noun for a kind of group ("the daily X",
  "X website", "the X party") is a GROUP (named_as_groups); one_label_per_name then gives it that label
  throughout when it wins the document's vote.
- An entity found only in a re-cased upper-case line (a heading or SUBJECT line) is kept when the
  gazetteer knows it or the document names it elsewhere in normal case; "ELECTION SHORTCOMINGS"
  read as a person is dropped.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.strings import hash_string
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
        bodies = organisation_names(doc, ents, full)
        if bodies:  # "X members", "members of X", "X-led": a body, not a person
            ents = [Span(doc, e.start, e.end, label="GROUP") if e.label_ == "PERSON" and e.text.lower() in bodies
                    else e for e in ents]
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
            wanted = {hash_string(n) for n in names}  # the names as the hashes of the tokens' lower forms
            for i in (i for i, h in enumerate(doc.to_array("LOWER").tolist()) if h in wanted):
                token = doc[i]
                if not token.text[:1].isupper():
                    continue
                ent = covered.get(token.i)
                if ent is None:
                    added.append(Span(doc, token.i, token.i + 1, label="PERSON"))
                elif len(ent) == 1 and ent.label_ != "PERSON" and token.lower_ in full:
                    relabelled.add(ent.start)
                    added.append(Span(doc, token.i, token.i + 1, label="PERSON", kb_id=ent.kb_id))
            ents = filter_spans([e for e in ents if e.start not in relabelled] + added)
        doc.ents = one_label_per_name(named_as_groups(doc, person_names(doc, ents)))
        return doc

    @staticmethod
    def _unconfirmed(ent: Span, source: str, seen: dict[str, bool]) -> bool:
        """Found in a re-cased line only, unknown to the gazetteer and named nowhere else."""
        # (a name read across a wrapped line stands with a line break in the source: same words)
        if ent.label_ == "DATE" or ent.kb_id_ or source[ent.start_char:ent.end_char].split() == ent.text.split():
            return False
        line = source[source.rfind("\n", 0, ent.start_char) + 1:ent.start_char]
        if ent.label_ == "PERSON" and _CLASSIFIED_BY.match(line):
            return False  # "CLASSIFIED BY AMB. A. B. NAME": the classifying officer, named once

        if ent.text not in seen:
            words = r"\s+".join(re.escape(w) for w in ent.text.split())
            seen[ent.text] = re.search(rf"(?<!\w){words}(?!\w)", source) is None
        return seen[ent.text]


_CLASSIFIED_BY = re.compile(r"\s*(?:classified\s+by\b|classification\s+authority\b)", re.I)
MEMBER_AFTER = {"member", "members", "membership", "activist", "activists", "supporters", "leadership", "cadres",
                "militants", "fighters", "coordinator", "founders", "spokesman", "spokesperson", "spokeswoman",
                "chapter", "branch", "branches", "affiliates", "faction", "wing", "headquarters", "ranks"}
MEMBER_BEFORE = {"members", "member", "leader", "leaders", "founder", "founders", "supporters", "activists",
                 "ranks", "leadership", "spokesman", "coordinator"}
LED_BY = {"led", "organized", "organised", "backed", "affiliated", "linked", "sponsored", "controlled", "owned", "run"}
PERSON_BEFORE = {"mr", "mrs", "ms", "dr", "president", "minister", "ambassador", "senator", "general", "said", "told"}


ROLE_BEFORE = {"scientist", "journalist", "analyst", "activist", "lawyer", "expert", "professor", "researcher",
               "editor", "writer", "blogger", "economist", "sociologist", "historian", "commentator", "correspondent",
               "reporter", "businessman", "businesswoman", "dissident", "poet", "novelist", "scholar", "attorney"}


def person_names(doc: Doc, ents: list[Span]) -> list[Span]:
    """Names of persons the model cut or mistyped: a person span and a person span or a one-word name
    one space after it are one name ("By Marat" / "Tulegenov"), and a two- or three-word capitalised name right
    after a person's role noun is a person ("political scientist Aigerim Sultanova"), unless the
    gazetteer knows it."""
    out: list[Span] = []
    for e in ents:
        prev = out[-1] if out else None
        if (prev is not None and prev.label_ == "PERSON" and prev.end == e.start and not prev.kb_id_
                and not e.kb_id_ and prev[-1].whitespace_ == " " and prev[-1].is_alpha and e[0].is_title
                and (e.label_ == "PERSON" or (len(e) == 1 and e[0].is_alpha and e.label_ != "DATE"))):
            out[-1] = Span(doc, prev.start, e.end, label="PERSON")
            continue
        if (e.label_ in ("PLACE", "AGENCY", "GROUP") and not e.kb_id_ and 2 <= len(e) <= 3 and e.start > 0
                and doc[e.start - 1].lower_ in ROLE_BEFORE and doc[e.start - 1].is_lower
                and all(t.is_alpha and t.is_title for t in e)):
            e = Span(doc, e.start, e.end, label="PERSON")
        out.append(e)
    return out


# nouns for a kind of group written just before its name ("the daily Kommersant", "newspaper \"Vremya\"",
# "the Turkish company X") or just after it ("the independent Ozodlik website", "the Ata-Meken party")
GROUP_KIND_BEFORE = {"newspaper", "daily", "weekly", "magazine", "tabloid", "website", "agency", "company",
                     "firm", "conglomerate", "ngo", "broadcaster", "channel", "bulletin", "publication",
                     "outlet", "corporation", "bank"}
GROUP_KIND_AFTER = {"newspaper", "daily", "weekly", "magazine", "website", "conglomerate", "party", "movement",
                    "company", "firm", "ngo", "broadcaster", "channel", "bulletin", "holding", "group"}
QUOTES = {'"', "“", "”", "«", "»", "'"}


def named_as_groups(doc: Doc, ents: list[Span]) -> list[Span]:
    """A name written with a lower-case noun for a kind of group right before or after it ("the daily
    Kommersant", "official news agency Kabar", "the independent Ozodlik website", "the opposition
    Ata-Meken party") is a GROUP, whatever the model read it as: media, companies and parties are groups. Not a
    name the gazetteer links ("a Tashkent newspaper": the place is a modifier)."""
    out = []
    for e in ents:
        if e.label_ in ("PERSON", "PLACE", "AGENCY") and not e.kb_id_:
            i = e.start - 1
            while i >= 0 and doc[i].text in QUOTES:
                i -= 1
            j = e.end
            while j < len(doc) and doc[j].text in QUOTES:
                j += 1
            before = i >= 0 and doc[i].is_lower and doc[i].lower_ in GROUP_KIND_BEFORE \
                and not (doc[i].lower_ == "agency" and (i == 0 or doc[i - 1].lower_ != "news"))
            after = j < len(doc) and doc[j].is_lower and doc[j].lower_ in GROUP_KIND_AFTER
            if before or after:
                e = Span(doc, e.start, e.end, label="GROUP")
        out.append(e)
    return out


def organisation_names(doc: Doc, ents: list[Span], surnames: set[str]) -> set[str]:
    """One-word names the model read as persons that the document uses as bodies at least twice
    ("X members", "members of X", "an X-led protest") and never as a person ("Mr. X", "President X").
    Surnames of persons named in full and gazetteer persons are left alone."""
    candidates = {e.text.lower() for e in ents if e.label_ == "PERSON" and len(e) == 1 and not e.kb_id_
                  and e[0].is_alpha and e.text.lower() not in surnames}
    if not candidates:
        return set()
    body, person = Counter(), Counter()
    for t in doc:
        low = t.lower_
        if low not in candidates:
            continue
        after = doc[t.i + 1] if t.i + 1 < len(doc) else None
        after2 = doc[t.i + 2] if t.i + 2 < len(doc) else None
        before = doc[t.i - 1] if t.i > 0 else None
        before2 = doc[t.i - 2] if t.i > 1 else None
        if (after is not None and after.lower_ in MEMBER_AFTER) \
                or (after is not None and after.text == "-" and not t.whitespace_ and after2 is not None
                    and after2.lower_ in LED_BY) \
                or (before is not None and before.lower_ == "of" and before2 is not None
                    and before2.lower_ in MEMBER_BEFORE):
            body[low] += 1
        if before is not None and before.lower_.rstrip(".") in PERSON_BEFORE:
            person[low] += 1
    return {name for name, n in body.items() if n >= 2 and not person[name]}


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
