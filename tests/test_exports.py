"""Every export read back by an independent reader and compared with nodes.csv / edges.csv."""

import csv
import json

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lxml import etree

from pipeline.export import WRITERS
from pipeline.export.common import csv_safe, date_bounds, xml_safe
from pipeline.export.model_rows import Export
from pipeline.model import Edge, Entity, Graph

from .conftest import DATA
from .readers import graphology_read, igraph_read

ODD = 'Ali "The Lion", <&> \x07 Khan'
GEXF = "{http://gexf.net/1.3}"


@pytest.fixture()
def written(tmp_path):
    nodes = [Entity("person:ali", "PERSON", ODD, {ODD: 2, "Ali": 1}, 3, {"a.txt"}),
             Entity("group:cmd", "GROUP", "=HYPERLINK(1)", {"=HYPERLINK(1)": 1}, 1, {"a.txt"}),
             Entity("place:kazakhstan", "PLACE", "Kazakhstan", {"Kazakhstan": 4}, 4, {"a.txt", "b.txt"}, "Q232")]
    edges = [Edge("e0", "person:ali", "group:cmd", "MEMBER_OF", True, 2, {"a.txt"}, f"{ODD} joined.", "a.txt",
                  ["2007-09-14", "2008"]),
             Edge("e1", "person:ali", "place:kazakhstan", "CO_OCCURS", False, 1, {"a.txt"}, "x", "a.txt", []),
             Edge("e2", "person:ali", "place:kazakhstan", "LOCATED_IN", True, 1, {"b.txt"}, "y", "b.txt", ["2006-FA"])]
    export = Export(Graph(nodes, edges), [], [], [], {}, {"a.txt": {"status": "ok", "error": "", "sha256": "s",
                                                                     "size": 1, "meta": {"date": "2007-09-14"}}})
    for writer in WRITERS.values():
        writer(export, tmp_path)
    return tmp_path, nodes, edges


def _csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_keeps_odd_names_and_neutralises_formulas(written):
    out, nodes, _ = written
    rows = {r["Id"]: r for r in _csv(out / "nodes.csv")}
    assert rows["person:ali"]["Label"] == ODD
    assert rows["group:cmd"]["Label"] == "'=HYPERLINK(1)"
    edges = {r["Id"]: r for r in _csv(out / "edges.csv")}
    assert edges["e1"]["Type"] == "Undirected" and edges["e0"]["Type"] == "Directed"
    assert edges["e0"]["Kind"] == "MEMBER_OF" and edges["e0"]["Weight"] == "2"
    assert (out / "nodes.csv").read_bytes()[:2] == b"Id"


def test_graphml_keeps_each_edge_direction_for_every_reader_and_validates(written):
    out, nodes, edges = written
    schema = etree.XMLSchema(etree.parse(str(DATA / "schemas" / "graphml-1.0" / "graphml.xsd")))
    doc = etree.parse(str(out / "graph.graphml"))
    assert schema.validate(doc), schema.error_log
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    # what Gephi's GraphML importer reads: the graph's edgedefault and each edge's `directed` attribute
    assert doc.find(f"{ns}graph").get("edgedefault") == "undirected"
    assert {e.get("id"): e.get("directed") for e in doc.iter(f"{ns}edge")} == \
        {"e0": "true", "e1": "false", "e2": "true"}
    keys = {(k.get("for"), k.get("attr.name")): k.get("attr.type") for k in doc.iter(f"{ns}key")}
    assert keys[("edge", "label")] == "string" and keys[("edge", "weight")] == "double"
    assert keys[("node", "mentions")] == "int" and keys[("edge", "directed")] == "boolean"
    graph = graphology_read(out / "graph.graphml", "graphml")
    assert graph["type"] == "mixed"
    got = {e["key"]: (e["source"], e["target"], e["undirected"], e["attributes"]["label"]) for e in graph["edges"]}
    assert got == {"e0": ("person:ali", "group:cmd", False, "MEMBER_OF"),
                   "e1": ("person:ali", "place:kazakhstan", True, "CO_OCCURS"),
                   "e2": ("person:ali", "place:kazakhstan", False, "LOCATED_IN")}
    labels = {n["key"]: n["attributes"]["label"] for n in graph["nodes"]}
    assert labels["person:ali"] == xml_safe(ODD)
    g = igraph_read(out / "graph.graphml")  # igraph has no mixed graphs: direction is the `directed` value
    assert {e["relation"]: e["directed"] for e in g.es} == {"MEMBER_OF": True, "CO_OCCURS": False,
                                                             "LOCATED_IN": True}


def test_gexf_validates_and_reads_back_with_lxml_and_graphology(written):
    out, nodes, edges = written
    doc = etree.parse(str(out / "graph.gexf"))
    got_nodes = {n.get("id"): n.get("label") for n in doc.iter(f"{GEXF}node")}
    assert got_nodes == {n.id: xml_safe(n.name) for n in nodes}
    got_edges = {e.get("id"): (e.get("source"), e.get("target"), e.get("kind"), e.get("type")) for e in doc.iter(f"{GEXF}edge")}
    assert got_edges["e0"] == ("person:ali", "group:cmd", "MEMBER_OF", "directed")
    assert got_edges["e1"][3] == "undirected"
    spells = [(s.get("start"), s.get("end")) for s in doc.find(f".//{GEXF}edge[@id='e0']").iter(f"{GEXF}spell")]
    assert spells == [("2007-09-14", "2007-09-14"), ("2008-01-01", "2008-12-31")]
    graph = graphology_read(out / "graph.gexf", "gexf")
    assert graph["type"] == "mixed"
    assert {e["key"]: e["undirected"] for e in graph["edges"]} == {"e0": False, "e1": True, "e2": False}
    for el in [el for el in doc.iter() if isinstance(el.tag, str) and "viz" in el.tag]:
        el.getparent().remove(el)
    schema = etree.XMLSchema(etree.parse(str(DATA / "schemas" / "gexf-1.3" / "gexf.xsd")))
    assert schema.validate(doc), schema.error_log


def test_overlapping_dates_make_one_interval_as_gephi_requires():
    from pipeline.export.common import date_intervals, gephi_timeset

    assert date_intervals(["2008", "2008-03-04", "2009-W02"]) == [("2008-01-01", "2008-12-31"),
                                                                    ("2009-01-05", "2009-01-11")]
    assert gephi_timeset(["2007-09-14", "2008"]) == "<[2007-09-14, 2007-09-14]; [2008-01-01, 2008-12-31]>"
    assert gephi_timeset(["198", ""]) == "<[1980-01-01, 1989-12-31]>" and gephi_timeset([]) == ""


def test_json_reads_back_in_networkx(written):
    out, nodes, edges = written
    g = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")), edges="links")
    assert g.nodes["person:ali"]["label"] == ODD
    assert {d["id"] for *_, d in g.edges(data=True)} == {e.id for e in edges}


def test_format_selection_writes_only_what_is_asked(sample_run, tmp_path):
    from pipeline import api

    raw, _, _ = sample_run
    api.extract(raw, tmp_path, workers=1, formats=("graphml",))
    written = {p.name for p in tmp_path.iterdir() if not p.name.startswith(".")}
    assert "graph.graphml" in written and "nodes.csv" not in written and "graph.gexf" not in written


@pytest.mark.parametrize("value, bounds", [("2008", ("2008-01-01", "2008-12-31")), ("2007-02", ("2007-02-01", "2007-02-28")),
                                           ("2006-FA", ("2006-09-01", "2006-11-30")),
                                           ("2007-09-24/2007-10-05", ("2007-09-24", "2007-10-05")),
                                           ("2007-09-14T08:26Z", ("2007-09-14", "2007-09-14")), ("", None),
                                           ("198", ("1980-01-01", "1989-12-31")), ("18", ("1800-01-01", "1899-12-31")),
                                           ("00", None), ("2008-13", None)])
def test_date_bounds(value, bounds):
    assert date_bounds(value) == bounds


def test_cells_and_strings_made_safe():
    assert csv_safe("-2+3") == "'-2+3" and csv_safe("@x") == "'@x" and csv_safe(True) == "true"
    assert xml_safe("a\x00b\x1fc\ud800") == "abc"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.text(min_size=1, max_size=40), min_size=2, max_size=4, unique=True),
       sentence=st.text(max_size=80))
def test_random_names_never_break_an_export(tmp_path_factory, names, sentence):
    out = tmp_path_factory.mktemp("fuzz")
    nodes = [Entity(f"person:n{i}", "PERSON", name, {name: 1}, 1, {"d.txt"}) for i, name in enumerate(names)]
    edges = [Edge("e0", nodes[0].id, nodes[1].id, "MET_WITH", False, 1, {"d.txt"}, sentence, "d.txt", ["2001"])]
    export = Export(Graph(nodes, edges), [], [], [], {"d.txt": sentence}, {})
    for writer in WRITERS.values():
        writer(export, out)
    with open(out / "nodes.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert [r[1] for r in rows] == [csv_safe(n) for n in names]
    graphml = etree.XMLSchema(etree.parse(str(DATA / "schemas" / "graphml-1.0" / "graphml.xsd")))
    assert graphml.validate(etree.parse(str(out / "graph.graphml")))
    g = igraph_read(out / "graph.graphml")
    assert g.vs["label"] == [xml_safe(n.name) for n in nodes]
    gexf = etree.parse(str(out / "graph.gexf"))
    assert {n.get("label") for n in gexf.iter(f"{GEXF}node")} == {xml_safe(n.name) for n in nodes}
    assert json.loads((out / "graph.json").read_text(encoding="utf-8"))["nodes"][0]["label"] == names[0]


def test_evidence_loses_list_and_paragraph_markers_but_keeps_its_words():
    from pipeline.graph import clean_evidence

    assert clean_evidence("-- The KNB detained him.") == "The KNB detained him."
    assert clean_evidence("¶2. (C) Tazhin met Lavrov.") == "Tazhin met Lavrov."
    assert clean_evidence("3. (SBU) The OSCE office opened.") == "The OSCE office opened."
    assert clean_evidence("(U) Classified by Ambassador Hoagland.") == "Classified by Ambassador Hoagland."
    assert clean_evidence("2008 was a hard year for Kazakhstan.") == "2008 was a hard year for Kazakhstan."
    assert clean_evidence("--") == "--"
