"""One bad file never stops the run: every file has its own fault boundary and budget, the others are
extracted, the store and the out dir fail with one line (issue 18)."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from typer.testing import CliRunner

from pipeline import api
from pipeline.cli import EXIT_ERROR, EXIT_FAILED_DOCUMENTS, EXIT_STORE, app

from .conftest import ROOT, pdf_bytes

SAMPLE = ROOT / "data" / "raw"
GOOD_CABLE = ("R 140826Z SEP 07\nFM AMEMBASSY ASTANA\nTO SECSTATE WASHDC PRIORITY 0123\n\nSUBJECT: KAZAKHSTAN: "
              "NAZARBAYEV MEETS TOKAYEV\n\n1. President Nazarbayev met Foreign Minister Tokayev in Astana on "
              "September 12 to discuss relations with Kyrgyzstan.\n")


def build_pdf(text: bytes = b"(Hello Astana) Tj", page_extra: bytes = b"", cmap: bytes | None = None,
              info: bytes | None = None) -> bytes:
    """A one-page PDF written by hand, offsets computed; `cmap` a ToUnicode map for its font, `info`
    its document information dictionary."""
    stream = b"BT /F1 12 Tf 72 720 Td " + text + b" ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
               b"/Contents 4 0 R " + page_extra + b">>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica " + (b"/ToUnicode 6 0 R " if cmap else b"")
               + b">>"]
    if cmap:
        objects.append(b"<< /Length " + str(len(cmap)).encode() + b" >>\nstream\n" + cmap + b"\nendstream")
    if info:
        objects.append(info)
    return pdf_bytes(objects, f" /Info {len(objects)} 0 R" if info else "")


def deep_page_tree(depth: int = 3000) -> bytes:
    """A PDF whose page sits under 3,000 nested /Pages nodes."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    objects += [f"<< /Type /Pages /Kids [{n + 1} 0 R] /Count 1 >>".encode() for n in range(2, 2 + depth)]
    leaf, stream = 2 + depth, b"BT /F1 12 Tf 72 720 Td (Deep Astana) Tj ET"
    objects.append(f"<< /Type /Page /Parent {leaf - 1} 0 R /MediaBox [0 0 612 792] /Contents {leaf + 1} 0 R >>"
                   .encode())
    objects.append(b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream")
    return pdf_bytes(objects)


SURROGATE_CMAP = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /X def "
                  b"1 begincodespacerange <00> <FF> endcodespacerange 2 beginbfchar <41> <D800> <42> <0041> "
                  b"endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")


def word_file(paragraph: str = "Tokayev met Putin in Moscow.") -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph(paragraph)
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes]) -> bytes:
    """A copy of a zip package with some of its parts replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def zip_bomb() -> bytes:
    """A .docx whose document part unpacks to 64 MiB of spaces from ~64 KiB."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(word_file())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                         compresslevel=9) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + b" " * (64 * 2**20))
            dst.writestr(info.filename, data)
    return out.getvalue()


def bad_inputs() -> dict[str, bytes]:
    """The kinds of bad input of issue 18 (file name -> content), one file each; with the four the file
    system makes (file_system_kinds), 53."""
    russian = "Президент Назарбаев посетил Шымкент и встретился с акимом области.\n".encode()
    kinds = {
        # cable fragments and header values
        "cable_no_subject.txt": b"031250Z JUN 03\nFM AMEMBASSY ABU DHABI\nTO SECSTATE WASHDC\n",
        "created_month_13.txt": b"Reference ID: 08ASTANA1\nCreated: 2008-13\nTAGS: PREL KZ\nSUBJECT: A\n\nKarimov "
                                b"met Putin in Moscow.\n",
        "created_week_60.txt": b"Created: 2008-W60\nTAGS: PREL KZ\nSUBJECT: B\n\nKarimov met Putin in Moscow.\n",
        "created_garbage.txt": b"Created: garbage\nTAGS: PREL\nSUBJECT: C\n\nTokayev spoke in Astana.\n",
        "created_zero.txt": b"Created: 0000-00-00\nTAGS: PREL\nSUBJECT: D\n\nTokayev spoke in Astana.\n",
        "dtg_day_99.txt": b"999950Z JUN 03\nFM AMEMBASSY ASTANA\nTO SECSTATE WASHDC\n\nSUBJECT: E\n\nTokayev spoke.\n",
        "dtg_hour_25.txt": b"032599Z FEB 07\nFM AMEMBASSY ASTANA\nTO SECSTATE WASHDC\n\nSUBJECT: F\n\nTokayev spoke.\n",
        "dtg_feb_30.txt": b"301250Z FEB 07\nFM AMEMBASSY TASHKENT\nTO SECSTATE WASHDC\n\nSUBJECT: G\n\nKarimov.\n",
        "subject_only.txt": b"SUBJECT: \n",
        "fm_only.txt": b"FM \n",
        "tags_flood.txt": b"TAGS: " + b"PREL " * 20000 + b"\nSUBJECT: H\n\nAstana.\n",
        "header_spam.txt": b"031250Z JUN 03\n" + b"FM AMEMBASSY ASTANA\n" * 5000,
        "dated_event_garbage.txt": b"Published: 99/99/9999\n\nNazarbayev met Tokayev.\n",
        # office files and PDFs
        "bad_xml.docx": rezip(word_file(), {"word/document.xml": b"<w:document><w:body><w:p>unclosed"}),
        "bad_created_date.docx": rezip(word_file(), {"docProps/core.xml": re.sub(
            rb"(<dcterms:created[^>]*>)[^<]*", rb"\g<1>2008-13-45T99:00:00Z",
            zipfile.ZipFile(io.BytesIO(word_file())).read("docProps/core.xml"))}),
        "zip_bomb.docx": zip_bomb(),
        "truncated.docx": word_file()[:1500],
        "no_document_part.docx": rezip(word_file(), {}).replace(b"word/document.xml", b"word/documenX.xml"),
        "empty_zip.docx": b"PK\x05\x06" + b"\x00" * 18,
        "not_a_zip.docx": b"this is not a word file\n",
        "nested_arrays.pdf": build_pdf(page_extra=b"/Deep " + b"[" * 3000 + b"]" * 3000),
        "nested_dicts.pdf": build_pdf(page_extra=b"/Deep " + b"<< /A " * 3000 + b">>" * 3000),
        "surrogate.pdf": build_pdf(text=b"(ABAB) Tj", cmap=SURROGATE_CMAP),
        "surrogate_title.pdf": build_pdf(info=b"<< /Title <FEFFD800> /Author <FEFF0041D800> >>"),
        "deep_page_tree.pdf": deep_page_tree(),
        "truncated.pdf": build_pdf()[:300],
        "garbage.pdf": b"%PDF-1.4\n" + bytes(random.Random(1).randrange(256) for _ in range(3000)),
        "no_text_layer.pdf": build_pdf(text=b""),
        # decoding
        "utf16le_no_bom.txt": "Tokayev spoke in Astana about Kyrgyzstan.\n".encode("utf-16-le"),
        "utf16be_no_bom.txt": "Karimov spoke in Tashkent about Tajikistan.\n".encode("utf-16-be"),
        "utf16le_russian_no_bom.txt": "Назарбаев посетил Шымкент.\n".encode("utf-16-le"),
        "russian_one_bad_byte.txt": russian.replace("посетил".encode(), b"\xff" + "осетил".encode()),
        "empty.txt": b"",
        "blank.txt": b" \n\t\n  \n",
        "binary.txt": bytes(range(256)) * 40,
        "nuls.txt": b"\x00" * 5000,
        "controls.txt": bytes(range(1, 9)) * 300,
        "html_surrogate_ref.html": b"<html><body><article><p>Nazarbayev met Tokayev in Astana &#xD800; on Monday "
                                   b"to talk about Kyrgyzstan and the border.</p><p>" + b"More words. " * 30
                                   + b"</p></article></body></html>",
        "html_nav_only.html": b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "html_empty.html": b"<html></html>",
        "html_binary.html": bytes(random.Random(2).randrange(256) for _ in range(4000)),
        "html_deep.html": b"<html><body>" + b"<div>" * 20000 + b"Astana" + b"</div>" * 20000 + b"</body></html>",
        # tokenizer-pathological texts
        "equals.txt": b"=" * 8000 + b"\n",
        "parens.txt": b"(" * 4000 + b"\n",
        "nested_parens.txt": b"(" * 70000 + b"Astana" + b")" * 70000 + b"\n",
        "one_long_word.txt": b"a" * 300_000 + b"\n",
        "long_runs_beside_text.txt": b"Tokayev met Putin in Moscow. " + b"=" * 8000 + b" " + b"(" * 4321
                                     + b"\n\nNazarbayev visited Almaty on Monday.\n",
        "unsupported.png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "unsupported.xlsx": b"PK\x03\x04",
        "too_large.txt": b"Astana. " * (150 * 1024),  # over the test's max_file_mb = 1
    }
    return kinds


def file_system_kinds(raw: Path) -> list[str]:
    """Bad entries the file system makes: a symlink loop, a dangling link, a non-UTF-8 file name."""
    (raw / "loop_a.txt").symlink_to("loop_b.txt")
    (raw / "loop_b.txt").symlink_to("loop_a.txt")
    (raw / "dangling.txt").symlink_to("nowhere.txt")
    name = os.fsdecode(b"caf\xe9_latin1_name.txt")
    (raw / name).write_bytes(b"Tokayev visited Almaty.\n")
    return ["loop_a.txt", "loop_b.txt", "dangling.txt", "caf\\xe9_latin1_name.txt"]


def generated_variants(seed: int = 18) -> dict[str, bytes]:
    """A few hundred more: random bytes under every extension, random cable fragments, corrupted
    office files and PDFs."""
    rng = random.Random(seed)
    out: dict[str, bytes] = {}
    for i in range(80):
        ext = rng.choice([".txt", ".html", ".pdf", ".docx", ".md", ""])
        out[f"gen/random_{i}{ext}"] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
    lines = ["{d:02d}{h:02d}{m:02d}Z {mon} {y:02d}", "FM AMEMBASSY ASTANA", "TO SECSTATE WASHDC",
             "INFO RUEHXX/AMEMBASSY",
             "SUBJECT: {word}", "TAGS: {word} KZ", "Created: {y}-{mo}", "Reference ID: {word}", "Classified By: {word}",
             "", "1. (C) Nazarbayev met Tokayev in Astana on {mon} {d}.", "REF: {word}", "ASTANA 00001 001 OF 002"]
    for i in range(120):
        chosen = [rng.choice(lines) for _ in range(rng.randrange(1, 10))]
        text = "\n".join(chosen).format(d=rng.randrange(0, 100), h=rng.randrange(0, 100), m=rng.randrange(0, 100),
                                        mon=rng.choice(["JAN", "FEB", "XYZ", "DEC"]), y=rng.randrange(0, 100),
                                        mo=rng.choice(["13", "00", "W60", "SU", "07"]),
                                        word=rng.choice(["", "A", "KAZAKHSTAN", "=" * 300, "(" * 150]))
        out[f"gen/cable_{i}.txt"] = text.encode()
    good_docx, good_pdf = word_file(), build_pdf()
    for i in range(50):
        base = bytearray(good_docx if i % 2 else good_pdf)
        for _ in range(rng.randrange(1, 20)):
            base[rng.randrange(len(base))] = rng.randrange(256)
        out[f"gen/corrupt_{i}{'.docx' if i % 2 else '.pdf'}"] = bytes(base)
    return out


def _config(tmp_path: Path, **limits) -> Path:
    config = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", config)
    toml = (config / "kzx.toml").read_text(encoding="utf-8")
    for key, value in limits.items():
        toml = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line for line in toml.split("\n"))
    (config / "kzx.toml").write_text(toml, encoding="utf-8")
    return config / "kzx.toml"


def _documents(out: Path) -> dict[str, dict]:
    with open(out / "documents.csv", encoding="utf-8", newline="") as f:
        return {r["doc_id"]: r for r in csv.DictReader(f)}


def _mentions(out: Path) -> list[dict]:
    with open(out / "mentions.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory):
    """One extract (two workers) over the 48 kinds, ~250 generated variants and four good documents."""
    base = tmp_path_factory.mktemp("fuzz")
    raw = base / "raw"
    (raw / "gen").mkdir(parents=True)
    files = {**bad_inputs(), **generated_variants()}
    for name, data in files.items():
        (raw / name).write_bytes(data)
    listed = set(files) | set(file_system_kinds(raw))
    (raw / "good_cable.txt").write_text(GOOD_CABLE, encoding="utf-8")
    (raw / "good_word.docx").write_bytes(word_file("Ambassador Daniyal Akhmetov met UNHCR officials in Almaty."))
    for name in ("000_7cc14762d2194263.txt", "004_1bb4851ac68466c8.txt"):
        shutil.copy(SAMPLE / name, raw / name)
    config = _config(base, max_file_mb=1, document_seconds=120)
    out = base / "out"
    summary = api.extract(raw, out, config=config, workers=2)
    return raw, out, config, summary, listed


def test_the_fuzz_run_completes_and_every_file_is_parsed_or_listed(fuzz_run):
    raw, out, _, summary, listed = fuzz_run
    assert len(listed) >= 48 + 250
    handled = set(summary.parsed) | set(summary.failed)
    assert listed | {"good_cable.txt", "good_word.docx"} <= handled
    assert not set(summary.parsed) & set(summary.failed)
    documents = _documents(out)
    assert handled == set(documents)
    for doc_id, reason in summary.failed.items():
        assert reason and "\n" not in reason and len(reason) <= 300, (doc_id, reason)
        # every kind is handled inside its budget, none needed killing (the budget tests show the kill)
        assert "budget" not in reason and "died" not in reason, (doc_id, reason)
        assert documents[doc_id]["status"] == "failed" and documents[doc_id]["error"] == reason


def test_the_good_documents_beside_the_bad_ones_are_extracted(fuzz_run):
    _, out, _, summary, _ = fuzz_run
    assert {"good_cable.txt", "good_word.docx", "000_7cc14762d2194263.txt", "004_1bb4851ac68466c8.txt"} \
        <= set(summary.parsed)
    texts = {(m["doc_id"], m["text"]) for m in _mentions(out)}
    assert {("good_cable.txt", "Nazarbayev"), ("good_cable.txt", "Tokayev"),
            ("good_word.docx", "Almaty")} <= texts


def test_each_kind_gets_its_reason(fuzz_run):
    _, out, _, summary, _ = fuzz_run
    failed, parsed = summary.failed, set(summary.parsed)
    assert failed["zip_bomb.docx"].startswith("Word file refused: it unpacks to 65 MiB")
    assert failed["bad_xml.docx"].startswith("unreadable Word file")
    assert failed["truncated.docx"].startswith("unreadable Word file")
    assert failed["deep_page_tree.pdf"].startswith("unreadable PDF: Maximum page tree depth")
    assert failed["too_large.txt"].startswith("too large: 1 MiB (limit 1 MiB")
    assert failed["empty.txt"] == failed["blank.txt"] == "empty file"
    assert failed["binary.txt"].startswith("binary file")
    assert failed["unsupported.png"].startswith("skipped: unsupported file type")
    assert failed["html_empty.html"] == "no article text found in the HTML page"
    assert failed["loop_a.txt"].startswith("unreadable:") and failed["dangling.txt"].startswith("unreadable:")
    # what can be read is read: header dates that name no real time are dropped and noted, not fatal
    assert {"cable_no_subject.txt", "created_month_13.txt", "created_week_60.txt", "created_garbage.txt",
            "created_zero.txt", "dtg_day_99.txt", "dtg_hour_25.txt", "surrogate.pdf", "html_surrogate_ref.html",
            "utf16le_no_bom.txt", "utf16be_no_bom.txt", "utf16le_russian_no_bom.txt", "russian_one_bad_byte.txt",
            "bad_created_date.docx", "surrogate_title.pdf", "equals.txt", "parens.txt", "nested_parens.txt", "one_long_word.txt",
            "caf\\xe9_latin1_name.txt"} <= parsed
    documents = _documents(out)
    assert documents["created_month_13.txt"]["notes"] == "Created: '2008-13' is not a date (dropped)"
    assert documents["dtg_day_99.txt"]["notes"] == "date-time group '999950Z JUN 03' is not a real date (dropped)"
    assert "date" not in documents["created_week_60.txt"] or not documents["created_week_60.txt"]["date"]
    assert "invalid UTF-8" in documents["russian_one_bad_byte.txt"]["notes"]


def test_text_that_was_damaged_is_kept_and_its_entities_found(fuzz_run):
    _, out, _, _, _ = fuzz_run
    texts = {(m["doc_id"], m["text"]) for m in _mentions(out)}
    assert ("utf16le_no_bom.txt", "Tokayev") in texts and ("utf16be_no_bom.txt", "Karimov") in texts
    assert ("utf16le_russian_no_bom.txt", "Назарбаев") in texts
    assert ("russian_one_bad_byte.txt", "Назарбаев") in texts
    assert ("html_surrogate_ref.html", "Nazarbayev") in texts


def test_every_export_is_written_and_its_dates_are_real(fuzz_run):
    _, out, _, _, _ = fuzz_run
    gexf = etree.parse(str(out / "graph.gexf"))
    spells = gexf.findall(".//{http://gexf.net/1.3}spell")
    assert spells
    from datetime import date

    for spell in spells:
        assert date.fromisoformat(spell.get("start")) <= date.fromisoformat(spell.get("end"))
    etree.parse(str(out / "graph.graphml"))
    assert (out / "report.html").stat().st_size > 0


def test_a_rerun_retries_nothing_that_failed_for_its_content_and_loads_no_model(fuzz_run):
    raw, out, config, first, _ = fuzz_run
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file() and not p.name.startswith(".")
              and p.name != api.STORE_NAME and not p.name.startswith("kzx.sqlite")}
    result = CliRunner().invoke(app, ["extract", str(raw), "--out", str(out), "--config", str(config),
                                      "--workers", "1"])
    assert result.exit_code == EXIT_FAILED_DOCUMENTS, result.output
    assert "Traceback" not in result.output
    assert "documents parsed        │ 0" in result.output.replace("│ 0 ", "│ 0")
    assert "parsed on" not in result.output  # no model was loaded
    after = {name: (out / name).stat().st_mtime_ns for name in before}
    assert before == after  # nothing rewritten
    assert "failed zip_bomb.docx: Word file refused" in " ".join(result.output.split())


def test_a_document_over_the_time_budget_fails_alone_with_its_reason(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    sentence = "President Nazarbayev met Foreign Minister Tokayev in Astana to discuss Kyrgyzstan. "
    (raw / "long.txt").write_text((sentence * 40 + "\n\n") * 120, encoding="utf-8")  # ~400k characters
    for i in range(3):
        (raw / f"short_{i}.txt").write_text(f"Karimov met Putin in Tashkent on day {i}.\n", encoding="utf-8")
    config = _config(tmp_path, document_seconds=3)
    summary = api.extract(raw, tmp_path / "out", config=config, workers=1)
    assert summary.failed == {"long.txt": "over the time budget: took longer than 3 s ([limits] document_seconds)"}
    assert summary.parsed == ["short_0.txt", "short_1.txt", "short_2.txt"]
    assert api.status(raw, tmp_path / "out", config).retry == ["long.txt"]  # a budget failure is retried


def test_a_document_over_the_memory_budget_fails_alone_with_its_reason(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    rng = random.Random(5)
    words = "".join(f"<w:p><w:r><w:t>{rng.getrandbits(64):x} {rng.getrandbits(64):x}</w:t></w:r></w:p>"
                    for _ in range(250_000)).encode()  # ~20 MB of XML: lxml's tree of it takes far more
    big = rezip(word_file(), {"word/document.xml": zipfile.ZipFile(io.BytesIO(word_file())).read(
        "word/document.xml").replace(b"<w:body>", b"<w:body>" + words)})
    (raw / "big.docx").write_bytes(big)
    (raw / "small.txt").write_text("Tokayev met Lavrov in Moscow.\n", encoding="utf-8")
    config = _config(tmp_path, document_memory_mb=64, max_file_mb=50)
    summary = api.extract(raw, tmp_path / "out", config=config, workers=1)
    assert summary.failed == {"big.docx": "over the memory budget: needed more than 64 MB "
                                          "([limits] document_memory_mb)"}
    assert summary.parsed == ["small.txt"]


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_no_worker_outlives_a_killed_run_with_two_workers(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for i in range(26):
        for src in sorted(SAMPLE.iterdir()):
            shutil.copy(src, raw / f"{i}_{src.name}")
    out = tmp_path / "killed-two-workers"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 180
    workers: list[int] = []
    while time.time() < deadline and proc.poll() is None:
        workers = [pid for pid in _processes_with(str(out)) if pid != proc.pid]
        if len(workers) >= 2:
            break
        time.sleep(0.1)
    assert proc.poll() is None and len(workers) >= 2, "the run ended before its workers could be seen"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and _processes_with(str(out)):
        time.sleep(0.2)
    assert _processes_with(str(out)) == []
    rerun = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr[-2000:]


@pytest.fixture()
def small_run(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Tokayev met Lavrov in Moscow.\n", encoding="utf-8")
    out = tmp_path / "out"
    api.extract(raw, out, workers=1)
    return raw, out


def _run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.mark.parametrize("damage", ["truncated", "garbage page"])
def test_a_damaged_store_is_one_line_in_every_command(small_run, damage):
    raw, out = small_run
    store = out / api.STORE_NAME
    for side in ("-wal", "-shm"):
        Path(f"{store}{side}").unlink(missing_ok=True)
    data = store.read_bytes()
    store.write_bytes(data[:1000] if damage == "truncated" else data[:4096] + os.urandom(len(data) - 4096))
    for command in (["extract", raw, "--out", out, "--workers", "1"], ["status", raw, "--out", out],
                    ["report", "--out", out], ["aliases", "--out", out]):
        code, output = _run(*command)
        assert code == EXIT_STORE, (command, output)
        assert "Traceback" not in output
        assert f"the store {store}" in output and "delete it to start over" in output, output


def test_a_full_disk_while_writing_is_one_line_and_the_rerun_completes(tmp_path):
    """A real write failure, not a mock: the process may not write files over 600 KiB (RLIMIT_FSIZE:
    the store fits, report.html does not), so writing the outputs fails with EFBIG, as it would with
    ENOSPC on a full disk."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("000_7cc14762d2194263.txt", "004_1bb4851ac68466c8.txt"):
        shutil.copy(SAMPLE / name, raw / name)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "pipeline", "extract", str(raw), "--out", str(out), "--workers", "1"]

    def small_files():
        import resource

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (600 * 1024, 600 * 1024))

    full = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, preexec_fn=small_files)
    assert full.returncode == EXIT_STORE, full.stdout + full.stderr
    message = " ".join(full.stderr.split())
    assert "Traceback" not in full.stderr, full.stderr
    assert "no space to write it (a full disk, or a file size limit): free space and run again" in message, message
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr[-2000:]
    assert not list(out.glob(".*.tmp"))


def test_status_on_a_missing_input_dir_is_an_error_and_creates_nothing(tmp_path):
    out = tmp_path / "out"
    code, output = _run("status", tmp_path / "missing", "--out", out)
    assert code == EXIT_ERROR and "input dir not found" in output
    assert not out.exists()


def test_status_before_any_run_creates_no_store(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Astana.\n")
    plan = api.status(raw, tmp_path / "out")
    assert plan.new == ["a.txt"] and not (tmp_path / "out").exists()


def test_an_out_dir_inside_the_input_dir_is_not_read_back(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Tokayev met Lavrov in Moscow.\n", encoding="utf-8")
    out = raw / "out"
    api.extract(raw, out, workers=1)
    second = api.extract(raw, out, workers=1)
    assert second.parsed == [] and second.unchanged == 1 and not second.failed
    assert set(_documents(out)) == {"a.txt"}


def test_the_input_dir_itself_as_out_dir_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Astana.\n")
    code, output = _run("extract", raw, "--out", raw, "--workers", "1")
    assert code == EXIT_ERROR and "is the input dir: choose another folder" in " ".join(output.split())
    assert sorted(p.name for p in raw.iterdir()) == ["a.txt"]


def test_temp_files_of_a_killed_run_are_removed_by_the_next(small_run):
    raw, out = small_run
    stale = [out / ".edges.csv.k2j4h5.tmp", out / ".graph.gexf.x_y1.tmp"]
    mine = out / ".notes.txt.tmp"  # not kzx's: left alone
    for path in [*stale, mine]:
        path.write_text("partial")
    api.extract(raw, out, workers=1)
    assert not any(p.exists() for p in stale) and mine.exists()


@pytest.mark.parametrize("edit, message", [
    (('disable = ["lemmatizer", "attribute_ruler"]', "disable = 5"), "[model] disable: Input should be a valid list"),
    (("batch_size = 4", "batch_size = 1e20"), "[model] batch_size:"),
    (("batch_size = 4", "batch_size = 'four'"), "[model] batch_size: Input should be a valid integer"),
    (("[components.kzx_rules]", "[components.kzx_rulez]"), "unknown table [components.kzx_rulez]"),
    (("max_short_len = 10", "max_short_len = 'ten'"), "[components.kzx_acronyms] max_short_len:"),
    (("[limits]", "[limits]\nseconds = 5"), "[limits] seconds: unknown key"),
])
def test_a_config_mistake_is_one_line_naming_the_table_and_key(tmp_path, edit, message):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("Astana.\n")
    config = _config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    code, output = _run("extract", raw, "--out", tmp_path / "out", "--config", config, "--workers", "1")
    assert code == EXIT_ERROR, output
    assert "Traceback" not in output and message in " ".join(output.split()), output
    assert len(output.strip().splitlines()) <= 3  # one message (the console may wrap it)


@pytest.mark.parametrize("kind", ["empty", "directory", "not utf-8"])
def test_an_unusable_config_file_is_one_line(tmp_path, kind):
    config = tmp_path / "kzx.toml"
    if kind == "empty":
        config.write_text("")
    elif kind == "directory":
        config.mkdir()
    else:
        config.write_bytes(b"[model]\nname = '\xff'\n")
    code, output = _run("status", ROOT / "data" / "raw", "--out", tmp_path / "out", "--config", config)
    assert code == EXIT_ERROR and "Traceback" not in output
    assert {"empty": "no [components.*] table", "directory": "is a directory",
            "not utf-8": "not UTF-8"}[kind] in " ".join(output.split())


def test_watch_waits_for_a_manual_run_holding_the_lock_then_runs(small_run):
    import threading

    raw, out = small_run
    (raw / "b.txt").write_text("Karimov met Putin in Tashkent.\n", encoding="utf-8")
    script = ("import sys, time\nfrom pipeline import api\nwith api.OutLock(sys.argv[1]):\n"
              "    print('locked', flush=True)\n    time.sleep(3)\n")
    holder = subprocess.Popen([sys.executable, "-c", script, str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "locked"
    changes, waits, stop = [], [], threading.Event()

    def on_change(change):
        changes.append(change)
        stop.set()

    thread = threading.Thread(target=api.watch, args=(raw, out, on_change),
                              kwargs={"stop_event": stop, "debounce_ms": 200, "workers": 1, "on_wait": waits.append})
    thread.start()
    thread.join(timeout=120)
    stop.set()
    holder.wait()
    assert waits and f"pid {holder.pid}" in waits[0]
    assert changes and changes[0].summary.parsed == ["b.txt"]


def test_names_in_other_scripts_stay_apart():
    from pipeline.names.aliases import AliasTable
    from pipeline.resolve import resolve, slug
    from pipeline.model import Mention

    names = ["习近平", "王岐山", "李克强", "Αλέξης Τσίπρας", "მიხეილ სააკაშვილი", "محمد مرسي", "Љубљана"]
    mentions = [Mention("d.txt", i * 10, i * 10 + len(n), n, "PERSON") for i, n in enumerate(names)]
    resolution = resolve(mentions, AliasTable.from_records([]))
    assert len(set(resolution.entity_ids)) == len(names)
    assert slug("PERSON", "习近平") == "person:习近平"
    assert slug("PLACE", "Љубљана") == "place:ljubljana" and slug("PLACE", "Скопје") == "place:skopje"


def test_stored_dates_that_name_no_real_time_are_left_out_of_the_export(small_run):
    raw, out = small_run
    with sqlite3.connect(out / api.STORE_NAME) as db:  # a store written by an older kzx
        db.execute("UPDATE documents SET meta = '{\"date\": \"2008-13\"}' WHERE doc_id = 'a.txt'")
        db.execute("UPDATE relations SET date = '0000-00-00'")
        db.execute("UPDATE mentions SET value = '2008-W60' WHERE label = 'DATE'")
        db.execute("UPDATE settings SET value = '0' WHERE key = 'export_state'")
        db.execute("DELETE FROM settings WHERE key = 'graph_state'")  # an older kzx kept no stored graph
    summary = api.extract(raw, out, workers=1)
    assert "2008-13" in summary.notes["a.txt"]
    gexf = etree.parse(str(out / "graph.gexf"))
    assert not gexf.findall(".//{http://gexf.net/1.3}spell")


def test_a_read_only_store_is_named_with_what_to_do(small_run):
    """SQLite's own error for a store it may not write (a read-only connection here: the tests run
    as root, which file permissions do not stop)."""
    from pipeline.store import store_error

    _, out = small_run
    path = out / api.STORE_NAME
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError) as info:
            db.execute("INSERT INTO settings VALUES ('x', 'y')")
    finally:
        db.close()
    message = str(store_error(path, info.value))
    assert message == (f"the store {path}: it cannot be written (read-only): make it writable, or choose "
                       "another --out")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_forked_child_dies_with_its_killed_parent():
    """What the parse workers and the forked export writer do first (die_with_parent)."""
    script = ("import os, time\nfrom pipeline.engines import die_with_parent\nparent = os.getpid()\n"
              "pid = os.fork()\nif pid == 0:\n    die_with_parent(parent)\n    time.sleep(600)\n    os._exit(0)\n"
              "print(pid, flush=True)\ntime.sleep(600)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    child = int(proc.stdout.readline())
    time.sleep(0.5)  # the child has asked for the signal
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.time() + 10
    while time.time() < deadline and not _gone(child):
        time.sleep(0.1)
    assert _gone(child)


def _gone(pid: int) -> bool:
    """No such process, or a zombie waiting for its new parent to reap it."""
    try:
        return (Path(f"/proc/{pid}") / "stat").read_text().split(") ")[-1].split()[0] == "Z"
    except OSError:
        return True


class _Crashing:
    """A stage that kills its process on documents containing CRASH (as the kernel's OOM killer would)."""

    def __call__(self, doc):
        if "CRASH" in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        return doc


def _make_crashing(nlp, name):
    return _Crashing()


def test_a_worker_that_dies_on_one_document_fails_only_that_one(nlp, tmp_path):
    from spacy.language import Language

    from pipeline.engines.pool import Budget, Task, parse_supervised

    if not Language.has_factory("test_crashing"):
        Language.factory("test_crashing")(_make_crashing)
    texts = {"a.txt": "Tokayev met Lavrov in Moscow.", "b.txt": "A CRASH in Astana.",
             "c.txt": "Karimov met Putin in Tashkent.", "d.txt": "Bishkek is green."}
    tasks = []
    for name, text in texts.items():
        (tmp_path / name).write_text(text + "\n", encoding="utf-8")
        tasks.append(Task(name, str(tmp_path / name)))
    nlp.add_pipe("test_crashing", name="crashing", last=True)
    try:
        results = {r.doc_id: r for r in parse_supervised(nlp, tasks, workers=1, batch_size=4, budget=Budget())}
    finally:
        nlp.remove_pipe("crashing")
    assert results["b.txt"].error == "the parser process died on it (signal 9)"
    assert all(results[d].document is not None and results[d].mentions for d in ("a.txt", "c.txt"))
    assert not results["d.txt"].error


def test_a_damaged_metadata_row_does_not_stop_the_export(small_run):
    raw, out = small_run
    with sqlite3.connect(out / api.STORE_NAME) as db:
        db.execute("UPDATE documents SET meta = '{not json' WHERE doc_id = 'a.txt'")
        db.execute("UPDATE settings SET value = '0' WHERE key = 'export_state'")
    summary = api.extract(raw, out, workers=1)
    assert not summary.failed and summary.entities > 0
    assert _documents(out)["a.txt"]["status"] == "ok"


def test_the_in_process_parse_has_the_same_fault_boundary(nlp, tmp_path):
    """What a GPU or a transformer pipeline uses (no fork): bad files fail alone, the others are parsed."""
    from pipeline.engines.pool import Budget, Task, parse_inline

    files = {"a.txt": b"Tokayev met Lavrov in Moscow.\n", "bomb.docx": zip_bomb(), "empty.txt": b"",
             "b.txt": b"Karimov met Putin in Tashkent.\n"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    results = {r.doc_id: r for r in parse_inline(nlp, [Task(n, str(tmp_path / n)) for n in files], 4, Budget())}
    assert results["bomb.docx"].error.startswith("Word file refused") and results["bomb.docx"].lasting
    assert results["empty.txt"].error == "empty file"
    assert results["a.txt"].mentions and results["b.txt"].mentions


def test_every_mention_of_the_fuzz_run_points_at_its_text(fuzz_run):
    from pipeline.store import Store

    _, out, _, _, _ = fuzz_run
    store = Store(out / api.STORE_NAME)
    try:
        texts = store.texts()
    finally:
        store.close()
    mentions = _mentions(out)
    after_runs = {m["text"] for m in mentions if m["doc_id"] == "long_runs_beside_text.txt"}
    assert {"Tokayev", "Nazarbayev", "Almaty"} <= after_runs
    for m in mentions:  # a cell starting like a formula is written with a leading quote
        found = texts[m["doc_id"]][int(m["start"]):int(m["end"])]
        assert found in (m["text"], m["text"].removeprefix("'")), m
