"""Date stage: drops durations and frequencies, gives every DATE mention its ISO value.

Values come from `pipeline.dates.date_value`, anchored on the document date the ingest stage put
in doc._.kzx_meta and on the last full date named earlier in the text.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from ..config import read_json
from ..dates import Anchor, date_value


class Dates:
    def __init__(self, nlp: Language, name: str, rules: str):
        self.name = name
        r = read_json(rules)
        self.drop = re.compile("|".join(f"(?:{p})" for p in r["drop"]), re.I)

    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.kzx_meta or {}
        anchor = Anchor(meta.get("date", ""), meta.get("report_year", ""))
        values = doc._.kzx_values or {}
        ents = []
        for ent in doc.ents:
            if ent.label_ == "DATE":
                if self.drop.search(ent.text.strip()):
                    continue
                value = date_value(ent.text, anchor)
                values[f"{ent.start_char}:{ent.end_char}"] = value
                if len(value) >= 10 and "/" not in value:
                    anchor.last = date.fromisoformat(value[:10])
            ents.append(ent)
        doc.ents = ents
        doc._.kzx_values = values
        return doc


@Language.factory("kzx_dates", default_config={"rules": ""}, assigns=["doc.ents", "doc._.kzx_values"])
def make_dates(nlp: Language, name: str, rules: str) -> Dates:
    return Dates(nlp, name, rules)
