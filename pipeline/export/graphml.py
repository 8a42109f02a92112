"""GraphML writer: typed keys, unique edge ids, each edge's direction as GraphML and Gephi read it,
XML-safe strings.

Direction: `edgedefault="undirected"` and a `directed` attribute on every edge, which is what the
GraphML spec, Gephi's importer and graphology read (graphology takes only `directed="true"` as
directed, so the default must be undirected). Readers without mixed graphs (igraph; networkx refuses
mixed files) find each edge's direction again in its `directed` data value.

Written as a stream of escaped strings: a large graph never sits in memory as an XML tree."""

from __future__ import annotations

from pathlib import Path
from .common import atomic_open, xml_attr, xml_id, xml_text
from .csv_files import edge_label
from .model_rows import Export

NS = "http://graphml.graphdrawing.org/xmlns"
# (key id, attr.name, attr.type). Key ids are unique in a file, so the edge label's key is "edgelabel"
# (an id Gephi maps to the edge label, as it maps "label" to the node label and "weight" to the weight).
NODE_KEYS = [("label", "label", "string"), ("type", "type", "string"), ("aliases", "aliases", "string"),
             ("mentions", "mentions", "int"), ("documents", "documents", "int"), ("wikidata", "wikidata", "string"),
             ("first_date", "first_date", "string")]
EDGE_KEYS = [("edgelabel", "label", "string"), ("relation", "relation", "string"),
             ("directed", "directed", "boolean"), ("kind", "kind", "string"), ("weight", "weight", "double"),
             ("doc_count", "doc_count", "int"), ("first_seen", "first_seen", "string"),
             ("last_seen", "last_seen", "string"), ("evidence", "evidence", "string"),
             ("evidence_doc", "evidence_doc", "string"), ("confidence", "confidence", "double")]


def _data(values) -> str:
    return "".join(f'<data key="{key}">{xml_text(value)}</data>' for key, value in values)


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    path = out / "graph.graphml"
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='UTF-8'?>\n<graphml xmlns=\"{NS}\">\n")
        for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
            for key, name, kind in keys:
                f.write(f'  <key id="{key}" for="{scope}" attr.name="{name}" attr.type="{kind}"/>\n')
        f.write('  <graph id="kzx" edgedefault="undirected">\n')
        for n in g.nodes:
            f.write(f"    <node id={xml_attr(xml_id(n.id))}>" + _data((
                ("label", n.name), ("type", n.label), ("aliases", "|".join(sorted(n.aliases))),
                ("mentions", n.mentions), ("documents", len(n.documents)), ("wikidata", n.wikidata),
                ("first_date", export.first_dates.get(n.id, "")))) + "</node>\n")
        for e in g.edges:  # ids, types, counts and ISO dates need no escaping; labels and evidence may
            directed = "true" if e.directed else "false"
            f.write(f'    <edge id="{e.id}" source="{xml_id(e.source)}" target="{xml_id(e.target)}" '
                    f'directed="{directed}"><data key="edgelabel">{xml_text(edge_label(e))}</data>'
                    f'<data key="relation">{e.type}</data><data key="directed">{directed}'
                    f'</data><data key="kind">{e.type}</data><data key="weight">{float(e.weight)}</data>'
                    f'<data key="doc_count">{len(e.documents)}</data><data key="first_seen">{e.first_date}</data>'
                    f'<data key="last_seen">{e.last_date}</data><data key="evidence">{xml_text(e.evidence)}</data>'
                    f'<data key="evidence_doc">{xml_text(e.evidence_doc)}</data>'
                    f'<data key="confidence">{float(e.confidence)}</data></edge>\n')
        f.write("  </graph>\n</graphml>\n")
    return [path]
