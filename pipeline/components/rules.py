"""Rule stage: entities with a regular shape that a news model misses.

- Diplomatic missions: "<country or nationality> embassy/consulate/mission", then optionally
  "in <place>", as AGENCY; linked to "Embassy of <country> in <place>" so that a cable's
  "AMEMBASSY ASTANA" and a news story's "U.S. embassy in Astana" meet.
- Named borders: "Uzbek-Afghan border" as PLACE.
- A group named as a web domain as a GROUP: a known one ("www.eurasianet.org") as that group, another
  (a news site, a company) by its domain ("compromat.ru").
- A place named as the seat of a district ("Zhambyl District of Almaty") is its region.
- A US legislator's party tag after the name ("Adam Smith (D-WA)"): the letter is the party (GROUP).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import DataStage, guarded, source_text
from ..config import read_json
from .gazetteer import load_records


def mission_name(country: str, kind: str, place: str) -> str:
    """Canonical name of a diplomatic mission: 'Embassy of United States in Astana'."""
    name = f"{kind.title()} of {country}"
    return f"{name} in {place}" if place else name


class Rules(DataStage):
    DATA = ('rules', 'gazetteers')

    def setup(self, nlp: Language, rules: dict, gazetteers: list) -> None:
        r = read_json(rules)
        records = load_records(gazetteers)
        self.country_of: dict[str, str] = {}
        for rec in records:
            if rec.get("kind") == "country":
                for form in rec["names"] + rec.get("adjectives", []):
                    self.country_of[form] = rec["id"]
        for form in r["mission_us_forms"]:
            self.country_of[form] = "United States"
        self.places = {n.lower(): rec["id"] for rec in records if rec["label"] == "PLACE" for n in rec["names"]}
        self.adjectives = {a for rec in records for a in rec.get("adjectives", [])}
        forms = "|".join(re.escape(f) for f in sorted(self.country_of, key=len, reverse=True))
        words = "|".join(re.escape(w) for w in sorted(r["mission_words"], key=len, reverse=True))
        self.border_hint = re.compile("|".join(map(re.escape, r["border_words"])))
        self.mission_word = re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.I)
        self.mission_country = re.compile(rf"(?<![\w.])(?P<country>{forms})\s+$", re.I)
        self.mission_place = re.compile(r"\s+(?:in|to)\s+(?:the\s+)?(?P<place>[A-Z][\w-]+(?:\s[A-Z][\w-]+)?)")
        adjectives = "|".join(re.escape(a) for a in sorted(self.adjectives, key=len, reverse=True))
        border_words = "|".join(map(re.escape, r["border_words"]))
        self.border = re.compile(rf"(?<!\w)(?:{adjectives})-(?:{adjectives})\s+(?:{border_words})\b")
        self.url = re.compile(r["url"])
        self.web_names = {n.lower(): rec for rec in records if rec["label"] == "GROUP" for n in rec["names"]}
        self.district_of = re.compile(r["district_of"])
        self.party_ids = r.get("party_tags", {})
        states = "|".join(r.get("us_states", [])) or "(?!)"
        self.party_tag = re.compile(rf"(?<![\w-])(?P<party>[{''.join(self.party_ids) or '-'}])-(?:{states})(?![\w-])")
        self.regions = {rec["id"] for rec in records if rec.get("kind") == "region"}

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        text = source_text(doc)
        found = []
        for kind in self.mission_word.finditer(text):
            # the kind word first, then the country right before it: one short window per mission word
            m = self.mission_country.search(text, max(0, kind.start() - 40), kind.start())
            if m is None or not m.group("country")[:1].isupper():
                continue
            country = self.country_of.get(m.group("country")) or self.country_of.get(m.group("country").title())
            where = self.mission_place.match(text, kind.end())
            place = self.places.get(where.group("place").lower(), "") if where else ""
            span = doc.char_span(m.start(), kind.end(), label="AGENCY",
                                 kb_id=mission_name(country, kind.group(), place) if country else "")
            if span is not None:
                found.append(span)
        for m in (self.border.finditer(text) if self.border_hint.search(text) else ()):
            span = doc.char_span(m.start(), m.end(), label="PLACE", alignment_mode="expand")
            if span is not None:
                found.append(span)
        for m in self.url.finditer(text):
            rec = self.web_names.get(m.group("name").lower())
            # a domain names its outlet, company or NGO: a known one by its id, another by its domain
            kb_id = rec["id"] if rec else f'{m.group("name").lower()}.{m.group("tld")}'
            end = m.end("name") if rec else m.end()
            span = doc.char_span(m.start("name"), end, label="GROUP", kb_id=kb_id, alignment_mode="expand")
            if span is not None:
                found.append(span)
        ents = list(doc.ents)
        # "Adam Smith (D-WA)", "Rep. Anthony Weiner D-NY": the letter after a person's name is the party
        person_ends = {e.end_char for e in ents if e.label_ == "PERSON"}
        for m in self.party_tag.finditer(text):
            gap = text[max(0, m.start() - 3):m.start()]
            if any(m.start() - k in person_ends for k in range(1, len(gap) + 1) if not gap[-k:].strip(" (")):
                # the tokenizer may keep "D-WA" whole: then the tag is the span
                span = doc.char_span(m.start("party"), m.end("party"), label="GROUP",
                                     kb_id=self.party_ids[m.group("party")], alignment_mode="expand")
                if span is not None:
                    found.append(span)
        if found:
            keep = [e for e in ents if not any(e.start < f.end and f.start < e.end for f in found)]
            ents = filter_spans(keep + found)
        doc.ents = [self._unit(e, text) for e in ents]
        return doc

    def _unit(self, ent: Span, text: str) -> Span:
        """'the Zhambyl District of Almaty': a district lies in a region, so Almaty here is the region."""
        if ent.label_ == "PLACE" and self.district_of.search(text, max(0, ent.start_char - 40), ent.start_char):
            region = f"{ent.kb_id_ or ent.text} Region"
            if region in self.regions:
                return Span(ent.doc, ent.start, ent.end, label="PLACE", kb_id=region)
        return ent


@Language.factory("kzx_rules", default_config={"rules": "", "gazetteers": []}, assigns=["doc.ents"])
def make_rules(nlp: Language, name: str, rules: str | dict, gazetteers: list | str) -> Rules:
    return Rules(nlp, name, rules=rules, gazetteers=gazetteers)
