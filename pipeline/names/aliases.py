"""Alias tables: gazetteer records and user overrides, indexed by transliteration key."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .translit import match_key


@dataclass
class AliasTable:
    """(label, key) -> canonical record; countries by adjective and name for scoped bodies."""

    by_key: dict[tuple[str, str], dict] = field(default_factory=dict)
    by_id: dict[tuple[str, str], dict] = field(default_factory=dict)
    country_of_adjective: dict[str, str] = field(default_factory=dict)
    country_of_name: dict[str, str] = field(default_factory=dict)
    country_of_place: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: list[dict]) -> "AliasTable":
        table = cls()
        for r in records:
            table.by_id[(r["label"], r["id"])] = r
            for name in [r["id"]] + r.get("names", []) + r.get("acronyms", []) + r.get("aliases", []):
                table.by_key.setdefault((r["label"], match_key(name)), r)
            if r["label"] == "PLACE":
                table.country_of_place[r["id"]] = r["id"] if r.get("kind") == "country" else r.get("country", "")
            if r.get("kind") == "country":
                for adj in r.get("adjectives", []):
                    table.country_of_adjective[match_key(adj)] = r["id"]
                for name in r.get("names", []):
                    table.country_of_name[match_key(name)] = r["id"]
        return table

    def lookup(self, label: str, name: str) -> dict | None:
        return self.by_key.get((label, match_key(name)))

    def scoped_country(self, name: str) -> tuple[str, str]:
        """(country, generic name) of "Kazakhstani MFA" or "Ministry of Justice of Kazakhstan"; ("", name) if none."""
        words = name.split()
        if len(words) > 1 and (country := self.country_of_adjective.get(match_key(words[0]))):
            return country, " ".join(words[1:])
        m = re.match(r"^(.+?)\s+of\s+(?:the\s+)?(.+)$", name)
        if m and (country := self.country_of_name.get(match_key(m.group(2)))):
            return country, m.group(1)
        return "", name


@dataclass
class Overrides:
    """User decisions: forced merges, forbidden merges and renames, by 'LABEL:name'."""

    merges: list[list[str]] = field(default_factory=list)
    splits: list[tuple[str, str]] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_records(cls, records: list[dict]) -> "Overrides":
        o = cls()
        for r in records:
            if "merge" in r:
                o.merges.append(list(r["merge"]))
            if "split" in r:
                a, b = r["split"]
                o.splits.append((a, b))
            if "rename" in r:
                o.renames[r["rename"]] = r["to"]
        return o


def parse_ref(ref: str) -> tuple[str, str]:
    """'PERSON:Nazarov' -> ('PERSON', key of 'Nazarov')."""
    label, _, name = ref.partition(":")
    return label.strip().upper(), match_key(name)
