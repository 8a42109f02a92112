"""Gazetteer stage: tags known agencies, groups, places and people from configs/gazetteers/*.jsonl.

Names match case-insensitively but a capitalised word of the pattern must be capitalised in the
text too ("Foreign Ministry" yes, "foreign ministry" no); acronyms match exactly. A generic state
body (scope "country") is also matched with a nationality adjective before it ("Kazakhstani MFA")
and "of <Country>" after it ("Ministry of Justice of Kazakhstan").
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ..names.translit import NAME_PARTICLES
from . import DataStage, guarded
from ..config import read_json, read_jsonl
from ..names.translit import match_key



def load_records(sources: list) -> list[dict]:
    """Gazetteer records from JSONL paths, or from record lists inlined in a saved pipeline."""
    return [r for source in sources for r in read_jsonl(source if isinstance(source, (str, list)) else [source])]


def record_acronyms(records: list[dict]) -> set[str]:
    """Acronyms and cable codes of gazetteer records: words the re-casing of upper-case lines keeps."""
    return {a for r in records for a in r.get("acronyms", []) + r.get("codes", [])}


def country_forms(records: list[dict]) -> tuple[list[str], list[str]]:
    """Nationality adjectives and country names, for the scoped-body variants."""
    adjectives, names = [], []
    for r in records:
        if r.get("kind") == "country":
            adjectives += [a for a in r.get("adjectives", []) if not a.endswith("'s")]
            names += [n for n in r["names"] if n[0].isupper() and len(n) > 3]
    return adjectives, names


def patterns_of(records: list[dict]) -> list[tuple[str, str, str, bool]]:
    """(text, label, id, exact_case) for every name and acronym the records define."""
    out = []
    for r in records:
        out += [(n, r["label"], r["id"], False) for n in r.get("names", [])]
        out += [(a, r["label"], r["id"], True) for a in r.get("acronyms", [])]
    return out


class Gazetteer(DataStage):
    DATA = ('patterns', 'labels_rules')

    """Matches the gazetteer's names and acronyms and writes them into doc.ents."""

    def setup(self, nlp: Language, patterns: list, labels_rules: dict | str) -> None:
        rules = read_json(labels_rules) if labels_rules else {}
        self.wrap_heads = set(rules.get("agency_heads", [])) | set(rules.get("group_heads", []))
        self.nlp = nlp
        self.files = patterns
        self.records = load_records(patterns)
        self._build()

    def _build(self) -> None:
        self.lower = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self.entries: dict[str, tuple[str, str, list[str]]] = {}
        # one-word person names and surnames, and one-word places, by transliteration key; and the
        # regions named "<X> Region", "<X> Oblast", "<X> Province" by X's key, for "the X region" and
        # "the X, Y and Z regions" where X is also a city's name (regions_named)
        self.variant_keys: dict[str, tuple[str, str]] = {}
        self.region_of = region_index(self.records)
        for r in self.records:
            if r["label"] not in ("PERSON", "PLACE"):
                continue
            for name in r["names"]:
                words = name.split()
                if len(words) == 1 or r["label"] == "PERSON":
                    self.variant_keys.setdefault(match_key(words[-1]), (r["label"], r["id"]))
        items = patterns_of(self.records)
        docs = self.nlp.tokenizer.pipe(text for text, *_ in items)
        for (text, label, ent_id, exact), pattern in zip(items, docs):
            key = f"{label}|{ent_id}|{text}"
            self.entries[key] = (label, ent_id, [t.text for t in pattern])
            (self.exact if exact else self.lower).add(key, [pattern])
        # a scoped body's country forms are matched around it, not multiplied into its patterns
        self.scoped = {(r["label"], r["id"]) for r in self.records if r.get("scope") == "country"}
        adjectives, countries = country_forms(self.records)
        self.adjectives = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.countries = PhraseMatcher(self.nlp.vocab, attr="LOWER")
        self.form_words: dict[str, list[str]] = {}
        for matcher, forms in ((self.adjectives, adjectives), (self.countries, countries)):
            for form, pattern in zip(forms, self.nlp.tokenizer.pipe(forms)):
                self.form_words[form] = [t.text for t in pattern]
                matcher.add(form, [pattern])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        view, index = without_inner_spaces(doc)  # "Nezavisimaya  Gazeta" is matched as one name
        matched = []
        forms = None
        for matcher in (self.lower, self.exact):
            for key, start, end in matcher(view):
                label, ent_id, words = self.entries[self.nlp.vocab.strings[key]]
                if matcher is self.exact or _case_fits(words, view[start:end]):
                    matched.append(Span(view, start, end, label=label, kb_id=ent_id))
                    if (label, ent_id) in self.scoped:
                        forms = forms or self._country_forms(view)
                        matched += _scoped_spans(view, start, end, label, ent_id, words, *forms)
        if index is not None:
            matched = [Span(doc, index[m.start], index[m.end - 1] + 1, label=m.label_, kb_id=m.kb_id_)
                       for m in matched]
        found = self._variants(doc) + matched
        if not found:
            return doc
        found += slash_joined(found)
        found = filter_spans(found)  # longest first; exact names win ties over variants (listed later)
        gaz_at = {i: g for g in found for i in range(g.start, g.end)}
        keep = []
        for e in doc.ents:
            inside = list({id(gaz_at[i]): gaz_at[i] for i in range(e.start, e.end) if i in gaz_at}.values())
            if not inside or _wraps(e, inside, self.wrap_heads) or _longer_learned(e, inside):
                keep.append(e)
        kept_at = {i for e in keep for i in range(e.start, e.end)}
        kept_gaz = [g for g in found if not any(i in kept_at for i in range(g.start, g.end))]
        doc.ents = regions_named(sorted(keep + kept_gaz, key=lambda s: s.start), self.region_of)
        return doc

    def _country_forms(self, doc: Doc) -> tuple[dict, dict]:
        """Nationality adjectives by the token they end at, country names by the token they start at,
        each with its words."""
        before, after = {}, {}
        for start, end, words in self._forms(self.adjectives, doc):
            before.setdefault(end, []).append((start, words))
        for start, end, words in self._forms(self.countries, doc):
            after.setdefault(start, []).append((end, words))
        return before, after

    def _forms(self, matcher: PhraseMatcher, doc: Doc):
        for key, start, end in matcher(doc):
            yield start, end, self.form_words[self.nlp.vocab.strings[key]]

    def _variants(self, doc: Doc) -> list[Span]:
        """One-word names spelled another way ('Rahmonov', 'Nazarbaev'), found by transliteration key."""
        out = []
        for token in doc:
            if len(token) >= 5 and token.is_alpha and token.text[:1].isupper() and not token.is_upper:
                hit = self.variant_keys.get(match_key(token.text))
                if hit:
                    out.append(Span(doc, token.i, token.i + 1, label=hit[0], kb_id=hit[1]))
        return out


def slash_joined(spans: list[Span]) -> list[Span]:
    """Two names of one record written as one with a slash ("PKK/Kongra-Gel", the party under its old and
    new name) as one span."""
    by_start = {s.start: s for s in spans}
    out = []
    for a in spans:
        b = by_start.get(a.end + 1)
        if (b is not None and a.kb_id_ and a.kb_id_ == b.kb_id_ and a.label_ == b.label_
                and a.doc[a.end].text == "/" and not a[-1].whitespace_ and not a.doc[a.end].whitespace_):
            out.append(Span(a.doc, a.start, b.end, label=a.label_, kb_id=a.kb_id_))
    return out


REGION_WORDS = {"region": "regions", "oblast": "oblasts", "province": "provinces", "viloyat": "viloyats"}


def region_index(records: list[dict]) -> dict[str, str]:
    """The place records named "<X> Region", "<X> Oblast", "<X> Province" by the key of X (the first
    record of a key wins)."""
    out: dict[str, str] = {}
    for r in records:
        if r["label"] == "PLACE":
            for name in r["names"]:
                words = name.split()
                if len(words) > 1 and words[-1].lower() in REGION_WORDS:
                    out.setdefault(match_key(" ".join(words[:-1])), r["id"])
    return out


def regions_named(ents: list[Span], region_of: dict[str, str]) -> list[Span]:
    """The places named as regions ("the Tashkent region", "Uzbekistan's Samarkand, Dzhizak and Syr
    Darya regions") linked to the region's record when the gazetteer has one, not to a city of that
    name; a name that already ends in the region word is the gazetteer's match, left as it is."""
    if not region_of or not ents:
        return ents
    doc = ents[0].doc
    plural = set(REGION_WORDS.values())
    out = list(ents)
    for k, e in enumerate(ents):
        if e.label_ != "PLACE" or e[-1].lower_ in REGION_WORDS or e.end >= len(doc):
            continue
        region = region_of.get(match_key(e.text))
        if region is None or region == e.kb_id_:
            continue
        named = doc[e.end].lower_ in REGION_WORDS or doc[e.end].lower_ in plural
        if not named:  # a list of places before a plural: ", Y and Z regions"
            i, j = e.end, k + 1
            while i < len(doc) and doc[i].lower_ in (",", "and", "&"):
                i += 1
                if j < len(ents) and ents[j].start == i and ents[j].label_ == "PLACE":
                    i, j = ents[j].end, j + 1
            named = i > e.end and i < len(doc) and doc[i].lower_ in plural and doc[i - 1].lower_ not in (",", "and")
        if named:
            out[k] = Span(doc, e.start, e.end, label=e.label_, kb_id=region)
    return out


def _scoped_spans(doc: Doc, start: int, end: int, label: str, ent_id: str, words: list[str],
                  adjectives: dict, countries: dict) -> list[Span]:
    """A generic state body named with a nationality adjective before it ("Kazakhstani MFA") or, unless
    upper-case, "of <Country>" after it ("Ministry of Justice of Kazakhstan"). Case rules as for names;
    an upper-case name and its adjective are matched exactly."""
    upper = " ".join(words).isupper()
    out = []
    if not upper or [t.text for t in doc[start:end]] == words:
        for a_start, a_words in adjectives.get(start, ()):
            span = doc[a_start:start]
            if ([t.text for t in span] == a_words) if upper else _case_fits(a_words, span):
                out.append(Span(doc, a_start, end, label=label, kb_id=ent_id))
    if not upper and end < len(doc) and doc[end].lower_ == "of":
        out += [Span(doc, start, c_end, label=label, kb_id=ent_id) for c_end, c_words in countries.get(end + 1, ())
                if _case_fits(c_words, doc[end + 1:c_end])]
    return out


def without_inner_spaces(doc: Doc) -> tuple[Doc, list[int] | None]:
    """The doc without the whitespace tokens inside a line (a run of spaces between two words is a
    token of its own to spaCy), and each remaining token's index in the doc; (doc, None) when it has
    none. Line breaks stay: a name is not matched across them."""
    if not len(doc):
        return doc, None
    space, orth = doc.to_array(["IS_SPACE", "ORTH"]).T.tolist()
    strings = doc.vocab.strings
    index = [i for i, s in enumerate(space) if not s or "\n" in strings[orth[i]]]
    if len(index) == len(doc):
        return doc, None
    return Doc(doc.vocab, words=[strings[orth[i]] for i in index]), index


def _case_fits(words: list[str], span: Span) -> bool:
    """Capitalised tokens of the pattern are capitalised in the text (name particles may be lower-case)."""
    return all(not w[:1].isupper() or t.text[:1].isupper() or w.lower() in NAME_PARTICLES
               for w, t in zip(words, span))


def _longer_learned(ent: Span, inside: list[Span]) -> bool:
    """A trained entity stage's name that holds one shorter gazetteer name of its own label whole is
    kept over it: "Ahmed Wali Karzai" is not cut to "Karzai" (another person), "NATO-Russia Council"
    not to NATO; so is its organisation holding only place names ("Government of Pakistan" is not cut to
    Pakistan). A span over two known names ("Hizb ut-Tahrir in Shymkent") is the model's mistake."""
    if ent.label_ not in ("PERSON", "AGENCY", "GROUP", "PLACE") or ent.kb_id_:
        return False
    if not all(ent.start <= g.start and g.end <= ent.end and len(g) < len(ent) for g in inside):
        return False
    if ent.label_ in ("AGENCY", "GROUP") and all(g.label_ == "PLACE" for g in inside):
        # a body named after its place ("Government of Pakistan", "Embassy Dushanbe", "Tajik State TV")
        return True
    return len(inside) == 1 and inside[0].label_ == ent.label_


def _wraps(ent: Span, inside: list[Span], heads: set[str]) -> bool:
    """A model organisation name that contains the gazetteer names it overlaps whole and is headed by
    a capitalised word for a kind of body ("Uzbek Department of Interior of the Tashkent region") is
    kept over them; "OSCE Human Dimension Implementation Meeting" or "Kazakhstan foreign ministry" are not."""
    root = ent.root
    return (ent.label_ == "ORG" and all(ent.start <= g.start and g.end <= ent.end and len(g) < len(ent)
                                        for g in inside)
            and root.lower_ in heads and root.text[:1].isupper()
            and root.i not in {i for g in inside for i in range(g.start, g.end)})


@Language.factory("kzx_gazetteer", default_config={"patterns": [], "labels_rules": ""},
                  assigns=["doc.ents"])
def make_gazetteer(nlp: Language, name: str, patterns: list | str, labels_rules: str | dict) -> Gazetteer:
    return Gazetteer(nlp, name, patterns=patterns, labels_rules=labels_rules)
