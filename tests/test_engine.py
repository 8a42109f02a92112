"""The local engine: long documents in pieces, a failing stage fails one document only."""

import json
import subprocess
import sys

import pytest
from spacy.language import Language

from pipeline.components import guarded
from pipeline.engines.local import parse, pieces
from pipeline.model import Document

from .conftest import ROOT


class Exploding:
    """A stage that fails on documents containing BOOM (to show one bad document fails alone)."""

    def __init__(self, name):
        self.name = name

    @guarded
    def __call__(self, doc):
        if "BOOM" in doc.text:
            raise RuntimeError("cannot handle BOOM")
        return doc


@Language.factory("test_exploding")
def make_exploding(nlp, name):
    return Exploding(name)


def test_pieces_cut_on_paragraphs_and_keep_offsets():
    text = ("Astana is the capital.\n\n" * 50) + "x" * 30
    parts = pieces(text, limit=200)
    assert all(len(p) <= 200 for _, p in parts)
    assert "".join(p for _, p in parts) == text
    assert all(text[o:o + len(p)] == p for o, p in parts)


def test_a_long_document_keeps_true_offsets(nlp):
    text = "Nursultan Nazarbayev visited Shymkent.\n\n" * 6000  # ~240k characters, two pieces
    _, mentions, _, error, _ = next(parse(nlp, [Document("long.txt", text)]))
    assert not error
    assert len([m for m in mentions if m.text == "Shymkent"]) == 6000
    assert all(text[m.start:m.end] == m.text for m in mentions)


def test_a_stage_error_fails_only_its_document(nlp):
    nlp.add_pipe("test_exploding", name="exploding", last=True)
    try:
        results = {d: (m, e) for d, m, _, e, _ in parse(nlp, [Document("a.txt", "Almaty is large."),
                                                           Document("b.txt", "BOOM in Astana."),
                                                           Document("c.txt", "Bishkek is green.")])}
    finally:
        nlp.remove_pipe("exploding")
    assert results["b.txt"] == ([], "exploding: RuntimeError: cannot handle BOOM")
    assert results["a.txt"][0] and not results["a.txt"][1]
    assert results["c.txt"][0] and not results["c.txt"][1]



def test_two_worker_processes_give_the_same_rows_as_one():
    script = (
        "from pathlib import Path\n"
        "from pipeline.config import load_settings\nfrom pipeline.nlp import build_pipeline\n"
        "from pipeline.engines.local import parse\nfrom pipeline.ingest import read_document\n"
        "nlp = build_pipeline(load_settings())\n"
        "docs = [read_document(p, p.name) for p in sorted(Path('data/raw').iterdir())] * 3\n"
        "one = [(d, m, r) for d, m, r, _, _ in parse(nlp, docs, workers=1)]\n"
        "two = [(d, m, r) for d, m, r, _, _ in parse(nlp, docs, workers=2, batch_size=2)]\n"
        "assert one == two, 'workers differ'\nprint('same', len(two))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "same 15"


def test_a_saved_pipeline_opens_with_plain_spacy_load(settings, tmp_path):
    from pipeline.nlp import save_pipeline

    save_pipeline(settings, tmp_path / "kzx-en")
    script = ("import spacy\nnlp = spacy.load(%r)\n"
              "doc = nlp('The KNB detained Hizb ut-Tahrir members in Shymkent, said Nazarbaev.')\n"
              "print(sorted((e.text, e.label_) for e in doc.ents))\n") % str(tmp_path / "kzx-en")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(sorted([("Hizb ut-Tahrir", "GROUP"), ("KNB", "AGENCY"),
                                                ("Nazarbaev", "PERSON"), ("Shymkent", "PLACE")]))


def test_a_saved_pipeline_keeps_its_stage_data_in_the_stages_not_in_its_config(settings, tmp_path):
    from pipeline.components import SAVED
    from pipeline.nlp import save_pipeline

    out = save_pipeline(settings, tmp_path / "kzx-en")
    config = (out / "config.cfg").read_text(encoding="utf-8")
    assert ".jsonl" not in config and ".json" not in config and "Kazakhstan" not in config
    assert config.count(SAVED) >= 8
    data = json.loads((out / "kzx_gazetteer" / "data.json").read_text(encoding="utf-8"))
    assert any(r["id"] == "Kazakhstan" for r in data["patterns"])


def test_the_dask_engine_writes_what_the_local_engine_writes(sample_run, tmp_path):
    from pipeline import api

    raw, local_out, _ = sample_run
    dask_out = tmp_path / "dask"
    summary = api.extract(raw, dask_out, workers=2, engine="dask")
    assert len(summary.parsed) == 5 and not summary.failed
    names = [p.name for p in sorted(local_out.iterdir()) if p.suffix in (".csv", ".graphml", ".gexf", ".json")]
    assert len(names) == 8
    for name in names:
        assert (dask_out / name).read_bytes() == (local_out / name).read_bytes(), name


def test_runs_without_spaces_are_cut_for_the_tokenizer_in_a_same_length_copy(nlp):
    from pipeline.engines.local import MAX_RUN, break_long_runs

    text = "Astana " + "=" * 8000 + " and " + "(" * 4000 + " Almaty http://example.org/short"
    copy = break_long_runs(text)
    assert len(copy) == len(text)
    assert copy[:7] == "Astana " and copy.endswith(" Almaty http://example.org/short")
    assert max(len(w) for w in copy.split()) <= MAX_RUN
    # the tokenizer's affix loop splits a run of punctuation into one token per character: here a
    # hundred-odd word tokens instead of 12,000 (which took it ~26 s)
    assert len(nlp.make_doc(copy)) < 200
    _, mentions, _, error, _ = next(parse(nlp, [Document("runs.txt", text)]))
    assert not error and {m.text for m in mentions} >= {"Astana", "Almaty"}


def test_batches_hold_at_most_batch_size_pieces_and_max_chars_characters():
    from pipeline.engines.local import batches

    items = [("x" * n, None, i) for i, n in enumerate([10, 10, 150, 60, 10, 10, 10, 10, 10, 300])]
    groups = list(batches(items, batch_size=4, max_chars=200))
    assert [[i for _, _, i in g] for g in groups] == [[0, 1, 2], [3, 4, 5, 6], [7, 8], [9]]
    assert all(len(g) <= 4 and (sum(len(p) for p, _, _ in g) <= 200 or len(g) == 1) for g in groups)
