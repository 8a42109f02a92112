"""JSON writer: networkx node-link JSON for web tools."""

from __future__ import annotations

import json
from pathlib import Path

from .common import atomic_open
from .model_rows import Export


def write(export: Export, out: Path) -> list[Path]:
    """networkx's node-link form of a multigraph (nx.node_link_graph(data, edges="links") reads it),
    written one record at a time with the C encoder rather than built as one object."""
    path = out / "graph.json"
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write('{"directed":true,"multigraph":true,"graph":{},"nodes":[')
        for i, n in enumerate(export.graph.nodes):
            f.write(("," if i else "") + dumps({
                "label": n.name, "type": n.label, "aliases": sorted(n.aliases), "mentions": n.mentions,
                "documents": len(n.documents), "wikidata": n.wikidata, "id": n.id}))
        f.write('],"links":[')
        for i, e in enumerate(export.graph.edges):
            f.write(("," if i else "") + dumps({
                "id": e.id, "kind": e.type, "directed": e.directed, "weight": e.weight, "confidence": e.confidence,
                "documents": len(e.documents), "first_date": e.first_date, "last_date": e.last_date,
                "evidence": e.evidence, "evidence_doc": e.evidence_doc,
                "source": e.source, "target": e.target, "key": e.id}))
        f.write("]}")
    return [path]
