"""kzx's spaCy stages, one @Language.factory per module; importing this package registers them."""

import functools

from spacy.tokens import Doc

# Results the stages leave on the Doc, keyed "start:end" by character offsets of an entity.
# kzx_source holds the original text when the parsed copy was re-cased (same length, same offsets).
for _name, _default in (("kzx_source", None), ("kzx_error", None), ("kzx_meta", None), ("kzx_values", None), ("kzx_links", None),
                        ("kzx_boilerplate", None), ("kzx_relations", None)):
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


from . import acronyms, boilerplate, cable, consistency, dates, gazetteer, labels, orgtype, paragraphs, relations, rules  # noqa: E402,F401,I001
