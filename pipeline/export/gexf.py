"""GEXF 1.3 writer: node type as an attribute with a colour per type, and spells from evidence
dates so Gephi's timeline can play the network over time."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lxml import etree

from .common import atomic_open, date_bounds, xml_id, xml_safe
from .model_rows import Export

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
COLOURS = {"PERSON": (228, 26, 28), "AGENCY": (55, 126, 184), "GROUP": (152, 78, 163), "PLACE": (77, 175, 74),
           "DATE": (255, 127, 0)}
NODE_ATTRS = [("type", "string"), ("aliases", "string"), ("mentions", "integer"), ("documents", "integer"),
              ("wikidata", "string")]
EDGE_ATTRS = [("relation", "string"), ("documents", "integer"), ("evidence", "string"), ("evidence_doc", "string")]


def _spells(parent, values: list[str]) -> None:
    bounds = sorted({b for b in (date_bounds(v) for v in values) if b})
    if bounds:
        spells = etree.SubElement(parent, f"{{{NS}}}spells")
        for start, end in bounds:
            etree.SubElement(spells, f"{{{NS}}}spell", start=start, end=end)


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    root = etree.Element(f"{{{NS}}}gexf", nsmap={None: NS, "viz": VIZ}, version="1.3")
    meta = etree.SubElement(root, f"{{{NS}}}meta", lastmodifieddate=date.today().isoformat())
    etree.SubElement(meta, f"{{{NS}}}creator").text = "kzx"
    graph = etree.SubElement(root, f"{{{NS}}}graph", defaultedgetype="directed", mode="dynamic", timeformat="date")
    for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
        block = etree.SubElement(graph, f"{{{NS}}}attributes", attrib={"class": cls})
        for name, kind in attrs:
            etree.SubElement(block, f"{{{NS}}}attribute", id=name, title=name, type=kind)
    node_dates: dict[str, list[str]] = {}
    for e in g.edges:
        for n in (e.source, e.target):
            node_dates.setdefault(n, []).extend(e.dates)
    nodes = etree.SubElement(graph, f"{{{NS}}}nodes")
    for n in g.nodes:
        node = etree.SubElement(nodes, f"{{{NS}}}node", id=xml_id(n.id), label=xml_safe(n.name))
        values = etree.SubElement(node, f"{{{NS}}}attvalues")
        for key, value in (("type", n.label), ("aliases", "|".join(sorted(n.aliases))), ("mentions", n.mentions),
                           ("documents", len(n.documents)), ("wikidata", n.wikidata)):
            etree.SubElement(values, f"{{{NS}}}attvalue", attrib={"for": key, "value": xml_safe(value)})
        _spells(node, node_dates.get(n.id, []))
        r, gr, b = COLOURS.get(n.label, (128, 128, 128))
        etree.SubElement(node, f"{{{VIZ}}}color", r=str(r), g=str(gr), b=str(b))
    edges = etree.SubElement(graph, f"{{{NS}}}edges")
    for e in g.edges:
        edge = etree.SubElement(edges, f"{{{NS}}}edge", id=e.id, source=xml_id(e.source), target=xml_id(e.target),
                                type="directed" if e.directed else "undirected", kind=e.type, label=e.type,
                                weight=str(float(e.weight)))
        values = etree.SubElement(edge, f"{{{NS}}}attvalues")
        for key, value in (("relation", e.type), ("documents", len(e.documents)), ("evidence", e.evidence),
                           ("evidence_doc", e.evidence_doc)):
            etree.SubElement(values, f"{{{NS}}}attvalue", attrib={"for": key, "value": xml_safe(value)})
        _spells(edge, e.dates)
    path = out / "graph.gexf"
    with atomic_open(path, "wb") as f:
        f.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return [path]
