"""Cable stage: entities of a US diplomatic cable's header, which the news-trained model misreads.

The routing block (VZCZC..., RUEH..., ZNR, DE lines) holds no entities. Tagged instead: the
date-time group (DATE), sender and addressees (AGENCY), the post in classification and page
headers (PLACE), country TAGS (PLACE, via the gazetteer's country codes), the "DEPT FOR" office
codes and the names in brackets after them, the State reference in REF lines, and the signature.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import DataStage, guarded, source_text
from ..config import read_json
from ..ingest.cable import distribution_lines, is_cable, mission_of, page_headers, parse_header
from .gazetteer import load_records
from .rules import mission_name


_DECL = re.compile(r"^E\.O\.[^\n]*?\bDECL:\s*(\d{1,2}/\d{1,2}/\d{2,4})", re.M)


class Cable(DataStage):
    DATA = ('rules', 'patterns')

    def setup(self, nlp: Language, rules: dict, patterns: list) -> None:
        self.rules = read_json(rules)
        self.ref_agency = re.compile(self.rules["ref_agency"])
        records = load_records(patterns)
        self.codes = {c: r["id"] for r in records for c in r.get("codes", [])}
        self.known = {n: r["id"] for r in records if r["label"] == "AGENCY"
                      for n in r.get("names", []) + r.get("acronyms", []) if n.isupper()}
        self.places = {n.lower(): r["id"] for r in records if r["label"] == "PLACE" for n in r["names"]}
        self.state = self.rules["office_line_agency"]
        self.state_names = set(self.rules["state_names"])
        self.offices = set(self.known) | self.state_names | set(self.rules["office_names"])
        self.titles = set(self.rules["distribution_titles"])
        self.capital_suffix = re.compile(self.rules["capital_suffix"])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        text = source_text(doc)
        if not is_cable(text):
            return doc
        header = parse_header(text)
        new: list[tuple[int, int, str, str]] = []
        for start, end in ([header.dtg[:2]] if header.dtg else []) + header.more_dtgs:
            new.append((start, end, "DATE", ""))
        for start, end in ([header.sender] if header.sender else []) + header.addressees + header.copies:
            new.append((start, end, self.rules["addressee_label"], self._addressee(text[start:end])))
        for start, end in header.offices:
            new.append((start, end, self.rules["addressee_label"], ""))
        for start, end, tag in header.tags:
            if tag in self.codes:
                new.append((start, end, "PLACE", self.codes[tag]))
        for start, end in ([header.post] if header.post else []) + page_headers(text):
            new.append((start, end, self.rules["post_label"], ""))
        listed, doc._.kzx_header_pairs = self.distribution(text, header.end)
        new += listed
        for m in self.ref_agency.finditer(text):
            line_start = text.rfind("\n", 0, m.start()) + 1
            if text.startswith("REF", line_start):
                new.append((m.start(1), m.end(1), "AGENCY", self.state))
        for m in _DECL.finditer(text, 0, header.end or len(text)):
            new.append((m.start(1), m.end(1), "DATE", ""))
        signature = self._signature(text)
        if signature:
            new.append((*signature, "PERSON", ""))
        spans = [s for s in (self._span(doc, *n) for n in new) if s is not None]
        subject = header.subject or (0, 0)
        keep = [e for e in doc.ents if e.start_char >= header.end or subject[0] <= e.start_char < subject[1]
                or (e.kb_id_ and e.label_ != "PERSON")]
        keep = [e for e in keep if not any(e.start < s.end and s.start < e.end for s in spans)]
        # in a cable, "the Department" and "Dept" alone are the State Department (the sender's own)
        keep = [Span(doc, e.start, e.end, label="AGENCY", kb_id=self.state)
                if e.label_ == "AGENCY" and not e.kb_id_ and e.text.lower() in ("department", "dept", "dept.")
                else e for e in keep]
        doc.ents = filter_spans(keep + spans)
        return doc

    def distribution(self, text: str, end: int) -> tuple[list[tuple[int, int, str, str]], list[tuple[int, int, int, int]]]:
        """The names of the distribution lines above `end` as (start, end, label, kb_id), and each
        person with the office the line sends to them through ('NSC FOR MERKEL')."""
        office, names, pairs = None, [], []
        for start, stop, kind in distribution_lines(text, 0, end, self.offices, self.titles):
            name = text[start:stop]
            if kind == "person":
                names.append((start, stop, "PERSON", ""))
                if office:
                    pairs.append((start, stop, *office))
            else:
                names.append((start, stop, "AGENCY", self.state if name in self.state_names else self._addressee(name)))
                office = (start, stop)
        return names, pairs

    def header_pairs(self, text: str) -> list[tuple[int, int, int, int]]:
        """The (person, office) offsets of a document's distribution lines (none unless it is a cable)."""
        return self.distribution(text, parse_header(text).end)[1] if is_cable(text) else []

    def _addressee(self, name: str) -> str:
        """Canonical of a routing name: a US mission ('AMEMBASSY ASTANA' -> 'Embassy of United States
        in Astana'), else a known body once the capital's code is cut ('CIA WASHDC' -> CIA)."""
        if name in self.known:
            return self.known[name]
        mission = mission_of(name)
        if mission:
            kind, place = mission
            return mission_name("United States", kind, self.places.get(place.lower(), place))
        cut = self.capital_suffix.sub("", name)
        return self.known.get(cut, cut if cut != name else "")

    def _signature(self, text: str) -> tuple[int, int] | None:
        """The last line of a cable when it is one or two upper-case words (the ambassador's name)."""
        stripped = text.rstrip()
        start = stripped.rfind("\n") + 1
        line = stripped[start:]
        words = line.split()
        if 0 < len(words) <= self.rules["signature_max_words"] and line.isupper() and line.replace(" ", "").isalpha():
            offset = start + len(line) - len(line.lstrip())
            return offset, offset + len(line.strip())
        return None

    @staticmethod
    def _span(doc: Doc, start: int, end: int, label: str, kb_id: str) -> Span | None:
        return doc.char_span(start, end, label=label, kb_id=kb_id, alignment_mode="expand")


@Language.factory("kzx_cable", default_config={"rules": "", "patterns": []}, assigns=["doc.ents"])
def make_cable(nlp: Language, name: str, rules: str | dict, patterns: list | str) -> Cable:
    return Cable(nlp, name, rules=rules, patterns=patterns)
