"""Organisation typing stage: a trained classifier decides AGENCY or GROUP for the NER's organisation spans.

The NER sees a few words around a name; whether "UzGazOil", "Junbesh Party" or "NDI" is a state body
(AGENCY) or a company, party, NGO or militant group (GROUP) is carried by the name's own letters and
words (-neft, -gaz, Oil, Bank, Party, Institute, Foundation, .ru) and by the words around it. A
logistic regression over character n-grams of the name's words, its first and last word, and the
words just before and after (trained by `kzx train` on the corpus's AGENCY and GROUP mentions) relabels
a span when it is confident. Spans the gazetteer or a rule stage knows (kb_id) come later and win.
The model is saved with the pipeline (to_disk).
"""

from __future__ import annotations

import json
import re

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import ensure_path

from . import guarded, source_text
from .relations import LinearModel

ORG_LABELS = ("AGENCY", "GROUP")
_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")


def name_features(text: str, start: int, end: int) -> list[str]:
    """Features of the name text[start:end] in its context (pure: offsets into a plain string)."""
    name = text[start:end]
    tokens = _TOKEN.findall(name)
    f = [f"t={t.lower()}" for t in tokens]
    if tokens:
        f += [f"first={tokens[0].lower()}", f"last={tokens[-1].lower()}"]
    for t in tokens:
        w = "<" + t.lower() + ">"
        f += [f"c={w[i:i + n]}" for n in (3, 4, 5) for i in range(len(w) - n + 1)]
    f += [f"upper={name.isupper()}", f"ntok={min(len(tokens), 5)}"]
    f += [f"b={w}" for w in _WORD.findall(text[max(0, start - 40):start].lower())[-3:]]
    f += [f"a={w}" for w in _WORD.findall(text[end:end + 40].lower())[:3]]
    return f


class OrgType:
    def __init__(self, nlp: Language, name: str, threshold: float):
        self.name = name
        self.threshold = threshold
        self.model: LinearModel | None = None

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        if self.model is None:
            return doc
        ents = list(doc.ents)
        todo = [i for i, e in enumerate(ents) if e.label_ in ORG_LABELS and not e.kb_id_]
        if not todo:
            return doc
        text = source_text(doc)
        probs = self.model.probabilities([name_features(text, ents[i].start_char, ents[i].end_char) for i in todo])
        for i, row in zip(todo, probs):
            best = int(row.argmax())
            label = self.model.classes[best]
            if label != ents[i].label_ and row[best] >= self.threshold:
                ents[i] = Span(doc, ents[i].start, ents[i].end, label=label)
        doc.ents = ents
        return doc

    def to_disk(self, path, exclude=()) -> None:
        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "cfg.json").write_text(json.dumps({"threshold": self.threshold}), encoding="utf-8")
        if self.model is not None:
            self.model.to_disk(path / "model")

    def from_disk(self, path, exclude=()) -> "OrgType":
        path = ensure_path(path)
        if (path / "cfg.json").is_file():  # the threshold the pipeline was saved with (kzx.toml's, at build)
            self.threshold = float(json.loads((path / "cfg.json").read_text(encoding="utf-8"))["threshold"])
        if (path / "model" / "weights.npy").is_file():
            self.model = LinearModel.from_disk(path / "model")
        return self


@Language.factory("kzx_orgtype", default_config={"threshold": 0.6}, assigns=["doc.ents"])
def make_orgtype(nlp: Language, name: str, threshold: float) -> OrgType:
    return OrgType(nlp, name, threshold)
