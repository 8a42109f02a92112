"""graph.png as a person sees it: whole names, no label over another label, a node or an edge, no edge
over a node it does not join, arrows for direction, and a legend of exactly what is drawn."""

import shutil
from itertools import combinations
from pathlib import Path

import pytest

from pipeline import api
from pipeline.export.model_rows import Export
from pipeline.export.overview import DPI, SIZE, _crosses, _overlaps, crossings, overview, write_png
from pipeline.model import Edge, Entity, Graph
from pipeline.store import Store

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture(scope="module")
def sample_export(sample_run, settings):
    _, out, _ = sample_run
    store = Store(out / api.STORE_NAME)
    try:
        return api.build_export(store, settings)
    finally:
        store.close()


def _crowded_export(n: int = 40) -> Export:
    """A hub and spokes of long names, the case that cut 'Embassy of United States in' at 28 characters."""
    places = ["Almaty", "Astana", "Tashkent", "Bishkek", "Dushanbe", "Ashgabat", "Moscow", "Beijing"]
    nodes = [Entity("agency:hub", "AGENCY", "Embassy of the United States of America in Almaty", {}, 50, {"a"})]
    edges = []
    for i in range(1, n):
        name = f"Embassy of the United States in {places[i % 8]} number {i}"
        nodes.append(Entity(f"agency:e{i:02d}", "AGENCY" if i % 3 else "PERSON", name, {}, 1, {"a"}))
        edges.append(Edge(f"e{i}", f"agency:e{i:02d}", "agency:hub", "AFFILIATED_WITH" if i % 2 else "MET_WITH",
                          bool(i % 2), 1))
    return Export(Graph(nodes, edges), [], [], [], {}, {})


def check_picture(view) -> None:
    names_shown = {n: text.replace("\n", " ") for n, (text, *_) in view.labels.items()}
    for n in view.nodes:  # every node is named in full: beside it, or by its number in the key
        assert names_shown.get(n) == view.names[n] or n in view.key, n
        if n in view.key:
            assert names_shown.get(n, str(view.key[n])) == str(view.key[n])
    boxes = [bbox for _, bbox, _ in view.labels.values()]
    assert not [pair for pair in combinations(boxes, 2) if _overlaps(*pair)]
    discs = [(x - r, y - r, x + r, y + r) for n, (x, y) in view.positions.items() for r in [view.radius[n]]]
    assert not [(b, d) for b in boxes for d in discs if _overlaps(b, d)]
    segments = [(view.positions[a], view.positions[b]) for a, b, *_ in view.edges]
    assert not [b for b in boxes for s in segments if _crosses(b, *s)]
    assert crossings(view.positions, view.radius, {(a, b) for a, b, *_ in view.edges}) == []
    assert set(view.node_legend) == set(view.types.values())
    assert set(view.relation_legend) == {(t, d) for *_, t, d in view.edges}
    width, height = SIZE[0] * DPI, SIZE[1] * DPI
    assert all(0 <= b[0] and b[2] <= width and 0 <= b[1] and b[3] <= height for b in boxes)


def test_the_sample_picture_names_every_node_in_full_without_overlaps(sample_export):
    view = overview(sample_export)
    assert len(view.nodes) >= 20 and view.edges
    check_picture(view)
    assert any(len(name) > 28 for name in view.names.values())  # long names, once cut at 28 characters
    assert "DATE" not in view.node_legend or "DATE" in view.types.values()


def test_a_crowded_hub_keeps_every_label_whole_or_in_the_key():
    view = overview(_crowded_export())
    check_picture(view)
    assert len(view.nodes) == 40
    assert {t for t, _ in view.relation_legend} == {"AFFILIATED_WITH", "MET_WITH"}
    assert ("MET_WITH", False) in view.relation_legend and ("AFFILIATED_WITH", True) in view.relation_legend


def test_graph_png_is_a_slide_sized_picture_with_something_drawn(sample_export, tmp_path):
    import matplotlib.image

    path = write_png(sample_export, tmp_path)
    pixels = matplotlib.image.imread(str(path))
    assert pixels.shape[:2] == (SIZE[1] * DPI, SIZE[0] * DPI)
    ink = (pixels[..., :3].mean(axis=2) < 0.9).mean()
    assert 0.01 < ink < 0.5  # drawn on, not a blank or a black page
    coloured = ((abs(pixels[..., 0] - pixels[..., 1]) > 0.3) | (abs(pixels[..., 1] - pixels[..., 2]) > 0.3)).mean()
    assert coloured > 0.001  # nodes and relations in colour
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, ARTIFACTS / "graph.png")
    write_png(_crowded_export(), tmp_path)
    shutil.copy(tmp_path / "graph.png", ARTIFACTS / "graph-crowded.png")
