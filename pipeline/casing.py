"""Re-casing of upper-case lines (cable SUBJECT lines, section headings, titles) for the NER model, an
archive dump's line-continuation backslashes blanked ('ZMB \\' + newline + 'Schweiz' reads as a name
across a line break, not as a token between its words), and the hard wraps of running text read as
spaces (a name broken across lines is one name).

The copy has exactly the length of the original, so every offset found in it holds for the
original text, from which mention texts are then taken.
"""

from __future__ import annotations

import re

from .ingest.cable import is_cable, parse_header

_CONTINUATION = re.compile(r"\\(?=[ \t]*\r?\n)")
# a line of running text wrapped at the archive's width, and the line it runs on to: the break
# becomes a space, so that a name or a sentence broken across it ("al-Qaeda in the" / "Arabian
# Peninsula") is read whole. Not before a blank line, an indented line, a list or paragraph marker,
# a "LABEL:" line or a header keyword, nor after a line that ends in a colon.
_WRAP = re.compile(r"(?m)^(?P<line>[^\S\n]*\S[^\n]{38,}?[^\s:][^\S\n]*)(?P<brk>\r?\n)(?=\S)(?!"
                   r"[-*•·¶§>]|\d{1,3}[.)](?:\s|$)|\(\w{1,4}\)|[A-Z][A-Za-z./ -]{0,24}:|"
                   r"(?:FM|TO|INFO|REF|REFS|SUBJECT|SUBJ|TAGS|E\.\s?O\.|CLASSIFIED BY|Classified By)\b)")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_FUNCTION_WORDS = {"of", "to", "the", "and", "for", "in", "on", "at", "by", "with", "from", "a", "an", "or", "as",
                   "is", "are", "but", "into", "over", "after", "before", "against"}


_DROP_ASCII_LOWER = str.maketrans("", "", "abcdefghijklmnopqrstuvwxyz")


def _is_upper_line(line: str) -> bool:
    # more than a fifth of the line in a-z: more than a fifth of its letters are not upper case
    if 5 * (len(line) - len(line.translate(_DROP_ASCII_LOWER))) > len(line):
        return False
    letters, upper = letter_counts(line)
    if letters < 6 or upper < 0.8 * letters:
        return False
    return len(_WORD.findall(line)) >= 2


def letter_counts(text: str) -> tuple[int, int]:
    """(letters, upper-case letters) of a text."""
    letters = "".join(filter(str.isalpha, text))
    return len(letters), sum(map(str.isupper, letters))


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
    result = unwrap("".join(out), start)
    assert len(result) == len(text)
    return result


def unwrap(text: str, start: int = 0) -> str:
    """The hard line wraps of running text after `start` as spaces (same length: '\\r\\n' as two)."""
    head, body = text[:start], text[start:]
    if "\n" not in body:
        return text
    return head + _WRAP.sub(lambda m: m.group("line") + " " * len(m.group("brk")), body)
