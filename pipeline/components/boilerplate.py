"""Boilerplate stage: finds website furniture and cable serial lines, by line rules in configs/.

Regions go to doc._.kzx_boilerplate as [start, end] character pairs: whole lines that match a line
rule; a site banner on the first line; everything after a tail marker ("Search Refworld", "More
IWPR's Global Voices", "Related articles"); and the teaser before each "More details" (the headline
line above it, twice when the teaser repeats it).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from . import DataStage, guarded, source_text
from ..config import read_json


def boilerplate_regions(text: str, lines: re.Pattern, banner: re.Pattern, tail: re.Pattern,
                        teaser: re.Pattern, teaser_lines: int) -> list[list[int]]:
    """Character regions of `text` that are boilerplate, in order and merged."""
    regions = [[m.start(), m.end()] for m in lines.finditer(text)]
    first = re.match(r"\s*[^\n]*", text)
    if first and banner.match(first.group().strip()):
        regions.append([0, first.end()])
    end = tail.search(text)
    if end:
        regions.append([end.start(), len(text)])
    for m in teaser.finditer(text):
        lines = _lines_before(text, m.start(), teaser_lines)
        if lines:
            start = lines[0][0]
            if len(lines) > 1 and text[lines[1][0]:lines[1][1]].strip() == text[start:lines[0][1]].strip():
                start = lines[1][0]  # a teaser repeats its headline as link text
            regions.append([start, m.end()])
    regions.sort()
    merged: list[list[int]] = []
    for r in regions:
        if merged and r[0] <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], r[1])
        else:
            merged.append(list(r))
    return merged


def _lines_before(text: str, pos: int, count: int) -> list[tuple[int, int]]:
    """(start, end) of up to `count` non-blank lines before `pos`, nearest first."""
    found, end = [], pos
    while len(found) < count and end > 0:
        start = text.rfind("\n", 0, max(0, end - 1)) + 1
        if text[start:end].strip():
            found.append((start, end))
        if start == 0:
            break
        end = start
    return found


class Boilerplate(DataStage):
    DATA = ('rules',)

    def setup(self, nlp: Language, rules: dict) -> None:
        r = read_json(rules)
        self.lines = re.compile("|".join(f"(?:{p})" for p in r["lines"]), re.M)
        self.banner = re.compile(r["first_line_banner"])
        self.tail = re.compile("|".join(f"(?:{p})" for p in r["tail_markers"]), re.M)
        self.teaser = re.compile(r["teaser_marker"], re.M)
        self.teaser_lines = r["teaser_lines"]

    @guarded
    def __call__(self, doc: Doc) -> Doc:
        doc._.kzx_boilerplate = boilerplate_regions(source_text(doc), self.lines, self.banner, self.tail,
                                                    self.teaser, self.teaser_lines)
        return doc


@Language.factory("kzx_boilerplate", default_config={"rules": ""}, assigns=["doc._.kzx_boilerplate"])
def make_boilerplate(nlp: Language, name: str, rules: str | dict) -> Boilerplate:
    return Boilerplate(nlp, name, rules=rules)
