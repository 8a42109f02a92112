"""Transformer profile: a Hugging Face encoder directory as the base of the pipeline (spacy-transformers).

The small English pipeline keeps its tagger and parser (kzx's relation stage reads the parse); NER
runs on the encoder's output through a TransformerListener. The NER head is new: it is initialised
with the base model's entity labels and learns only by training (`spacy train` with this pipeline's
config), so for NER out of the box use a trained transformer pipeline (`--model en_core_web_trf`).
Nothing is downloaded: the directory must hold the weights and the tokenizer files.
"""

from __future__ import annotations

import json
from pathlib import Path

from spacy.language import Language

NER_LABELS = ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "EVENT", "LAW", "PRODUCT")


def is_encoder_dir(name: str) -> bool:
    """A Hugging Face model directory (config.json, no spaCy config.cfg)."""
    path = Path(name)
    return (path / "config.json").is_file() and not (path / "config.cfg").is_file()


def _max_length(encoder_dir: Path) -> dict:
    """The encoder's length where its tokenizer files do not state one, so long pieces are cut there
    (RoBERTa-style models keep two positions for padding offsets)."""
    stated = encoder_dir / "tokenizer_config.json"
    if stated.is_file() and json.loads(stated.read_text(encoding="utf-8")).get("model_max_length", 1e30) < 1e6:
        return {}
    config = json.loads((encoder_dir / "config.json").read_text(encoding="utf-8"))
    offset = 2 if "roberta" in config.get("model_type", "") or config.get("model_type") == "camembert" else 0
    return {"model_max_length": int(config.get("max_position_embeddings", 512)) - offset}


def encoder_base(encoder_dir: str, parse_from: Language, window: int = 128, stride: int = 96) -> Language:
    """A pipeline of `parse_from`'s components (its NER excluded by the caller), the encoder, and a
    new NER head listening to the encoder. The caller has checked that spacy-transformers is there."""
    import spacy

    tokenizer = {"use_fast": True, **_max_length(Path(encoder_dir))}
    nlp = spacy.blank(parse_from.lang)
    nlp.add_pipe("transformer", config={"model": {
        "@architectures": "spacy-transformers.TransformerModel.v3", "name": str(Path(encoder_dir).resolve()),
        "get_spans": {"@span_getters": "spacy-transformers.strided_spans.v1", "window": window, "stride": stride},
        "tokenizer_config": tokenizer, "transformer_config": {}, "mixed_precision": False,
        "grad_scaler_config": {}}})
    ner = nlp.add_pipe("ner", config={"model": {
        "@architectures": "spacy.TransitionBasedParser.v2", "state_type": "ner", "extra_state_tokens": False,
        "hidden_width": 64, "maxout_pieces": 2, "use_upper": False, "nO": None,
        "tok2vec": {"@architectures": "spacy-transformers.TransformerListener.v1", "grad_factor": 1.0,
                    "upstream": "transformer", "pooling": {"@layers": "reduce_mean.v1"}}}})
    for label in NER_LABELS:
        ner.add_label(label)
    nlp.initialize()
    # sourced after initialize, so their trained weights stay as they are
    for name in parse_from.pipe_names:
        nlp.add_pipe(name, source=parse_from, before="transformer")
    return nlp
