"""Paragraph stage (before the parser): a blank line always ends a sentence.

The small English parser can run whole lists or repeated lines together into one "sentence";
relation and co-occurrence pairs are per sentence, so such a sentence would cost quadratic time
and draw spurious edges. Pre-set sentence starts are respected by the parser.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from . import guarded


class Paragraphs:
    def __init__(self, nlp: Language, name: str, min_newlines: int):
        self.name = name
        self.min_newlines = min_newlines

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        for token in doc[:-1]:
            if token.is_space and token.text.count("\n") >= self.min_newlines:
                doc[token.i + 1].is_sent_start = True
        return doc


@Language.factory("kzx_paragraphs", default_config={"min_newlines": 2}, assigns=["token.is_sent_start"])
def make_paragraphs(nlp: Language, name: str, min_newlines: int) -> Paragraphs:
    return Paragraphs(nlp, name, min_newlines)
