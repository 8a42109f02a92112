"""A user's mistakes on the command line: one line naming the file or option and what to do, exit code
2 (README, Commands), no traceback, nothing created; and progress, one line per phase, when stderr is
not a terminal."""

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

USAGE_ERROR = 2


def kzx(*args, cwd, script: str = "") -> subprocess.CompletedProcess:
    code = script + "from pipeline.cli import main; import sys; sys.argv = ['kzx', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == USAGE_ERROR, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert all(w in lines[0] for w in words), lines[0]
    return lines[0]


@pytest.fixture()
def one_cable(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(sorted((ROOT / "data" / "raw").iterdir())[0], raw)
    return raw


def test_out_pointing_at_a_file_is_named(tmp_path, one_cable):
    (tmp_path / "out.txt").write_text("mine", encoding="utf-8")
    one_line_error(kzx("extract", one_cable, "--out", "out.txt", cwd=tmp_path), "--out out.txt", "folder")
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "mine"


def test_eval_with_a_missing_gold_file_is_named(tmp_path):
    one_line_error(kzx("eval", "nope.jsonl", "--out", tmp_path, cwd=tmp_path), "nope.jsonl", "gold")


def test_the_dask_engine_without_the_dask_extra_says_how_to_install_it(tmp_path, one_cable):
    hide = "import sys; sys.modules['distributed'] = None; sys.modules['dask'] = None\n"
    done = kzx("extract", one_cable, "--out", "out", "--engine", "dask", cwd=tmp_path, script=hide)
    one_line_error(done, "--engine dask", 'pip install "kzx[dask]"')
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["aliases", "report"])
def test_a_read_only_command_on_a_never_run_dir_creates_nothing(tmp_path, command):
    one_line_error(kzx(command, "--out", "never-run", cwd=tmp_path), "no kzx store in never-run", "kzx extract")
    assert not (tmp_path / "never-run").exists()


def test_an_empty_input_folder_is_said_and_nothing_is_written(tmp_path):
    (tmp_path / "empty").mkdir()
    one_line_error(kzx("extract", "empty", "--out", "out", cwd=tmp_path), "no documents in empty")
    assert not (tmp_path / "out").exists()


def test_flags_show_no_value_in_the_help(tmp_path):
    done = kzx("extract", "--help", cwd=tmp_path)
    line = next(line for line in done.stdout.splitlines() if "--force" in line)
    assert "<bool>" not in line and "Re-parse every document" in line


def test_progress_is_one_line_per_phase_when_stderr_is_not_a_terminal(tmp_path, one_cable):
    done = kzx("extract", one_cable, "--out", "out", "--workers", "1", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"kzx: scanning {one_cable}", "kzx: loading the model",
                                        "kzx: parsing 1 document", "kzx: resolving entities",
                                        "kzx: building the graph", "kzx: writing csv"]
    again = kzx("extract", one_cable, "--out", "out", "--workers", "1", "--format", "csv", cwd=tmp_path)
    assert again.stderr.splitlines() == [f"kzx: scanning {one_cable}"]  # nothing new: nothing else runs
