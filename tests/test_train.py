"""kzx train: gold JSONL -> a spaCy pipeline with kzx's five entity labels (a smoke test on a few
documents; the full training is the `kzx train` command, measured by benchmarks/crossval.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT

TRAIN = ROOT / "data" / "train" / "gold.jsonl"


def test_gold_records_read_with_their_texts_and_bad_offsets_named(tmp_path):
    from pipeline.train import TrainingError, read_gold

    docs = read_gold(TRAIN)
    assert len(docs) >= 90
    for d in docs[:5]:
        for e in d.entities:
            assert d.text[e["start"]:e["end"]] == e["text"]
    bad = tmp_path / "mine.jsonl"
    bad.write_text(json.dumps({"doc_id": "a.txt", "text": "Nazarbayev met Putin.",
                               "entities": [{"start": 0, "end": 5, "text": "Nazarbayev", "label": "PERSON"}]}) + "\n")
    with pytest.raises(TrainingError, match="mine.jsonl:1: a.txt: offsets 0-5"):
        read_gold(bad)
    missing = tmp_path / "nodocs.jsonl"
    missing.write_text(json.dumps({"doc_id": "b.txt", "entities": []}) + "\n")
    with pytest.raises(TrainingError, match="no text for b.txt"):
        read_gold(missing)


def test_training_pieces_keep_every_entity_and_cut_none():
    from pipeline.train import read_gold, split_points

    for d in read_gold(TRAIN)[:20]:
        cuts = split_points(d.text, d.entities, limit=500)
        assert cuts[0] == 0 and cuts[-1] == len(d.text)
        for e in d.entities:
            assert not any(e["start"] < c < e["end"] for c in cuts)


def test_folds_are_stable_and_cover_every_document():
    from pipeline.train import fold_of, read_gold

    docs = read_gold(TRAIN)
    folds = [fold_of(d.doc_id, 5) for d in docs]
    assert folds == [fold_of(d.doc_id, 5) for d in docs]
    assert set(folds) == set(range(5))


def test_a_user_trains_on_own_annotations_and_the_model_tags_kzx_labels(tmp_path):
    import spacy

    from pipeline.train import read_gold, train

    text = ("Kazakhstan's President Nursultan Nazarbayev met the OSCE chairman in Astana on May 5, 2008. "
            "The KNB detained members of Hizb ut-Tahrir in Almaty.\n\n")
    entities = []
    for surface, label in (("Kazakhstan", "PLACE"), ("Nursultan Nazarbayev", "PERSON"), ("OSCE", "AGENCY"),
                           ("Astana", "PLACE"), ("May 5, 2008", "DATE"), ("KNB", "AGENCY"),
                           ("Hizb ut-Tahrir", "GROUP"), ("Almaty", "PLACE")):
        start = text.index(surface)
        entities.append({"start": start, "end": start + len(surface), "text": surface, "label": label})
    own = tmp_path / "own.jsonl"
    own.write_text("".join(json.dumps({"doc_id": f"d{i}.txt", "text": text * 3,
                                       "entities": [{**e, "start": e["start"] + k * len(text),
                                                     "end": e["end"] + k * len(text)}
                                                    for k in range(3) for e in entities]}) + "\n"
                           for i in range(4)))
    documents = read_gold(own) + read_gold(TRAIN)[:2]
    out = train([], tmp_path / "model", documents=documents, overrides={"training.max_epochs": 4})
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner", "kzx_orgtype", "kzx_relations"]
    assert nlp.get_pipe("kzx_relations").model is not None
    assert {"PERSON", "AGENCY", "GROUP", "PLACE", "DATE"} <= set(nlp.get_pipe("ner").labels)
    assert nlp.meta["kzx"]["documents"][:1] == sorted(d.doc_id for d in documents)[:1]
    doc = nlp(text)
    # what it was trained on, it tags with kzx's labels
    assert {e.label_ for e in doc.ents} & {"PERSON", "AGENCY", "GROUP", "PLACE", "DATE"}


def test_the_organisation_typer_learns_groups_from_their_names_and_relabels_the_ner(tmp_path):
    import spacy
    from spacy.tokens import Span

    from pipeline.components.orgtype import name_features
    from pipeline.train import GoldDocument, with_orgtype

    assert "c=ban" in name_features("the Halyk Bank said", 4, 14) and "b=the" in name_features("the X", 4, 5)
    text = " ".join(f"The {n} Bank and the {n} Party met the Ministry of {n} and the {n} Committee." for n in
                    ("Alpha", "Beta", "Gamma", "Delta", "Omega", "Sigma"))
    entities = []
    for m in __import__("re").finditer(r"\w+ (Bank|Party)|Ministry of \w+|\w+ Committee", text):
        label = "GROUP" if m.group(0).endswith(("Bank", "Party")) else "AGENCY"
        entities.append({"start": m.start(), "end": m.end(), "text": m.group(0), "label": label})
    nlp = with_orgtype(spacy.blank("en"), [GoldDocument("d.txt", text, entities)], c=10.0)
    stage = nlp.get_pipe("kzx_orgtype")
    stage.to_disk(tmp_path / "orgtype")
    again = nlp.get_pipe("kzx_orgtype").from_disk(tmp_path / "orgtype")
    doc = nlp.make_doc("Officials of the Kappa Bank met the Ministry of Kappa.")
    doc.ents = [Span(doc, 3, 5, label="AGENCY"), Span(doc, 7, 10, label="GROUP")]
    doc = again(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("Kappa Bank", "GROUP"), ("Ministry of Kappa", "AGENCY")]
