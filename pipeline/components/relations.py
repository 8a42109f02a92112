"""Relation stage: a trained classifier over pairs of entities (sentence co-occurrence is derived from
the stored mentions when the graph is built: pipeline/graph.py).

Candidates are pairs of named entities of one sentence at most `max_pair_distance` mentions apart,
plus two general header/document patterns: the officer of a cable's "Classified By:" line with the
sending post, and a "President X" whose sentence names no country with the document's main country.
Each candidate is described by sparse features (labels, the words and punctuation between, the words
around, the dependency path between the two heads, the trigger-word classes of configs/relations.json
around and between, negation, modality and "former") and scored by a multinomial logistic regression
trained by `kzx train` (pipeline/train.py) on the annotated corpus. A pair becomes a typed relation when
its most probable class is not NONE and its probability reaches the type's threshold; the probability
is kept as the relation's confidence. OTHER relations keep the trigger words between as their label.

Results go to doc._.kzx_relations as (head_start, head_end, tail_start, tail_end, type, directed,
confidence, label) tuples by character offsets. The weights are saved with the pipeline (to_disk).
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from pathlib import Path

import numpy as np
import snowballstemmer
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from . import DataStage, guarded, source_text
from ..config import read_json
from ..ingest.cable import header_regions, in_regions
from .gazetteer import load_records

RELATION_TYPES = ("LEADS", "AFFILIATED_WITH", "MEMBER_OF", "LOCATED_IN", "COOPERATES_WITH", "ACTION_AGAINST",
                  "MET_WITH", "OTHER")
SYMMETRIC = {"MET_WITH", "COOPERATES_WITH"}
NONE = "NONE"


class Lexicon:
    """Trigger-word classes: each token (or phrase) of a text -> the classes it belongs to. Words match
    by their Snowball stem, so an entry stands for its inflections ("criticized", "criticism" and
    "criticize" are one entry)."""

    def __init__(self, triggers: dict[str, list[str]]):
        self.words: dict[str, set[str]] = {}
        # phrases by their first word's stem: (the phrase's stems, class)
        self.phrases: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for cls, entries in triggers.items():
            for entry in entries:
                words = [self.stem(w) for w in entry.lower().split()]
                if len(words) == 1:
                    self.words.setdefault(words[0], set()).add(cls)
                elif words:
                    self.phrases.setdefault(words[0], []).append((tuple(words), cls))

    @staticmethod
    @lru_cache(maxsize=65536)
    def stem(word: str) -> str:
        return _STEMMER.stemWord(word) if word.isalpha() else word

    def classes(self, words: list[str]) -> set[str]:
        stem = self.stem
        return self.stem_classes([stem(w) for w in words])

    def stem_classes(self, stems: list[str]) -> set[str]:
        """The classes of a text given as its words' stems."""
        found = set()
        words, phrases = self.words, self.phrases
        for i, w in enumerate(stems):
            if w in words:
                found |= words[w]
            if w in phrases:
                for phrase, cls in phrases[w]:
                    if tuple(stems[i:i + len(phrase)]) == phrase:
                        found.add(cls)
        return found


_STEMMER = snowballstemmer.stemmer("english")


def class_of(rtype: str, head_first: bool) -> str:
    """Classifier class of a relation type seen from the pair's first mention."""
    if rtype in SYMMETRIC:
        return rtype
    return f"{rtype}>" if head_first else f"{rtype}<"


def type_of(cls: str) -> tuple[str, bool]:
    """(relation type, whether the pair's first mention is the head) of a classifier class."""
    if cls.endswith("<"):
        return cls[:-1], False
    return cls.rstrip(">"), True


def _bucket(n: int) -> str:
    return str(n) if n < 3 else "3-4" if n < 5 else "5-7" if n < 8 else "8-12" if n < 13 else "13+"


class DocView:
    """What the features read of one Doc, taken once: token words, tags, heads and dependency labels,
    sentence bounds, the entities (spaCy objects are slow to ask pair by pair)."""

    def __init__(self, doc: Doc, lexicon: Lexicon):
        # one array read of the token attributes instead of a Token object per token and attribute
        strings = doc.vocab.strings
        lower, tag, head, dep, num = doc.to_array(["LOWER", "TAG", "HEAD", "DEP", "LIKE_NUM"]).T.tolist() \
            if len(doc) else ([], [], [], [], [])
        names = {h: strings[h] for h in {*lower, *dep}}
        verbs = {h for h in set(tag) if strings[h].startswith("VB")}
        self.lower = [names[h] for h in lower]
        stem = lexicon.stem
        self.stems = [stem(w) for w in self.lower]
        self.verb = [h in verbs for h in tag]
        self.num = [bool(x) for x in num]
        # HEAD is the head's offset from the token, stored unsigned
        self.head = [i + (h if h < 2**63 else h - 2**64) for i, h in enumerate(head)]
        self.dep = [names[h] for h in dep]
        self.sent_of: list[tuple[int, int]] = []  # token -> its sentence's (start, end)
        for sent in doc.sents:
            self.sent_of += [(sent.start, sent.end)] * (sent.end - sent.start)
        self.ents = [(e.start, e.end, e.label_) for e in doc.ents]
        self.ent_starts = [e[0] for e in self.ents]
        self.lexicon = lexicon
        self._sentence_classes: dict[int, set[str]] = {}
        self._roots: dict[tuple[int, int], int] = {}

    def root(self, span: Span) -> int:
        key = (span.start, span.end)
        if key not in self._roots:
            self._roots[key] = span.root.i
        return self._roots[key]

    def sentence_classes(self, start: int, end: int) -> set[str]:
        if start not in self._sentence_classes:
            self._sentence_classes[start] = self.lexicon.stem_classes(self.stems[start:end])
        return self._sentence_classes[start]

    def between_ents(self, start: int, end: int) -> list[tuple[int, int, str]]:
        i = bisect_left(self.ent_starts, start)
        out = []
        while i < len(self.ents) and self.ents[i][0] < end:
            if self.ents[i][1] <= end:
                out.append(self.ents[i])
            i += 1
        return out

    def path(self, a: int, b: int) -> tuple[str, str, list[int]]:
        """Dependency path between two tokens through their lowest common ancestor: the path as a
        string, the ancestor's word, and the tokens on the path between the two."""
        up_a, up_b = [a], [b]
        while self.head[up_a[-1]] != up_a[-1] and len(up_a) < 12:
            up_a.append(self.head[up_a[-1]])
        while self.head[up_b[-1]] != up_b[-1] and len(up_b) < 12:
            up_b.append(self.head[up_b[-1]])
        ids_b = {t: k for k, t in enumerate(up_b)}
        for k, t in enumerate(up_a):
            if t in ids_b:
                left = [self.dep[x] for x in up_a[:k]]
                right = [self.dep[x] for x in up_b[:ids_b[t]]]
                on_path = up_a[1:k + 1] + up_b[1:ids_b[t]]
                if len(left) + len(right) > 6:
                    return f"long{min(len(left) + len(right), 12)}", self.lower[t], on_path
                return "^".join(left) + "|" + self.lower[t] + "|" + "v".join(reversed(right)), self.lower[t], on_path
        return "none", "", []


PUNCT_FEATURES = (",", "(", ")", "-", ";", ":", "and", "of", "'s", "’s", "with", "in")


def pair_features(a: Span, b: Span, kind: str, lexicon: Lexicon, view: DocView | None = None) -> list[str]:
    """Sparse features of a candidate pair; `a` is the first mention in the text."""
    v = view or DocView(a.doc, lexicon)
    lower = v.lower
    labels = f"{a.label_}>{b.label_}"
    f = [f"L={labels}", f"kind={kind}", f"kind={kind}|{labels}"]
    if kind != "sentence":
        before = lower[max(0, a.start - 3):a.start]
        f += [f"kb={w}" for w in before] + [f"kbT={c}" for c in lexicon.classes(before)]
        # a title after the name ("CLASSIFIED BY: A. B. Name, Ambassador, ...")
        after = [w for w in lower[a.end:min(len(lower), a.end + 4)] if w not in (",", ":", "(")][:3]
        f += [f"ka={w}" for w in after] + [f"kaT={c}" for c in lexicon.classes(after)]
        return f
    inner = v.between_ents(a.end, b.start)
    # other entities between stand as their label ("( <PLACE> , <PLACE> and"), numbers as '#'
    label_at = {i: f"<{label}>" for s, e, label in inner for i in range(s, e)}
    words, stems, last = [], [], None
    for i in range(a.end, b.start):
        label = label_at.get(i)
        w = label or ("#" if v.num[i] else lower[i])
        if not (w == last and w.startswith("<")) and w.strip():
            words.append(w)
            stems.append(w if label or v.num[i] else v.stems[i])  # a label or '#' is its own stem
        last = w
    n = len(words)
    f += [f"vb={lower[i]}" for i in range(a.end, b.start) if v.verb[i] and i not in label_at][:4]
    f.append(f"n={_bucket(n)}")
    f.append(f"n={_bucket(n)}|{labels}")
    if n <= 8:
        f += [f"w={w}" for w in words] + [f"Lw={labels}|{w}" for w in words]
        f += [f"bi={x}_{y}" for x, y in zip(words, words[1:])]
        f.append("seq=" + " ".join(words))
    else:
        f += [f"wf={w}" for w in words[:4]] + [f"wl={w}" for w in words[-4:]]
    f.append(f"ents_between={min(len(inner), 3)}")
    f += [f"ent_between={label}" for _, _, label in inner[:3]]
    present = set(words)
    f += [f"p={p}" for p in PUNCT_FEATURES if p in present]
    if n == 0 or (n == 1 and words[0] in ("-", "–")):
        f.append("adjacent")
    sent_start, sent_end = v.sent_of[a.start]
    b_sent_end = v.sent_of[b.start][1]
    before = lower[max(sent_start, a.start - 3):a.start]
    after = lower[b.end:min(b_sent_end, b.end + 3)]
    f += [f"wb={w}" for w in before[-2:]] + [f"wa={w}" for w in after[:2]]
    stem_classes = lexicon.stem_classes
    for where, classes in (("btw", stem_classes(stems)), ("bef", stem_classes(v.stems[max(sent_start, a.start - 3):a.start])),
                           ("aft", stem_classes(v.stems[b.end:min(b_sent_end, b.end + 3)])),
                           ("sent", v.sentence_classes(sent_start, sent_end))):
        for c in classes:
            f.append(f"T{where}={c}")
            f.append(f"T{where}={c}|{labels}")
    for c in stem_classes(v.stems[max(a.end, b.start - 3):b.start]):
        f.append(f"Tbb={c}|{labels}")
    ra, rb = v.root(a), v.root(b)
    path, lca, on_path = v.path(ra, rb)
    f += [f"dp={path}", f"dp={path}|{labels}", f"lca={lca}", f"lca={lca}|{labels}",
          f"deps={'/'.join(sorted({v.dep[ra], v.dep[rb]}))}"]
    on_path = [i for i in on_path if not (a.start <= i < a.end) and not (b.start <= i < b.end)]
    path_words = [lower[i] for i in on_path]
    for c in stem_classes([v.stems[i] for i in on_path]):
        f += [f"Tpath={c}", f"Tpath={c}|{labels}"]
    for c in lexicon.classes([lca]):
        f += [f"Tlca={c}", f"Tlca={c}|{labels}"]
    f += [f"pw={w}" for w in path_words[:4]]
    for side, span, r in (("a", a, ra), ("b", b, rb)):
        head = v.head[r]
        if not (span.start <= head < span.end):
            f += [f"{side}h={lower[head]}", f"{side}dep={v.dep[r]}|{labels}"]
            f += [f"{side}hT={c}|{labels}" for c in stem_classes([v.stems[head]])]
    if b.start <= v.head[ra] < b.end or a.start <= v.head[rb] < a.end:
        f.append(f"attached={v.dep[ra]}/{v.dep[rb]}")
    return f


def main_country(ents: list[Span], countries: dict[str, str]) -> Span | None:
    """The country a document names most (by gazetteer id, else by its text), at its first mention."""
    ids = [(countries.get(e.kb_id_.lower()) or countries.get(e.text.lower()), e) for e in ents if e.label_ == "PLACE"]
    counts = Counter(i for i, _ in ids if i)
    if not counts:
        return None
    top = counts.most_common(1)[0][0]
    return next(e for i, e in ids if i == top)


# the officer named after "Classified By:" on its line, behind at most a few role words ("Classified
# By: Economic-Political Minister-Counselor Donald A. Blome"); header lines are often run together
CLASSIFIED_TAIL = re.compile(r"Classified\s+By:?(?:\s*[\w.,'/()&-]+){0,6}\s*$", re.I)


def person_country(person: Span, people: dict[str, str]) -> str | None:
    """The country of a person the gazetteer knows, by its link or by a surname that names one country's
    people only ('President Bush' -> United States): `people` maps ids and surnames, lower case."""
    if person.kb_id_ and person.kb_id_.lower() in people:
        return people[person.kb_id_.lower()]
    words = person.text.split()
    return people.get(surname_key(words[-1])) if words else None


def surname_key(word: str) -> str:
    return re.sub(r"^(?:al|el|ad|as|ash|ar)-", "", word.lower().strip(".,'’"))


def people_countries(records: list[dict], countries: dict[str, str]) -> dict[str, str]:
    """Ids and surnames of the gazetteer's people with a country -> that country (a surname shared by
    people of two countries is left out)."""
    out: dict[str, str] = {}
    by_surname: dict[str, set[str]] = {}
    for r in records:
        country = countries.get(str(r.get("country", "")).lower())
        if r.get("label") != "PERSON" or not country:
            continue
        out[r["id"].lower()] = country
        for words in (name.split() for name in [r["id"], *r["names"]]):
            if len(words) > 1:
                by_surname.setdefault(surname_key(words[-1]), set()).add(country)
    out.update({k: next(iter(v)) for k, v in by_surname.items() if len(v) == 1 and k not in out})
    return out


def candidates(doc: Doc, window: int, countries: dict[str, str], classified_by: re.Pattern,
               titles: list[str], adjectives: dict[str, str] | None = None, title_bodies: dict[str, str] | None = None,
               role_words: set[str] | None = None, people: dict[str, str] | None = None) -> list[tuple[Span, Span, str]]:
    """(first mention, second mention, kind) pairs the classifier scores."""
    text = source_text(doc)
    ents = [e for e in doc.ents if e.label_ != "DATE"]
    out = []
    by_sentence: dict[int, list[Span]] = {}
    for e in ents:
        by_sentence.setdefault(e.sent.start, []).append(e)
    for inside in by_sentence.values():
        for i, a in enumerate(inside):
            for b in inside[i + 1:i + 1 + window]:
                if a.text.lower() != b.text.lower():
                    out.append((a, b, "sentence"))
    sender = next((e for e in ents if e.label_ == "AGENCY" and re.match(
        r"(?:FM|Origin:)\s", text[text.rfind("\n", 0, e.start_char) + 1:e.start_char + 1] + " ")), None)
    country = main_country(ents, countries)
    first_of_country: dict[str, Span] = {}
    for e in ents:
        if e.label_ == "PLACE":
            cid = countries.get(e.kb_id_.lower()) or countries.get(e.text.lower())
            if cid:
                first_of_country.setdefault(cid, e)
    adjectives = adjectives or {}
    for person in (e for e in ents if e.label_ == "PERSON"):
        line = text[text.rfind("\n", 0, person.start_char) + 1:person.start_char]
        if sender is not None and (classified_by.match(line) or CLASSIFIED_TAIL.search(line[-120:])):
            out.append((person, sender, "classified_by"))
            continue
        before = text[max(0, person.start_char - 40):person.start_char].rstrip()
        title = next((t for t in titles if before.endswith(t)), None)
        if title is None:
            continue
        # "Italian PM Berlusconi", "Libyan Leader Qadhafi": the country of the nationality before the title
        words = before[:len(before) - len(title)].split()
        named = adjectives.get(words[-1].lower()) if words else None
        known = named or person_country(person, people or {})
        if known:  # "Italian PM Berlusconi"; "President Bush" in a cable from Sanaa: the United States
            if known in first_of_country and first_of_country[known] is not person:
                out.append((person, first_of_country[known], "head_of_state"))
        elif country is not None and not any(e.label_ == "PLACE" for e in by_sentence.get(person.sent.start, [])):
            out.append((person, country, "head_of_state"))
    if doc._.kzx_header_pairs:  # distribution lines: a person and the office before
        at = {(e.start_char, e.end_char): e for e in ents}
        for ps, pe, os_, oe in doc._.kzx_header_pairs:
            person, office = at.get((ps, pe)), at.get((os_, oe))
            if person is not None and office is not None and person.label_ == "PERSON":
                out.append((person, office, "distribution"))
    if title_bodies is not None:
        out += title_candidates(doc, text, ents, by_sentence, adjectives, title_bodies, role_words or set(), sender)
    return out


def title_words(doc: Doc, person: Span, limit: int = 6) -> list[str]:
    """The capitalised words of the title right before a person's name, in the same sentence and
    outside other names ("Russian Ambassador", "Deputy Minister of Interior", "FM"), lower case."""
    words = []
    i = person.start - 1
    while i >= person.sent.start and len(words) < limit:
        t = doc[i]
        if t.ent_type_ or not (t.text[:1].isupper() or t.lower_ in ("of", "for")):
            break
        words.append(t.lower_.rstrip("."))
        i -= 1
    while words and words[-1] in ("of", "for"):
        words.pop()
    return words[::-1]


MISSIONS = ("embassy", "consulate")


def title_candidates(doc: Doc, text: str, ents: list[Span], by_sentence: dict, adjectives: dict[str, str],
                     title_bodies: dict[str, str], role_words: set[str],
                     sender: Span | None = None) -> list[tuple[Span, Span, str]]:
    """(person, body) pairs where the person's title names a body the document names outside its
    header: "Interior Minister X" and the Ministry of Interior, "Russian Ambassador X" and the Embassy
    of Russia, "Secretary of State X" and the Department of State; an ambassador or an officer without
    a nationality, and the cable's sending post. The classifier decides the type."""
    regions = header_regions(text)
    bodies: dict[str, Span] = {}
    for e in ents:
        if e.label_ in ("AGENCY", "GROUP") and not in_regions(regions, e.start_char):
            bodies.setdefault((e.kb_id_ or e.text).lower(), e)
    if not bodies:
        return []
    names = {key: [w[:5] for w in re.findall(r"\w+", key + " " + e.text.lower())] for key, e in bodies.items()}
    out = []
    for person in (e for e in ents if e.label_ == "PERSON"):
        words = title_words(doc, person)
        if not words:
            continue
        phrase = " ".join(words)
        keys, country = [], None
        for multi, body_word in title_bodies.items():
            if " " in multi and multi in phrase:
                keys.append(body_word)
                phrase = phrase.replace(multi, " ")
        for w in phrase.split():
            if w in adjectives:
                country = adjectives[w]
            elif w in title_bodies:
                keys.append(title_bodies[w])
            elif w not in role_words and w.isalpha() and len(w) > 2:
                keys.append(w)
        if not keys:
            continue
        if any(k in MISSIONS for k in keys) and not country:
            # "the Ambassador", "Poloff X": of the post that sends the cable
            if sender is not None and any(m[:5] in sender.text.lower() for m in MISSIONS + ("mission",)):
                out.append((person, sender, "title_body"))
            continue
        same = {id(e) for e in by_sentence.get(person.sent.start, [])}
        found = [e for key, e in bodies.items() if id(e) not in same and all(k[:5] in names[key] for k in keys)]
        if country:
            found = [e for e in found if country.lower()[:5] in " ".join(names[(e.kb_id_ or e.text).lower()])
                     or any(adjectives.get(w) == country for w in (e.kb_id_ + " " + e.text).lower().split())]
        out += [(person, e, "title_body") for e in found[:2]]
    return out


class LinearModel:
    """A multinomial logistic regression over binary features, as trained by scikit-learn: kept as a
    feature index, class names and a weight matrix, so predicting needs numpy only."""

    def __init__(self, classes: list[str], index: dict[str, int], coef: np.ndarray, intercept: np.ndarray):
        self.classes, self.index, self.coef, self.intercept = classes, index, coef, intercept
        self.by_feature = np.ascontiguousarray(coef.T)  # a feature's weights for every class, in one row

    def probabilities(self, rows: list[list[str]]) -> np.ndarray:
        scores = np.tile(self.intercept, (len(rows), 1))
        index = self.index
        cols, starts, filled = [], [], []
        for r, feats in enumerate(rows):
            found = [index[f] for f in set(feats) if f in index]
            if found:
                starts.append(len(cols))
                filled.append(r)
                cols += found
        if cols:  # each row's weights summed in one pass over all rows
            scores[filled] += np.add.reduceat(self.by_feature[cols], starts, axis=0)
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def to_disk(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        (path / "features.json").write_text(json.dumps({"classes": self.classes, "index": self.index}),
                                            encoding="utf-8")
        np.save(path / "weights.npy", np.vstack([self.coef.T, self.intercept[None, :]]).astype(np.float32))

    @classmethod
    def from_disk(cls, path: Path) -> "LinearModel":
        meta = json.loads((path / "features.json").read_text(encoding="utf-8"))
        weights = np.load(path / "weights.npy")
        return cls(meta["classes"], meta["index"], weights[:-1].T.copy(), weights[-1].copy())


class Relations(DataStage):
    DATA = ("patterns", "gazetteers")

    def setup(self, nlp: Language, patterns: str | dict, gazetteers: list, max_pair_distance: int,
              thresholds: dict[str, float]) -> None:
        config = read_json(patterns) if patterns else {}
        self.window = max_pair_distance or config.get("max_pair_distance", 12)
        self.set_words(config)
        self.thresholds = dict(thresholds)
        records = load_records(gazetteers)
        self.countries = {f.lower(): r["id"] for r in records if r.get("kind") == "country"
                          for f in [r["id"], *r["names"], *r.get("aliases", [])]}
        self.people = people_countries(records, self.countries)
        self.adjectives = {a.lower(): r["id"] for r in records if r.get("kind") == "country"
                           for a in r.get("adjectives", [])}
        self.model: LinearModel | None = None

    def pairs(self, doc: Doc) -> list[tuple[Span, Span, str, list[str]]]:
        """Every candidate pair of the document with its features."""
        found = candidates(doc, self.window, self.countries, self.classified_by, self.titles, self.adjectives,
                           self.title_bodies, self.role_words, self.people)
        view = DocView(doc, self.lexicon) if found else None
        return [(a, b, kind, pair_features(a, b, kind, self.lexicon, view)) for a, b, kind in found]

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        found: dict[tuple, tuple] = {}
        if self.model is None:
            doc._.kzx_relations = []
            return doc
        pairs = self.pairs(doc)
        if pairs:
            probs = self.model.probabilities([p[3] for p in pairs])
            # the most probable relation class, whether or not NONE is more probable: a threshold
            # under 0.5 can then take a pair the classifier leans against (over 0.5 it is the argmax)
            none = self.model.classes.index(NONE) if NONE in self.model.classes else -1
            if none >= 0:
                probs[:, none] = -1.0
            for (a, b, _kind, _f), row in zip(pairs, probs):
                best = int(row.argmax())
                if row[best] < 0:  # only NONE: no relation class
                    continue
                cls = self.model.classes[best]
                rtype, head_first = type_of(cls)
                if row[best] < self.thresholds.get(rtype, self.thresholds.get("default", 0.5)):
                    continue
                head, tail = (a, b) if head_first else (b, a)
                key = (head.start_char, head.end_char, tail.start_char, tail.end_char, rtype)
                label = other_label(a, b) if rtype == "OTHER" else ""
                if key not in found or found[key][6] < row[best]:
                    found[key] = key + (rtype not in SYMMETRIC, round(float(row[best]), 3), label)
        doc._.kzx_relations = list(found.values())
        return doc

    def set_words(self, config: dict) -> None:
        """The word classes and patterns the features are made of (saved with a trained model: the
        weights hold only for the words they were trained with)."""
        self.words = config
        self.lexicon = Lexicon(config.get("triggers", {}))
        self.classified_by = re.compile(config.get("classified_by", "(?!)"))
        self.titles = config.get("head_of_state_titles", [])
        # a model trained before title_bodies existed has no weights for their pairs: none are made
        self.title_bodies = config.get("title_bodies")
        triggers = config.get("triggers", {})
        self.role_words = ({w for k in ("LEAD_ROLE", "STAFF_ROLE") for phrase in triggers.get(k, []) for w in phrase.split()}
                           | {"of", "for", "the", "and", "acting", "first", "senior", "general", "deputy", "vice"})

    def take_model(self, other: "Relations") -> None:
        """Uses another stage's trained model and the words it was trained with."""
        self.model = other.model
        if other.model is not None:
            self.set_words(other.words)

    def to_disk(self, path, exclude=()) -> None:
        path = ensure_path(path)
        DataStage.to_disk(self, path)
        (path / "words.json").write_text(json.dumps(self.words, ensure_ascii=False), encoding="utf-8")
        if self.model is not None:
            self.model.to_disk(path / "model")

    def from_disk(self, path, exclude=()) -> "Relations":
        path = ensure_path(path)
        DataStage.from_disk(self, path)
        if (path / "words.json").is_file():
            self.set_words(json.loads((path / "words.json").read_text(encoding="utf-8")))
        if (path / "model" / "weights.npy").is_file():
            self.model = LinearModel.from_disk(path / "model")
        return self


def other_label(a: Span, b: Span) -> str:
    """An OTHER relation's label: the content words between its two mentions (a short phrase)."""
    doc = a.doc
    words = [t.text for t in doc[a.end:b.start] if t.is_alpha and not t.is_stop]
    return " ".join(words[:4])


@Language.factory("kzx_relations", default_config={"patterns": "", "gazetteers": [], "max_pair_distance": 12,
                                                   "thresholds": {"default": 0.5}},
                  assigns=["doc._.kzx_relations"])
def make_relations(nlp: Language, name: str, patterns: str | dict, gazetteers: list | str, max_pair_distance: int,
                   thresholds: dict) -> Relations:
    return Relations(nlp, name, patterns=patterns, gazetteers=gazetteers, max_pair_distance=max_pair_distance,
                     thresholds=thresholds)
