"""graph.png: a static overview of the most connected entities and their typed relations, for a slide.

What a reader must be able to trust: every drawn node is named in full (a wrapped label beside it, or
a number with its name in the key when no free place is left), no two drawn labels overlap and no
label covers a node, an edge passes over no node it does not join (the layout is nudged until none
does), arrows show direction and colours the relation type, and the legend lists exactly the node
types and relation types drawn. `overview()` computes all of it (the tests read it); `write_png`
draws it."""

from __future__ import annotations

import math
import textwrap
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..model import CO_OCCURS
from .common import atomic_open
from .model_rows import Export

NODE_COLOURS = {"PERSON": "#e41a1c", "AGENCY": "#377eb8", "GROUP": "#984ea3", "PLACE": "#4daf4a", "DATE": "#ff7f00"}
# relation types: ColorBrewer Dark2, apart from the node colours
RELATION_COLOURS = {"LEADS": "#1b9e77", "AFFILIATED_WITH": "#d95f02", "MEMBER_OF": "#7570b3",
                    "LOCATED_IN": "#a6761d", "COOPERATES_WITH": "#66a61e", "ACTION_AGAINST": "#e7298a",
                    "MET_WITH": "#e6ab02", "OTHER": "#666666"}
SIZE = (16, 9)  # inches: a 16:9 slide
DPI = 120
WRAP = 20  # characters per label line; words are never cut
PLOT_RIGHT = 0.74  # the plot takes the figure's left part, the legend and the key the rest


@dataclass
class Overview:
    """What graph.png shows, in figure pixels (origin bottom left)."""

    nodes: list[str]
    names: dict[str, str]
    types: dict[str, str]
    positions: dict[str, tuple[float, float]]  # node centres
    radius: dict[str, float]  # node disc radius
    edges: list[tuple[str, str, str, bool]]  # source, target, relation type, directed
    # node -> (text, its bbox x0 y0 x1 y1, its anchor x y ha va)
    labels: dict[str, tuple[str, tuple, tuple]] = field(default_factory=dict)
    key: dict[str, int] = field(default_factory=dict)  # nodes named in the key, by number
    node_legend: list[str] = field(default_factory=list)
    relation_legend: list[tuple[str, bool]] = field(default_factory=list)  # type, drawn with an arrow


def _select(export: Export, max_nodes: int):
    typed = [e for e in export.graph.edges if e.type != CO_OCCURS]
    degree = Counter(x for e in typed for x in (e.source, e.target))
    ordered = sorted(degree, key=lambda n: (-degree[n], n))[:max_nodes]
    top = set(ordered)
    drawn = [e for e in typed if e.source in top and e.target in top]
    joined = {x for e in drawn for x in (e.source, e.target)}  # a node whose partners are all left out says nothing
    return [n for n in ordered if n in joined], degree, drawn


def _layout(nodes, edges, seed: int = 7) -> dict[str, tuple[float, float]]:
    """Positions in the unit square: each connected part laid out on its own (spring layout), the parts
    packed in rows, biggest first, so a pair of nodes is not pushed to a corner by the rest."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    pairs = sorted({tuple(sorted((e.source, e.target))) for e in edges})
    g.add_edges_from(pairs)
    order = {n: i for i, n in enumerate(nodes)}
    parts = sorted((sorted(c, key=order.get) for c in nx.connected_components(g)), key=lambda c: (-len(c), order[c[0]]))
    cells = []
    for part in parts:
        side = math.sqrt(len(part))
        if len(part) == 1:
            local = {part[0]: (0.0, 0.0)}
        elif len(part) == 2:
            local = {part[0]: (-0.5, 0.0), part[1]: (0.5, 0.0)}
        else:
            # a graph of its own in a fixed order: a subgraph view iterates a set, whose order changes
            # from one process to the next, and the layout with it
            members = set(part)
            sub = nx.Graph()
            sub.add_nodes_from(part)
            sub.add_edges_from(pair for pair in pairs if pair[0] in members)
            local = nx.spring_layout(sub, seed=seed, k=1.0 / side, iterations=300)
        xs, ys = [p[0] for p in local.values()], [p[1] for p in local.values()]
        cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
        scaled = {n: ((x - cx) / span * side, (y - cy) / span * side) for n, (x, y) in local.items()}
        width = (max(xs) - min(xs)) / span * side + 1.0
        height = (max(ys) - min(ys)) / span * side + 1.0
        cells.append((scaled, width, height))
    row_width = 1.6 * math.sqrt(sum(w * h for _, w, h in cells))  # the plot is about 1.6:1
    placed, x, y, row_height = {}, 0.0, 0.0, 0.0
    for local, width, height in cells:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y - row_height, 0.0
        for n, (px, py) in local.items():
            placed[n] = (x + width / 2 + px, y - height / 2 + py)
        x += width
        row_height = max(row_height, height)
    return placed


def _fit(placed: dict, box) -> dict[str, tuple[float, float]]:
    """Scales positions evenly (the same in x and y) into the box, centred."""
    if not placed:
        return {}
    xs, ys = [p[0] for p in placed.values()], [p[1] for p in placed.values()]
    x0, y0, x1, y1 = box
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    scale = min((x1 - x0) / span_x if span_x else math.inf, (y1 - y0) / span_y if span_y else math.inf)
    scale = 1.0 if scale == math.inf else scale
    ox, oy = (x0 + x1 - span_x * scale) / 2, (y0 + y1 - span_y * scale) / 2
    return {n: (ox + (px - min(xs)) * scale, oy + (py - min(ys)) * scale) for n, (px, py) in placed.items()}


def _segment_distance(p, a, b) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    length = dx * dx + dy * dy
    t = 0.0 if length == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length))
    return math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy)


def crossings(positions, radius, pairs, margin: float = 4.0) -> list[tuple[str, str, str]]:
    """(node, source, target) for every node an edge passes over without joining it."""
    found = []
    for a, b in pairs:
        for n, p in positions.items():
            if n not in (a, b) and _segment_distance(p, positions[a], positions[b]) < radius[n] + margin:
                found.append((n, a, b))
    return found


def _untangle(positions, radius, pairs, box, rounds: int = 60) -> dict:
    """Moves each node an edge passes over off that edge, perpendicular to it, until none is."""
    pos = dict(positions)
    x0, y0, x1, y1 = box
    for _ in range(rounds):
        hits = crossings(pos, radius, pairs, margin=6.0)
        if not hits:
            break
        for n, a, b in hits:
            (ax, ay), (bx, by), (px, py) = pos[a], pos[b], pos[n]
            dx, dy = bx - ax, by - ay
            length = math.hypot(dx, dy) or 1.0
            nx_, ny_ = -dy / length, dx / length  # the edge's normal, towards the node's side
            side = 1.0 if (px - ax) * nx_ + (py - ay) * ny_ >= 0 else -1.0
            step = radius[n] + 10.0 - _segment_distance((px, py), (ax, ay), (bx, by))
            pos[n] = (min(x1, max(x0, px + side * nx_ * step)), min(y1, max(y0, py + side * ny_ * step)))
    return pos


def _overlaps(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _crosses(box, a, b) -> bool:
    """Whether the segment a-b passes through the rectangle box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    (ax, ay), (bx, by) = a, b
    t0, t1 = 0.0, 1.0
    for p, q in ((-(bx - ax), ax - x0), (bx - ax, x1 - ax), (-(by - ay), ay - y0), (by - ay, y1 - ay)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def overview(export: Export, max_nodes: int = 40, renderer=None, fig=None) -> Overview:
    """The nodes, layout, labels, key and legend graph.png draws (pixels of a SIZE x DPI figure)."""
    ordered, degree, edges = _select(export, max_nodes)
    entity = {n.id: n for n in export.graph.nodes}
    ordered = [n for n in ordered if n in entity]
    width, height = SIZE[0] * DPI, SIZE[1] * DPI
    box = (50.0, 50.0, width * PLOT_RIGHT - 50.0, height - 80.0)
    positions = _fit(_layout(ordered, edges) if ordered else {}, box)
    top = max(degree.values(), default=1)
    radius = {n: 5.0 + 9.0 * math.sqrt(degree[n] / top) for n in ordered}
    pairs = sorted({(e.source, e.target) for e in edges})
    positions = _untangle(positions, radius, pairs, box)
    view = Overview(ordered, {n: entity[n].name for n in ordered}, {n: entity[n].label for n in ordered},
                    positions, radius, [(e.source, e.target, e.type, e.directed) for e in edges])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # glyphs the font lacks are measured (and drawn) as boxes
        _place_labels(view, renderer, fig, box)
    view.node_legend = [t for t in NODE_COLOURS if t in set(view.types.values())]
    drawn = {(t, d) for *_, t, d in view.edges}
    view.relation_legend = sorted(drawn, key=lambda td: (list(RELATION_COLOURS).index(td[0])
                                                         if td[0] in RELATION_COLOURS else 99, td))
    return view


def _text_box(fig, renderer, text: str, x: float, y: float, ha: str, va: str, size: float):
    artist = fig.text(x / (SIZE[0] * DPI), y / (SIZE[1] * DPI), text, ha=ha, va=va, fontsize=size,
                      parse_math=False, linespacing=1.1)
    bbox = artist.get_window_extent(renderer)
    artist.remove()
    return (bbox.x0 - 3, bbox.y0 - 3, bbox.x1 + 3, bbox.y1 + 3)  # a margin, so neighbours do not read as one


def _place_labels(view: Overview, renderer, fig, box) -> None:
    """Each node's whole name, wrapped, at the first place around it that covers no other label, no node
    and no edge; else a number there, with the name in the key."""
    import matplotlib.pyplot as plt

    own = fig is None
    if own:
        fig = plt.figure(figsize=SIZE, dpi=DPI)
        renderer = fig.canvas.get_renderer()
    taken = [(x - r, y - r, x + r, y + r) for n, (x, y) in view.positions.items() for r in [view.radius[n]]]
    segments = [(view.positions[a], view.positions[b]) for a, b, *_ in view.edges]
    bounds = (0, 0, SIZE[0] * DPI * PLOT_RIGHT, SIZE[1] * DPI - 40)
    number = 0
    for n in view.nodes:  # most connected first: they get the nearest places
        x, y = view.positions[n]
        r = view.radius[n] + 2
        text = textwrap.fill(view.names[n], WRAP, break_long_words=False, break_on_hyphens=False)
        placed = None
        for candidate in (text, None):
            if candidate is None:
                number += 1
                candidate = str(number)
            for gap in (0, 8, 20):
                for dx, dy, ha, va in ((r + gap, 0, "left", "center"), (-r - gap, 0, "right", "center"),
                                       (0, r + gap, "center", "bottom"), (0, -r - gap, "center", "top"),
                                       (r + gap, r + gap, "left", "bottom"), (-r - gap, r + gap, "right", "bottom"),
                                       (r + gap, -r - gap, "left", "top"), (-r - gap, -r - gap, "right", "top")):
                    bbox = _text_box(fig, renderer, candidate, x + dx, y + dy, ha, va, 7.5)
                    inside = bbox[0] >= bounds[0] and bbox[1] >= bounds[1] and bbox[2] <= bounds[2] \
                        and bbox[3] <= bounds[3]
                    if inside and not any(_overlaps(bbox, t) for t in taken) \
                            and not any(_crosses(bbox, a, b) for a, b in segments):
                        placed = (candidate, bbox, (x + dx, y + dy, ha, va))
                        break
                if placed:
                    break
            if placed:
                break
            if candidate != text:  # not even a number fits: it goes to the key anyway, unlabelled here
                break
        if placed:
            taken.append(placed[1])
            view.labels[n] = placed
        if not placed or placed[0] != text:
            view.key[n] = number
    if own:
        plt.close(fig)


def write_png(export: Export, out: Path, max_nodes: int = 40) -> Path:
    """Draws overview() into graph.png."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    fig = plt.figure(figsize=SIZE, dpi=DPI)
    renderer = fig.canvas.get_renderer()
    view = overview(export, max_nodes, renderer, fig)
    w, h = SIZE[0] * DPI, SIZE[1] * DPI
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    ax.axis("off")
    fig.text(0.01, 0.975, "kzx: typed relations between the most connected entities", fontsize=14, va="top",
             weight="bold")
    parallel = Counter()
    for source, target, rtype, directed in view.edges:
        pair = tuple(sorted((source, target)))
        k = parallel[pair]
        parallel[pair] += 1
        rad = 0.0 if k == 0 else 0.18 * ((k + 1) // 2) * (1 if k % 2 else -1)
        ax.add_patch(FancyArrowPatch(view.positions[source], view.positions[target], connectionstyle=f"arc3,rad={rad}",
                                     arrowstyle="-|>,head_length=6,head_width=3" if directed else "-",
                                     color=RELATION_COLOURS.get(rtype, "#666666"), linewidth=1.3, alpha=0.85,
                                     shrinkA=view.radius[source] * 72 / DPI, shrinkB=view.radius[target] * 72 / DPI,
                                     mutation_scale=1, zorder=1))
    for n in view.nodes:
        x, y = view.positions[n]
        ax.add_patch(matplotlib.patches.Circle((x, y), view.radius[n], facecolor=NODE_COLOURS.get(view.types[n], "#999"),
                                               edgecolor="white", linewidth=1.2, zorder=2))
    for n, (text, _, (x, y, ha, va)) in view.labels.items():
        ax.text(x, y, text, ha=ha, va=va, fontsize=7.5, parse_math=False, linespacing=1.1, zorder=3,
                weight="bold" if text.isdigit() else "normal")
    handles = [Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=NODE_COLOURS[t],
                      markeredgecolor="white", label=t.lower()) for t in view.node_legend]
    handles += [Line2D([], [], color=RELATION_COLOURS.get(t, "#666666"), linewidth=2,
                       marker=">" if d else None, markevery=[1], label=t + ("" if d else " (undirected)"))
                for t, d in view.relation_legend]
    if handles:
        fig.legend(handles=handles, loc="upper left", bbox_to_anchor=(PLOT_RIGHT + 0.01, 0.93), fontsize=9,
                   frameon=False, title="entities and relations", title_fontsize=10, alignment="left")
    if view.key:
        lines = [f"{i}  {view.names[n]}" for n, i in sorted(view.key.items(), key=lambda x: x[1])]
        fig.text(PLOT_RIGHT + 0.015, 0.40, "key\n" + "\n".join(lines), fontsize=8, va="top", parse_math=False)
    if not view.nodes:
        fig.text(0.37, 0.5, "no typed relations found", ha="center", fontsize=14, color="#666")
    path = out / "graph.png"
    with atomic_open(path, "wb") as f, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # glyphs the font lacks are drawn as boxes
        fig.savefig(f, format="png", dpi=DPI)
    plt.close(fig)
    return path
