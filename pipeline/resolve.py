"""Resolution stage: mentions -> entities, by alias tables, transliteration keys and overrides.

Near-linear: every mention gets a key (label + transliteration key of its canonical or surface
name); keys are then joined by surname (a one-word person name joins the only full name with that
surname, in its document first, else in the corpus), by fuzzy match inside blocks that share label,
token count and the first letters, and by user overrides. One name tagged with several labels is
one entity of the label its mentions vote for (a gazetteer's label first), and the conflict is
reported; two different gazetteer entities are never merged. Entity ids are slugs of label and canonical name,
stable across runs.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from .model import Entity, Mention
from .names.aliases import AliasTable, Overrides, parse_ref
from .names.translit import NAME_PARTICLES, ascii_fold, match_key, to_latin

_DETERMINER = re.compile(r"^(?:the|a|an)\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")


def clean_surface(text: str) -> str:
    """A mention's name without determiner, possessive and extra whitespace."""
    text = " ".join(text.split())
    text = _DETERMINER.sub("", text)
    return _POSSESSIVE.sub("", text).strip() or text


def slug(label: str, name: str) -> str:
    """Stable entity id: 'place:kazakhstan', 'agency:ministry-of-foreign-affairs-of-kazakhstan';
    letters of scripts without a romanization here stay as they are ('person:习近平')."""
    s = re.sub(r"[\W_]+", "-", ascii_fold(to_latin(name)).lower()).strip("-")
    return f"{label.lower()}:{s or 'x'}"


_SMALL_WORDS = {"of", "and", "the", "for", "in", "on", "at", "to", "all", "new"}


def display_name(text: str) -> str:
    """Upper-case cable spellings shown title-cased ('NAZAROV' -> 'Nazarov', 'ALL SOUTH AND CENTRAL
    ASIA COLLECTIVE' -> 'All South and Central Asia Collective'); short acronyms stay."""
    words = text.split()
    if not text.isupper() or (len(words) == 1 and (len(text) <= 4 or "/" in text)):
        return text
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if low in _SMALL_WORDS:
            out.append(low if i else w.title())
        else:
            out.append(w if len(w) <= 3 else w.title())
    return " ".join(out)


@dataclass
class _Key:
    label: str
    key: str
    canonical: str = ""
    record: dict | None = None
    surfaces: Counter = field(default_factory=Counter)
    docs: set = field(default_factory=set)


class _Union:
    def __init__(self):
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b, members: dict, forbidden: set) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        if forbidden and any((x[:2], y[:2]) in forbidden for x in members[ra] for y in members[rb]):
            return
        self.parent[rb] = ra
        members[ra] |= members.pop(rb)

    def make_root(self, x, members: dict) -> None:
        """x becomes the root of its group (the key the group's entity takes its label from)."""
        root = self.find(x)
        if root != x:
            members[x] = members.pop(root)
            self.parent[root] = self.parent[x] = x


@dataclass
class Resolution:
    """Entity id of every mention (same order) and the entities by id."""

    entity_ids: list[str]
    entities: dict[str, Entity]
    near_misses: list[tuple[str, str, float]] = field(default_factory=list)
    # names tagged with more than one label: (name, mentions by label, the label the entity got)
    label_conflicts: list[tuple[str, dict[str, int], str]] = field(default_factory=list)


def _main_countries(mentions: list[Mention], table: AliasTable, outside: set[str]) -> dict[str, tuple[str, ...]]:
    """The countries a document is about, the main one first: its countries and the countries of its
    cities and regions, counted, most named first; `outside` countries (the reporting state's own) come
    first only when nothing else is named."""
    counts: dict[str, Counter] = defaultdict(Counter)
    country_of: dict[str, str] = {}
    for m in mentions:
        if m.label == "PLACE" and not m.boilerplate:
            country = country_of.get(m.text)
            if country is None:
                rec = table.lookup("PLACE", clean_surface(m.text))
                country = country_of[m.text] = table.country_of_place.get(rec["id"], "") if rec else ""
            if country:
                counts[m.doc_id][country] += 1
    ranked = {}
    for doc, c in counts.items():
        order = sorted(c, key=lambda k: (k not in outside, c[k], k), reverse=True)
        ranked[doc] = tuple(order)
    return ranked


def local_document(m: Mention, local_heads: frozenset[str]) -> str:
    """The document a mention is bound to, or "": a date kzx could not resolve ("today" of five cables
    is five days), a bare word for a body without a gazetteer link ("the Embassy": the document's own)."""
    if m.label == "DATE":
        return "" if m.value else m.doc_id
    if not m.link and m.label in ("AGENCY", "GROUP") and clean_surface(m.text).lower() in local_heads:
        return m.doc_id
    return ""


_NAME_WORD = re.compile(r"[^\W\d_][\w'’.]*")
_FUNCTION_WORDS = {"of", "the", "for", "and", "in", "on", "to", "at", "de", "du", "des", "la", "le", "al", "el"}


def initials(name: str) -> set[str]:
    """The acronyms a name may be shortened to: the first letters of its words, with and without the
    function words, hyphenated parts counted apart or not ("Government of Pakistan": GOP, GP;
    "Inter-Services Intelligence": ISI, II)."""
    out = set()
    for text in (name, name.replace("-", " ")):
        words = _NAME_WORD.findall(text)
        out.add("".join(w[0] for w in words).upper())
        out.add("".join(w[0] for w in words if w.lower() not in _FUNCTION_WORDS).upper())
    return {a for a in out if len(a) >= 2}


_GOVERNMENT_ACRONYM = re.compile(r"G[Oo][A-Z]{1,3}")


def government_acronym_country(acronym: str, countries) -> str:
    """The country a cable's "GO<initials>" acronym names in a document about `countries` (most named
    first), or "": "GOU" is the Government of Uganda, Ukraine or Uzbekistan, whichever the document
    names most ("GOSL": Sri Lanka). Only a country whose government's initials it is ("GOU" is not the
    United States')."""
    acronym = acronym.strip()
    if not _GOVERNMENT_ACRONYM.fullmatch(acronym):
        return ""
    return next((c for c in countries if acronym.upper() in initials(f"Government of {c}")), "")


# a US mission named with its place ("AMEMBASSY TRIPOLI", "U.S. Embassy in Astana", "Embassy of United
# States in Tashkent") and the bare words a cable uses for its own post ("the Embassy", "U.S. Embassy")
_US_MISSION = re.compile(r"(?i)^(?:am(?:embassy|consul)\b|usmission\b|(?:u\.?\s?s\.?|united states|american)\s+"
                         r"(?:embassy|consulate(?: general)?|mission)\s+(?:in|to)\s+\S|(?:embassy|consulate(?: general)?|"
                         r"mission) of (?:the )?united states (?:of america )?(?:in|to)\s+\S)")
_OWN_POST = {"embassy", "u.s. embassy", "us embassy", "u.s embassy", "american embassy", "u.s. mission", "us mission",
             "embassy of united states", "embassy of the united states", "usembassy"}


def own_post_antecedents(mentions: list[Mention], idx: list[int]) -> dict[int, int]:
    """In one document (indexes `idx`, in text order): the bare name of a US post ("the Embassy",
    "U.S. Embassy") -> the first US mission the document names with its place (a cable's sender, on
    its FM line). Without such a mission the bare name stays as it is."""
    target = next((j for j in idx if mentions[j].label == "AGENCY"
                   and (_US_MISSION.match(clean_surface(mentions[j].text)) or _US_MISSION.match(mentions[j].link))), None)
    if target is None:
        return {}
    return {i: target for i in idx if mentions[i].label == "AGENCY" and i != target
            and clean_surface(mentions[i].text).lower() in _OWN_POST}


_PREPOSITIONS = frozenset({"of", "in", "for", "at", "on", "to"})


def head_words(words: list[str]) -> set[str]:
    """The words of a name a bare word for a body can stand for, lower case: its first and last words
    and a word before a preposition ("Embassy" of "U.S. Embassy in Dushanbe", "Ministry" of "Law
    Ministry", "PRT" of "PRT Herat"), not a modifier inside ("State" of "Supreme State Security
    Court")."""
    lower = [w.lower() for w in words]
    heads = {lower[0], lower[-1]} if lower else set()
    heads |= {w for w, nxt in zip(lower, lower[1:]) if nxt in _PREPOSITIONS}
    return heads - _PREPOSITIONS


def document_antecedents(mentions: list[Mention], local_heads: frozenset[str] = frozenset()) -> dict[int, int]:
    """Light coreference inside each document: index of a short mention -> index of the one full name
    of its label the document gives for it. A first name used alone joins the one full name that
    starts with it (a surname alone is left to the surname rule); an acronym joins the one name whose
    initials it is ("GOP" -> "Government of Pakistan", "ISI", "FATA"); a bare word for a body joins
    the one name of that label holding it ("the Embassy" -> "U.S. Embassy in Dushanbe", "PRT" ->
    "PRT Chaghcharan"), and a US post's bare name the first US mission named with its place
    (own_post_antecedents). A surname the gazetteer links to one person joins the other full name with that
    surname when that is the only one the document gives ("Maxim Bakiyev ... Bakiyev"). Dates and
    anything ambiguous stay as they are."""
    by_doc: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(mentions):
        if m.label != "DATE":
            by_doc[m.doc_id].append(i)
    out = {}
    for idx in by_doc.values():
        idx.sort(key=lambda i: mentions[i].start)
        own_post = own_post_antecedents(mentions, idx)
        out.update(own_post)
        full: dict[str, dict[str, int]] = defaultdict(dict)  # label -> name key -> first mention
        words_of = {}
        for i in idx:
            words = clean_surface(mentions[i].text).split()
            words_of[i] = words
            if len(words) >= 2:
                full[mentions[i].label].setdefault(match_key(" ".join(words)), i)
        if not full:
            continue
        for i in idx:
            m, words = mentions[i], words_of[i]
            if len(words) != 1 or not full.get(m.label) or i in own_post:
                continue
            word = words[0]
            names = full[m.label]
            found = []
            if m.link:
                # a surname the gazetteer gives one person ("Bakiyev": the president) belongs to another
                # full name with it that the document gives, when it gives only that one
                key = match_key(word)
                found = [j for j in names.values() if m.label == "PERSON" and match_key(words_of[j][-1]) == key]
                if len(found) == 1 and mentions[found[0]].link != m.link \
                        and match_key(clean_surface(mentions[found[0]].text)) != match_key(m.link):
                    out[i] = found[0]
                continue
            if m.label == "PERSON":
                key = match_key(word)
                if any(match_key(words_of[j][-1]) == key for j in names.values()):
                    continue  # a surname: the surname rule joins it
                found = [j for j in names.values() if match_key(words_of[j][0]) == key]
            else:
                if word.isupper() and 2 <= len(word) <= 6:
                    found = [j for j in names.values() if word in initials(clean_surface(mentions[j].text))]
                if not found and word.lower() in local_heads:  # "the Embassy", "PRT"
                    found = [j for j in names.values() if word.lower() in head_words(words_of[j])]
                    # "the Ministry" beside "Law Ministry" and "MOI" (Ministry of Interior): two bodies
                    # it may stand for, so it joins neither
                    named = {match_key(mentions[j].link or clean_surface(mentions[j].text)) for j in found}
                    if found and any(match_key(mentions[j].link) not in named for j in idx
                                     if j != i and mentions[j].label == m.label and mentions[j].link
                                     and word.lower() in head_words(clean_surface(mentions[j].link).split())):
                        found = []
            if len(found) == 1:
                out[i] = found[0]
    return out


def mention_key(m: Mention, table: AliasTable, countries: tuple[str, ...], local: str = "") -> tuple[str, str, dict | None]:
    """(key, canonical, record) of one mention, before any joining; `countries` are its document's,
    the main one first (_main_countries); `local` is the document a mention is bound to (local_document)."""
    if m.label == "DATE":
        if not local:  # a date is keyed by its value: "today" and "March 3, 2009" of one day are one node
            return f"date {m.value}", m.value, None
        canonical = f"{clean_surface(m.text).lower()} [{local}]"
        return f"date {canonical}", canonical, None
    key, canonical, rec = _name_key(m, table, countries)
    if local and rec is None:  # the document's own body: named after the word and the document
        return f"{key} [{local}]", f"{display_name(clean_surface(m.text))} [{local}]", None
    return key, canonical, rec


def _name_key(m: Mention, table: AliasTable, countries: tuple[str, ...]) -> tuple[str, str, dict | None]:
    surface = clean_surface(m.text)
    main_country = countries[0] if countries else ""
    if m.label == "AGENCY" and (country := government_acronym_country(surface, countries)):
        name = f"Government of {country}"  # "GOU" in a Kyiv cable
        rec = table.lookup("AGENCY", name)
        canonical = rec["id"] if rec else name
        return match_key(canonical), canonical, rec
    country, generic = table.scoped_country(surface)
    rec = (table.by_id.get((m.label, m.link)) or (table.lookup(m.label, m.link) if m.link else None)
           or table.lookup(m.label, surface) or (table.lookup(m.label, generic) if country else None))
    if rec is None and m.link:
        surface = clean_surface(m.link)
        country, generic = table.scoped_country(surface)
        rec = table.lookup(m.label, surface) or (table.lookup(m.label, generic) if country else None)
        if rec is None:
            return match_key(surface), display_name(surface), None
    if rec is None:
        return match_key(surface), "", None
    canonical = rec["id"]
    if rec.get("scope") == "country":
        country = country or main_country
        canonical = f"{rec['id']} of {country}" if country else rec["id"]
    return match_key(canonical), canonical, rec


def keyed_mentions(mentions: list[Mention], table: AliasTable, outside_countries: tuple[str, ...] = ("United States",),
                   local_heads: frozenset[str] = frozenset(), seen: dict | None = None) -> list[tuple]:
    """(key, canonical, record, surface) of every mention, before any joining: all a document's own
    text decides. The key is (label, name key), or (label, name key, doc_id) for a bare surname (read in
    its own document first). `seen` caches settings across calls (the same surface in the same setting
    keys the same way)."""
    main = _main_countries(mentions, table, set(outside_countries))
    antecedents = document_antecedents(mentions, local_heads)
    seen = {} if seen is None else seen
    out = []
    for i, m in enumerate(mentions):
        named = mentions[antecedents[i]] if i in antecedents else m  # keyed as the name it stands for
        local = local_document(named, local_heads)
        known = seen.get(setting := (m.label, named.text, named.link, m.value, main.get(m.doc_id, ()), local))
        if known is None:
            key, canonical, rec = mention_key(named, table, setting[4], local)
            known = seen[setting] = ((m.label, key), canonical, rec, _surname_only(m.label, key, rec))
        k, canonical, rec, bare = known
        if bare:
            k = (*k, m.doc_id)  # a bare surname is read in its own document first
        out.append((k, canonical, rec, clean_surface(m.text)))
    return out


def resolve(mentions: list[Mention], table: AliasTable, overrides: Overrides | None = None,
            threshold: float = 92, outside_countries: tuple[str, ...] = ("United States",),
            local_heads: frozenset[str] = frozenset()) -> Resolution:
    """Groups mentions into entities; see the module docstring for the rules."""
    overrides = overrides or Overrides()
    keys: dict[tuple, _Key] = {}
    mention_keys = []
    for m, (k, canonical, rec, surface) in zip(mentions, keyed_mentions(mentions, table, outside_countries,
                                                                        local_heads)):
        entry = keys.get(k)
        if entry is None:
            entry = keys[k] = _Key(m.label, k[1], canonical, rec)
        entry.surfaces[surface] += 1
        entry.docs.add(m.doc_id)
        mention_keys.append(k)

    union = _Union()
    members = {k: {k} for k in keys}
    forbidden = set()
    for a, b in overrides.splits:
        forbidden |= {(parse_ref(a), parse_ref(b)), (parse_ref(b), parse_ref(a))}
    _join_surnames(keys, union, members, forbidden)
    near = _join_fuzzy(keys, union, members, forbidden, threshold)
    conflicts = _one_label_per_name(keys, union, members, forbidden)
    for group in overrides.merges:
        refs = [parse_ref(r) for r in group]
        known = [r for r in refs if r in keys]
        for r in known[1:]:
            union.union(known[0], r, members, forbidden)

    entities: dict[str, Entity] = {}
    root_id: dict = {}
    for root, group in members.items():
        entries = [keys[k] for k in group]
        canonical, record = _canonical(entries)
        label = keys[root].label  # the root's: _one_label_per_name puts the winning label's key there
        rename = next((to for ref, to in overrides.renames.items()
                       if parse_ref(ref) in group), None)
        canonical = rename or canonical
        eid = slug(label, canonical)
        entity = entities.setdefault(eid, Entity(eid, label, canonical, wikidata=(record or {}).get("wikidata", "")))
        for e in entries:
            for surface, n in e.surfaces.items():
                entity.aliases[surface] = entity.aliases.get(surface, 0) + n
        root_id[root] = eid
    id_of = {k: root_id[union.find(k)] for k in keys}
    for k, e in keys.items():
        entity = entities[id_of[k]]
        entity.mentions += sum(e.surfaces.values())
        entity.documents |= e.docs
    return Resolution([id_of[k] for k in mention_keys], entities, near, conflicts)


def label_vote(votes: dict[str, int], known: set[str] = frozenset()) -> str:
    """The one label of a name tagged with several: a gazetteer's label if one knows it, else the label
    of most mentions (ties: most labels are people, then places, bodies, groups)."""
    order = ("PERSON", "PLACE", "AGENCY", "GROUP")
    pool = [label for label in votes if label in known] or list(votes)
    return max(pool, key=lambda label: (votes[label], -order.index(label) if label in order else -len(order)))


def _one_label_per_name(keys: dict, union: _Union, members: dict, forbidden: set) -> list:
    """One entity, one type: the keys of one name under different labels (not dates, not names read
    in one document only) join under the label label_vote picks; returns the conflicts, for review."""
    by_name: dict[str, list] = defaultdict(list)
    for k, e in keys.items():
        if len(k) == 2 and e.label != "DATE" and not e.key.endswith("]"):
            by_name[e.key].append(k)
    conflicts = []
    for name, ks in by_name.items():
        if len({keys[k].label for k in ks}) < 2:
            continue
        votes: Counter = Counter()
        for root in {union.find(k) for k in ks}:  # a group's mentions of its own label, once
            label = keys[root].label
            votes[label] += sum(sum(keys[x].surfaces.values()) for x in members[root] if keys[x].label == label)
        known = {keys[k].label for k in ks if keys[k].record is not None}
        label = label_vote(dict(votes), known)
        # the label may be that of a group one of the keys joined earlier (under another name), none of its own
        winner = next((k for k in ks if keys[k].label == label), None) \
            or next(union.find(k) for k in ks if keys[union.find(k)].label == label)
        if keys[union.find(winner)].label != label:  # the group's root must carry the entity's label
            union.make_root(winner, members)
        for k in ks:
            if keys[k].label != label:
                union.union(union.find(winner), k, members, forbidden)
        surface = max((s for k in ks for s in keys[k].surfaces), key=lambda s: (len(s), s))
        conflicts.append((surface, dict(votes), label))
    return sorted(conflicts, key=lambda c: -sum(c[1].values()))


def _canonical(entries: list[_Key]) -> tuple[str, dict | None]:
    """A group's name: its gazetteer canonical if any, else its fullest, most frequent surface."""
    named = Counter()
    for e in entries:
        if e.canonical:
            named[e.canonical] += sum(e.surfaces.values())
    if named:
        best = named.most_common(1)[0][0]
        return best, next((e.record for e in entries if e.canonical == best), None)
    surfaces = Counter()
    for e in entries:
        surfaces.update(e.surfaces)
    return display_name(best_surface(surfaces)), None


def best_surface(surfaces: Counter) -> str:
    """The fullest, most frequent surface form: most words, not all capitals, most mentions."""
    return max(surfaces, key=lambda s: (len(s.split()), not s.isupper(), surfaces[s], s))


def _review_name(e: _Key) -> str:
    surface = e.surfaces.most_common(1)[0][0] if e.surfaces else e.key
    return f"{e.label}:{e.canonical or surface}"


def _surname_only(label: str, key: str, record: dict | None) -> bool:
    """A person named by surname alone (with its particle: "al-Qadhafi", "bin Laden"), or by initial
    and surname."""
    words = key.split()
    return label == "PERSON" and record is None and bool(words) and (
        len(words) == 1 or len(words[0]) == 1 or (len(words) == 2 and words[0] in NAME_PARTICLES))


def _join_surnames(keys: dict, union: _Union, members: dict, forbidden: set) -> None:
    """A bare surname joins the one full name with that surname in its document; failing that, the
    only one in the corpus; failing that, the same bare surname in other documents."""
    full_by_surname: dict[str, list] = defaultdict(list)
    for k, e in keys.items():
        if e.label == "PERSON" and len(k) == 2 and len(e.key.split()) >= 2 and len(e.key.split()[0]) > 1:
            full_by_surname[e.key.split()[-1]].append(k)
    for k, e in list(keys.items()):
        if len(k) != 3:
            continue
        candidates = full_by_surname.get(e.key.split()[-1], [])
        local = [c for c in candidates if keys[c].docs & e.docs]
        chosen = local or candidates
        if len(chosen) == 1:
            union.union(chosen[0], k, members, forbidden)
        else:
            shared = (e.label, e.key)
            if shared not in keys:
                keys[shared] = _Key(e.label, e.key)
                members[shared] = {shared}
            union.union(shared, k, members, forbidden)


def _join_fuzzy(keys: dict, union: _Union, members: dict, forbidden: set, threshold: float) -> list:
    """Merges keys whose every word is near-identical (rapidfuzz ratio), within blocks of one label,
    token count and first letters of the first and last words; returns the closest pairs left
    apart, for review. Bare surnames are left to the surname rule."""
    blocks: dict[tuple, list] = defaultdict(list)
    for k, e in keys.items():
        if e.label != "DATE" and len(e.key) >= 5 and len(k) == 2 and not e.key.endswith("]"):  # not doc-local
            words = e.key.split()
            blocks[(e.label, len(words), words[0][:2], words[-1][:2])].append(k)
    near = []
    for block in blocks.values():
        if len(block) < 2:
            continue
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                ea, eb = keys[a], keys[b]
                score = min(fuzz.ratio(a_word, b_word) for a_word, b_word in zip(ea.key.split(), eb.key.split()))
                distinct_records = ea.record and eb.record and ea.canonical != eb.canonical
                if score >= threshold and not distinct_records:
                    union.union(a, b, members, forbidden)
                elif score >= threshold - 20:
                    near.append((_review_name(ea), _review_name(eb), score))
    return sorted(near, key=lambda x: -x[2])
