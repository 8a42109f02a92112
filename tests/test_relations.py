"""The relation stage: its pure parts, its saved model, and the shipped classifier on sentences of our own."""

import pytest

from pipeline.graph import cooccurrences


def typed(parse_text, text, meta=None):
    mentions, relations = parse_text(text, meta)
    at = {(m.start, m.end): m.text for m in mentions}
    return {(at[(r.head_start, r.head_end)], r.type, at[(r.tail_start, r.tail_end)])
            for r in relations if r.type != "CO_OCCURS"}


def test_classes_keep_direction_for_directed_types_only():
    from pipeline.components.relations import class_of, type_of

    assert class_of("LEADS", True) == "LEADS>" and type_of("LEADS>") == ("LEADS", True)
    assert class_of("LEADS", False) == "LEADS<" and type_of("LEADS<") == ("LEADS", False)
    assert class_of("MET_WITH", False) == "MET_WITH" and type_of("MET_WITH") == ("MET_WITH", True)


def test_trigger_words_and_phrases_find_their_classes():
    from pipeline.components.relations import Lexicon

    lex = Lexicon({"MEET": ["met", "called on"], "NEGATION": ["not"]})
    assert lex.classes(["he", "met", "her"]) == {"MEET"}
    assert lex.classes(["he", "called", "on", "the", "minister"]) == {"MEET"}
    assert lex.classes(["did", "not", "call"]) == {"NEGATION"}
    assert lex.classes(["on", "called"]) == set()


def test_trigger_words_match_their_inflections_by_stem():
    from pipeline.components.relations import Lexicon

    lex = Lexicon({"AGAINST": ["criticize", "crack down"], "MEET": ["met"]})
    assert lex.classes(["the", "ministry", "criticized", "them"]) == {"AGAINST"}
    assert lex.classes(["its", "criticism"]) == {"AGAINST"}
    assert lex.classes(["police", "cracked", "down"]) == {"AGAINST"}
    assert lex.classes(["a", "short", "meeting"]) == set()  # "meeting" stems to meet, not met


def test_evidence_is_found_across_line_breaks():
    from pipeline.train import evidence_spans

    text = "Intro.  The KNB\ndetained  Erzhan Kabdulov on Friday. Next."
    [(start, end)] = evidence_spans(text, "The KNB detained Erzhan Kabdulov on Friday.")
    assert text[start:end].startswith("The KNB") and text[start:end].endswith("Friday.")


def test_a_linear_model_saved_and_loaded_scores_the_same(tmp_path):
    import numpy as np

    from pipeline.train import fit_linear

    rows = [["w=met", "L=PERSON>PERSON"]] * 6 + [["w=in", "L=PERSON>PLACE"]] * 6 + [["w=and", "L=PLACE>PLACE"]] * 6
    labels = ["MET_WITH"] * 6 + ["LOCATED_IN>"] * 6 + ["NONE"] * 6
    model = fit_linear(rows, labels, c=10.0)
    probs = model.probabilities([["w=met", "L=PERSON>PERSON"], ["w=in", "L=PERSON>PLACE"], ["w=x"]])
    assert [model.classes[i] for i in probs.argmax(axis=1)[:2]] == ["MET_WITH", "LOCATED_IN>"]
    model.to_disk(tmp_path / "m")
    again = type(model).from_disk(tmp_path / "m")
    assert np.allclose(again.probabilities([["w=met", "L=PERSON>PERSON"]]), probs[:1], atol=1e-5)



def test_probabilities_sum_each_rows_known_feature_weights_and_rows_without_any_get_the_intercept():
    import numpy as np

    from pipeline.components.relations import LinearModel

    coef = np.array([[1.0, 0.0, 2.0], [0.0, 3.0, -1.0]], dtype=np.float32)  # 2 classes x 3 features
    model = LinearModel(["A", "B"], {"x": 0, "y": 1, "z": 2}, coef, np.array([0.5, -0.5], dtype=np.float32))
    rows = [["x", "z", "x"], ["unknown"], ["y"], []]
    scores = np.array([[0.5 + 1 + 2, -0.5 + 0 - 1], [0.5, -0.5], [0.5, -0.5 + 3], [0.5, -0.5]])
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    assert np.allclose(model.probabilities(rows), expected, atol=1e-6)


def test_the_doc_view_reads_the_same_words_tags_heads_and_sentences_as_the_tokens(nlp):
    from pipeline.components.relations import DocView

    doc = nlp("Foreign Minister Erlan Idrissov met 12 officials in Astana. They discussed   trade and the border.")
    view = DocView(doc, nlp.get_pipe("kzx_relations").lexicon)
    assert view.lower == [t.lower_ for t in doc]
    assert view.head == [t.head.i for t in doc] and view.dep == [t.dep_ for t in doc]
    assert view.verb == [t.tag_.startswith("VB") for t in doc] and view.num == [t.like_num for t in doc]
    assert [view.sent_of[t.i] for t in doc] == [(t.sent.start, t.sent.end) for t in doc]
    assert view.head[doc[0].i] > 0 and any(h < i for i, h in enumerate(view.head))  # heads on both sides

PLAIN_STATEMENTS = [
    ("The delegation met Marat Tazhin, chairman of the Security Council, in March.",
     ("Marat Tazhin", "LEADS", "Security Council")),
    ("Interior Ministry spokesman Baurzhan Abdrakhmanov denied the report.",
     ("Baurzhan Abdrakhmanov", "AFFILIATED_WITH", "Interior Ministry")),
    ("Askar Umarov, an official of the Ministry of Justice, confirmed the figures.",
     ("Askar Umarov", "AFFILIATED_WITH", "Ministry of Justice")),
    ("Foreign Minister Erlan Idrissov met with Sergey Lavrov in Moscow.",
     ("Erlan Idrissov", "MET_WITH", "Sergey Lavrov")),
    ("Zamira Sydykova is an independent journalist in Bishkek.", ("Zamira Sydykova", "LOCATED_IN", "Bishkek")),
    ("The KNB detained Erzhan Kabdulov on Friday.", ("KNB", "ACTION_AGAINST", "Erzhan Kabdulov")),
    ("Dilshod Rakhimov, a member of Hizb ut-Tahrir, was arrested.",
     ("Dilshod Rakhimov", "MEMBER_OF", "Hizb ut-Tahrir")),
]


def test_the_shipped_classifier_types_most_plain_statements(parse_text):
    """A learned stage may miss one; on plain statements of each kind it must find most (the figures
    that count are the cross-validation's, in the README)."""
    hits = []
    for text, expected in PLAIN_STATEMENTS:
        found = typed(parse_text, text)
        hits.append(expected in found or (expected[2], expected[1], expected[0]) in found)
    assert sum(hits) >= 4, list(zip([e for _, e in PLAIN_STATEMENTS], hits))


def test_every_typed_relation_carries_a_confidence(parse_text):
    _, relations = parse_text("Foreign Minister Erlan Idrissov met with Sergey Lavrov in Moscow.")
    assert relations and all(0.0 < r.confidence <= 1.0 for r in relations)


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


CABLE = """Reference ID: 09ASTANA123
Created: 2009-03-02 10:10
Origin: Embassy Astana

R 021010Z MAR 09
FM AMEMBASSY ASTANA
TO RUEHC/SECSTATE WASHDC 4920
INFO RUCNCIS/CIS COLLECTIVE
RHEFDIA/DIA WASHDC
RUEAIIA/CIA WASHDC

C O N F I D E N T I A L ASTANA 000123
SIPDIS
TAGS PREL, KZ
SUBJECT: KAZAKHSTAN: MINISTER MEETS OSCE ENVOY

REF: STATE 12345
Classified By: Ambassador Richard Hoagland, reasons 1.4 (b) and (d).

1. (C) Foreign Minister Marat Tazhin met OSCE envoy Janez Lenarcic in Astana on March 1.
ASTANA 00000123 002 OF 002
2. (C) The KNB and the Ministry of Defense signed an agreement.
"""


def test_header_lines_are_found_by_format():
    from pipeline.ingest.cable import header_regions

    regions = header_regions(CABLE)
    lines = {CABLE[s:e].splitlines()[0] for s, e in regions}
    assert "Reference ID: 09ASTANA123" in lines
    assert "REF: STATE 12345" in lines and "ASTANA 00000123 002 OF 002" in lines
    assert any(line.startswith("Classified By: Ambassador") for line in lines)
    top_end = regions[0][1]
    assert CABLE[top_end:].startswith("SUBJECT:")  # the subject line is content
    assert not any(s <= CABLE.index("Marat Tazhin") < e for s, e in regions)


def test_a_cable_header_gives_no_cooccurrence_edge(tmp_path):
    """Addressees in the routing block co-occur with nothing; body sentences still do."""
    import csv

    from pipeline import api

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "c.txt").write_text(CABLE, encoding="utf-8")
    api.extract(raw, tmp_path / "out", workers=1, formats=("csv",))
    with open(tmp_path / "out" / "edges.csv", encoding="utf-8", newline="") as f:
        edges = [r for r in csv.DictReader(f) if r["Kind"] == "CO_OCCURS"]
    with open(tmp_path / "out" / "nodes.csv", encoding="utf-8", newline="") as f:
        label = {r["Id"]: r["Label"] for r in csv.DictReader(f)}
    assert edges, "body sentences still give co-occurrence"
    for e in edges:
        assert not e["evidence"].startswith(("FM ", "TO ", "INFO ", "RUEAIIA", "RHEFDIA", "Classified By",
                                             "Reference ID")), e
    addressees = {i for i, name in label.items() if "CIA" in name or "DIA" in name or "Collective" in name}
    assert not [e for e in edges if e["Source"] in addressees or e["Target"] in addressees]


def test_the_classified_by_officer_is_found_behind_role_words_on_a_run_together_header_line():
    from pipeline.components.relations import CLASSIFIED_TAIL

    assert CLASSIFIED_TAIL.search("REF: CAIRO 246 Classified By: Economic-Political Minister-Counselor ")
    assert CLASSIFIED_TAIL.search("\\|CLASSIFIED BY: ")
    assert CLASSIFIED_TAIL.search("(U) Classified by Polcouns ")
    assert not CLASSIFIED_TAIL.search("Classified By: Ambassador John Smith for reasons 1.4 (b) and (d). The minister ")


def _with_ents(nlp, text, ents):
    """The pipeline's parse of `text` with the given (text, label, kb_id) names as its entities."""
    from spacy.tokens import Span

    doc = nlp(text)
    spans = []
    for name, label, kb in ents:
        start = text.index(name)
        spans.append(Span(doc, doc.char_span(start, start + len(name)).start,
                          doc.char_span(start, start + len(name)).end, label=label, kb_id=kb))
    doc.ents = spans
    return doc


def test_a_title_pairs_a_person_with_the_body_it_names_elsewhere_in_the_document(nlp):
    from pipeline.components.relations import title_words

    stage = nlp.get_pipe("kzx_relations")
    text = ("The Ministry of Interior opened a new post. Officials from the Russian Embassy attended. "
            "Later, Interior Minister Rehman Malik spoke. Russian Ambassador Ivan Petrov agreed with him.")
    doc = _with_ents(nlp, text, [("Ministry of Interior", "AGENCY", ""), ("Russian Embassy", "AGENCY", ""),
                                 ("Rehman Malik", "PERSON", ""), ("Ivan Petrov", "PERSON", "")])
    person = [e for e in doc.ents if e.text == "Rehman Malik"][0]
    assert title_words(doc, person) == ["interior", "minister"]
    pairs = {(a.text, b.text) for a, b, kind, _ in stage.pairs(doc) if kind == "title_body"}
    assert pairs == {("Rehman Malik", "Ministry of Interior"), ("Ivan Petrov", "Russian Embassy")}


def test_a_nationality_before_a_head_of_state_title_names_the_country(nlp):
    stage = nlp.get_pipe("kzx_relations")
    text = ("Italy and Bolivia sent delegations to Tripoli. Libya hosted them. "
            "Qadhafi met Italian PM Silvio Berlusconi in Sirte.")
    doc = _with_ents(nlp, text, [("Italy", "PLACE", "Italy"), ("Bolivia", "PLACE", "Bolivia"), ("Tripoli", "PLACE", "Tripoli"),
                                 ("Libya", "PLACE", "Libya"), ("Qadhafi", "PERSON", ""),
                                 ("Silvio Berlusconi", "PERSON", ""), ("Sirte", "PLACE", "Sirte")])
    pairs = {(a.text, b.text) for a, b, kind, _ in stage.pairs(doc) if kind == "head_of_state"}
    assert pairs == {("Silvio Berlusconi", "Italy")}


def test_graph_settings_leave_dates_weak_edges_or_co_occurrence_out():
    from pipeline.graph import build_graph
    from pipeline.model import Mention, Relation
    from pipeline.names.aliases import AliasTable, Overrides
    from pipeline.resolve import resolve

    text = "Karimov met Putin in Moscow on May 3, 2008. Karimov met Putin again."
    spans = [("Karimov", "PERSON", 0), ("Putin", "PERSON", 12), ("Moscow", "PLACE", 21),
             ("May 3, 2008", "DATE", 31), ("Karimov", "PERSON", 44), ("Putin", "PERSON", 56)]
    mentions = [Mention("a", s, s + len(t), t, label, value="2008-05-03" if label == "DATE" else "",
                        sent_start=0 if s < 43 else 44, sent_end=43 if s < 43 else len(text)) for t, label, s in spans]
    met = [Relation("a", 0, 7, 12, 17, "MET_WITH", 0, 43, "2008-05-03", False)]
    resolution = resolve(mentions, AliasTable.from_records([]), Overrides.from_records([]))

    def graph(**kw):
        g = build_graph(mentions, met, resolution, {"a": text}, **kw)
        return {n.label for n in g.nodes}, {(e.type, e.weight) for e in g.edges}

    labels, edges = graph()
    assert "DATE" in labels and ("MET_WITH", 1) in edges
    labels, edges = graph(date_nodes=False)
    assert "DATE" not in labels and ("CO_OCCURS", 2) in edges  # Karimov-Putin in both sentences
    labels, edges = graph(date_nodes=False, typed_only=True)
    assert labels == {"PERSON"} and edges == {("MET_WITH", 1)}  # Moscow keeps no edge: it goes
    labels, edges = graph(date_nodes=False, min_weight=2)
    assert labels == {"PERSON"} and edges == {("CO_OCCURS", 2)}


def test_a_head_of_state_the_gazetteer_knows_is_paired_with_his_country_not_the_documents(nlp):
    stage = nlp.get_pipe("kzx_relations")
    text = ("Yemen and the United States discussed aid in Sanaa. Yemen wants more. "
            "The minister asked to meet President Bush in Washington. President Novak of nowhere was absent.")
    doc = _with_ents(nlp, text, [("Yemen", "PLACE", "Yemen"), ("United States", "PLACE", "United States"),
                                 ("Sanaa", "PLACE", "Sanaa"), ("Bush", "PERSON", ""),
                                 ("Washington", "PLACE", "Washington"), ("Novak", "PERSON", "")])
    pairs = {(a.text, b.text) for a, b, kind, _ in stage.pairs(doc) if kind == "head_of_state"}
    # Bush: a surname of one country's people in the gazetteer; Novak: unknown, the sentence names a place
    assert ("Bush", "United States") in pairs and not any(a == "Bush" and b == "Yemen" for a, b in pairs)


def test_surnames_shared_by_two_countries_people_name_no_country():
    from pipeline.components.relations import people_countries, person_country

    records = [{"id": "Ilham Aliyev", "label": "PERSON", "names": ["Ilham Aliyev"], "country": "Azerbaijan"},
               {"id": "Rakhat Aliyev", "label": "PERSON", "names": ["Rakhat Aliyev"], "country": "Kazakhstan"},
               {"id": "Muammar al-Qadhafi", "label": "PERSON", "names": ["Muammar al-Qadhafi"], "country": "Libya"}]
    people = people_countries(records, {"azerbaijan": "Azerbaijan", "kazakhstan": "Kazakhstan", "libya": "Libya"})
    assert "aliyev" not in people and people["qadhafi"] == "Libya" and people["ilham aliyev"] == "Azerbaijan"


def test_a_distribution_line_pairs_each_person_with_the_office_before_them(nlp):
    text = CABLE.replace("SIPDIS\n", "SIPDIS\nSTATE FOR SCA/CEN (J. MUDGE), DRL\nNSC FOR MERKEL\n")
    doc = nlp(text)
    assert {(text[a:b], text[c:d]) for a, b, c, d in doc._.kzx_header_pairs} == {("J. MUDGE", "SCA/CEN"),
                                                                                  ("MERKEL", "NSC")}
    pairs = {(a.text, b.text) for a, b, kind, _ in nlp.get_pipe("kzx_relations").pairs(doc) if kind == "distribution"}
    assert pairs == {("J. MUDGE", "SCA/CEN"), ("MERKEL", "NSC")}
