"""kzx's spaCy stages, one @Language.factory per module; importing this package registers them."""

import functools

from spacy.tokens import Doc

# Results the stages leave on the Doc, keyed "start:end" by character offsets of an entity.
# kzx_source holds the original text when the parsed copy was re-cased (same length, same offsets).
# kzx_header_pairs: (person start, end, office start, end) of a cable's distribution lines ('NSC FOR X').
for _name, _default in (("kzx_source", None), ("kzx_error", None), ("kzx_meta", None), ("kzx_values", None), ("kzx_links", None),
                        ("kzx_boilerplate", None), ("kzx_relations", None), ("kzx_header_pairs", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)



def source_text(doc: Doc) -> str:
    """The document text as decoded, which rule stages match against."""
    return doc._.kzx_source or doc.text


def guarded(call):
    """Wraps a stage's __call__: an error on one document is recorded in doc._.kzx_error (the
    document is then reported as failed) instead of stopping the batch, in any worker process."""

    @functools.wraps(call)
    def wrapper(self, doc: Doc) -> Doc:
        if doc._.kzx_error:
            return doc
        try:
            return call(self, doc)
        except Exception as exc:  # noqa: BLE001  (one bad document must not stop the others)
            doc._.kzx_error = f"{self.name}: {type(exc).__name__}: {exc}".splitlines()[0][:300]
            return doc

    return wrapper


# what a saved pipeline's config.cfg holds in place of a stage's data files: the stage saved their
# content with its own files (to_disk) and reads it back (from_disk)
SAVED = "<saved with the pipeline>"


def data_content(value):
    """A data setting's content: a .json file's object, a .jsonl file's records, a list of files (or
    of records) as one list of records; anything else as it is."""
    from ..config import read_json, read_jsonl

    if isinstance(value, str) and value.endswith(".jsonl"):
        return read_jsonl(value)
    if isinstance(value, str) and value.endswith(".json"):
        return read_json(value)
    if isinstance(value, list):
        out = []
        for item in value:
            content = data_content(item)
            out += content if isinstance(content, list) else [content]
        return out
    return value


class DataStage:
    """A stage built from data files (rule JSON, gazetteer JSONL). It keeps their content, writes it
    into its folder of a saved pipeline (to_disk, data.json) and is built again from it (from_disk):
    a saved pipeline's config names no file and holds no data (`SAVED` in their place). Subclasses
    name their data arguments in DATA and build themselves in setup(nlp, **arguments)."""

    DATA: tuple[str, ...] = ()

    def __init__(self, nlp, name: str, **arguments):
        self.name = name
        self._nlp, self._arguments = nlp, arguments
        self._data = None
        if not any(arguments.get(k) == SAVED for k in self.DATA):
            self._build_from({k: data_content(arguments[k]) for k in self.DATA})

    def _build_from(self, data: dict) -> None:
        self._data = data
        self.setup(self._nlp, **{**self._arguments, **data})

    def setup(self, nlp, **arguments) -> None:
        raise NotImplementedError

    def to_disk(self, path, exclude=()) -> None:
        import srsly
        from spacy.util import ensure_path

        path = ensure_path(path)
        path.mkdir(parents=True, exist_ok=True)
        srsly.write_json(path / "data.json", self._data or {})

    def from_disk(self, path, exclude=()):
        import srsly
        from spacy.util import ensure_path

        if self._data is not None:  # built from its config's files: those win
            return self
        file = ensure_path(path) / "data.json"
        if not file.is_file():
            raise ValueError(f"{self.name}: the saved pipeline has no {file}: rebuild it with kzx model build")
        self._build_from(srsly.read_json(file))
        return self


from . import acronyms, boilerplate, cable, consistency, dates, gazetteer, labels, orgtype, paragraphs, relations, rules, world_places  # noqa: E402,F401,I001
