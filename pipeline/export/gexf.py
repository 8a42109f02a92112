"""GEXF 1.3 writer: node type as an attribute with a colour per type, and spells from evidence
dates so Gephi's timeline can play the network over time. Every edge states its own type (directed or
undirected), as GEXF 1.3 allows: Gephi and graphology read such mixed graphs (networkx refuses any
mixed file; graph.json is its form). Written as a stream of escaped strings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .common import atomic_open, date_intervals, xml_attr, xml_id
from .csv_files import edge_label
from .model_rows import Export

NS = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
COLOURS = {"PERSON": (228, 26, 28), "AGENCY": (55, 126, 184), "GROUP": (152, 78, 163), "PLACE": (77, 175, 74),
           "DATE": (255, 127, 0)}
NODE_ATTRS = [("type", "string"), ("aliases", "string"), ("mentions", "integer"), ("documents", "integer"),
              ("wikidata", "string")]
EDGE_ATTRS = [("relation", "string"), ("documents", "integer"), ("evidence", "string"), ("evidence_doc", "string"),
              ("confidence", "double")]


def _spells(values) -> str:
    bounds = date_intervals(values)  # overlapping spells are merged: Gephi refuses them
    if not bounds:
        return ""
    return "<spells>" + "".join(f'<spell start="{s}" end="{e}"/>' for s, e in bounds) + "</spells>"


def _attvalues(values) -> str:
    return "<attvalues>" + "".join(f'<attvalue for="{k}" value={xml_attr(v)}/>' for k, v in values) + \
        "</attvalues>"


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    node_dates = export.node_dates()
    path = out / "graph.gexf"
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='UTF-8'?>\n<gexf xmlns=\"{NS}\" xmlns:viz=\"{VIZ}\" version=\"1.3\">\n"
                f'  <meta lastmodifieddate="{date.today().isoformat()}"><creator>kzx</creator></meta>\n'
                '  <graph defaultedgetype="directed" mode="dynamic" timeformat="date">\n')
        for cls, attrs in (("node", NODE_ATTRS), ("edge", EDGE_ATTRS)):
            f.write(f'    <attributes class="{cls}">' + "".join(
                f'<attribute id="{name}" title="{name}" type="{kind}"/>' for name, kind in attrs) + "</attributes>\n")
        f.write("    <nodes>\n")
        for n in g.nodes:
            r, gr, b = COLOURS.get(n.label, (128, 128, 128))
            f.write(f"      <node id={xml_attr(xml_id(n.id))} label={xml_attr(n.name)}>" + _attvalues((
                ("type", n.label), ("aliases", "|".join(sorted(n.aliases))), ("mentions", n.mentions),
                ("documents", len(n.documents)), ("wikidata", n.wikidata))) + _spells(node_dates.get(n.id, ())) +
                f'<viz:color r="{r}" g="{gr}" b="{b}"/></node>\n')
        f.write("    </nodes>\n    <edges>\n")
        for e in g.edges:  # ids, types and counts need no escaping; the evidence fields may
            f.write(f'      <edge id="{e.id}" source="{xml_id(e.source)}" target="{xml_id(e.target)}" '
                    f'type="{"directed" if e.directed else "undirected"}" kind="{e.type}" label={xml_attr(edge_label(e))} '
                    f'weight="{float(e.weight)}"><attvalues><attvalue for="relation" value="{e.type}"/>'
                    f'<attvalue for="documents" value="{len(e.documents)}"/><attvalue for="evidence" '
                    f'value={xml_attr(e.evidence)}/><attvalue for="evidence_doc" value={xml_attr(e.evidence_doc)}/>'
                    f'<attvalue for="confidence" value="{float(e.confidence)}"/>'
                    f"</attvalues>{_spells(e.dates)}</edge>\n")
        f.write("    </edges>\n  </graph>\n</gexf>\n")
    return [path]
