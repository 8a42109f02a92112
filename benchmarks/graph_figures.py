"""Graph-level figures of an out dir: what an analyst sees first in Gephi.

    python benchmarks/graph_figures.py INPUT_DIR OUT_DIR [OUT_DIR ...]

For each out dir (a `kzx extract --format csv` over INPUT_DIR): nodes, DATE nodes, typed and
co-occurrence edges, the share of co-occurrence edges whose evidence sentence starts in the body (not
in a header line: routing, addressees, 'Classified By', serial lines; pipeline.ingest.cable.header_regions),
and the eight entities of highest degree. One JSON line per out dir.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipeline.ingest import InputError, read_document  # noqa: E402
from pipeline.ingest.cable import header_regions, in_regions  # noqa: E402


def normalised(text: str) -> tuple[str, list[int]]:
    """The text with runs of whitespace as one space, and each character's offset in the original."""
    out, pos = [], []
    for i, ch in enumerate(text):
        if ch.isspace():
            if out and out[-1] == " ":
                continue
            ch = " "
        out.append(ch)
        pos.append(i)
    return "".join(out), pos


def figures(texts: dict[str, str], out: Path) -> dict:
    with open(out / "nodes.csv", encoding="utf-8", newline="") as f:
        nodes = list(csv.DictReader(f))
    with open(out / "edges.csv", encoding="utf-8", newline="") as f:
        edges = list(csv.DictReader(f))
    views = {k: normalised(t) for k, t in texts.items()}
    regions = {k: header_regions(t) for k, t in texts.items()}
    co = [e for e in edges if e["Kind"] == "CO_OCCURS"]
    header = 0
    for e in co:
        text, pos = views.get(e["evidence_doc"], ("", []))
        i = text.find(e["evidence"].lstrip("'")[:60])
        if i >= 0 and in_regions(regions[e["evidence_doc"]], pos[i]):
            header += 1
    degree: dict[str, int] = {}
    for e in edges:
        for n in (e["Source"], e["Target"]):
            degree[n] = degree.get(n, 0) + 1
    label = {n["Id"]: n["Label"] for n in nodes}
    return {"out": str(out), "nodes": len(nodes), "date_nodes": sum(n["type"] == "DATE" for n in nodes),
            "typed_edges": len(edges) - len(co), "cooccurrence_edges": len(co),
            "cooccurrence_from_body": round(1 - header / len(co), 3) if co else None,
            "top_degree": [label[n] for n, _ in sorted(degree.items(), key=lambda x: -x[1])[:8]]}


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    texts = {}
    for path in sorted(Path(sys.argv[1]).iterdir()):
        try:
            texts[path.name] = read_document(path, path.name).text
        except InputError:
            continue
    for out in sys.argv[2:]:
        print(json.dumps(figures(texts, Path(out)), ensure_ascii=False))


if __name__ == "__main__":
    main()
