"""GraphML writer: typed keys whose ids are their names, unique edge ids, XML-safe strings.

Written as a stream of escaped strings: a large graph never sits in memory as an XML tree."""

from __future__ import annotations

from pathlib import Path
from .common import atomic_open, xml_attr, xml_id, xml_text
from .model_rows import Export

NS = "http://graphml.graphdrawing.org/xmlns"
NODE_KEYS = [("label", "string"), ("type", "string"), ("aliases", "string"), ("mentions", "int"),
             ("documents", "int"), ("wikidata", "string"), ("first_date", "string")]
# Key ids are unique in a GraphML file, so edge keys take names of their own. Direction is a data
# value: per-edge `directed` attributes make mixed graphs that networkx rejects.
EDGE_KEYS = [("relation", "string"), ("directed", "boolean"), ("kind", "string"), ("weight", "double"),
             ("doc_count", "int"), ("first_seen", "string"), ("last_seen", "string"), ("evidence", "string"),
             ("evidence_doc", "string"), ("confidence", "double")]


def _data(values) -> str:
    return "".join(f'<data key="{key}">{xml_text(value)}</data>' for key, value in values)


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    path = out / "graph.graphml"
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(f"<?xml version='1.0' encoding='UTF-8'?>\n<graphml xmlns=\"{NS}\">\n")
        for scope, keys in (("node", NODE_KEYS), ("edge", EDGE_KEYS)):
            for name, kind in keys:
                f.write(f'  <key id="{name}" for="{scope}" attr.name="{name}" attr.type="{kind}"/>\n')
        f.write('  <graph id="kzx" edgedefault="directed">\n')
        for n in g.nodes:
            f.write(f"    <node id={xml_attr(xml_id(n.id))}>" + _data((
                ("label", n.name), ("type", n.label), ("aliases", "|".join(sorted(n.aliases))),
                ("mentions", n.mentions), ("documents", len(n.documents)), ("wikidata", n.wikidata),
                ("first_date", export.first_dates.get(n.id, "")))) + "</node>\n")
        for e in g.edges:  # ids, types, counts and ISO dates need no escaping; the evidence fields may
            f.write(f'    <edge id="{e.id}" source="{xml_id(e.source)}" target="{xml_id(e.target)}">'
                    f'<data key="relation">{e.type}</data><data key="directed">{"true" if e.directed else "false"}'
                    f'</data><data key="kind">{e.type}</data><data key="weight">{float(e.weight)}</data>'
                    f'<data key="doc_count">{len(e.documents)}</data><data key="first_seen">{e.first_date}</data>'
                    f'<data key="last_seen">{e.last_date}</data><data key="evidence">{xml_text(e.evidence)}</data>'
                    f'<data key="evidence_doc">{xml_text(e.evidence_doc)}</data>'
                    f'<data key="confidence">{float(e.confidence)}</data></edge>\n')
        f.write("  </graph>\n</graphml>\n")
    return [path]
