"""Training stage: gold JSONL (the format of shared/train, tests/data/seeds.jsonl) -> a spaCy pipeline
whose NER tags kzx's five labels, trained with spaCy's own training loop on configs/ner.cfg.

A gold record names its document by `doc_id`; the text is the record's `text` field, else the file
`docs/<doc_id>` beside the JSONL, else `<docs_dir>/<doc_id>`. Offsets index that text as read with
newline="" (see the guidelines). Training documents are made the way `kzx extract` makes them
(upper-case lines re-cased, same tokenizer), so the model sees at training time what it sees at run
time.
"""

from __future__ import annotations

import hashlib
import re
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .config import DEFAULT_CONFIG, ConfigError

DEFAULT_TRAIN_CONFIG = DEFAULT_CONFIG.parent / "ner.cfg"
DEFAULT_MODEL_DIR = DEFAULT_CONFIG.parent.parent / "models" / "kzx-en"
# the annotated corpus kzx ships (a copy of shared/train): a user's own files are trained on beside it
DEFAULT_GOLD = DEFAULT_CONFIG.parent.parent / "data" / "train" / "gold.jsonl"
PIECE_CHARS = 1500  # training documents are cut at blank lines into pieces of about this size


class TrainingError(ValueError):
    """The gold data cannot be used for training; the message names the file and record."""


@dataclass
class GoldDocument:
    doc_id: str
    text: str
    entities: list[dict]
    relations: list[dict] = field(default_factory=list)
    doc_date: str = ""


def read_gold(path: Path | str, docs_dir: Path | str | None = None) -> list[GoldDocument]:
    """The annotated documents of one gold JSONL, with their texts."""
    path = Path(path)
    if not path.is_file():
        raise TrainingError(f"gold file not found: {path}")
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            doc_id = record["doc_id"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise TrainingError(f"{path}:{n}: not a gold record ({exc})") from None
        text = record.get("text")
        if text is None:
            for folder in (path.parent / "docs", Path(docs_dir) if docs_dir else None):
                if folder is not None and (folder / doc_id).is_file():
                    text = (folder / doc_id).open(encoding="utf-8", newline="").read()
                    break
        if text is None:
            raise TrainingError(f"{path}:{n}: no text for {doc_id} (no 'text' field, no docs/{doc_id} beside "
                                "the file; pass --docs DIR)")
        for e in record.get("entities", []):
            if text[e["start"]:e["end"]] != e.get("text", text[e["start"]:e["end"]]):
                raise TrainingError(f"{path}:{n}: {doc_id}: offsets {e['start']}-{e['end']} do not hold "
                                    f"'{e.get('text')}'")
        out.append(GoldDocument(doc_id, text, record.get("entities", []), record.get("relations", []),
                                record.get("doc_date") or ""))
    return out


def fold_of(doc_id: str, folds: int) -> int:
    """A document's cross-validation fold, from its id alone (stable across runs and machines)."""
    return int(hashlib.sha256(doc_id.encode()).hexdigest(), 16) % folds


def split_points(text: str, entities: list[dict], limit: int = PIECE_CHARS) -> list[int]:
    """Offsets at blank lines where the text can be cut into pieces of about `limit` characters
    without cutting an entity."""
    inside = sorted((e["start"], e["end"]) for e in entities)
    cuts, last, pos = [0], 0, text.find("\n\n")
    while pos != -1:
        cut = pos + 2
        if cut - last >= limit and not any(s < cut < e for s, e in inside):
            cuts.append(cut)
            last = cut
        pos = text.find("\n\n", cut)
    return cuts + [len(text)]


def training_docs(nlp, documents: Iterable[GoldDocument], acronyms: set[str], cut: bool = True):
    """spaCy Docs with gold entities: re-cased as at run time, cut into pieces; an entity whose
    edges fall inside a token leaves its tokens unannotated (missing), not wrong."""
    from .casing import recase

    for gold in documents:
        cuts = split_points(gold.text, gold.entities) if cut else [0, len(gold.text)]
        for start, end in zip(cuts, cuts[1:]):
            piece = gold.text[start:end]
            if not piece.strip():
                continue
            doc = nlp.make_doc(recase(piece, acronyms))
            spans, missing = [], []
            for e in gold.entities:
                if start <= e["start"] and e["end"] <= end:
                    span = doc.char_span(e["start"] - start, e["end"] - start, label=e["label"])
                    if span is None:
                        loose = doc.char_span(e["start"] - start, e["end"] - start, alignment_mode="expand")
                        if loose is not None:
                            missing.append(loose)
                    else:
                        spans.append(span)
            taken = {i for span in spans for i in range(span.start, span.end)}
            unknown = sorted({i for span in missing for i in range(span.start, span.end)} - taken)
            doc.set_ents(spans, missing=[doc[i:i + 1] for i in unknown], default="outside")
            doc.user_data["kzx_doc_id"] = gold.doc_id
            yield doc


def write_docbin(nlp, documents: list[GoldDocument], path: Path, acronyms: set[str], cut: bool = True) -> int:
    from spacy.tokens import DocBin

    docbin = DocBin(store_user_data=False)
    for doc in training_docs(nlp, documents, acronyms, cut):
        docbin.add(doc)
    docbin.to_disk(path)
    return len(docbin)


def dev_split(documents: list[GoldDocument], share: float = 0.1) -> tuple[list[GoldDocument], list[GoldDocument]]:
    """A stable share of the documents (by id hash) kept aside for spaCy's model selection."""
    n = max(1, round(len(documents) * share)) if len(documents) > 1 else 0
    ranked = sorted(documents, key=lambda d: hashlib.sha256(("dev:" + d.doc_id).encode()).hexdigest())
    dev = {d.doc_id for d in ranked[:n]}
    return [d for d in documents if d.doc_id not in dev], [d for d in documents if d.doc_id in dev]


def train(gold_files: list[Path | str], out: Path | str = DEFAULT_MODEL_DIR, config: Path | str | None = None,
          base: str = "base", docs_dir: Path | str | None = None, overrides: dict | None = None,
          documents: list[GoldDocument] | None = None, kzx_config: Path | str | None = None,
          relation_c: float = 1.0) -> Path:
    """Trains the entity stage and the relation stage on the gold files (or on `documents`) and saves
    the pipeline to `out` (base tok2vec, tagger and parser, the trained NER, the relation model).
    Returns `out`."""
    import spacy
    from spacy.cli.train import train as spacy_train

    from .nlp import kzx_tokenizer, resolve_model

    if documents is None:
        documents = [d for f in gold_files for d in read_gold(f, docs_dir)]
    if not documents:
        raise TrainingError("no annotated documents to train on")
    config = Path(config or DEFAULT_TRAIN_CONFIG)
    if not config.is_file():
        raise ConfigError(f"training config not found: {config}")
    base = resolve_model(base)
    acronyms = config_acronyms(kzx_config)
    # the base model's tokenizer, without its components: training text is tokenised as at run time
    tokenizer_nlp = kzx_tokenizer(spacy.load(base, exclude=["tok2vec", "tagger", "parser", "ner", "senter",
                                                            "lemmatizer", "attribute_ruler"]))
    train_docs, dev_docs = dev_split(documents)
    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="kzx-train-") as tmp:
        tmp = Path(tmp)
        write_docbin(tokenizer_nlp, train_docs, tmp / "train.spacy", acronyms)
        write_docbin(tokenizer_nlp, dev_docs or train_docs[:1], tmp / "dev.spacy", acronyms, cut=False)
        settings_over = {"paths.train": str(tmp / "train.spacy"), "paths.dev": str(tmp / "dev.spacy"),
                         "paths.base": base, **(overrides or {})}
        spacy_train(config, tmp / "output", overrides=settings_over, use_gpu=-1)
        best = tmp / "output" / "model-best"
        nlp = with_relations(with_orgtype(kzx_tokenizer(spacy.load(best)), documents), documents, acronyms, kzx_config,
                             relation_c)
        nlp.meta["name"] = "kzx_en"
        nlp.meta["version"] = "0.1.0"
        nlp.meta["description"] = (f"kzx entity stage: {base} with its NER fine-tuned to PERSON, AGENCY, GROUP, "
                                   f"PLACE, DATE on {len(documents)} annotated documents")
        nlp.meta["kzx"] = {"base": base, "documents": sorted(d.doc_id for d in documents),
                           "config": config.name, "overrides": {k: v for k, v in (overrides or {}).items()}}
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(out)
    return out


def config_acronyms(kzx_config: Path | str | None = None) -> set[str]:
    """The words re-casing keeps, from the gazetteers a kzx config names (no model loaded)."""
    from .components.gazetteer import load_records, record_acronyms
    from .config import load_settings

    return record_acronyms(load_records(load_settings(kzx_config).gazetteer_files))


def evidence_spans(text: str, evidence: str) -> list[tuple[int, int]]:
    """Where a relation's evidence stands in the text (whitespace may differ: line breaks, spaces)."""
    words = evidence.split()
    if not words:
        return []
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def gold_parse(nlp, gold: GoldDocument, acronyms: set[str]):
    """A gold document parsed as at run time up to the parser, with the gold entities as doc.ents
    (kb_id: the canonical). Returns (doc, canonical by (start, end))."""
    from spacy.tokens import Span
    from spacy.util import filter_spans

    from .casing import recase

    recased = recase(gold.text, acronyms)
    doc = nlp.make_doc(recased)
    if recased != gold.text:
        doc._.kzx_source = gold.text
    for name, proc in nlp.pipeline:
        if name in ("ner",) or name.startswith("kzx_") and name != "kzx_paragraphs":
            continue
        doc = proc(doc)
    spans = []
    for e in gold.entities:
        span = doc.char_span(e["start"], e["end"], alignment_mode="expand")
        if span is not None:
            spans.append(Span(doc, span.start, span.end, label=e["label"], kb_id=e.get("canonical") or ""))
    doc.ents = filter_spans(spans)
    if "kzx_cable" in nlp.pipe_names:  # the distribution lines' pairs, as the cable stage finds them at run time
        doc._.kzx_header_pairs = nlp.get_pipe("kzx_cable").header_pairs(gold.text)
    canon = {(e.start_char, e.end_char): e.kb_id_ for e in doc.ents}
    return doc, canon


def relation_examples(stage, doc, canon: dict, gold: GoldDocument) -> tuple[list[list[str]], list[str]]:
    """Features and gold classes of a document's candidate pairs. A pair of two entities that a gold
    relation joins is positive when the relation's evidence holds both mentions (a header or document
    pattern: the person's mention); elsewhere in the document such a pair is left out (the guidelines
    keep one triple per document, so another sentence may state it too); every other pair is NONE."""
    from .components.relations import NONE, class_of

    text = gold.text
    rels = []
    for r in gold.relations:
        spans = evidence_spans(text, r.get("evidence", ""))
        rels.append((r["head"], r["tail"], r["type"], spans))
    rows, labels = [], []
    for a, b, kind, feats in stage.pairs(doc):
        ca, cb = canon.get((a.start_char, a.end_char)), canon.get((b.start_char, b.end_char))
        if not ca or not cb or ca == cb:
            continue
        joined = [r for r in rels if {r[0], r[1]} == {ca, cb}]
        if not joined:
            rows.append(feats)
            labels.append(NONE)
            continue
        hit = None
        for head, _tail, rtype, spans in joined:
            inside = [(s, e) for s, e in spans if s <= a.start_char and a.end_char <= e
                      and (kind != "sentence" or (s <= b.start_char and b.end_char <= e))]
            if inside and (hit is None or hit[1] == "OTHER"):
                hit = (head, rtype)
        if hit is not None:
            rows.append(feats)
            labels.append(class_of(hit[1], hit[0] == ca))
    return rows, labels


def fit_linear(rows: list[list[str]], labels: list[str], c: float = 1.0, positive_weight: float = 1.5):
    """A multinomial logistic regression (scikit-learn) over binary features (relation pairs, names);
    examples of any class but NONE weigh `positive_weight`."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    from .components.relations import LinearModel

    counts: dict[str, int] = {}
    for feats in rows:
        for f in set(feats):
            counts[f] = counts.get(f, 0) + 1
    index = {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= 2))}
    indptr, indices = [0], []
    for feats in rows:
        cols = sorted({index[f] for f in feats if f in index})
        indices += cols
        indptr.append(len(indices))
    x = csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(rows), len(index)))
    model = LogisticRegression(C=c, max_iter=3000, random_state=0)
    # relations are rare among the pairs of a sentence: their examples weigh more than NONE's
    model.fit(x, labels, sample_weight=np.array([1.0 if y == "NONE" else positive_weight for y in labels]))
    classes = [str(k) for k in model.classes_]
    coef, intercept = model.coef_, model.intercept_
    if len(classes) == 2:  # scikit-learn keeps one row for two classes
        coef, intercept = np.vstack([-coef, coef]) / 2, np.array([-intercept[0], intercept[0]]) / 2
    return LinearModel(classes, index, coef.astype(np.float32), intercept.astype(np.float32))


def train_relations(nlp, documents: list[GoldDocument], acronyms: set[str], c: float = 1.0):
    """The relation stage's model, trained on the gold documents' relations (nlp: a kzx pipeline)."""
    stage = nlp.get_pipe("kzx_relations")
    rows, labels = [], []
    for gold in documents:
        doc, canon = gold_parse(nlp, gold, acronyms)
        r, l = relation_examples(stage, doc, canon, gold)
        rows += r
        labels += l
    return fit_linear(rows, labels, c)


def with_relations(nlp, documents: list[GoldDocument], acronyms: set[str], kzx_config=None, c: float = 1.0):
    """`nlp` (a trained entity pipeline) with a kzx_relations stage trained on the documents' gold
    entities and relations, parsed as at run time."""
    from .config import load_settings, read_json
    from .nlp import build_pipeline

    if "kzx_relations" in nlp.pipe_names:
        nlp.remove_pipe("kzx_relations")
    settings = None
    with tempfile.TemporaryDirectory(prefix="kzx-rel-") as tmp:
        nlp.to_disk(tmp)
        settings = load_settings(kzx_config, model=tmp)
        kzx_nlp = build_pipeline(settings)
    stage = kzx_nlp.get_pipe("kzx_relations")
    # the words of this config, not those of a model the stage may have fallen back on
    stage.set_words(read_json(settings.components["kzx_relations"].get("patterns") or {}))
    stage.model = train_relations(kzx_nlp, documents, acronyms, c)
    nlp.add_pipe("kzx_relations").take_model(stage)
    return nlp


def with_orgtype(nlp, documents: list[GoldDocument], c: float = 1.0):
    """`nlp` with a kzx_orgtype stage after its NER, trained on the documents' AGENCY and GROUP mentions."""
    from .components.orgtype import ORG_LABELS, name_features

    rows, labels = [], []
    for gold in documents:
        for e in gold.entities:
            if e["label"] in ORG_LABELS and not e.get("boilerplate"):
                rows.append(name_features(gold.text, e["start"], e["end"]))
                labels.append(e["label"])
    if "kzx_orgtype" in nlp.pipe_names:
        nlp.remove_pipe("kzx_orgtype")
    stage = nlp.add_pipe("kzx_orgtype", **({"after": "ner"} if "ner" in nlp.pipe_names else {}))
    if len(set(labels)) == 2:
        stage.model = fit_linear(rows, labels, c, positive_weight=1.0)
    return nlp
