"""Each relation pattern on short sentences of our own."""

import pytest

from pipeline.graph import cooccurrences


def typed(parse_text, text, meta=None):
    mentions, relations = parse_text(text, meta)
    at = {(m.start, m.end): m.text for m in mentions}
    return {(at[(r.head_start, r.head_end)], r.type, at[(r.tail_start, r.tail_end)])
            for r in relations if r.type != "CO_OCCURS"}


@pytest.mark.parametrize("text, expected", [
    ("The delegation met Marat Tazhin, chairman of the Security Council, in March.",
     ("Marat Tazhin", "LEADS", "Security Council")),
    ("Interior Ministry spokesman Baurzhan Abdrakhmanov denied the report.",
     ("Baurzhan Abdrakhmanov", "AFFILIATED_WITH", "Interior Ministry")),
    ("Askar Umarov, an official of the Ministry of Justice, confirmed the figures.",
     ("Askar Umarov", "AFFILIATED_WITH", "Ministry of Justice")),
    ("Dilshod Rakhimov, a member of Hizb ut-Tahrir, was arrested.",
     ("Dilshod Rakhimov", "MEMBER_OF", "Hizb ut-Tahrir")),
    ("The OSCE office in Bishkek published the statement.", ("OSCE", "LOCATED_IN", "Bishkek")),
    ("The Government of Kazakhstan signed an agreement with the Government of Uzbekistan on water.",
     ("Government of Kazakhstan", "COOPERATES_WITH", "Government of Uzbekistan")),
    ("The KNB detained Erzhan Kabdulov on Friday.", ("KNB", "ACTION_AGAINST", "Erzhan Kabdulov")),
    ("Foreign Minister Erlan Idrissov met with Sergey Lavrov in Moscow.",
     ("Erlan Idrissov", "MET_WITH", "Sergey Lavrov")),
    ("Zamira Sydykova is an independent journalist in Bishkek.", ("Zamira Sydykova", "LOCATED_IN", "Bishkek")),
    ("The Mazhilis Speaker met with UNHCR (Aidar Tokhtarov) representatives.",
     ("Aidar Tokhtarov", "AFFILIATED_WITH", "UNHCR")),
])
def test_pattern(parse_text, text, expected):
    found = typed(parse_text, text)
    assert expected in found or (expected[2], expected[1], expected[0]) in found, found


def test_a_head_of_state_leads_the_country_he_serves(parse_text):
    found = typed(parse_text, "Kazakhstan and Russia met. President Putin praised the talks in Astana.")
    assert ("Putin", "LEADS", "Russia") in found


def test_a_deputy_prime_minister_leads_no_country(parse_text):
    found = typed(parse_text, "Uzbekistan is large. Deputy Prime Minister Rustam Azimov spoke.")
    assert not {r for r in found if r[1] == "LEADS"}


def test_a_spokesman_without_a_body_speaks_for_the_agency_named_before(parse_text):
    found = typed(parse_text, "The Ministry of Defense issued a denial. Spokesman Ruslan Mukhtarov said it was false.")
    assert ("Ruslan Mukhtarov", "AFFILIATED_WITH", "Ministry of Defense") in found


def test_a_damaged_relationship_is_not_cooperation(parse_text):
    found = typed(parse_text, "Pressure could damage the relationship between the United States and Kazakhstan.")
    assert not {r for r in found if r[1] == "COOPERATES_WITH"}


def test_cooccurrence_pairs_sentence_neighbours_and_takes_the_sentence_date(parse_text):
    mentions, relations = parse_text("Uzbekistan and Tajikistan share a border. In May 2005 Uzbekistan closed "
                                     "it, and Uzbekistan, Kyrgyzstan and Kazakhstan met.", {"date": "2005-06-01"})
    assert not [r for r in relations if r.type == "CO_OCCURS"]  # derived from the mentions, not stored
    pairs = [(r.head_start, r.tail_start, r.date, r.directed) for r in cooccurrences(mentions, "2005-06-01", 2)]
    at = {m.start: m.text for m in mentions}
    named = {(at[h], at[t], date) for h, t, date, directed in pairs if not directed}
    assert ("Uzbekistan", "Tajikistan", "2005-06-01") in named
    assert ("May 2005", "Uzbekistan", "2005-05") in named and ("Kyrgyzstan", "Kazakhstan", "2005-05") in named
    assert ("Uzbekistan", "Uzbekistan", "2005-05") not in named  # same surface form
    assert ("May 2005", "Kyrgyzstan", "2005-05") not in named  # three mentions apart, window 2
    assert len(pairs) == 7  # 1 + 6: the same pair of surface forms counts per mention pair


def test_boilerplate_mentions_form_no_cooccurrence():
    from pipeline.model import Mention

    a = Mention("d", 0, 5, "Almaty", "PLACE", sent_start=0, sent_end=30)
    b = Mention("d", 10, 15, "Astana", "PLACE", sent_start=0, sent_end=30, boilerplate=True)
    c = Mention("d", 20, 25, "KNB", "AGENCY", sent_start=0, sent_end=30)
    assert [(r.head_start, r.tail_start) for r in cooccurrences([a, b, c])] == [(0, 20)]
