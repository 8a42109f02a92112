"""Relation stage: typed relations between entities of one sentence, and sentence co-occurrence.

Rules live in configs/relations.json: each names the relation type, the labels of head and tail,
and a regex that the text between the two mentions must match in full (plus optional text before
and after). Heads of state ("President X") lead the country named next in their clause, else the
country the document mentions most. Results go to doc._.kzx_relations as
(head_start, head_end, tail_start, tail_end, type, directed) tuples by character offsets.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import source_text
from ..config import read_json
from .gazetteer import load_records

CO_OCCURS = "CO_OCCURS"


def compile_rules(config: dict) -> list[dict]:
    """Rules with their role placeholders expanded and regexes compiled once."""
    roles = {k: "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(v, key=len, reverse=True))
             for k, v in config["roles"].items()}
    rules = []
    for rule in config["rules"]:
        compiled = dict(rule)
        for part in ("between", "before", "after"):
            if part in rule:
                pattern = rule[part]
                for name, alternatives in roles.items():
                    pattern = pattern.replace("{" + name + "}", alternatives)
                compiled[part] = re.compile(pattern, re.I if part != "between" or "[A-Z]" not in pattern else 0)
        rules.append(compiled)
    return rules


class Relations:
    def __init__(self, nlp: Language, name: str, patterns: str, cooccurrence: bool, gazetteers: list[str]):
        self.name = name
        config = read_json(patterns)
        self.rules = compile_rules(config)
        self.head_of_state = config.get("head_of_state", {})
        self.cooccurrence = cooccurrence
        self.countries = {r["id"] for r in load_records(gazetteers) if r.get("kind") == "country"}

    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple, tuple] = {}
        text = source_text(doc)
        ents = [e for e in doc.ents]
        main_country = self._main_country(ents)
        for sent in doc.sents:
            inside = [e for e in ents if sent.start <= e.start and e.end <= sent.end]
            named = [e for e in inside if e.label_ != "DATE"]
            for i, a in enumerate(named):
                for b in named[i + 1:]:
                    for rule in self.rules:
                        rel = self._apply(rule, a, b, text, sent)
                        if rel:
                            found.setdefault(rel[:4] + rel[4:5], rel)
                            break
                self._head_of_state(a, named, main_country, sent, found)
            if self.cooccurrence:
                for i, a in enumerate(inside):
                    for b in inside[i + 1:]:
                        if a.text != b.text:
                            found.setdefault((a.start_char, a.end_char, b.start_char, b.end_char, CO_OCCURS),
                                             (a.start_char, a.end_char, b.start_char, b.end_char, CO_OCCURS, False))
        doc._.kzx_relations = list(found.values())
        return doc

    @staticmethod
    def _apply(rule: dict, a: Span, b: Span, text: str, sent: Span) -> tuple | None:
        """a precedes b; the rule decides which is head."""
        head, tail = (b, a) if rule.get("order") == "tail_first" else (a, b)
        if rule.get("symmetric") and not (head.label_ in rule["head"] and tail.label_ in rule["tail"]):
            head, tail = tail, head
        if head.label_ not in rule["head"] or tail.label_ not in rule["tail"]:
            return None
        if not rule["between"].fullmatch(text[a.end_char:b.start_char]):
            return None
        if "before" in rule and not rule["before"].search(text[sent.start_char:a.start_char]):
            return None
        if "after" in rule and not rule["after"].search(text[b.end_char:sent.end_char]):
            return None
        return (head.start_char, head.end_char, tail.start_char, tail.end_char, rule["type"],
                not rule.get("symmetric", False))

    def _main_country(self, ents: list[Span]) -> Span | None:
        counts = Counter(e.kb_id_ for e in ents if e.kb_id_ in self.countries)
        if not counts:
            return None
        top = counts.most_common(1)[0][0]
        return next(e for e in ents if e.kb_id_ == top)

    def _head_of_state(self, person: Span, named: list[Span], main: Span | None, sent: Span, found: dict) -> None:
        """'President X' leads the next country named in the same clause, else the document's main country."""
        titles = self.head_of_state.get("titles", [])
        if person.label_ != "PERSON" or not titles:
            return
        before = source_text(person.doc)[max(0, person.start_char - 20):person.start_char].rstrip()
        if not any(before.endswith(t) for t in titles):
            return
        window = self.head_of_state.get("window_tokens", 8)
        target = main
        for e in named:
            if e.kb_id_ in self.countries and person.end <= e.start <= person.end + window:
                between = person.doc[person.end:e.start]
                if not any(t.is_punct and t.text in ",;:" for t in between):
                    target = e
                    break
        if target is not None:
            key = (person.start_char, person.end_char, target.start_char, target.end_char, self.head_of_state["type"])
            found.setdefault(key, key + (True,))


@Language.factory("kzx_relations", default_config={"patterns": "", "cooccurrence": True, "gazetteers": []},
                  assigns=["doc._.kzx_relations"])
def make_relations(nlp: Language, name: str, patterns: str, cooccurrence: bool, gazetteers: list[str]) -> Relations:
    return Relations(nlp, name, patterns, cooccurrence, gazetteers)
