"""GraphML writer: typed keys whose ids are their names, unique edge ids, XML-safe strings."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from .common import atomic_open, xml_id, xml_safe
from .model_rows import Export

NS = "http://graphml.graphdrawing.org/xmlns"
NODE_KEYS = [("label", "string"), ("type", "string"), ("aliases", "string"), ("mentions", "int"),
             ("documents", "int"), ("wikidata", "string"), ("first_date", "string")]
# Key ids are unique in a GraphML file, so edge keys take names of their own.
# Direction is a data value: per-edge `directed` attributes make mixed graphs that networkx rejects.
EDGE_KEYS = [("relation", "string"), ("directed", "boolean"), ("kind", "string"), ("weight", "double"), ("doc_count", "int"),
             ("first_seen", "string"), ("last_seen", "string"), ("evidence", "string"), ("evidence_doc", "string")]


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    root = etree.Element(f"{{{NS}}}graphml", nsmap={None: NS})
    for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
        for name, kind in keys:
            etree.SubElement(root, f"{{{NS}}}key", id=name, attrib={"for": scope, "attr.name": name, "attr.type": kind})
    graph = etree.SubElement(root, f"{{{NS}}}graph", id="kzx", edgedefault="directed")

    def data(parent, key, value):
        d = etree.SubElement(parent, f"{{{NS}}}data", key=key)
        d.text = xml_safe(value)

    for n in g.nodes:
        node = etree.SubElement(graph, f"{{{NS}}}node", id=xml_id(n.id))
        for key, value in (("label", n.name), ("type", n.label), ("aliases", "|".join(sorted(n.aliases))),
                           ("mentions", n.mentions), ("documents", len(n.documents)),
                           ("wikidata", n.wikidata), ("first_date", export.first_dates.get(n.id, ""))):
            data(node, key, value)
    for e in g.edges:
        edge = etree.SubElement(graph, f"{{{NS}}}edge", id=e.id, source=xml_id(e.source), target=xml_id(e.target))
        for key, value in (("relation", e.type), ("directed", "true" if e.directed else "false"), ("kind", e.type), ("weight", float(e.weight)),
                           ("doc_count", len(e.documents)), ("first_seen", e.first_date),
                           ("last_seen", e.last_date), ("evidence", e.evidence), ("evidence_doc", e.evidence_doc)):
            data(edge, key, value)
    path = out / "graph.graphml"
    with atomic_open(path, "wb") as f:
        f.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return [path]
