"""Batch reprocessing: only new work is done, nothing is ever lost."""

import csv
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import api

from .conftest import ROOT

SAMPLE = ROOT / "data" / "raw"


def _mentions(out: Path) -> list[dict]:
    with open(out / "mentions.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _edges(out: Path) -> list[dict]:
    with open(out / "edges.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture()
def corpus(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("000_7cc14762d2194263.txt", "004_1bb4851ac68466c8.txt"):
        shutil.copy(SAMPLE / name, raw / name)
    out = tmp_path / "out"
    first = api.extract(raw, out, workers=1)
    assert len(first.parsed) == 2
    return raw, out


def test_a_new_document_is_the_only_one_parsed_and_its_entities_appear(corpus):
    raw, out = corpus
    (raw / "new.txt").write_text("A new cable says Nazarbaev met Tokayev in Aktobe on Tuesday.\n", encoding="utf-8")
    summary = api.extract(raw, out, workers=1)
    assert summary.parsed == ["new.txt"] and summary.unchanged == 2
    new = [r for r in _mentions(out) if r["doc_id"] == "new.txt"]
    assert {"Nazarbaev", "Tokayev", "Aktobe"} <= {r["text"] for r in new}
    assert next(r for r in new if r["text"] == "Nazarbaev")["entity_id"] == "person:nursultan-nazarbayev"


def test_an_edited_document_loses_its_old_mentions(corpus):
    raw, out = corpus
    assert any(r["text"] == "Bozhko" for r in _mentions(out))
    (raw / "004_1bb4851ac68466c8.txt").write_text("Kazakstan tightens its border with Kyrgyzstan.\n", encoding="utf-8")
    summary = api.extract(raw, out, workers=1)
    assert summary.parsed == ["004_1bb4851ac68466c8.txt"]
    texts = {r["text"] for r in _mentions(out) if r["doc_id"] == "004_1bb4851ac68466c8.txt"}
    assert "Bozhko" not in texts and "Kyrgyzstan" in texts


def test_a_deleted_document_takes_its_edges_with_it(corpus):
    raw, out = corpus
    assert any(r["evidence_doc"] == "004_1bb4851ac68466c8.txt" for r in _edges(out))
    (raw / "004_1bb4851ac68466c8.txt").unlink()
    summary = api.extract(raw, out, workers=1)
    assert summary.removed == ["004_1bb4851ac68466c8.txt"] and summary.parsed == []
    assert not any(r["evidence_doc"] == "004_1bb4851ac68466c8.txt" for r in _edges(out))
    assert not any(r["doc_id"] == "004_1bb4851ac68466c8.txt" for r in _mentions(out))


def test_an_override_merges_ids_without_reparsing(corpus, tmp_path):
    raw, out = corpus
    config = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", config)
    ids = {r["text"]: r["entity_id"] for r in _mentions(out)}
    assert ids["Zamir Karajanov"] != ids["Adil Nurakishev"]
    (config / "overrides.jsonl").write_text('{"merge": ["PERSON:Zamir Karajanov", "PERSON:Adil Nurakishev"]}\n')
    summary = api.extract(raw, out, config=config / "kzx.toml", workers=1)
    assert summary.parsed == [] and summary.resolved_only
    ids = {r["text"]: r["entity_id"] for r in _mentions(out)}
    assert ids["Zamir Karajanov"] == ids["Adil Nurakishev"]


def test_a_change_to_component_settings_reparses_everything(corpus, tmp_path):
    raw, out = corpus
    config = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", config)
    toml = (config / "kzx.toml").read_text().replace("min_surname_len = 3", "min_surname_len = 4")
    (config / "kzx.toml").write_text(toml)
    assert len(api.extract(raw, out, config=config / "kzx.toml", workers=1).parsed) == 2


def test_status_counts_without_a_model(corpus):
    raw, out = corpus
    (raw / "new.txt").write_text("Astana.\n", encoding="utf-8")
    (raw / "000_7cc14762d2194263.txt").unlink()
    plan = api.status(raw, out)
    assert (len(plan.new), len(plan.changed), len(plan.unchanged), len(plan.removed)) == (1, 0, 1, 1)


def test_a_failed_document_keeps_its_error_and_is_retried(corpus):
    raw, out = corpus
    (raw / "empty.txt").write_bytes(b"")
    summary = api.extract(raw, out, workers=1)
    assert summary.failed == {"empty.txt": "empty file"}
    assert api.status(raw, out).failed == ["empty.txt"]
    (raw / "empty.txt").write_text("Bishkek.\n", encoding="utf-8")
    summary = api.extract(raw, out, workers=1)
    assert summary.parsed == ["empty.txt"] and not summary.failed


def _lock_holder(out: Path) -> subprocess.Popen:
    """Another process that takes the out dir's lock and keeps it until it is killed."""
    script = ("import sys, time\nfrom pipeline import api\nwith api.OutLock(sys.argv[1]):\n"
              "    print('locked', flush=True)\n    time.sleep(600)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_a_second_run_on_the_same_out_dir_is_refused_and_a_dead_holders_lock_is_taken_over(corpus):
    raw, out = corpus
    lock = out / api.LOCK_NAME
    holder = _lock_holder(out)
    try:
        with pytest.raises(api.LockError, match=f"another kzx run \\(pid {holder.pid}\\)"):
            api.extract(raw, out, workers=1)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert lock.exists()  # a killed holder leaves its file; the kernel released its lock
    api.extract(raw, out, workers=1)
    assert not lock.exists()


def test_a_lock_file_naming_a_live_unrelated_process_holds_nothing(corpus):
    raw, out = corpus
    (out / api.LOCK_NAME).write_text(str(os.getppid()))  # alive, but it holds no lock
    api.extract(raw, out, workers=1)


def test_two_runs_racing_for_a_stale_lock_never_both_hold_it(tmp_path):
    script = ("import sys, time\nfrom pipeline import api\n"
              "try:\n    with api.OutLock(sys.argv[1]):\n        print('held', time.monotonic(), flush=True)\n"
              "        time.sleep(0.3)\n        print('free', time.monotonic(), flush=True)\n"
              "except api.LockError:\n    print('refused', flush=True)\n")
    for trial in range(5):
        out = tmp_path / f"out{trial}"
        out.mkdir()
        (out / api.LOCK_NAME).write_text("999999")  # a stale lock left by a killed run
        racers = [subprocess.Popen([sys.executable, "-c", script, str(out)], cwd=ROOT, stdout=subprocess.PIPE,
                                   text=True) for _ in range(3)]
        lines = [r.communicate(timeout=60)[0].split("\n") for r in racers]
        held = [[float(x.split()[1]) for x in ls if x.startswith(("held", "free"))] for ls in lines]
        spans = sorted(h for h in held if h)
        assert spans, lines
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert end <= start, f"two processes held the lock at once: {spans}"


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())
            if p.suffix in (".csv", ".graphml", ".gexf", ".json", ".html", ".png")}


def test_sigkill_in_the_middle_of_a_batch_loses_nothing(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(8):
        for src in sorted(SAMPLE.iterdir()):
            shutil.copy(src, raw / f"{i}_{src.name}")
    killed = tmp_path / "killed"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(killed), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    store = killed / api.STORE_NAME
    done = 0
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if store.exists():
            try:
                with sqlite3.connect(store, timeout=1) as db:
                    done = db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            except sqlite3.Error:
                done = 0
            if done >= 3:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 3 <= done < 40
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    clean = tmp_path / "clean"
    subprocess.run([*cmd[:-4], "--out", str(clean), "--workers", "1"], cwd=ROOT, check=True, timeout=300,
                   capture_output=True)
    assert _outputs(killed) == _outputs(clean)


def test_watch_reruns_when_a_document_arrives(corpus):
    import threading

    raw, out = corpus
    changes, stop = [], threading.Event()

    def on_change(change):
        changes.append(change)
        if len(changes) == 1:
            (raw / "arrived.txt").write_text("Rakhat Aliyev fled to Vienna.\n", encoding="utf-8")
        else:
            stop.set()

    thread = threading.Thread(target=api.watch, args=(raw, out, on_change),
                              kwargs={"stop_event": stop, "debounce_ms": 200, "workers": 1})
    thread.start()
    thread.join(timeout=120)
    stop.set()
    assert len(changes) >= 2
    assert changes[1].summary.parsed == ["arrived.txt"]
    assert "Rakhat Aliyev" in changes[1].nodes_added
