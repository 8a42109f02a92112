"""kzx's spaCy stages, one @Language.factory per module; importing this package registers them."""

from spacy.tokens import Doc

# Results the stages leave on the Doc, keyed "start:end" by character offsets of an entity.
# kzx_source holds the original text when the parsed copy was re-cased (same length, same offsets).
for _name, _default in (("kzx_source", None), ("kzx_meta", None), ("kzx_values", None), ("kzx_links", None),
                        ("kzx_boilerplate", None), ("kzx_relations", None)):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)



def source_text(doc: Doc) -> str:
    """The document text as decoded, which rule stages match against."""
    return doc._.kzx_source or doc.text


from . import acronyms, boilerplate, cable, consistency, dates, gazetteer, labels, relations, rules  # noqa: E402,F401
