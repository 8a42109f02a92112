"""Re-casing of upper-case lines (cable SUBJECT lines, section headings, titles) for the NER model, and
an archive dump's line-continuation backslashes blanked ('ZMB \\' + newline + 'Schweiz' reads as a name
across a line break, not as a token between its words).

The copy has exactly the length of the original, so every offset found in it holds for the
original text, from which mention texts are then taken.
"""

from __future__ import annotations

import re

from .ingest.cable import is_cable, parse_header

_CONTINUATION = re.compile(r"\\(?=[ \t]*\r?\n)")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_FUNCTION_WORDS = {"of", "to", "the", "and", "for", "in", "on", "at", "by", "with", "from", "a", "an", "or", "as",
                   "is", "are", "but", "into", "over", "after", "before", "against"}


def _is_upper_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    words = _WORD.findall(line)
    return len(letters) >= 6 and len(words) >= 2 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def _lower(s: str) -> str:
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


def _recase_word(word: str, acronyms: set[str]) -> str:
    if word in acronyms or (len(word) <= 3 and word.lower() not in _FUNCTION_WORDS):
        return word
    if word.lower() in _FUNCTION_WORDS:
        return _lower(word)
    return re.sub(r"[^\W\d_]+", lambda m: m.group()[0] + _lower(m.group()[1:]), word)


def recase(text: str, acronyms: set[str]) -> str:
    """Title-cases upper-case lines, keeping acronyms; a cable's routing block is left alone. Line
    continuations become spaces."""
    text = _CONTINUATION.sub(" ", text) if "\\" in text else text
    subject = parse_header(text).subject if is_cable(text) else None
    start = subject[0] if subject else 0
    out, pos = [text[:start]], start
    for line in text[start:].splitlines(keepends=True):
        if _is_upper_line(line):
            line = _WORD.sub(lambda m: _recase_word(m.group(), acronyms), line)
        out.append(line)
        pos += len(line)
    result = "".join(out)
    assert len(result) == len(text)
    return result
