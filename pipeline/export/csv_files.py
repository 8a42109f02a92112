"""CSV writer: nodes.csv and edges.csv in Gephi's spreadsheet-import form, plus mentions.csv,
relations.csv and documents.csv. UTF-8 without BOM, English headers, booleans as true/false.

Time: Gephi's spreadsheet importer infers each column's type from its first 25 rows and has no plain
date type: a column of ISO days becomes a timestamp set, which puts the whole import in timestamp
mode. So nodes.csv and edges.csv carry time in one column, `timeset`, in Gephi's interval syntax
(`<[2008-01-01, 2008-12-31]; [2009-03-04, 2009-03-04]>`), which the importer types as an interval set and
takes as each node's and edge's own time (its timeline). The dates as the text gave them (TIMEX forms:
2008, 2008-W42, 2005-SU, intervals) are in `dates`, the first and the last as 'FIRST to LAST': a bare
year or day there would make Gephi type the column as numbers or timestamps whenever its first 25 rows
happen to be years or days; 'A to B' is never either, so the column stays text. relations.csv `date`
and mentions.csv `value` keep each one."""

from __future__ import annotations

import csv
from pathlib import Path

from .common import FORMULA_START, atomic_open, csv_safe, gephi_timeset
from .model_rows import Export

NODE_COLUMNS = ["Id", "Label", "type", "aliases", "mentions", "documents", "wikidata", "timeset", "dates"]
EDGE_COLUMNS = ["Source", "Target", "Type", "Kind", "Id", "Weight", "Label", "documents", "timeset", "dates",
                "evidence", "evidence_doc", "confidence"]
MENTION_COLUMNS = ["doc_id", "start", "end", "text", "label", "entity_id", "value", "sentence", "boilerplate"]
RELATION_COLUMNS = ["doc_id", "source", "target", "type", "directed", "head", "tail", "sentence_start",
                    "sentence_end", "sentence", "date", "confidence", "label"]


def edge_label(e) -> str:
    """An edge's label: its type, and an OTHER relation's trigger words after it."""
    return f"OTHER: {e.label}" if e.type == "OTHER" and e.label else e.type


def date_span(values) -> str:
    """The first and last of the dates as the text gave them: '2008-W42 to 2009-03'; '' when none."""
    values = sorted(v for v in values if v)
    return f"{values[0]} to {values[-1]}" if values else ""


def write_table(path: Path, columns: list[str], rows) -> None:
    """Every cell made spreadsheet-safe (csv_safe); ints and plain strings pass as they are."""
    with atomic_open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(columns)
        writer.writerows([v if type(v) is int or (type(v) is str and (not v or v[0] not in FORMULA_START))
                          else csv_safe(v) for v in row] for row in rows)


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    node_dates = export.node_dates()
    write_table(out / "nodes.csv", NODE_COLUMNS, (
        [n.id, n.name, n.label, "|".join(sorted(n.aliases, key=lambda a: (-n.aliases[a], a))), n.mentions,
         len(n.documents), n.wikidata, gephi_timeset(node_dates.get(n.id, ())), date_span(node_dates.get(n.id, ()))]
        for n in g.nodes))
    write_table(out / "edges.csv", EDGE_COLUMNS, (
        [e.source, e.target, "Directed" if e.directed else "Undirected", e.type, e.id, e.weight, edge_label(e),
         len(e.documents), gephi_timeset(e.dates), date_span(e.dates), e.evidence, e.evidence_doc, e.confidence]
        for e in g.edges))
    write_table(out / "mentions.csv", MENTION_COLUMNS, export.mention_rows())
    write_table(out / "relations.csv", RELATION_COLUMNS, export.relation_rows())
    keys, rows = export.document_table()
    write_table(out / "documents.csv", ["doc_id", "status", "error", "sha256", "size", *keys], rows)
    return [out / n for n in ("nodes.csv", "edges.csv", "mentions.csv", "relations.csv", "documents.csv")]
