"""The one data model every stage after the parse shares: plain records, no spaCy."""

from __future__ import annotations

from dataclasses import dataclass, field

LABELS = ("PERSON", "AGENCY", "GROUP", "PLACE", "DATE")
CO_OCCURS = "CO_OCCURS"  # the lighter relation type: two entities named in one sentence


@dataclass
class Document:
    """A decoded input file; `doc_id` is its path relative to the input dir."""

    doc_id: str
    text: str
    sha256: str = ""
    size: int = 0
    meta: dict = field(default_factory=dict)


@dataclass(slots=True)
class Mention:
    """An entity mention; `link` is the gazetteer id it matched, or the long form it abbreviates."""

    doc_id: str
    start: int
    end: int
    text: str
    label: str
    value: str = ""
    sent_start: int = 0
    sent_end: int = 0
    boilerplate: bool = False
    link: str = ""


@dataclass(slots=True)
class Relation:
    """A relation between two mentions of one document, with its evidence sentence."""

    doc_id: str
    head_start: int
    head_end: int
    tail_start: int
    tail_end: int
    type: str
    sent_start: int
    sent_end: int
    date: str = ""
    directed: bool = True
    confidence: float = 1.0  # the relation classifier's probability of the type
    label: str = ""  # an OTHER relation's trigger words


@dataclass(slots=True)
class Entity:
    """A resolved entity: the node of the graph."""

    id: str
    label: str
    name: str
    aliases: dict[str, int] = field(default_factory=dict)
    mentions: int = 0
    documents: set[str] = field(default_factory=set)
    wikidata: str = ""


@dataclass(slots=True)
class Edge:
    """An aggregated edge: one per source, target and relation type."""

    id: str
    source: str
    target: str
    type: str
    directed: bool
    weight: int
    documents: set[str] = field(default_factory=set)
    evidence: str = ""
    evidence_doc: str = ""
    dates: set[str] = field(default_factory=set)
    confidence: float = 1.0  # typed edges: the highest confidence of their evidence
    label: str = ""  # OTHER edges: the trigger words of their first evidence

    @property
    def first_date(self) -> str:
        return min(self.dates) if self.dates else ""

    @property
    def last_date(self) -> str:
        return max(self.dates) if self.dates else ""


@dataclass
class Graph:
    """Entities and aggregated edges: what every exporter writes."""

    nodes: list[Entity]
    edges: list[Edge]
