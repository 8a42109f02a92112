"""kzx eval on hand-computed cases."""

import json

from pipeline.evaluate import Span, bcubed, evaluate, load_gold, match, score


def test_overlap_and_exact_scores_match_a_hand_computed_case():
    gold = [Span("d", 0, 10, "PLACE", "PLACE:Kazakhstan"), Span("d", 20, 30, "AGENCY", "AGENCY:KNB"),
            Span("d", 40, 45, "PERSON", "PERSON:Rao")]
    pred = [Span("d", 0, 10, "PLACE", "a"), Span("d", 18, 30, "AGENCY", "b"), Span("d", 40, 45, "GROUP", "c"),
            Span("d", 50, 55, "DATE", "d")]
    overlap = score(gold, pred, exact=False)
    # PLACE and AGENCY match by overlap; PERSON missed (predicted GROUP); GROUP and DATE are false positives
    assert (overlap["micro"].tp, overlap["micro"].fp, overlap["micro"].fn) == (2, 2, 1)
    assert round(overlap["micro"].precision, 3) == 0.5
    assert round(overlap["micro"].recall, 3) == 0.667
    assert round(overlap["micro"].f1, 3) == 0.571
    exact = score(gold, pred, exact=True)
    assert (exact["micro"].tp, exact["micro"].fp, exact["micro"].fn) == (1, 3, 2)
    assert exact["AGENCY"].fn == 1 and exact["AGENCY"].fp == 1
    untyped = score(gold, pred, exact=False, typed=False)
    assert untyped["micro"].tp == 3


def test_bcubed_of_a_split_entity():
    # gold: three mentions of one entity; predicted ids split them 2 + 1
    pairs = [(Span("d", i, i + 1, "PERSON", "g"), Span("d", i, i + 1, "PERSON", p)) for i, p in
             enumerate(["x", "x", "y"])]
    p, r, f = bcubed(pairs)
    assert p == 1.0
    assert round(r, 4) == round((2 / 3 + 2 / 3 + 1 / 3) / 3, 4)
    assert round(f, 4) == round(2 * p * r / (p + r), 4)


def test_boilerplate_gold_is_set_aside_with_the_predictions_on_it(tmp_path):
    path = tmp_path / "g.jsonl"
    path.write_text(json.dumps({"doc_id": "d", "entities": [
        {"start": 0, "end": 5, "text": "x", "label": "GROUP", "canonical": "Refworld", "value": None, "boilerplate": True},
        {"start": 10, "end": 15, "text": "y", "label": "PLACE", "canonical": "Almaty", "value": None}]}) + "\n")
    gold = load_gold(path)
    report = evaluate(gold, [Span("d", 0, 5, "AGENCY", "a"), Span("d", 10, 15, "PLACE", "b")])
    assert report.overlap["all"]["micro"].tp == 1 and report.overlap["all"]["micro"].fp == 1
    assert report.overlap["no_boilerplate"]["micro"].tp == 1 and report.overlap["no_boilerplate"]["micro"].fp == 0


def test_one_prediction_matches_one_gold_mention():
    gold = [Span("d", 0, 5, "PLACE"), Span("d", 6, 10, "PLACE")]
    pred = [Span("d", 0, 10, "PLACE")]
    assert len(match(gold, pred, exact=False, typed=True)) == 1
