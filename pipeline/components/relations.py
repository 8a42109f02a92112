"""Relation stage: typed relations between entities of one sentence (sentence co-occurrence is
derived from the stored mentions when the graph is built: pipeline/graph.py).

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

from . import guarded, source_text
from ..config import read_json
from .gazetteer import load_records


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
    def __init__(self, nlp: Language, name: str, patterns: str, gazetteers: list[str], max_pair_distance: int):
        self.name = name
        self.window = max_pair_distance
        config = read_json(patterns)
        self.rules = compile_rules(config)
        self.head_of_state = config.get("head_of_state", {})
        self.spokesman = config.get("spokesman_antecedent", {})
        self.classifier = config.get("cable_classifier", {})
        self.title_leads = config.get("title_leads", {})
        records = load_records(gazetteers)
        self.countries = {r["id"] for r in records if r.get("kind") == "country"}
        self.served = {r["id"]: r["country"] for r in records if r["label"] == "PERSON" and r.get("country")}
        self.country_forms = {f.lower(): r["id"] for r in records if r.get("kind") == "country"
                              for f in r["names"] + r.get("adjectives", [])}

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple, tuple] = {}
        text = source_text(doc)
        ents = list(doc.ents)
        main_country = self._main_country(ents)
        by_sentence: dict[int, list[Span]] = {}
        for e in ents:
            by_sentence.setdefault(e.sent.start, []).append(e)
        for start, inside in by_sentence.items():
            sent = doc[start].sent
            named = [e for e in inside if e.label_ != "DATE"]
            for i, a in enumerate(named):
                for b in named[i + 1:i + 1 + self.window]:
                    for rule in self.rules:
                        rel = self._apply(rule, a, b, text, sent)
                        if rel:
                            found.setdefault(rel[:5], rel)
                            break
                self._head_of_state(a, named, main_country, text, found)
                self._title_leads(a, ents, text, found)
            self._spokesman(named, ents, sent, text, found)
        self._classifier(ents, text, found)
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
        if "head_dep" in rule and not _is_subject(head, rule["head_dep"]):
            return None
        return (head.start_char, head.end_char, tail.start_char, tail.end_char, rule["type"],
                not rule.get("symmetric", False))

    def _add(self, found: dict, head: Span, tail: Span, rtype: str) -> None:
        key = (head.start_char, head.end_char, tail.start_char, tail.end_char, rtype)
        found.setdefault(key, key + (True,))

    def _spokesman(self, named: list[Span], ents: list[Span], sent: Span, text: str, found: dict) -> None:
        """'spokesman Ross Feinstein', with no body in the sentence, speaks for the agency named last
        in the sentences just before."""
        roles = self.spokesman.get("roles", [])
        if not roles or any(e.label_ in ("AGENCY", "GROUP") for e in named):
            return
        for person in (e for e in named if e.label_ == "PERSON"):
            before = text[max(0, person.start_char - 25):person.start_char].rstrip().lower()
            if not any(before.endswith(r) for r in roles):
                continue
            window = sent.doc[max(0, sent.start - 1)].sent
            for _ in range(self.spokesman.get("sentences_back", 2) - 1):
                if window.start > 0:
                    window = sent.doc[window.start - 1].sent
            prior = [e for e in ents if window.start <= e.start and e.end <= sent.start and e.label_ == "AGENCY"]
            if prior:
                self._add(found, person, prior[-1], self.spokesman["type"])

    def _classifier(self, ents: list[Span], text: str, found: dict) -> None:
        """A cable's 'Classified By:' officer belongs to the sending post (the FM line)."""
        if not self.classifier:
            return
        sender = next((e for e in ents if e.label_ == "AGENCY" and text[text.rfind("\n", 0, e.start_char) + 1:
                                                                       e.start_char].startswith("FM")), None)
        pattern = re.compile(self.classifier["line"])
        for person in (e for e in ents if e.label_ == "PERSON"):
            line = text[text.rfind("\n", 0, person.start_char) + 1:person.start_char]
            if sender is not None and pattern.match(line):
                self._add(found, person, sender, self.classifier["type"])

    def _title_leads(self, person: Span, ents: list[Span], text: str, found: dict) -> None:
        """'FM Tokayev' leads the Ministry of Foreign Affairs the document names."""
        if person.label_ != "PERSON":
            return
        before = text[max(0, person.start_char - 25):person.start_char].rstrip()
        body = next((b for t, b in self.title_leads.items() if re.search(rf"(?<!\w){re.escape(t)}$", before)), None)
        if body:
            target = min((e for e in ents if e.kb_id_ == body), default=None,
                         key=lambda e: abs(e.start - person.start))
            if target is not None:
                self._add(found, person, target, "LEADS")

    def _main_country(self, ents: list[Span]) -> Span | None:
        counts = Counter(e.kb_id_ for e in ents if e.kb_id_ in self.countries)
        if not counts:
            return None
        top = counts.most_common(1)[0][0]
        return next(e for e in ents if e.kb_id_ == top)

    def _head_of_state(self, person: Span, named: list[Span], main: Span | None, text: str, found: dict) -> None:
        """'President X' leads: the country the gazetteer says X serves; else the country named just
        before the title ('Uzbek President Karimov', "Azerbaijan's President Aliyev"); else the next
        country in the same clause; else the document's main country."""
        titles = self.head_of_state.get("titles", [])
        if person.label_ != "PERSON" or not titles:
            return
        before = text[max(0, person.start_char - 60):person.start_char].rstrip()
        title = next((t for t in titles if before.endswith(t)), None)
        if title is None or re.search(r"(?:Deputy|Vice|Acting|deputy|vice)[\s-]+$", before[: len(before) - len(title)]):
            return
        ents = person.doc.ents
        wanted = self.served.get(person.kb_id_)
        if wanted is None:
            m = re.search(r"([\w.-]+)(?:'s|’s)?\s+$", before[: len(before) - len(title)])
            wanted = self.country_forms.get(m.group(1).lower()) if m else None
        if wanted is not None:
            target = min((e for e in ents if e.kb_id_ == wanted), default=None, key=lambda e: abs(e.start - person.start))
        else:
            target = main
            window = self.head_of_state.get("window_tokens", 8)
            for e in named:
                if e.kb_id_ in self.countries and person.end <= e.start <= person.end + window:
                    if not any(t.is_punct and t.text in ",;:" for t in person.doc[person.end:e.start]):
                        target = e
                        break
        if target is not None:
            self._add(found, person, target, self.head_of_state["type"])


def _is_subject(span: Span, deps: list[str]) -> bool:
    """Whether a mention is (part of) a grammatical subject: its root, climbing through compounds,
    possessives, appositions and conjuncts, carries one of `deps`."""
    token = span.root
    for _ in range(6):
        if token.dep_ in deps:
            return True
        if token.dep_ in ("compound", "poss", "appos", "conj", "amod", "nmod") and token.head is not token:
            token = token.head
        else:
            return False
    return False


@Language.factory("kzx_relations", default_config={"patterns": "", "gazetteers": [], "max_pair_distance": 12},
                  assigns=["doc._.kzx_relations"])
def make_relations(nlp: Language, name: str, patterns: str | dict, gazetteers: list,
                   max_pair_distance: int) -> Relations:
    return Relations(nlp, name, patterns, gazetteers, max_pair_distance)
