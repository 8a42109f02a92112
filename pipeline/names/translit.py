"""Transliteration keys: one string for every romanization of a Kazakh or Russian name.

Cyrillic is romanized with ICU's BGN/PCGN transforms (Kazakh-Latin/BGN when the text has Kazakh
letters, else Russian-Latin/BGN), then reduced to ASCII. The Latin result is folded so that the
variants that different romanization systems produce meet:

    y/i            Nazarbayev, Nazarbaiev  -> nazarbaev     (y -> i, then ie/iye -> e)
    -yev/-iev/-ev  Aliyev, Aliev           -> alev
    kh/h, q/k      Rakhmonov, Rahmonov; Qazaq -> kazak
    zh/dzh/dj/j    Zhambyl, Jambyl, Dzhambul -> jambil, jambul
    ye/e           Yerkin, Erkin           -> erkin
    ts/tz, w/v, gh/g, doubled letters      Massimov, Masimov -> masimov
    Kazak/Kazakh   Kazakstan, Kazakhstan   -> kazahstan

Renames (Alma-Ata/Almaty, Tselinograd/Astana) are facts for the alias tables, not folds.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import icu

_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_KAZAKH_LETTERS = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_SOUTH_SLAVIC_LETTERS = re.compile(r"[ЂЋЉЊЏЈЃЌЅђћљњџјѓќѕ]")
_FOLD_STAGES = [  # applied in turn; within a stage, longer clusters before their parts
    [("dzh", "j"), ("dj", "j"), ("zh", "j"), ("kh", "h"), ("q", "k"), ("gh", "g"), ("tz", "ts"),
     ("w", "v"), ("ck", "k"), ("yov", "yev")],
    [("kazak", "kazah")],
    [("y", "i")],
    [("ii", "i")],
    [("ie", "e")],
]
_FOLDS = [(re.compile("|".join(re.escape(a) for a, _ in stage)), dict(stage)) for stage in _FOLD_STAGES]
_DOUBLE = re.compile(r"([a-z])\1+")
_ACRONYM = re.compile(r"[A-Z]{2,4}")
_NON_WORD = re.compile(r"[\W_]+")  # on folded text: anything but ASCII letters, digits and other scripts' letters


@lru_cache(maxsize=4)
def _transliterator(name: str):
    return icu.Transliterator.createInstance(name)


def to_latin(text: str) -> str:
    """Romanizes Cyrillic (Kazakh, Russian, Serbian and Macedonian BGN/PCGN: Љубљана -> Ljubljana);
    Latin text passes through unchanged."""
    if not _CYRILLIC.search(text):
        return text
    if _SOUTH_SLAVIC_LETTERS.search(text):
        text = _transliterator("Serbian-Latin/BGN").transliterate(text)
        text = _transliterator("Macedonian-Latin/BGN").transliterate(text)
    else:
        system = "Kazakh-Latin/BGN" if _KAZAKH_LETTERS.search(text) else "Russian-Latin/BGN"
        text = _transliterator(system).transliterate(text)
    # a letter the standard has no rule for (Ukrainian ї, Belarusian ў) still becomes a Latin one
    return _transliterator("Cyrillic-Latin").transliterate(text) if _CYRILLIC.search(text) else text


def ascii_fold(text: str) -> str:
    """Strips diacritics and modifier letters: Öskemen -> Oskemen, natsionalʹnoy -> natsionalnoy;
    Latin letters without a decomposition become ASCII (Đorđe -> Dorde, Łódź -> Lodz). Letters of
    other scripts are kept as they are (习近平, Τσίπρας -> Τσιπρας): ids and keys never drop a name."""
    out = []
    for c in unicodedata.normalize("NFKD", text):
        if c.isascii():
            out.append(c)
        elif (c.isalnum() and unicodedata.category(c) != "Lm") or unicodedata.category(c) == "Mc":
            if "LATIN" in unicodedata.name(c, ""):
                out.append("".join(a for a in _transliterator("Latin-ASCII").transliterate(c) if a.isascii()))
            else:
                out.append(c)
    return "".join(out)


@lru_cache(maxsize=500_000)
def match_key(name: str) -> str:
    """The transliteration key of a name: equal keys mean spelling variants of one name. An acronym
    (one upper-case word of two to four letters) is its letters: "EEB" and "EB" are two bodies."""
    if _ACRONYM.fullmatch(name.strip()):
        return name.strip().lower()
    text = ascii_fold(to_latin(name)).lower()
    text = _NON_WORD.sub(" ", text.replace("'", "")).strip()
    for pattern, table in _FOLDS:
        text = pattern.sub(lambda m: table[m.group()], text)
    return _DOUBLE.sub(r"\1", text)


# name particles: written in lower case inside a capitalised name ("al-Qaeda in the Arabian Peninsula",
# "bin Laden", "van Gogh"), and kept by a surname that stands alone ("al-Qadhafi")
NAME_PARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ul", "ud", "ut", "bin", "ibn",
                            "bint", "abu", "de", "del", "della", "di", "da", "du", "la", "le", "van", "von", "der",
                            "den", "ter", "dos", "mac", "mc", "o"})
