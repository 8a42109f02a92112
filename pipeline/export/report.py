"""Report writer: report.html, one self-contained page to review what kzx found before loading the
graph (documents with highlighted entities, entity and relation tables, an interactive network),
and graph.png, a static overview for slides (overview.py). Every document-derived string is escaped."""

from __future__ import annotations

import html
import json
from collections import defaultdict
from pathlib import Path

from .common import atomic_open
from .gexf import COLOURS as GEXF_COLOURS
from .model_rows import Export
from .overview import write_png

STATIC = Path(__file__).resolve().parent / "static"
COLOURS = {label: "#%02x%02x%02x" % rgb for label, rgb in GEXF_COLOURS.items()}
MAX_DOCUMENTS = 200
MAX_NODES = 300


def _script_json(data) -> str:
    """JSON safe inside a <script> element."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def highlight(text: str, spans: list[tuple[int, int, str, str]]) -> str:
    """Text with <mark> around each (start, end, label, entity id) span, everything escaped."""
    out, pos = [], 0
    for start, end, label, eid in sorted(spans):
        if start < pos:
            continue
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark class="ent {label}" title="{html.escape(eid)}">{html.escape(text[start:end])}'
                   f'<span class="lab">{label}</span></mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _network(export: Export) -> dict:
    nodes = sorted((n for n in export.graph.nodes if n.label != "DATE"), key=lambda n: -n.mentions)[:MAX_NODES]
    keep = {n.id for n in nodes}
    return {
        "nodes": [{"id": n.id, "label": n.name, "type": n.label, "value": n.mentions,
                   "color": COLOURS.get(n.label, "#999"), "title": f"{n.label}: {n.name} ({n.mentions})"} for n in nodes],
        "edges": [{"id": e.id, "from": e.source, "to": e.target, "kind": e.type, "value": e.weight,
                   "arrows": "to" if e.directed else "", "title": f"{e.type} ({e.weight}): {e.evidence[:200]}"}
                  for e in export.graph.edges if e.source in keep and e.target in keep],
    }


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    doc_index = {d: i for i, d in enumerate(sorted(export.texts))}
    name = {n.id: n.name for n in g.nodes}
    rows = []
    rows.append(f"<p>{len(export.texts)} documents, {len(g.nodes)} entities, "
                f"{sum(e.type != 'CO_OCCURS' for e in g.edges)} typed relations, "
                f"{sum(e.type == 'CO_OCCURS' for e in g.edges)} co-occurrence edges.</p>")
    rows.append('<h2 id="network-view">Network</h2><label><input type="checkbox" id="show-co"> show co-occurrence '
                'edges</label><div id="network"></div>')
    rows.append('<h2>Entities</h2><input class="search" data-table="entities" placeholder="search entities">'
                '<table id="entities" class="sortable"><thead><tr><th>type</th><th>name</th><th>aliases</th>'
                '<th>mentions</th><th>documents</th></tr></thead><tbody>')
    for n in sorted(g.nodes, key=lambda n: (-n.mentions, n.id)):
        rows.append(f'<tr><td><span class="tag {n.label}">{n.label}</span></td><td>{html.escape(n.name)}</td>'
                    f'<td>{html.escape(" | ".join(sorted(n.aliases)))}</td><td>{n.mentions}</td>'
                    f'<td>{len(n.documents)}</td></tr>')
    rows.append("</tbody></table>")
    rows.append('<h2>Relations</h2><input class="search" data-table="relations" placeholder="search relations">'
                '<table id="relations" class="sortable"><thead><tr><th>type</th><th>source</th><th>target</th>'
                '<th>evidence</th><th>document</th></tr></thead><tbody>')
    by_doc = defaultdict(list)
    for r in export.relation_rows():
        doc_id, source, target, rtype, sentence = r[0], r[1], r[2], r[3], r[9]
        by_doc[doc_id].append((rtype, source, target, sentence))
        link = f'<a href="#doc-{doc_index.get(doc_id, 0)}">{html.escape(doc_id)}</a>'
        rows.append(f"<tr><td>{rtype}</td><td>{html.escape(name.get(source, source))}</td>"
                    f"<td>{html.escape(name.get(target, target))}</td><td>{html.escape(sentence)}</td><td>{link}</td></tr>")
    rows.append("</tbody></table><h2>Documents</h2>")
    spans = defaultdict(list)
    for m, eid in zip(export.mentions, export.entity_ids):
        spans[m.doc_id].append((m.start, m.end, m.label, eid))
    shown = sorted(export.texts)[:MAX_DOCUMENTS]
    if len(export.texts) > MAX_DOCUMENTS:
        rows.append(f"<p>The first {MAX_DOCUMENTS} of {len(export.texts)} documents are shown.</p>")
    for doc_id in shown:
        meta = export.documents.get(doc_id, {}).get("meta", {})
        facts = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in sorted(meta.items()))
        rels = "".join(f"<li>{rtype}: {html.escape(name.get(s, s))} &rarr; {html.escape(name.get(t, t))}</li>"
                       for rtype, s, t, _ in by_doc.get(doc_id, []))
        rows.append(f'<section class="doc" id="doc-{doc_index[doc_id]}"><h3>{html.escape(doc_id)}</h3><dl>{facts}</dl>'
                    f'<ul class="rels">{rels}</ul><pre class="text">{highlight(export.texts[doc_id], spans[doc_id])}</pre>'
                    "</section>")
    page = TEMPLATE.format(
        style=STYLE, body="\n".join(rows), vis=(STATIC / "vis-network.min.js").read_text(encoding="utf-8"),
        data=_script_json(_network(export)), script=SCRIPT,
        legend="".join(f'<span class="tag {k}">{k}</span>' for k in COLOURS))
    path = out / "report.html"
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return [path, write_png(export, out)]


STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}#network{height:600px;border:1px solid #ccc}
table{border-collapse:collapse;font-size:13px;margin-bottom:1em}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}
th{cursor:pointer;background:#f3f3f3}.search{margin:.4em 0;padding:4px;width:24em}
pre.text{white-space:pre-wrap;background:#fafafa;padding:.8em;border:1px solid #eee}
mark.ent{border-radius:3px;padding:0 2px}mark .lab{font-size:9px;margin-left:2px;font-weight:bold}
.tag{color:#fff;border-radius:3px;padding:0 4px;font-size:11px;margin-right:4px}
.PERSON{background:#fbd3d3}.AGENCY{background:#d3e2f3}.GROUP{background:#e6d6ee}.PLACE{background:#d7efd6}.DATE{background:#ffe3c4}
.tag.PERSON{background:#e41a1c}.tag.AGENCY{background:#377eb8}.tag.GROUP{background:#984ea3}.tag.PLACE{background:#4daf4a}.tag.DATE{background:#ff7f00}"""

SCRIPT = """
const data = JSON.parse(document.getElementById('graph-data').textContent);
const nodes = new vis.DataSet(data.nodes);
const edges = new vis.DataSet(data.edges.filter(e => e.kind !== 'CO_OCCURS'));
const network = new vis.Network(document.getElementById('network'), {nodes, edges},
  {physics: {stabilization: {iterations: 150}}, nodes: {shape: 'dot', scaling: {min: 6, max: 30}, font: {size: 12}},
   edges: {color: {opacity: 0.5}, smooth: false}});
window.kzxNetwork = network;
document.getElementById('show-co').addEventListener('change', ev => {
  edges.clear();
  edges.add(data.edges.filter(e => ev.target.checked || e.kind !== 'CO_OCCURS'));
});
document.querySelectorAll('input.search').forEach(box => box.addEventListener('input', () => {
  const q = box.value.toLowerCase();
  document.querySelectorAll('#' + box.dataset.table + ' tbody tr').forEach(tr => {
    tr.style.display = tr.textContent.toLowerCase().includes(q) ? '' : 'none';
  });
}));
document.querySelectorAll('table.sortable th').forEach((th, col) => th.addEventListener('click', () => {
  const body = th.closest('table').querySelector('tbody');
  const rows = Array.from(body.rows);
  const num = rows.every(r => r.cells[col].textContent.trim() !== '' && !isNaN(r.cells[col].textContent));
  const dir = th.dataset.dir === 'asc' ? -1 : 1;
  th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  rows.sort((a, b) => {
    const x = a.cells[col].textContent, y = b.cells[col].textContent;
    return dir * (num ? Number(x) - Number(y) : x.localeCompare(y));
  });
  rows.forEach(r => body.appendChild(r));
}));
"""

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kzx review report</title>
<style>{style}</style></head>
<body><h1>kzx review report</h1><p>{legend}</p>
{body}
<script>{vis}</script>
<script type="application/json" id="graph-data">{data}</script>
<script>{script}</script>
</body></html>
"""
