"""The transformer profile end to end, on a tiny randomly initialised BERT saved on disk."""

from __future__ import annotations

import csv
import os
import shutil

from lxml import etree
import pytest

from pipeline import api
from pipeline.config import load_settings
from pipeline.ingest import read_document
from pipeline.nlp import ModelError, build_pipeline, load_base

from .conftest import ROOT

PROFILE = ROOT / "configs" / "trf.toml"


@pytest.fixture(scope="module")
def encoder_dir(tmp_path_factory):
    """A 2-layer BERT with a small vocabulary, saved with save_pretrained (no hub involved)."""
    if os.environ.get("CI"):  # CI installs the trf extra: a missing package is a failure there
        import spacy_transformers  # noqa: F401
    transformers = pytest.importorskip("transformers")
    pytest.importorskip("spacy_transformers")
    out = tmp_path_factory.mktemp("tiny-bert")
    letters = [chr(c) for c in range(33, 127)]
    vocab = list(dict.fromkeys(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters,
                                *(f"##{c}" for c in letters), *"the of and to in was for on by with".split()]))
    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    transformers.BertTokenizerFast(vocab_file=str(out / "vocab.txt"), do_lower_case=True).save_pretrained(out)
    config = transformers.BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                                     num_attention_heads=2, intermediate_size=64)
    transformers.BertModel(config).save_pretrained(out)
    return out


def test_the_profile_extends_the_default_settings():
    settings = load_settings(PROFILE)
    default = load_settings()
    assert settings.model == "en_core_web_trf" and settings.max_workers == 1 and settings.batch_size == 128
    assert settings.components == default.components and settings.resolve == default.resolve


def test_a_missing_transformer_pipeline_says_what_to_install():
    with pytest.raises(ModelError, match="spacy download en_core_web_trf"):
        load_base("en_core_web_trf", [])


def test_the_encoder_feeds_ner_and_its_output_is_dropped_after_the_kzx_stages(encoder_dir):
    nlp = build_pipeline(load_settings(PROFILE, model=str(encoder_dir)))
    names = nlp.pipe_names
    assert names.index("parser") < names.index("transformer") < names.index("ner") < names.index("kzx_gazetteer")
    assert names[-1] == "doc_cleaner"
    doc = nlp("The Committee for National Security detained two men in Almaty on 3 May 2005.")
    assert doc._.trf_data is None and [t.dep_ for t in doc][:2] == ["det", "nsubj"]
    assert ("Almaty", "PLACE") in {(e.text, e.label_) for e in doc.ents}


def test_the_profile_runs_end_to_end_on_the_sample_corpus(encoder_dir, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw)
    summary = api.extract(raw, tmp_path / "out", config=PROFILE, model=str(encoder_dir), workers=2)
    assert len(summary.parsed) == 5 and not summary.failed
    assert summary.parse_device == "CPU, 1 process"
    out = tmp_path / "out"
    with open(out / "mentions.csv", encoding="utf-8") as f:
        mentions = list(csv.DictReader(f))
    texts = {path.name: read_document(path, path.name).text for path in raw.iterdir()}
    for m in mentions:  # a cell starting like a formula is prefixed with ' (untrained NER spans may)
        assert m["text"] in {(span := texts[m["doc_id"]][int(m["start"]):int(m["end"])]), "'" + span}
    with open(out / "nodes.csv", encoding="utf-8") as f:
        ids = {row["Id"] for row in csv.DictReader(f)}
    assert {"place:kazakhstan", "agency:united-states-department-of-homeland-security"} <= ids
    graph = etree.parse(str(out / "graph.graphml"))
    assert {n.get("id") for n in graph.iter("{http://graphml.graphdrawing.org/xmlns}node")} == ids
    assert summary.typed_edges > 0


def test_a_saved_transformer_pipeline_loads_offline(encoder_dir, tmp_path):
    from pipeline.nlp import save_pipeline

    saved = save_pipeline(load_settings(PROFILE, model=str(encoder_dir)), tmp_path / "kzx-trf")
    nlp = load_base(str(saved), [])
    assert "transformer" in nlp.pipe_names and nlp.pipe_names[-1] == "doc_cleaner"
    assert nlp("Officials of the KNB met in Astana.")._.trf_data is None
