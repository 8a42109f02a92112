"""Exporters: one writer per format over the one Graph model, each writing atomically."""

from . import csv_files, gexf, graphml, json_graph, report

WRITERS = {"csv": csv_files.write, "graphml": graphml.write, "gexf": gexf.write, "json": json_graph.write,
           "report": report.write}
FORMATS = tuple(WRITERS)
OUTPUT_FILES = {"csv": ("nodes.csv", "edges.csv", "mentions.csv", "relations.csv", "documents.csv"),
                "graphml": ("graph.graphml",), "gexf": ("graph.gexf",), "json": ("graph.json",),
                "report": ("report.html", "graph.png")}
