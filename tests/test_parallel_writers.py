"""Outputs written by two processes are the files one process writes; a failed or killed copy loses nothing."""

import os

import pytest

from pipeline import api
from pipeline.export import FORMATS, WRITERS
from pipeline.export.parallel import STAGING_PREFIX, side_formats, write_outputs
from pipeline.store import Store

ROOM = 10**6  # MiB: a budget any process fits


@pytest.fixture(scope="module")
def export(sample_run, settings):
    _, out, _ = sample_run
    store = Store(out / api.STORE_NAME)
    try:
        return api.build_export(store, settings)
    finally:
        store.close()


def _contents(files) -> dict:
    return {p.name: p.read_bytes() for p in files}


@pytest.mark.skipif(not hasattr(os, "fork") or not os.path.exists("/proc/self/statm"), reason="needs fork and /proc")
def test_two_processes_write_the_files_one_process_writes(export, tmp_path, monkeypatch):
    assert side_formats(FORMATS, ROOM) == ["graphml", "gexf", "report"]
    assert side_formats(FORMATS, 0) == []
    writers_log = tmp_path / "pids.log"
    for fmt, writer in list(WRITERS.items()):
        def logged(exp, out, fmt=fmt, writer=writer):
            with open(writers_log, "a", encoding="ascii") as f:
                f.write(f"{fmt} {os.getpid()}\n")
            return writer(exp, out)
        monkeypatch.setitem(WRITERS, fmt, logged)
    one, two = tmp_path / "one", tmp_path / "two"
    alone = write_outputs(export, one, FORMATS, 0)
    writers_log.unlink()
    forked = write_outputs(export, two, FORMATS, ROOM)
    by = dict(line.split() for line in writers_log.read_text(encoding="ascii").splitlines())
    assert {fmt for fmt, pid in by.items() if pid != str(os.getpid())} == {"graphml", "gexf", "report"}
    assert [p.name for p in forked] == [p.name for p in alone]
    assert _contents(forked) == _contents(alone)
    assert sorted(p.name for p in two.iterdir()) == sorted(p.name for p in alone)  # no staging left


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_failed_copy_leaves_its_files_to_this_process(export, tmp_path, monkeypatch):
    parent, gexf = os.getpid(), WRITERS["gexf"]

    def gexf_failing_in_the_copy(exp, out):
        if os.getpid() != parent:
            raise OSError("No space left on device")
        return gexf(exp, out)

    monkeypatch.setitem(WRITERS, "gexf", gexf_failing_in_the_copy)
    files = write_outputs(export, tmp_path / "out", FORMATS, ROOM)
    assert [p.name for p in files] == [name for fmt in FORMATS for name in api.OUTPUT_FILES[fmt]]
    assert all(p.is_file() and p.stat().st_size > 0 for p in files)
    assert not list((tmp_path / "out").glob(STAGING_PREFIX + "*"))


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(sample_run, tmp_path):
    import shutil

    raw, out, _ = sample_run
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    stale = copy / f"{STAGING_PREFIX}999999"
    stale.mkdir()
    (stale / "graph.gexf").write_text("<gexf half written", encoding="utf-8")
    summary = api.extract(raw, copy, workers=1)
    assert not summary.parsed and not stale.exists()
    assert (copy / "graph.gexf").read_bytes() == (out / "graph.gexf").read_bytes()
