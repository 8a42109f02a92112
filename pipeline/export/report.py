"""Report writer: report.html, one self-contained page to review what kzx found before loading the
graph (documents with highlighted entities, entity and relation tables, an interactive network),
and graph.png, a static overview for slides (overview.py). Every document-derived string is escaped."""

from __future__ import annotations

import html
import json
from collections import Counter, defaultdict
from pathlib import Path

from .common import atomic_open
from .gexf import COLOURS as GEXF_COLOURS
from ..model import CO_OCCURS
from .csv_files import edge_label
from .model_rows import Export
from .overview import RELATION_COLOURS, write_png

STATIC = Path(__file__).resolve().parent / "static"
COLOURS = {label: "#%02x%02x%02x" % rgb for label, rgb in GEXF_COLOURS.items()}
MAX_DOCUMENTS = 200
MAX_NODES = 300  # entities the network view can show
SHOWN_NODES = 60  # shown when the page opens
MAX_COOCCURRENCE_EDGES = 3000


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
    """The network view's data: up to MAX_NODES entities, those with the most typed relations first (then
    the strongest co-occurrence, then mentions), their typed edges and their strongest co-occurrence edges.
    What is shown of it is decided in the page (filters, the co-occurrence threshold)."""
    typed = [e for e in export.graph.edges if e.type != CO_OCCURS]
    degree, strength = Counter(), Counter()
    for e in typed:
        degree[e.source] += 1
        degree[e.target] += 1
    for e in export.graph.edges:
        if e.type == CO_OCCURS:
            strength[e.source] += e.weight
            strength[e.target] += e.weight
    pool = sorted(export.graph.nodes, key=lambda n: (-degree[n.id], -strength[n.id], -n.mentions, n.id))[:MAX_NODES]
    keep = {n.id for n in pool}
    co = sorted((e for e in export.graph.edges if e.type == CO_OCCURS and e.source in keep and e.target in keep),
                key=lambda e: (-e.weight, e.id))[:MAX_COOCCURRENCE_EDGES]
    return {
        "nodes": [{"id": n.id, "label": n.name, "type": n.label, "mentions": n.mentions, "degree": degree[n.id],
                   "title": f"{n.label}: {n.name} ({n.mentions} mentions, {degree[n.id]} typed relations)"}
                  for n in pool],
        "edges": [{"id": e.id, "from": e.source, "to": e.target, "kind": e.type, "label": edge_label(e),
                   "weight": e.weight, "confidence": e.confidence, "directed": e.directed,
                   "title": f"{edge_label(e)} ({e.weight}): {e.evidence[:200]}"}
                  for e in [*(e for e in typed if e.source in keep and e.target in keep), *co]],
        "colours": {**COLOURS}, "relationColours": {**RELATION_COLOURS, CO_OCCURS: "#9a9a9a"},
    }


def _network_controls(data: dict) -> str:
    """Filters by entity type, relation kind and confidence, the co-occurrence threshold, a search; the
    swatches are the legend."""
    types = [t for t in COLOURS if any(n["type"] == t for n in data["nodes"])]
    kinds = sorted({e["kind"] for e in data["edges"] if e["kind"] != CO_OCCURS},
                   key=lambda k: (list(RELATION_COLOURS).index(k) if k in RELATION_COLOURS else 99, k))
    heaviest = max((e["weight"] for e in data["edges"] if e["kind"] == CO_OCCURS), default=0)
    type_boxes = "".join(
        f'<label class="legend-type"><input type="checkbox" class="f-type" value="{t}"{"" if t == "DATE" else " checked"}>'
        f'<span class="dot" style="background:{COLOURS[t]}"></span>{t.lower()}</label>' for t in types)
    kind_boxes = "".join(
        f'<label class="legend-kind"><input type="checkbox" class="f-kind" value="{k}" checked>'
        f'<span class="line" style="background:{RELATION_COLOURS.get(k, "#666")}"></span>{html.escape(k)}</label>'
        for k in kinds)
    names = "".join(f'<option value="{html.escape(n["label"])}"></option>' for n in data["nodes"])
    return (f'<div id="network-controls"><div><b>entities</b> {type_boxes} <label>shown <input type="number" '
            f'id="f-top" min="5" max="{MAX_NODES}" value="{SHOWN_NODES}"></label> <input id="f-search" '
            f'list="entity-names" placeholder="find an entity" size="28"><datalist id="entity-names">{names}'
            f'</datalist></div><div><b>relations</b> {kind_boxes} <label>confidence &ge; <input type="range" '
            'id="f-confidence" min="0" max="1" step="0.05" value="0"> <output id="f-confidence-value">0</output>'
            '</label></div><div><b>co-occurrence</b> <label>same sentence, weight &ge; <input type="range" '
            f'id="f-co" min="0" max="{heaviest}" step="1" value="0"{" disabled" if not heaviest else ""}> '
            '<output id="f-co-value">off</output></label> <span class="hint">(0: off; the weight is the number '
            'of sentences naming both)</span></div><div id="network-count"></div></div>')


def write(export: Export, out: Path) -> list[Path]:
    g = export.graph
    doc_index = {d: i for i, d in enumerate(sorted(export.texts))}
    name = {n.id: n.name for n in g.nodes}
    rows = []
    rows.append(f"<p>{len(export.texts)} documents, {len(g.nodes)} entities, "
                f"{sum(e.type != 'CO_OCCURS' for e in g.edges)} typed relations, "
                f"{sum(e.type == 'CO_OCCURS' for e in g.edges)} co-occurrence edges.</p>")
    network = _network(export)
    rows.append(f'<h2 id="network-view">Network</h2>{_network_controls(network)}<div id="network"></div>')
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
    shown = sorted(export.texts)[:MAX_DOCUMENTS]
    spans = export.mention_spans(shown)
    if len(export.texts) > MAX_DOCUMENTS:
        rows.append(f"<p>The first {MAX_DOCUMENTS} of {len(export.texts)} documents are shown.</p>")
    for doc_id in shown:
        meta = export.documents.get(doc_id, {}).get("meta", {})
        facts = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in sorted(meta.items()))
        rels = "".join(f"<li>{rtype}: {html.escape(name.get(s, s))} &rarr; {html.escape(name.get(t, t))}</li>"
                       for rtype, s, t, _ in by_doc.get(doc_id, []))
        rows.append(f'<section class="doc" id="doc-{doc_index[doc_id]}"><h3>{html.escape(doc_id)}</h3><dl>{facts}</dl>'
                    f'<ul class="rels">{rels}</ul><pre class="text">{highlight(export.texts[doc_id], spans.get(doc_id, []))}</pre>'
                    "</section>")
    page = TEMPLATE.format(
        style=STYLE, body="\n".join(rows), vis=(STATIC / "vis-network.min.js").read_text(encoding="utf-8"),
        data=_script_json(network), script=SCRIPT,
        legend="".join(f'<span class="tag {k}">{k}</span>' for k in COLOURS))
    path = out / "report.html"
    with atomic_open(path, "w", encoding="utf-8") as f:
        f.write(page)
    return [path, write_png(export, out)]


STYLE = """body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}#network{height:700px;border:1px solid #ccc}
table{border-collapse:collapse;font-size:13px;margin-bottom:1em}td,th{border:1px solid #ddd;padding:3px 6px;vertical-align:top}
th{cursor:pointer;background:#f3f3f3}.search{margin:.4em 0;padding:4px;width:24em}
pre.text{white-space:pre-wrap;background:#fafafa;padding:.8em;border:1px solid #eee}
mark.ent{border-radius:3px;padding:0 2px}mark .lab{font-size:9px;margin-left:2px;font-weight:bold}
.tag{color:#fff;border-radius:3px;padding:0 4px;font-size:11px;margin-right:4px}
.PERSON{background:#fbd3d3}.AGENCY{background:#d3e2f3}.GROUP{background:#e6d6ee}.PLACE{background:#d7efd6}.DATE{background:#ffe3c4}
#network-controls{font-size:13px;margin:.4em 0}#network-controls div{margin:.25em 0}
#network-controls label{margin-right:.8em;white-space:nowrap}.dot{display:inline-block;width:10px;height:10px;
border-radius:50%;margin:0 3px}.line{display:inline-block;width:18px;height:3px;margin:0 3px 3px}.hint{color:#777}
.tag.PERSON{background:#e41a1c}.tag.AGENCY{background:#377eb8}.tag.GROUP{background:#984ea3}.tag.PLACE{background:#4daf4a}.tag.DATE{background:#ff7f00}"""

SCRIPT = """
const data = JSON.parse(document.getElementById('graph-data').textContent);
const byId = new Map(data.nodes.map(n => [n.id, n]));
const nodes = new vis.DataSet(), edges = new vis.DataSet();
const network = new vis.Network(document.getElementById('network'), {nodes, edges}, {
  physics: {solver: 'forceAtlas2Based', stabilization: {iterations: 400, updateInterval: 50},
            forceAtlas2Based: {gravitationalConstant: -90, centralGravity: 0.02, springLength: 110,
                               springConstant: 0.05, avoidOverlap: 0.6}},
  interaction: {hover: true},
  nodes: {shape: 'dot', scaling: {min: 6, max: 24}, font: {size: 13, strokeWidth: 3, strokeColor: '#ffffff'}},
  edges: {smooth: {type: 'continuous'}, font: {size: 0}}});
window.kzxNetwork = network;
const $ = id => document.getElementById(id);
const pinned = new Set();  // entities found by the search stay shown
function checked(cls) { return new Set([...document.querySelectorAll(cls + ':checked')].map(b => b.value)); }
function settle(then) {
  network.setOptions({physics: {enabled: true}});
  network.once('stabilizationIterationsDone', () => {
    network.setOptions({physics: {enabled: false}});
    if (then) then();
    window.kzxSettled = (window.kzxSettled || 0) + 1;  // the tests wait on it
  });
  network.stabilize(300);
}
function refresh(then) {
  const types = checked('.f-type'), kinds = checked('.f-kind');
  const minConfidence = Number($('f-confidence').value), coMin = Number($('f-co').value);
  const top = Math.max(1, Number($('f-top').value) || 60);
  $('f-confidence-value').textContent = minConfidence.toFixed(2);
  $('f-co-value').textContent = coMin > 0 ? String(coMin) : 'off';
  const candidates = data.edges.filter(e => types.has(byId.get(e.from).type) && types.has(byId.get(e.to).type) &&
    (e.kind === 'CO_OCCURS' ? coMin > 0 && e.weight >= coMin : kinds.has(e.kind) && e.confidence >= minConfidence));
  const degree = new Map();
  for (const e of candidates) for (const n of [e.from, e.to]) degree.set(n, (degree.get(n) || 0) + 1);
  const ranked = [...degree.keys()].sort((a, b) => degree.get(b) - degree.get(a) ||
    byId.get(b).degree - byId.get(a).degree || byId.get(b).mentions - byId.get(a).mentions || (a < b ? -1 : 1));
  const shown = new Set(ranked.slice(0, top));
  for (const id of pinned) shown.add(id);
  const visible = candidates.filter(e => shown.has(e.from) && shown.has(e.to));
  const wanted = [...shown].map(id => { const n = byId.get(id); return {id, label: n.label, title: n.title,
    value: degree.get(id) || 1, color: {background: data.colours[n.type], border: '#ffffff',
    highlight: {background: data.colours[n.type], border: '#222222'}}, borderWidth: 1}; });
  const before = nodes.getIds();
  nodes.remove(before.filter(id => !shown.has(id)));
  nodes.update(wanted);
  edges.clear();
  edges.add(visible.map(e => ({id: e.id, from: e.from, to: e.to, title: e.title, kind: e.kind,
    arrows: e.directed ? 'to' : '', dashes: e.kind === 'CO_OCCURS',
    width: e.kind === 'CO_OCCURS' ? 1 + Math.log2(e.weight) : 2,
    color: {color: data.relationColours[e.kind] || '#666666', opacity: e.kind === 'CO_OCCURS' ? 0.55 : 0.9}})));
  const typed = visible.filter(e => e.kind !== 'CO_OCCURS').length;
  $('network-count').textContent = `${shown.size} entities, ${typed} typed relations, ` +
    `${visible.length - typed} co-occurrence edges shown (of ${data.nodes.length} entities in the view's data)`;
  window.kzxView = {nodes: [...shown], edges: visible.map(e => e.id)};
  settle(then);
}
function find(query) {
  const q = query.trim().toLowerCase();
  if (!q) return;
  const hit = data.nodes.find(n => n.label.toLowerCase() === q) || data.nodes.find(n => n.label.toLowerCase().includes(q));
  if (!hit) { $('network-count').textContent = `no entity named like "${query}" in the view`; return; }
  const centre = () => { network.selectNodes([hit.id]); network.focus(hit.id, {scale: 1.3, animation: false});
                         window.kzxFound = hit.id; };
  if (nodes.get(hit.id)) { centre(); return; }
  pinned.add(hit.id);
  document.querySelector(`.f-type[value="${hit.type}"]`).checked = true;
  refresh(centre);
}
document.querySelectorAll('#network-controls input').forEach(box => {
  if (box.id !== 'f-search') box.addEventListener(box.type === 'range' ? 'input' : 'change', () => refresh());
});
$('f-search').addEventListener('change', ev => find(ev.target.value));
$('f-search').addEventListener('keydown', ev => { if (ev.key === 'Enter') find(ev.target.value); });
refresh(() => { network.fit(); window.kzxReady = true; });
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
