"""Resolution: one node per real entity, and never two entities in one node."""

import csv
import json
from collections import defaultdict

import pytest

from pipeline import api
from pipeline.model import Mention
from pipeline.names.aliases import AliasTable, Overrides
from pipeline.resolve import resolve, slug

from .conftest import GOLD


@pytest.fixture(scope="module")
def table(settings):
    return api.load_resolution_tables(settings)[0]


def _m(doc, text, label="PERSON", start=0, link=""):
    return Mention(doc, start, start + len(text), text, label, link=link)


def _gold_to_ids(out):
    rows = list(csv.DictReader(open(out / "mentions.csv", encoding="utf-8")))
    predicted = {(r["doc_id"], int(r["start"]), int(r["end"])): r["entity_id"] for r in rows}
    ids = defaultdict(set)
    for line in open(GOLD, encoding="utf-8"):
        doc = json.loads(line)
        for e in doc["entities"]:
            pid = predicted.get((doc["doc_id"], e["start"], e["end"]))
            if pid and e["label"] != "DATE":
                ids[(e["label"], e["canonical"])].add(pid)
    return ids


@pytest.mark.parametrize("label, canonical", [
    ("PLACE", "Kazakhstan"), ("PLACE", "United States"), ("PLACE", "Uzbekistan"),
    ("PERSON", "Nursultan Nazarbayev"), ("AGENCY", "Committee for National Security of Kazakhstan"),
    ("AGENCY", "Ministry of Foreign Affairs of Kazakhstan"), ("AGENCY", "Government of Kazakhstan"),
    ("AGENCY", "United States Government"), ("AGENCY", "United States Department of State"),
    ("AGENCY", "United States Department of Homeland Security"), ("AGENCY", "U.S. Embassy in Astana"),
    ("AGENCY", "Central Election Commission of Kazakhstan"), ("GROUP", "Hare Krishnas"),
    ("GROUP", "Institute for War and Peace Reporting"), ("GROUP", "Refworld"), ("PLACE", "Almaty"),
    ("PLACE", "Almaty Region"), ("PLACE", "Astana"), ("PLACE", "Warsaw"), ("PLACE", "Sweden"),
    ("PERSON", "Yerkin Akhinzhanov"), ("PERSON", "Narasimha Rao"), ("PERSON", "Obidkhon Nazarov"),
    ("PERSON", "Franklin D. Roosevelt"), ("PERSON", "Vladimir Bozhko"), ("PERSON", "Andrei Chebotaryov"),
])
def test_every_spelling_of_a_sample_entity_gets_one_id(sample_run, label, canonical):
    _, out, _ = sample_run
    assert len(_gold_to_ids(out)[(label, canonical)]) == 1


def test_no_id_holds_two_gold_entities(sample_run):
    _, out, _ = sample_run
    owners = defaultdict(set)
    for key, pids in _gold_to_ids(out).items():
        for pid in pids:
            owners[pid].add(key)
    assert {pid: keys for pid, keys in owners.items() if len(keys) > 1} == {}


def test_a_place_and_its_region_stay_apart(table):
    r = resolve([_m("a", "Almaty", "PLACE"), _m("a", "Almaty Region", "PLACE", 20), _m("b", "Alma-Ata", "PLACE")], table)
    assert r.entity_ids[0] == r.entity_ids[2] == "place:almaty"
    assert r.entity_ids[1] == "place:almaty-region"


def test_a_nationality_adjective_never_joins_its_country(table):
    r = resolve([_m("a", "Uzbek", "PLACE"), _m("a", "Uzbekistan", "PLACE", 10)], table)
    assert r.entity_ids[0] != r.entity_ids[1]


def test_a_name_the_gazetteer_knows_keeps_its_label_when_a_mention_is_mistyped(table):
    r = resolve([_m("a", "Astana", "GROUP"), _m("b", "Astana", "GROUP", 10), _m("c", "Astana", "PLACE", 10),
                 _m("a", "Kazakhstan", "PLACE", 30), _m("a", "Ministry of Interior", "AGENCY", 50)], table)
    assert len({r.entity_ids[0], r.entity_ids[1], r.entity_ids[2]}) == 1
    assert r.entities[r.entity_ids[0]].label == "PLACE"
    assert len(set(r.entity_ids[2:])) == 3


def test_two_people_sharing_a_surname_in_different_documents_stay_apart(table):
    mentions = [_m("a", "Marat Seitkali"), _m("a", "Seitkali", start=30), _m("b", "Askar Seitkali"),
                _m("b", "Seitkali", start=30)]
    r = resolve(mentions, table)
    assert r.entity_ids[0] == r.entity_ids[1]
    assert r.entity_ids[2] == r.entity_ids[3]
    assert r.entity_ids[0] != r.entity_ids[2]


def test_a_surname_alone_joins_the_only_full_name_in_the_corpus(table):
    r = resolve([_m("a", "Bolat Zhamishev"), _m("b", "Zhamishev"), _m("c", "Zhamishev")], table)
    assert len(set(r.entity_ids)) == 1


def test_transliteration_variants_merge_without_any_alias_entry(table):
    r = resolve([_m("a", "Kairat Kelimbetov"), _m("b", "Kayrat Kelimbetov"), _m("c", "Кайрат Келимбетов")], table)
    assert len(set(r.entity_ids)) == 1


def test_scoped_bodies_take_the_country_of_the_document(table):
    mentions = [_m("a", "Kazakhstan", "PLACE"), _m("a", "Foreign Ministry", "AGENCY", 20),
                _m("b", "Uzbekistan", "PLACE"), _m("b", "MFA", "AGENCY", 20), _m("c", "Kazakhstani MFA", "AGENCY")]
    r = resolve(mentions, table)
    assert r.entity_ids[1] == r.entity_ids[4] == "agency:ministry-of-foreign-affairs-of-kazakhstan"
    assert r.entity_ids[3] == "agency:ministry-of-foreign-affairs-of-uzbekistan"


def test_overrides_force_forbid_and_rename(table):
    mentions = [_m("a", "Nazarov"), _m("b", "Obidkhon Nazarov"), _m("c", "Imam Obid"), _m("d", "Obidkhon Nazarov")]
    plain = resolve(mentions, table)
    assert plain.entity_ids[0] == plain.entity_ids[1] and plain.entity_ids[2] != plain.entity_ids[1]
    overrides = Overrides.from_records([{"merge": ["PERSON:Imam Obid", "PERSON:Obidkhon Nazarov"]},
                                        {"split": ["PERSON:Nazarov", "PERSON:Obidkhon Nazarov"]},
                                        {"rename": "PERSON:Obidkhon Nazarov", "to": "Obidkhon Nazarov (imam)"}])
    r = resolve(mentions, table, overrides)
    assert r.entity_ids[2] == r.entity_ids[1] == r.entity_ids[3] == "person:obidkhon-nazarov-imam"
    assert r.entity_ids[0] != r.entity_ids[1]


def test_entity_ids_are_stable_slugs():
    assert slug("PLACE", "Kazakhstan") == "place:kazakhstan"
    assert slug("PERSON", "Назарбаев") == "person:nazarbayev"
    assert slug("AGENCY", "U.S. Embassy in Astana") == "agency:u-s-embassy-in-astana"


def test_cyrillic_text_resolves_to_the_latin_entities(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "ru.txt").write_text("Президент Назарбаев заявил, что Казахстан усилит границу.\n", encoding="utf-8")
    (raw / "en.txt").write_text("President Nazarbayev said Kazakhstan will tighten its border.\n", encoding="utf-8")
    api.extract(raw, tmp_path / "out", workers=1)
    rows = list(csv.DictReader(open(tmp_path / "out" / "mentions.csv", encoding="utf-8")))
    ids = {r["text"]: r["entity_id"] for r in rows}
    assert ids["Назарбаев"] == ids["Nazarbayev"] == "person:nursultan-nazarbayev"
    assert ids["Казахстан"] == ids["Kazakhstan"] == "place:kazakhstan"


def test_alias_table_is_built_from_the_gazetteer_records():
    table = AliasTable.from_records([{"id": "Nur Otan", "label": "GROUP", "names": ["Nur Otan"], "aliases": ["Нур Отан"]}])
    assert table.lookup("GROUP", "Нур Отан")["id"] == "Nur Otan"
    assert table.lookup("AGENCY", "Нур Отан") is None


def test_a_date_is_keyed_by_its_value_and_an_unresolved_one_stays_in_its_document():
    from pipeline.model import Mention
    from pipeline.names.aliases import AliasTable, Overrides
    from pipeline.resolve import resolve

    mentions = [Mention("a.txt", 0, 5, "today", "DATE", "2009-03-02"),
                Mention("a.txt", 10, 23, "March 2, 2009", "DATE", "2009-03-02"),
                Mention("b.txt", 0, 5, "today", "DATE", "2010-01-05"),
                Mention("c.txt", 0, 9, "last week", "DATE", ""),
                Mention("d.txt", 0, 9, "last week", "DATE", "")]
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([])).entity_ids
    assert ids[0] == ids[1]  # same day, written two ways
    assert ids[0] != ids[2]  # "today" of another document is another day
    assert ids[3] != ids[4]  # no value: never joined across documents


def test_the_embassy_of_each_cable_is_its_own_node_but_a_known_body_joins_across_documents():
    from pipeline.model import Mention
    from pipeline.names.aliases import AliasTable, Overrides
    from pipeline.resolve import resolve

    mentions = [Mention("cablegate_08TASHKENT1072.txt", 0, 7, "Embassy", "AGENCY"),
                Mention("cablegate_08TASHKENT1201.txt", 0, 7, "Embassy", "AGENCY"),
                Mention("cablegate_08TASHKENT1072.txt", 20, 27, "Embassy", "AGENCY"),
                Mention("cablegate_08TASHKENT1072.txt", 30, 34, "OSCE", "AGENCY"),
                Mention("cablegate_08TASHKENT1201.txt", 30, 34, "OSCE", "AGENCY")]
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]),
                  local_heads=frozenset({"embassy"})).entity_ids
    assert ids[0] == ids[2] != ids[1]
    assert ids[3] == ids[4]


def test_a_first_name_alone_joins_the_full_name_of_its_document_only(table):
    mentions = [_m("a", "Gulnara Karimova"), _m("a", "Gulnara", start=40), _m("b", "Gulnara", start=40),
                _m("c", "Maxim Bakiyev"), _m("c", "Kurmanbek Bakiyev", start=20), _m("c", "Maxim", start=60)]
    ids = resolve(mentions, table).entity_ids
    assert ids[0] == ids[1]
    assert ids[2] != ids[0]  # another document names no Gulnara in full: it is not hers
    assert ids[5] == ids[3] != ids[4]


def test_a_first_name_shared_by_two_full_names_of_a_document_stays_apart(table):
    mentions = [_m("a", "Lola Karimova"), _m("a", "Lola Ivanova", start=20), _m("a", "Lola", start=40)]
    ids = resolve(mentions, table).entity_ids
    assert len(set(ids)) == 3


def test_an_acronym_joins_the_name_of_its_document_whose_initials_it_is():
    from pipeline.resolve import document_antecedents, initials

    assert {"GOP", "GP"} <= initials("Government of Pakistan")
    assert "ISI" in initials("Inter-Services Intelligence")
    mentions = [_m("a", "Government of Pakistan", "AGENCY"), _m("a", "GOP", "AGENCY", start=40),
                _m("b", "GOP", "AGENCY"), _m("b", "Government of Peru", "AGENCY", start=20),
                _m("b", "Grand Old Party", "GROUP", start=50),
                _m("c", "Government of Pakistan", "AGENCY"), _m("c", "Government of Panama", "AGENCY", start=30),
                _m("c", "GOP", "AGENCY", start=60)]
    links = document_antecedents(mentions)
    assert links[1] == 0 and links[2] == 3  # by label: the party is not the government
    assert 7 not in links  # two governments fit: left alone
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([])).entity_ids
    assert ids[0] == ids[1] == ids[5] and ids[2] == ids[3] != ids[0]


def test_a_bare_body_word_joins_the_one_body_of_its_document_that_holds_it():
    mentions = [_m("a", "U.S. Embassy in Dushanbe", "AGENCY"), _m("a", "Embassy", "AGENCY", start=40),
                _m("b", "Embassy", "AGENCY"), _m("b", "Russian Embassy", "AGENCY", start=20),
                _m("b", "Embassy of Iran", "AGENCY", start=40)]
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]),
                  local_heads=frozenset({"embassy"})).entity_ids
    assert ids[0] == ids[1]
    assert len({ids[2], ids[3], ids[4], ids[0]}) == 4  # two embassies in b: the bare word stays b's own


def test_a_surname_the_gazetteer_gives_the_president_joins_the_relative_the_document_names(table):
    mentions = [_m("a", "Maxim Bakiyev"), _m("a", "Bakiyev", start=30, link="Kurmanbek Bakiyev"),
                _m("b", "Bakiyev", link="Kurmanbek Bakiyev"), _m("b", "Kurmanbek Bakiyev", start=20),
                _m("c", "Maxim Bakiyev"), _m("c", "Kurmanbek Bakiyev", start=20),
                _m("c", "Bakiyev", start=40, link="Kurmanbek Bakiyev")]
    ids = resolve(mentions, table).entity_ids
    assert ids[1] == ids[0] == ids[4]
    assert ids[2] == ids[3] == ids[5] == ids[6] != ids[0]  # two Bakiyevs named: the gazetteer's reading


def test_one_name_tagged_with_two_labels_is_one_entity_of_the_voted_label():
    from pipeline.resolve import label_vote

    mentions = [_m("a", "Kifaya", "GROUP"), _m("a", "Kifaya", "GROUP", start=20), _m("b", "Kifaya", "PERSON"),
                _m("b", "Otan", "GROUP"), _m("c", "Otan", "PLACE")]
    r = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]))
    ids = r.entity_ids
    assert ids[0] == ids[1] == ids[2] and r.entities[ids[0]].label == "GROUP"
    assert ids[3] == ids[4]
    assert ("Kifaya", {"GROUP": 2, "PERSON": 1}, "GROUP") in r.label_conflicts
    assert label_vote({"PERSON": 5, "GROUP": 1}, known={"GROUP"}) == "GROUP"  # a gazetteer's label wins
    assert label_vote({"PLACE": 2, "GROUP": 2}) == "PLACE"


def test_the_alias_report_lists_label_conflicts(tmp_path):
    from typer.testing import CliRunner

    from pipeline.cli import app

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Zhanbolat Ospanov met the Minister in Astana on May 3, 2008.\n", encoding="utf-8")
    out = tmp_path / "out"
    api.extract(raw, out, workers=1, formats=("csv",))
    result = CliRunner().invoke(app, ["aliases", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "names tagged with several types" in result.output


def test_a_surname_with_its_particle_joins_the_full_name_of_its_document(table):
    mentions = [_m("a", "Muammar al-Qadhafi"), _m("a", "al-Qadhafi", start=30), _m("b", "Osama bin Laden"),
                _m("b", "bin Laden", start=30), _m("c", "Saif al-Islam al-Qadhafi"), _m("c", "Muammar al-Qadhafi", start=40),
                _m("c", "al-Qadhafi", start=80)]
    ids = resolve(mentions, table).entity_ids
    assert ids[0] == ids[1] and ids[2] == ids[3]
    assert ids[4] != ids[5] and ids[6] not in (ids[4], ids[5])  # two al-Qadhafis named: neither is chosen


def test_an_upper_case_body_word_that_is_no_acronym_of_the_name_still_joins_it():
    mentions = [_m("a", "PRT Chaghcharan", "AGENCY"), _m("a", "PRT", "AGENCY", start=40), _m("b", "PRT", "AGENCY")]
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]),
                  local_heads=frozenset({"prt"})).entity_ids
    assert ids[0] == ids[1] != ids[2]


def test_a_cables_bare_post_joins_its_own_us_mission_not_another_embassy():
    from pipeline.resolve import own_post_antecedents

    mentions = [_m("t", "AMEMBASSY TRIPOLI", "AGENCY", link="Embassy of United States in Tripoli"),
                _m("t", "Italian Embassy", "AGENCY", start=100), _m("t", "Embassy", "AGENCY", start=200),
                _m("t", "U.S. Embassy", "AGENCY", start=300),
                _m("d", "AMEMBASSY DUSHANBE", "AGENCY", link="Embassy of United States in Dushanbe"),
                _m("d", "the Embassy", "AGENCY", start=100),
                _m("n", "Embassy", "AGENCY"), _m("n", "U.S. Embassy", "AGENCY", start=30)]
    assert own_post_antecedents(mentions, [0, 1, 2, 3]) == {2: 0, 3: 0}
    assert own_post_antecedents(mentions, [6, 7]) == {}  # no post named with its place: left alone
    ids = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]),
                  local_heads=frozenset({"embassy"})).entity_ids
    assert ids[0] == ids[2] == ids[3] != ids[1]
    assert ids[4] == ids[5] != ids[0]  # each cable's "Embassy" is its own post: never one node


def test_a_bare_word_for_a_body_joins_a_name_it_heads_and_only_when_one_body_fits():
    from pipeline.resolve import document_antecedents, head_words

    assert head_words("Supreme State Security Court".split()) == {"supreme", "court"}
    assert "embassy" in head_words("U.S. Embassy in Dushanbe".split())
    heads = frozenset({"state", "ministry", "court"})
    mentions = [_m("a", "Supreme State Security Court", "AGENCY"), _m("a", "State", "AGENCY", 40),
                _m("a", "Court", "AGENCY", 60),
                _m("b", "Law Ministry", "AGENCY"), _m("b", "MOI", "AGENCY", 20, link="Ministry of Internal Affairs"),
                _m("b", "Ministry", "AGENCY", 40),
                _m("c", "Law Ministry", "AGENCY"), _m("c", "Ministry", "AGENCY", 40)]
    found = document_antecedents(mentions, heads)
    assert 1 not in found and found[2] == 0  # "State" is a modifier of the court's name, "Court" its head
    assert 5 not in found  # the Law Ministry or the MOI: either may be meant
    assert found[7] == 6


def test_a_government_acronym_names_the_government_of_the_country_the_document_is_about(table):
    from pipeline.resolve import government_acronym_country

    assert government_acronym_country("GOU", ["Kenya", "Ukraine", "Uzbekistan"]) == "Ukraine"
    assert government_acronym_country("GoU", ["Uzbekistan"]) == "Uzbekistan"
    assert government_acronym_country("GOSL", ["India", "Sri Lanka"]) == "Sri Lanka"
    assert government_acronym_country("GOU", ["United States"]) == ""  # its initials are US
    assert government_acronym_country("GOK", ["Uzbekistan"]) == ""
    # the gazetteer gives "GOU" to Uzbekistan; a cable about Ukraine means Ukraine's
    mentions = [_m("a", "Kenya", "PLACE"), _m("a", "Nairobi", "PLACE", 6), _m("a", "Kyiv", "PLACE", 14),
                _m("a", "GOU", "AGENCY", 20),
                _m("b", "Tashkent", "PLACE"), _m("b", "GOU", "AGENCY", 20), _m("c", "Government of Ukraine", "AGENCY")]
    ids = resolve(mentions, table).entity_ids
    assert ids[3] == ids[6] == "agency:government-of-ukraine"
    assert ids[5] == "agency:government-of-uzbekistan"
