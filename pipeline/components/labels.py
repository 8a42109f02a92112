"""Label stage: OntoNotes labels -> kzx labels; organisations split into AGENCY and GROUP.

An organisation is a GROUP or an AGENCY by its head noun (the last word that names a kind of body),
then by any keyword it contains, then by its sentence's context ("banned", "extremist"), all word
lists from configs/labels.json. Titles and determiners are trimmed from names; lower-case
descriptions and cable jargon are dropped.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import DataStage, guarded
from ..casing import letter_counts
from ..config import read_json
from .gazetteer import load_records

KZX_LABELS = {"PERSON", "AGENCY", "GROUP", "PLACE", "DATE"}
FREQUENCY_WORDS = {"every", "each"}
DATE_PREPOSITIONS = {"in", "on", "at", "since", "during", "until", "till", "by", "from"}


def org_class(words: list[str], context: list[str], rules: dict) -> str:
    """AGENCY or GROUP for an organisation name given as lower-case words, and its sentence."""
    agency, group = set(rules["agency_heads"]), set(rules["group_heads"])
    for word in reversed(words):
        if word in group and word not in rules["agency_override_groups"]:
            return "GROUP"
        if word in agency:
            return "AGENCY"
    if any(w in group for w in words):
        return "GROUP"
    text = " ".join(context)
    if any(f" {c} " in f" {text} " for c in rules["group_context"]):
        return "GROUP"
    return "AGENCY"


class Labels(DataStage):
    DATA = ('rules', 'gazetteers')

    def setup(self, nlp: Language, rules: dict, gazetteers: list) -> None:
        records = load_records(gazetteers)
        adjectives = [a.lower() for r in records for a in r.get("adjectives", [])]
        self.rules = read_json(rules) if rules else {}
        self.map = self.rules.get("map", {})
        self.titles = set(self.rules.get("titles", []))
        self.drop = set(self.rules.get("drop_texts", []))
        self.not_person = set(self.rules.get("not_person", []))
        self.not_entities = set(self.rules.get("not_entities", []))
        self.determiners = set(self.rules.get("determiners", []))
        self.lower_keep = set(self.rules.get("lowercase_keep", []))
        self.redaction = re.compile(self.rules.get("redaction", "(?!)"))
        self.drop_patterns = re.compile("|".join(self.rules.get("drop_patterns", [])) or "(?!)", re.I)
        self.acronym_person_max = self.rules.get("acronym_person_max", 0)
        self.heads = set(self.rules.get("agency_heads", [])) | set(self.rules.get("group_heads", []))
        self.events = set(self.rules.get("event_heads", []))
        self.currency = set(self.rules.get("currency_words", []))
        self.title_starts = set(self.rules.get("org_title_starts", []))
        self.adjectives = {a.lower() for a in self.rules.get("demonyms", [])} | set(adjectives)
        self.countries = {n.lower() for r in records if r.get("kind") == "country"
                          for n in [r["id"], *r.get("names", []), *r.get("aliases", [])] if " " not in n}

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        ents = []
        letters, upper = letter_counts(doc.text[:20000])
        # a text written all in lower case (some older cables) has its names in lower case too
        lower_text = bool(letters) and upper < 0.01 * letters
        for ent in doc.ents:
            span = self._relabel(doc, ent, lower_text)
            if span is not None:
                ents.append(span)
        doc.ents = ents
        return doc

    def _relabel(self, doc: Doc, ent: Span, lower_text: bool = False) -> Span | None:
        label = ent.label_ if ent.label_ in KZX_LABELS else self.map.get(ent.label_)
        if not label or re.sub(r"['’]s$", "", ent.text) in self.not_entities:
            return None
        if ent.label_ in ("AGENCY", "GROUP", "PLACE") and not ent.kb_id_:
            # a trained entity stage already follows the guidelines for bodies and places: only format
            # checks apply (its persons and dates still pass the checks below, which measure better)
            text = ent.text
            if self.redaction.match(text) or not any(c.isalpha() for c in text):
                return None
            if not lower_text and not any(c.isupper() for c in text) and text.lower() not in self.lower_keep:
                return None  # lower-case descriptions are not names ("the ministry of justice")
            if len(ent) >= 2 and all(t.is_lower and t.is_alpha for t in ent[1:]) and not lower_text \
                    and ent[1].lower_ not in ("embassy", "consulate", "mission"):  # newswire's "U.S. embassy"
                # "the Kazakhstan foreign ministry", "Kazakhstani government": a description, not a name;
                # the country word in it is a place
                if ent[0].lower_ in self.countries:
                    return Span(doc, ent.start, ent.start + 1, label="PLACE")
                if ent[0].lower_ in self.adjectives:
                    return None
            end = ent.end
            # a name does not end in a function word ("al-Qaeda in the", "Bank of"): the model stopped short
            while end - ent.start > 1 and doc[end - 1].is_lower and (doc[end - 1].is_stop or doc[end - 1].is_punct):
                end -= 1
            return ent if end == ent.end else Span(doc, ent.start, end, label=ent.label_)
        start, end = ent.start, ent.end
        if label != "DATE":
            while end - start > 1 and doc[start].lower_ in (self.titles if label == "PERSON" else self.determiners):
                start += 1
        else:
            # a frequency or a preposition before a date is not part of it ("every year in September 2009")
            if doc[start].lower_ in FREQUENCY_WORDS:
                cut = next((i for i in range(start + 1, end - 1) if doc[i].lower_ in DATE_PREPOSITIONS), None)
                if cut is None:
                    return None
                start = cut
            while end - start > 1 and doc[start].lower_ in DATE_PREPOSITIONS:
                start += 1
        while end - start > 1 and (doc[end - 1].text in ("'s", "’s", "'", ".", ",") or doc[end - 1].is_punct):
            if label == "DATE" and doc[end - 1].text in ("'s", "’s") and doc[end - 2].text[-2:].isdigit():
                break  # "the 1980's" is a decade, not a possessive
            end -= 1
        text = doc[start:end].text
        if text.lower() in self.drop or self.redaction.match(text) or (label == "PERSON" and text.lower() in self.not_person):
            return None
        if label != "DATE" and not ent.kb_id_ and self.drop_patterns.search(text):
            return None
        if label == "PERSON" and text.isupper() and len(text) <= self.acronym_person_max:
            return None  # an upper-case short token read as a person is an acronym
        if label != "DATE" and not ent.kb_id_ and not any(c.isupper() for c in text) and text.lower() not in self.lower_keep:
            return None
        if label != "DATE" and not any(c.isalpha() for c in text):
            return None
        words = [t.lower_ for t in doc[start:end]]
        if end - start == 1 and words[0] in self.adjectives and label != "DATE":
            return None  # nationality adjectives and demonyms are not entities
        if label == "PLACE" and end < len(doc) and doc[end].lower_ in self.currency:
            return None  # "US dollar"
        if label == "ORG" and not self._organisation(doc[start:end], ent.kb_id_):
            return None
        if label == "ORG":
            label = org_class(words, [t.lower_ for t in ent.sent], self.rules)
        if label == "PERSON" and ((end - start == 1 and doc[start].lower_ in self.titles)
                                  or any(c.isdigit() for c in text)):
            return None
        return Span(doc, start, end, label=label, kb_id=ent.kb_id)

    def _organisation(self, span: Span, kb_id: str) -> bool:
        """Whether a model ORG span names a body: not an event, law or title, not a lower-case
        description, and (when several words long) containing a word for a kind of body."""
        if kb_id:
            return True
        words = [t.lower_ for t in span]
        root = span.root
        if words[-1] in self.events or root.lower_ in self.events or words[0] in self.title_starts:
            return False
        if root.is_alpha and root.text.islower():
            return False
        return len(span) == 1 or any(w in self.heads for w in words)


@Language.factory("kzx_labels", default_config={"rules": "", "gazetteers": []}, assigns=["doc.ents"])
def make_labels(nlp: Language, name: str, rules: str | dict, gazetteers: list | str) -> Labels:
    return Labels(nlp, name, rules=rules, gazetteers=gazetteers)
