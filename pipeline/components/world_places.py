"""World places stage: the countries, capitals, first-level subdivisions and larger cities of
configs/gazetteers/world_places.jsonl (generated from GeoNames and ISO 3166 by
pipeline/names/world_places.py), below every other stage in authority.

Runs after the hand-written gazetteer. A world place name becomes a PLACE where no entity is, turns
a GROUP whose whole span is that name into the PLACE (a city or a state the NER typed as a body), and
links an unlinked PLACE of exactly that name to its record. It never touches a PERSON (many surnames
are towns too), an AGENCY (a bare city in a cable's addressee list is its embassy), a linked gazetteer
entity, or a longer name that holds it ("AMCONSUL ST PETERSBURG"). Matching and case rules are the
gazetteer's.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from . import DataStage, guarded
from .gazetteer import _case_fits, load_records, region_index, regions_named, without_inner_spaces

RELABELLED = ("GROUP", "PLACE")


class WorldPlaces(DataStage):
    """Adds world place names to doc.ents where nothing else is."""

    DATA = ("patterns",)

    def setup(self, nlp: Language, patterns: list | str) -> None:
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.entries: dict[str, tuple[str, list[str]]] = {}
        records = load_records(patterns if isinstance(patterns, list) else [patterns]) if patterns else []
        self.region_of = region_index(records)
        items = [(n, r["id"]) for r in records for n in r["names"]]
        for (text, place_id), pattern in zip(items, nlp.tokenizer.pipe(t for t, _ in items)):
            key = f"{place_id}|{text}"
            self.entries[key] = (place_id, [t.text for t in pattern])
            self.matcher.add(key, [pattern])

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        view, index = without_inner_spaces(doc)
        found = []
        for key, start, end in self.matcher(view):
            place_id, words = self.entries[self.nlp.vocab.strings[key]]
            span = view[start:end]
            # a short upper-case word in mixed-case text is an acronym ("EMIN"), not the town
            if _case_fits(words, span) and not (len(span) == 1 and span.text.isupper() and len(span.text) <= 5):
                if index is not None:
                    start, end = index[start], index[end - 1] + 1
                found.append(Span(doc, start, end, label="PLACE", kb_id=place_id))
        if not found:
            return doc
        ents = list(doc.ents)
        at = {i: k for k, e in enumerate(ents) for i in range(e.start, e.end)}
        taken: set[int] = set()
        for place in sorted(found, key=lambda s: (s.start, -len(s))):
            if any(i in taken for i in range(place.start, place.end)):
                continue
            hit = {at[i] for i in range(place.start, place.end) if i in at}
            if not hit:
                ents.append(place)
            elif len(hit) == 1:
                k = hit.pop()
                e = ents[k]
                if (e.start, e.end) != (place.start, place.end) or e.label_ not in RELABELLED or e.kb_id_:
                    continue
                ents[k] = place
            else:
                continue
            taken.update(range(place.start, place.end))
        doc.ents = regions_named(sorted(ents, key=lambda s: s.start), self.region_of)
        return doc


@Language.factory("kzx_world_places", default_config={"patterns": ""}, assigns=["doc.ents"])
def make_world_places(nlp: Language, name: str, patterns: list | str) -> WorldPlaces:
    return WorldPlaces(nlp, name, patterns=patterns)
