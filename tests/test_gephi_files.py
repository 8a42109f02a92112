"""What Gephi, Gephi Lite (graphology), igraph and networkx make of the sample corpus's graph files:
every edge keeps the direction edges.csv gives it, and the CSV tables get the column types (a
timeline among them) that Gephi's spreadsheet importer infers."""

import csv
import json

import networkx as nx

from .gephi_types import infer_column_types
from .readers import graphology_read, igraph_read


def _edges_csv(out) -> dict[str, dict]:
    with open(out / "edges.csv", encoding="utf-8", newline="") as f:
        return {r["Id"]: r for r in csv.DictReader(f)}


def _undirected(rows) -> dict[str, bool]:
    return {eid: r["Type"] == "Undirected" for eid, r in rows.items()}


def test_graphml_loads_with_every_undirected_edge_undirected(sample_run):
    _, out, _ = sample_run
    rows = _edges_csv(out)
    assert {True, False} == set(_undirected(rows).values())  # the sample has both kinds
    graph = graphology_read(out / "graph.graphml", "graphml")
    assert graph["type"] == "mixed"
    assert {e["key"]: e["undirected"] for e in graph["edges"]} == _undirected(rows)
    assert {e["key"]: (e["source"], e["target"], e["attributes"]["kind"]) for e in graph["edges"]} == \
        {eid: (r["Source"], r["Target"], r["Kind"]) for eid, r in rows.items()}
    # igraph has no mixed graphs: it reads an undirected graph (endpoints in vertex order) and each edge's
    # direction is its `directed` value
    g = igraph_read(out / "graph.graphml")
    assert not g.is_directed()
    read = {(frozenset((g.vs[e.source]["id"], g.vs[e.target]["id"])), e["kind"]): e["directed"] for e in g.es}
    assert read == {(frozenset((r["Source"], r["Target"])), r["Kind"]): r["Type"] == "Directed" for r in rows.values()}


def test_gexf_loads_in_graphology_with_the_directions_of_edges_csv(sample_run):
    _, out, _ = sample_run
    rows = _edges_csv(out)
    graph = graphology_read(out / "graph.gexf", "gexf")
    assert graph["type"] == "mixed"
    assert {e["key"]: e["undirected"] for e in graph["edges"]} == _undirected(rows)
    assert {e["key"]: e["attributes"]["label"] for e in graph["edges"]} == {eid: r["Label"] for eid, r in rows.items()}


def test_networkx_reads_the_direction_of_every_edge_from_graph_json(sample_run):
    _, out, _ = sample_run
    g = nx.node_link_graph(json.loads((out / "graph.json").read_text(encoding="utf-8")), edges="links")
    assert {d["id"]: not d["directed"] for *_, d in g.edges(data=True)} == _undirected(_edges_csv(out))


def test_gephi_types_the_csv_time_column_as_the_elements_own_intervals(sample_run):
    _, out, _ = sample_run
    edge_types, edge_time = infer_column_types(out / "edges.csv")
    assert edge_types["timeset"] == "IntervalSet" and edge_time == "INTERVAL"
    assert edge_types["Weight"] == "Double" and edge_types["confidence"] == "Double"
    assert edge_types["documents"] == "Integer" and edge_types["Label"] == "String"
    assert edge_types["dates"] == "String"  # the TIMEX forms, as text
    node_types, node_time = infer_column_types(out / "nodes.csv")
    assert node_types["timeset"] == "IntervalSet" and node_time == "INTERVAL"
    assert node_types["mentions"] == "Integer" and node_types["aliases"] == "String" and node_types["dates"] == "String"
    with open(out / "edges.csv", encoding="utf-8", newline="") as f:
        timesets = [r["timeset"] for r in csv.DictReader(f) if r["timeset"]]
    assert len(timesets) > 100 and all(t.startswith("<[") and t.endswith("]>") for t in timesets)


def test_a_dates_column_of_bare_years_or_days_would_not_stay_text(tmp_path):
    """Why `dates` reads 'FIRST to LAST': Gephi would type bare values as numbers or timestamps."""
    from pipeline.export.csv_files import date_span

    for bare, typed in (("2008", "Integer"), ("2008-03-04", "TimestampSet")):
        (tmp_path / "e.csv").write_text("Source,Target,dates\n" + f"a,b,{bare}\n" * 3, encoding="utf-8")
        assert infer_column_types(tmp_path / "e.csv")[0]["dates"] == typed
        (tmp_path / "e.csv").write_text("Source,Target,dates\n" + f"a,b,{date_span([bare])}\n" * 3, encoding="utf-8")
        assert infer_column_types(tmp_path / "e.csv")[0]["dates"] == "String"
    assert date_span(["2008-W42", "2006-02-14T11:33Z", ""]) == "2006-02-14T11:33Z to 2008-W42"


def test_the_type_inference_port_agrees_with_gephis_rules():
    from .gephi_types import parses_as

    assert parses_as("TimestampSet", "2008-01-01") and not parses_as("IntervalSet", "2008-01-01")
    assert parses_as("Integer", "2008") and not parses_as("Integer", "2008-08")
    assert parses_as("IntervalSet", "<[2008-01-01, 2008-12-31]; [2009-03-04, 2009-03-04]>")
    assert not parses_as("IntervalSet", "<[2008-01-01, 2008-12-31]; [2008-03-04, 2008-03-04]>")  # overlap
    assert not parses_as("IntervalStringMap", "<[2008-01-01, 2008-12-31]>")
    assert not parses_as("Boolean", "1") and parses_as("Boolean", "TRUE") and parses_as("Double", "1e3")
