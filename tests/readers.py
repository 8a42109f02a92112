"""Independent readers of kzx's graph files for the tests: graphology (Gephi Lite's parsers, run in
node from tests/js) and igraph."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parent / "js"


def _need(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must provide {reason}")
    pytest.skip(f"{reason} not available")


def graphology_ready() -> None:
    """Installs tests/js (npm ci, from its package-lock.json) once; skips where node or npm is absent."""
    if not (shutil.which("node") and shutil.which("npm")):
        _need("node and npm (graphology reads the exports)")
    installed = JS / "node_modules" / ".package-lock.json"
    if not installed.is_file() or installed.stat().st_mtime < (JS / "package-lock.json").stat().st_mtime:
        done = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS, capture_output=True,
                              text=True, timeout=300)
        if done.returncode:
            _need(f"the npm registry for tests/js ({done.stderr.strip()[-300:]})")


def graphology_read(path: Path, fmt: str) -> dict:
    """{type, multi, nodes: [{key, attributes}], edges: [{key, source, target, undirected, attributes}]}"""
    graphology_ready()
    done = subprocess.run(["node", str(JS / "read_graph.js"), fmt, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def igraph_read(path: Path):
    igraph = pytest.importorskip("igraph", reason="python-igraph is in the test extra")
    return igraph.Graph.Read_GraphML(str(path))
