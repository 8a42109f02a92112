"""JSON writer: networkx node-link JSON for web tools."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from .common import atomic_open
from .model_rows import Export


def to_networkx(export: Export) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in export.graph.nodes:
        g.add_node(n.id, label=n.name, type=n.label, aliases=sorted(n.aliases), mentions=n.mentions,
                   documents=len(n.documents), wikidata=n.wikidata)
    for e in export.graph.edges:
        g.add_edge(e.source, e.target, key=e.id, id=e.id, kind=e.type, directed=e.directed, weight=e.weight,
                   documents=len(e.documents), first_date=e.first_date, last_date=e.last_date,
                   evidence=e.evidence, evidence_doc=e.evidence_doc)
    return g


def write(export: Export, out: Path) -> list[Path]:
    path = out / "graph.json"
    data = nx.node_link_data(to_networkx(export), edges="links")
    with atomic_open(path, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
    return [path]
