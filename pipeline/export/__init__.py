"""Exporters: one writer per format over the one Graph model, each writing atomically."""

from . import csv_files, gexf, graphml, json_graph

WRITERS = {"csv": csv_files.write, "graphml": graphml.write, "gexf": gexf.write, "json": json_graph.write}
FORMATS = tuple(WRITERS)
