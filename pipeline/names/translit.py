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
_NON_WORD = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=4)
def _transliterator(name: str):
    return icu.Transliterator.createInstance(name)


def to_latin(text: str) -> str:
    """Romanizes Cyrillic (Kazakh or Russian BGN/PCGN); Latin text passes through unchanged."""
    if not _CYRILLIC.search(text):
        return text
    system = "Kazakh-Latin/BGN" if _KAZAKH_LETTERS.search(text) else "Russian-Latin/BGN"
    return _transliterator(system).transliterate(text)


def ascii_fold(text: str) -> str:
    """Strips diacritics and modifier letters: Öskemen -> Oskemen, natsionalʹnoy -> natsionalnoy."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii())


@lru_cache(maxsize=500_000)
def match_key(name: str) -> str:
    """The transliteration key of a name: equal keys mean spelling variants of one name."""
    text = ascii_fold(to_latin(name)).lower()
    text = _NON_WORD.sub(" ", text.replace("'", "")).strip()
    for pattern, table in _FOLDS:
        text = pattern.sub(lambda m: table[m.group()], text)
    return _DOUBLE.sub(r"\1", text)
