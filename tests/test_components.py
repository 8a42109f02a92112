"""Each entity stage on short texts of our own."""

import pytest

from pipeline.components.acronyms import find_long_form, short_form_ok
from pipeline.components.boilerplate import Boilerplate
from pipeline.components.labels import org_class
from pipeline.config import read_json


def ents(mentions):
    return {(m.text, m.label) for m in mentions}


def test_an_agency_and_a_banned_group_in_one_sentence(parse_text):
    mentions, _ = parse_text("The Interior Ministry said police detained three members of Hizb ut-Tahrir in Shymkent.")
    assert ("Interior Ministry", "AGENCY") in ents(mentions)
    assert ("Hizb ut-Tahrir", "GROUP") in ents(mentions)
    assert ("Shymkent", "PLACE") in ents(mentions)


def test_a_state_body_takes_the_country_named_around_it(parse_text):
    mentions, _ = parse_text("The Tajik MVD and the Ministry of Justice of Kyrgyzstan met the Kazakhstani MFA. "
                             "Officials from the ministry of justice of kyrgyzstan did not attend.")
    found = {(m.text, m.label, m.link) for m in mentions}
    assert ("Tajik MVD", "AGENCY", "Ministry of Internal Affairs") in found
    assert ("Ministry of Justice of Kyrgyzstan", "AGENCY", "Ministry of Justice") in found
    assert ("Kazakhstani MFA", "AGENCY", "Ministry of Foreign Affairs") in found
    assert not any(m.text.lower().startswith("ministry of justice of") for m in mentions if m.text[0] == "m")


def test_unknown_organisations_are_typed_by_head_noun_and_context(settings):
    rules = read_json(settings.components["kzx_labels"]["rules"])
    assert org_class(["committee", "on", "religious", "affairs"], [], rules) == "AGENCY"
    assert org_class(["east", "turkestan", "liberation", "front"], [], rules) == "GROUP"
    assert org_class(["akhmad", "network"], [], rules) == "GROUP"
    assert org_class(["tabligh"], ["the", "banned", "tabligh", "was", "outlawed"], rules) == "GROUP"


def test_events_titles_and_lowercase_descriptions_are_not_entities(parse_text):
    mentions, _ = parse_text("The Prime Minister attended the Astana Economic Forum. "
                             "A spokesman for the Kazakhstan foreign ministry declined to comment.")
    texts = {m.text for m in mentions}
    assert "Astana Economic Forum" not in texts
    assert "Kazakhstan foreign ministry" not in texts
    assert ("Kazakhstan", "PLACE") in ents(mentions)


def test_nationality_adjectives_are_not_places_or_people(parse_text):
    mentions, _ = parse_text("Kazakh officials met Uzbek and Tajik border guards near the Kyrgyz frontier.")
    assert not {"Kazakh", "Uzbek", "Tajik", "Kyrgyz"} & {m.text for m in mentions}


CABLE = """VZCZCXRO1234
PP RUEHAST
DE RUEHTA #0123/01 0451133
ZNY CCCCC ZZH
P 031015Z MAR 08
FM AMEMBASSY ASTANA
TO RUEHC/SECSTATE WASHDC PRIORITY 1234
INFO RUEHTA/AMEMBASSY TASHKENT 0456

C O N F I D E N T I A L SECTION 01 OF 02 ASTANA 000123

SIPDIS

E.O. 12958: DECL: 03/02/2018
TAGS: PREL PHUM KZ UZ
SUBJECT: KNB DETAINS HIZB UT-TAHRIR MEMBERS IN PAVLODAR

Classified By: Ambassador John Ordway, reasons 1.4 (b) and (d).

1. (C) Summary: On February 28, KNB officers in Pavlodar detained four members of Hizb ut-Tahrir.

ORDWAY
"""


def test_an_upper_case_cable_header(parse_text):
    mentions, _ = parse_text(CABLE, doc_id="cable.txt")
    found = ents(mentions)
    assert ("031015Z MAR 08", "DATE") in found
    assert ("AMEMBASSY ASTANA", "AGENCY") in found
    assert ("SECSTATE WASHDC", "AGENCY") in found
    assert ("AMEMBASSY TASHKENT", "AGENCY") in found
    assert {("KZ", "PLACE"), ("UZ", "PLACE")} <= found
    assert ("HIZB UT-TAHRIR", "GROUP") in found
    assert ("PAVLODAR", "PLACE") in found
    assert ("ORDWAY", "PERSON") in found
    texts = {m.text for m in mentions}
    assert not {"RUEHAST", "RUEHC", "PREL", "PHUM", "SIPDIS", "CCCCC", "ZZH"} & texts
    values = {m.text: m.value for m in mentions}
    assert values["031015Z MAR 08"] == "2008-03-03T10:15Z"
    assert values["February 28"] == "2008-02-28"
    assert values["03/02/2018"] == "2018-03-02"
    post = [m for m in mentions if m.text == "ASTANA" and m.start > CABLE.index("SECTION")]
    assert post and post[0].boilerplate


def test_relative_dates_resolve_against_the_document_date(parse_text):
    mentions, _ = parse_text("Published: 12 March 2010\n\nOn Friday the court met. Last month it adjourned; "
                             "in June it will rule, and in November it ruled before. The following day was calm.")
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    assert values["12 March 2010"] == "2010-03-12"
    assert values["Friday"] == "2010-03-12"
    assert values["Last month"] == "2010-02"
    assert values["June"] == "2010-06"
    assert values["November"] == "2009-11"


def test_undated_documents_leave_relative_dates_empty(parse_text):
    mentions, _ = parse_text("On July 21 the ministry objected, and on Friday the embassy replied.")
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    assert values == {"July 21": "", "Friday": ""}


def test_an_undated_document_takes_its_month_from_a_dated_event_it_names(parse_text):
    mentions, relations = parse_text(
        "Officials met after last month's Andijan events. On June 2 the minister spoke; the following "
        "day he left, and in March the talks had failed.")
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    assert values == {"last month": "2005-05", "June 2": "2005-06-02", "the following day": "2005-06-03", "March": "2005-03"}


def test_two_days_of_one_month_get_a_value_each(parse_text):
    mentions, _ = parse_text("Published: 14 February 2006\n\nThe trials took place on November 24 and 27.")
    values = {m.text: m.value for m in mentions if m.label == "DATE"}
    assert values["November 24"] == "2005-11-24" and values["27"] == "2005-11-27"


def test_an_event_anniversary_does_not_date_the_document(parse_text):
    mentions, _ = parse_text("This year's 9/11 anniversary was quiet. On July 21 the ministry objected.")
    assert {m.text: m.value for m in mentions if m.label == "DATE"}.get("July 21") == ""


def test_durations_and_frequencies_are_not_dates(parse_text):
    mentions, _ = parse_text("The talks lasted two hours and the law has existed for at least seven years; "
                             "officials meet every year in September 2009.")
    dates = {m.text for m in mentions if m.label == "DATE"}
    assert dates == {"September 2009"}


@pytest.mark.parametrize("short, ok", [("KNB", True), ("CEC", True), ("J. MUDGE", False), ("a", False),
                                       ("reasons", False)])
def test_short_forms(short, ok):
    assert short_form_ok(short, 10) is ok


def test_long_form_letters_in_order():
    words = "the Central Election Committee".split()
    assert find_long_form("CEC", words) == 1
    assert find_long_form("XYZ", words) is None


def test_an_acronym_defined_once_tags_its_bare_uses(parse_text):
    mentions, _ = parse_text("The Agency for Strategic Planning and Reforms (ASPR) published data. "
                             "Later the ASPR revised it, and ASPR officials explained why.")
    aspr = [m for m in mentions if m.text == "ASPR"]
    assert len(aspr) == 3
    assert all(m.label == "AGENCY" and m.link == "Agency for Strategic Planning and Reforms" for m in aspr)


def test_boilerplate_lines_teasers_and_tails(settings):
    component = Boilerplate(None, "b", rules=settings.components["kzx_boilerplate"]["rules"])
    text = ("Last Updated: Friday, 26 May 2023\n\nThe article text about Astana.\n\n"
            "Experts commend Kazakhstan\n\nMore details\n\nRelated articles\nUzbekistan news")
    from pipeline.components.boilerplate import boilerplate_regions

    regions = boilerplate_regions(text, component.lines, component.banner, component.tail, component.teaser,
                                  component.teaser_lines)
    covered = lambda s: any(a <= text.index(s) and text.index(s) + len(s) <= b for a, b in regions)  # noqa: E731
    assert covered("Last Updated") and covered("Experts commend Kazakhstan") and covered("Uzbekistan news")
    assert not covered("The article text about Astana.")


def test_a_surname_named_in_full_once_is_a_person_throughout(parse_text):
    mentions, _ = parse_text("Deputy Minister Yerlan Karin met the delegation. Karin said the talks went well. "
                             "Later Karin left for Almaty.")
    assert [m.label for m in mentions if m.text == "Karin"] == ["PERSON", "PERSON"]


def test_a_one_word_person_used_as_a_body_is_a_group_in_its_document():
    import spacy
    from spacy.tokens import Span

    from pipeline.components.consistency import organisation_names

    doc = spacy.blank("en")("Adalat members marched. Two members of Adalat spoke at an Adalat-led rally. "
                            "Rakhimov members? No: Mr. Rakhimov met members of Rakhimov. Nazarov spoke.")
    ents = [Span(doc, t.i, t.i + 1, label="PERSON") for t in doc if t.text in ("Adalat", "Rakhimov", "Nazarov")]
    assert organisation_names(doc, ents, set()) == {"adalat"}  # "Mr. Rakhimov": a person after all
    assert organisation_names(doc, ents, {"adalat"}) == set()  # a surname of someone named in full: left alone


def test_a_name_cut_in_two_or_mistyped_after_a_role_noun_is_one_person():
    import spacy
    from spacy.tokens import Span

    from pipeline.components.consistency import person_names

    doc = spacy.blank("en")("By Marat Tulegenov. Political scientist Aigerim Sultanova met Karimov, Tashkent "
                            "officials and the city of Osh Province")
    at = {t.text: t.i for t in doc}
    ents = [Span(doc, at["Marat"], at["Marat"] + 1, label="PERSON"),
            Span(doc, at["Tulegenov"], at["Tulegenov"] + 1, label="PLACE"),
            Span(doc, at["Aigerim"], at["Sultanova"] + 1, label="PLACE"),
            Span(doc, at["Karimov"], at["Karimov"] + 1, label="PERSON"),
            Span(doc, at["Tashkent"], at["Tashkent"] + 1, label="PLACE"),
            Span(doc, at["Osh"], at["Province"] + 1, label="PLACE")]
    got = [(e.text, e.label_) for e in person_names(doc, ents)]
    assert got == [("Marat Tulegenov", "PERSON"), ("Aigerim Sultanova", "PERSON"), ("Karimov", "PERSON"),
                   ("Tashkent", "PLACE"), ("Osh Province", "PLACE")]  # a comma between: two names


def test_an_embassy_is_an_agency_linked_to_its_mission(parse_text):
    mentions, _ = parse_text("A spokesman for the U.S. embassy in Astana said the list was under review.")
    embassy = next(m for m in mentions if m.text == "U.S. embassy")
    assert embassy.label == "AGENCY" and embassy.link == "Embassy of United States in Astana"


def test_one_name_takes_one_type_in_a_document():
    import spacy
    from spacy.tokens import Span

    from pipeline.components.consistency import one_label_per_name

    doc = spacy.blank("en")("Kifaya marched. Kifaya protested. Kifaya won. Rakhimov signed. Rakhimov paid.")
    at = {t.i: t for t in doc}
    ents = [Span(doc, 0, 1, label="GROUP"), Span(doc, 3, 4, label="GROUP"), Span(doc, 6, 7, label="PERSON"),
            Span(doc, 9, 10, label="PERSON", kb_id="Rakhim Rakhimov"), Span(doc, 12, 13, label="GROUP")]
    assert at[9].text == "Rakhimov"
    out = one_label_per_name(ents)
    assert [e.label_ for e in out] == ["GROUP", "GROUP", "GROUP", "PERSON", "PERSON"]
    tie = [Span(doc, 0, 1, label="GROUP"), Span(doc, 3, 4, label="PERSON")]
    assert [e.label_ for e in one_label_per_name(tie)] == ["GROUP", "PERSON"]  # no clear majority


def test_a_longer_name_is_not_cut_to_a_known_name_inside_it(parse_text):
    mentions, _ = parse_text("Kandahar Provincial Council Chief Ahmed Wali Karzai met President Hamid Karzai.")
    found = {(m.text, m.label, m.link) for m in mentions}
    assert ("Ahmed Wali Karzai", "PERSON", "") in found, found
    assert not any(m.text == "Karzai" and m.start < 45 for m in mentions)


def test_a_web_domain_is_the_group_it_names_and_an_email_address_is_not(nlp):
    doc = nlp("The website compromat.ru and Ferghana.ru reported it; see www.eurasianet.org. "
              "Write to press@mail.ru for details.")
    groups = {(e.text, e.kb_id_) for e in doc.ents if e.label_ == "GROUP"}
    assert ("compromat.ru", "compromat.ru") in groups and ("Ferghana.ru", "ferghana.ru") in groups
    assert any(kb == "Eurasianet" for _, kb in groups)  # a known outlet by its gazetteer id
    assert not any("mail" in text for text, _ in groups)


def test_in_a_cable_the_department_alone_is_the_state_department(nlp):
    text = ("R 031250Z JUN 03\nFM AMEMBASSY TASHKENT\nTO SECSTATE WASHDC\nINFO SECDEF WASHDC\n\nSUBJECT: VISAS\n\n"
            "1. The Department should note that the Department of Energy team arrived. Dept please advise.\n")
    doc = nlp(text)
    ids = {e.text: e.kb_id_ for e in doc.ents if e.label_ == "AGENCY"}
    assert ids["Department"] == ids["Dept"] == ids["SECSTATE WASHDC"] == "United States Department of State"
    assert ids["SECDEF WASHDC"] == "United States Department of Defense"  # as SECSTATE is the Department of State
    plain = nlp("The Department should note it, a spokesman said.")
    assert all(e.kb_id_ != "United States Department of State" for e in plain.ents)  # not outside a cable


def test_a_legislators_party_tag_is_the_party_not_an_alias_of_the_legislator(nlp):
    doc = nlp("Representatives Adam Smith (D-WA) and Rep. Adrian Smith R-NE met Malik. "
              "Osama bin Laden (OBL) fled. The R-77 missile is old.")
    groups = [(e.text, e.kb_id_) for e in doc.ents if e.label_ == "GROUP"]
    assert groups == [("D", "Democratic Party (United States)"), ("R", "Republican Party (United States)")]
    assert all(e.text != "D-WA" for e in doc.ents)
    assert [e.label_ for e in doc.ents if e.text == "OBL"] == ["PERSON"]  # a real short form of a name stays


def test_a_known_name_with_a_run_of_spaces_inside_is_one_name_but_not_across_a_line_break(nlp):
    doc = nlp("The daily Nezavisimaya  Gazeta wrote it.\n"
              "He read Nezavisimaya\n\nGazeta later.")
    found = {(e.text, e.label_, e.kb_id_) for e in doc.ents}
    assert ("Nezavisimaya  Gazeta", "GROUP", "Nezavisimaya Gazeta") in found, found
    assert not any("\n" in e.text and e.kb_id_ == "Nezavisimaya Gazeta" for e in doc.ents)


def test_a_place_named_as_a_region_links_to_the_region_not_the_city_of_that_name(nlp):
    doc = nlp("Farms in Uzbekistan's Samarkand, Dzhizak and Syr Darya regions were sold.\n"
              "A plant near the Almaty region closed. He lives in Tashkent, and Osh is far.")
    links = [(e.text, e.kb_id_) for e in doc.ents if e.label_ == "PLACE"]
    assert ("Samarkand", "Samarkand Region") in links and ("Dzhizak", "Jizzakh Region") in links, links
    assert ("Syr Darya", "Syrdarya Region") in links and ("Almaty", "Almaty Region") in links, links
    assert ("Tashkent", "Tashkent") in links and ("Osh", "Osh") in links, links  # a list without "regions"


def test_two_names_of_one_body_joined_by_a_slash_are_one_name(nlp):
    doc = nlp("Turkey wants action against PKK/Kongra-Gel in Iraq. The PKK and Kongra-Gel differ.")
    groups = [(e.text, e.kb_id_) for e in doc.ents if e.label_ == "GROUP"]
    assert groups[0] == ("PKK/Kongra-Gel", "Kurdistan Workers' Party"), groups
    assert ("PKK", "Kurdistan Workers' Party") in groups[1:] and ("Kongra-Gel", "Kurdistan Workers' Party") in groups[1:]


def test_a_name_written_with_a_noun_for_a_kind_of_group_is_a_group():
    import spacy

    from pipeline.components.consistency import named_as_groups

    nlp = spacy.blank("en")
    text = ('The daily Kommersant and newspaper "Vremya" quoted the Ozodlik website, the Ata-Meken party and '
            'official news agency Kabar. A Tashkent newspaper and the agency Rosstat did not, nor did Hasan.')
    doc = nlp(text)
    marked = [("Kommersant", "PERSON", ""), ("Vremya", "PERSON", ""), ("Ozodlik", "PLACE", ""),
              ("Ata-Meken", "PERSON", ""), ("Kabar", "PLACE", ""), ("Tashkent", "PLACE", "Tashkent"),
              ("Rosstat", "AGENCY", ""), ("Hasan", "PERSON", "")]
    ents = []
    for name, label, kb in marked:
        start = text.index(name)
        ents.append(doc.char_span(start, start + len(name), label=label, kb_id=kb))
    got = {e.text: e.label_ for e in named_as_groups(doc, ents)}
    assert got == {"Kommersant": "GROUP", "Vremya": "GROUP", "Ozodlik": "GROUP", "Ata-Meken": "GROUP",
                   "Kabar": "GROUP", "Tashkent": "PLACE", "Rosstat": "AGENCY", "Hasan": "PERSON"}, got


def test_cable_jargon_for_roles_treaties_and_forms_is_not_an_entity(nlp):
    doc = nlp("The RSO and two FSN guards briefed CODEL Smith on the NPT review, UNSCR 1540 and the "
              "CRBA backlog before the TDY ended. The Ministry of Foreign Affairs was not told.")
    texts = {e.text for e in doc.ents}
    assert not texts & {"RSO", "FSN", "CODEL", "NPT", "UNSCR", "CRBA", "TDY"}, texts
    assert "Ministry of Foreign Affairs" in texts


def test_the_gazetteer_matches_over_a_doc_without_the_spaces_inside_a_line():
    import spacy

    from pipeline.components.gazetteer import without_inner_spaces

    nlp = spacy.blank("en")
    doc = nlp("Ministry of   Foreign Affairs\n\nNext  line")
    view, index = without_inner_spaces(doc)
    assert [t.text for t in view] == ["Ministry", "of", "Foreign", "Affairs", "\n\n", "Next", "line"]
    assert [doc[i].text for i in index] == [t.text for t in view]
    plain = nlp("No double spaces here.")
    assert without_inner_spaces(plain) == (plain, None)
    empty = nlp("")
    assert without_inner_spaces(empty) == (empty, None)
