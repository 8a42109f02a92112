"""kzx command line: thin typer commands over pipeline.api; the only module that prints."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import api
from .config import ConfigError
from .evaluate import Report
from .export import FORMATS
from .store import StoreError

EXIT_FAILED_DOCUMENTS = 3
EXIT_ERROR = 2
EXIT_STORE = 4  # the store or the out dir cannot be used: damaged, read-only, disk full

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="kzx: turn security and political documents into a graph of who is connected to whom.")
console = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = EXIT_ERROR) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(code)


@app.command()
def extract(
    input_dir: Path = typer.Argument(Path("data/raw"), help="Folder of documents to read."),
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder for the store and the outputs."),
    model: str = typer.Option(None, "--model", help="spaCy base pipeline (name or path); default from the config."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file; default configs/kzx.toml."),
    formats: str = typer.Option(",".join(FORMATS), "--format", help="Comma-separated: " + ",".join(FORMATS)),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", help="Parser worker processes (each file is "
                                "read and parsed in one, within the [limits] budgets)."),
    force: bool = typer.Option(False, "--force", metavar="", help="Re-parse every document."),
    engine: str = typer.Option("local", "--engine", help="local (this machine) or dask."),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address tcp://HOST:PORT "
                                  "(default: a LocalCluster of --workers processes)."),
    gpu: bool = typer.Option(False, "--gpu", metavar="", help="Parse on the GPU when one exists (spaCy prefer_gpu; "
                             "needs cupy and a CUDA torch); one process."),
) -> None:
    """Read INPUT_DIR, parse new and changed documents, write the graph to --out."""
    chosen = tuple(f.strip() for f in formats.split(",") if f.strip())
    with PhaseProgress(input_dir, chosen) as progress:
        try:
            summary = api.extract(input_dir, out, config, model, workers, force, chosen, progress.on_document, None,
                                  engine, scheduler, "prefer" if gpu else None, on_phase=progress.on_phase)
        except (StoreError, api.OutputError) as exc:
            progress.stop()
            _fail(str(exc), EXIT_STORE)
        except (ConfigError, FileNotFoundError, ValueError, api.LockError) as exc:
            progress.stop()
            _fail(str(exc))
        except RuntimeError as exc:
            progress.stop()
            _fail(str(exc))
    _print_summary(summary)
    if summary.failed:
        raise typer.Exit(EXIT_FAILED_DOCUMENTS)


class PhaseProgress:
    """Progress of extract's phases (api.PHASES) on stderr: a bar per phase on a terminal (parse counts
    documents), one line per phase when stderr is a file or a pipe."""

    def __init__(self, input_dir: Path, formats: tuple[str, ...]):
        self.labels = {"scan": f"scanning {input_dir}", "load model": "loading the model",
                       "resolve": "resolving entities", "graph": "building the graph",
                       "write": "writing " + ",".join(formats)}
        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err, transient=True) if err.is_terminal else None
        self.task = None

    def __enter__(self) -> "PhaseProgress":
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        if self.bar:
            self.bar.stop()

    def on_phase(self, name: str, total: int | None = None) -> None:
        if name == "parse":
            label = f"parsing {total} document{'' if total == 1 else 's'}"
        else:
            label = self.labels.get(name, name)
        if self.bar is None:
            err.print(f"kzx: {label}", soft_wrap=True, highlight=False, markup=False)
            return
        if self.task is not None:
            self.bar.remove_task(self.task)
        self.task = self.bar.add_task(label, total=total)

    def on_document(self, doc_id: str, outcome: str) -> None:
        if self.bar and self.task is not None:
            self.bar.advance(self.task)


def _print_summary(s: api.Summary) -> None:
    table = Table(title="kzx extract", show_header=False)
    table.add_row("documents parsed", str(len(s.parsed)))
    table.add_row("documents unchanged", str(s.unchanged))
    table.add_row("documents removed", str(len(s.removed)))
    table.add_row("documents failed", str(len(s.failed)))
    if s.parse_device:
        table.add_row("parsed on", s.parse_device)
    for label, n in sorted(s.mentions.items()):
        table.add_row(f"mentions {label}", str(n))
    table.add_row("entities", str(s.entities))
    table.add_row("typed relations (edges)", str(s.typed_edges))
    table.add_row("co-occurrence edges", str(s.cooccurrence_edges))
    table.add_row("files written", "\n".join(str(p) for p in s.files))
    console.print(table)
    for doc_id, note in sorted(s.notes.items()):
        console.print(f"[cyan]note[/cyan] {escape(doc_id)}: {escape(note)}", highlight=False)
    for doc_id, reason in sorted(s.failed.items()):
        console.print(f"[yellow]failed[/yellow] {escape(doc_id)}: {escape(reason)}", highlight=False)


@app.command()
def status(
    input_dir: Path = typer.Argument(Path("data/raw"), help="Folder of documents."),
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder holding the store."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file."),
) -> None:
    """Counts of new, changed, unchanged, removed and failed documents (no model is loaded)."""
    try:
        plan = api.status(input_dir, out, config)
    except StoreError as exc:
        _fail(str(exc), EXIT_STORE)
    except (ConfigError, FileNotFoundError) as exc:
        _fail(str(exc))
    table = Table(title="kzx status", show_header=False)
    for name in ("new", "changed", "unchanged", "removed", "failed"):
        table.add_row(name, str(len(getattr(plan, name))))
    console.print(table)


@app.command()
def watch(
    input_dir: Path = typer.Argument(Path("data/raw"), help="Folder to watch."),
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder for the store and the outputs."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file."),
    workers: int = typer.Option(os.cpu_count() or 1, "--workers", help="Parser processes."),
    debounce: int = typer.Option(1500, "--debounce", help="Milliseconds of quiet before a run."),
) -> None:
    """Keep the graph current: rerun the incremental extract whenever INPUT_DIR changes (Ctrl-C stops)."""

    def report(change: api.GraphChange) -> None:
        s = change.summary
        console.print(f"[bold]{len(s.parsed)}[/bold] parsed, {len(s.removed)} removed, {len(s.failed)} failed; "
                      f"nodes +{len(change.nodes_added)} -{len(change.nodes_removed)}, "
                      f"edges +{change.edges_added} -{change.edges_removed}")
        for name in change.nodes_added[:20]:
            console.print(f"  + {name}")
        for name in change.nodes_removed[:20]:
            console.print(f"  - {name}")

    console.print(f"watching {input_dir} (Ctrl-C to stop)")
    try:
        api.watch(input_dir, out, report, debounce_ms=debounce, config=config, workers=workers,
                  on_wait=lambda message: err.print(message, highlight=False, markup=False))
    except (StoreError, api.OutputError) as exc:
        _fail(str(exc), EXIT_STORE)
    except (ConfigError, FileNotFoundError, api.LockError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        console.print("stopped")


@app.command("report")
def report_command(
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder holding the store."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file."),
) -> None:
    """Write report.html (documents, entities, relations, network) and graph.png from the store."""
    try:
        api.require_store(out)
        files = api.report(out, config)
    except (StoreError, api.OutputError) as exc:
        _fail(str(exc), EXIT_STORE)
    except (ConfigError, FileNotFoundError) as exc:
        _fail(str(exc))
    for path in files:
        console.print(f"wrote {path}")


model_app = typer.Typer(help="The assembled spaCy pipeline.")
app.add_typer(model_app, name="model")


@model_app.command("build")
def model_build(
    out: Path = typer.Option(Path("models/kzx-en"), "--out", help="Directory for the saved pipeline."),
    model: str = typer.Option(None, "--model", help="Base spaCy pipeline; default from the config."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file."),
) -> None:
    """Save base model + kzx stages + their data as one directory that spacy.load opens
    (and `spacy package` can wheel); use it with --model on any machine that has kzx installed."""
    from .config import load_settings
    from .nlp import ModelError, save_pipeline

    try:
        path = save_pipeline(load_settings(config, model), out)
    except (ConfigError, ModelError) as exc:
        _fail(str(exc))
    console.print(f"saved the kzx pipeline to {path}")


@app.command("train")
def train_command(
    gold: list[Path] = typer.Argument(None, help="Gold JSONL files (the format of data/train/gold.jsonl); "
                                      "default: the corpus kzx ships, data/train/gold.jsonl."),
    out: Path = typer.Option(Path("models/kzx-en"), "--out", help="Directory for the trained pipeline."),
    config: Path = typer.Option(None, "--config", help="spaCy training config; default configs/ner.cfg."),
    base: str = typer.Option("base", "--base", help="Pipeline to start from (its tok2vec, tagger, parser, "
                             "NER weights); 'base' is en_core_web_sm."),
    docs: Path = typer.Option(None, "--docs", help="Folder of the documents, when a gold record has no "
                              "'text' and no docs/ folder beside its file."),
    epochs: int = typer.Option(0, "--epochs", help="Override the config's max_epochs (0: keep it)."),
) -> None:
    """Train kzx's entity stage (spaCy's training loop), its AGENCY/GROUP typer and its relation
    classifier on annotated documents; kzx extract uses models/kzx-en by default."""
    from .nlp import ModelError
    from .train import DEFAULT_GOLD, TrainingError, train

    files = gold or [DEFAULT_GOLD]
    try:
        path = train(files, out, config, base, docs, {"training.max_epochs": epochs} if epochs else None)
    except (ConfigError, ModelError, TrainingError) as exc:
        _fail(str(exc))
    console.print(f"saved the trained pipeline to {path}")


@app.command("eval")
def eval_command(
    gold: Path = typer.Argument(..., help="Gold JSONL (format of tests/data/seeds.jsonl)."),
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder holding mentions.csv."),
) -> None:
    """Score mentions.csv against GOLD: P/R/F1 per label (overlap and exact), dates, B-cubed."""
    if not gold.is_file():
        _fail(f"gold file not found: {gold}: give a gold JSONL (the format of tests/data/seeds.jsonl)")
    if not (out / "mentions.csv").is_file():
        _fail(f"{out / 'mentions.csv'} not found: run kzx extract first")
    _print_report(api.evaluate_output(gold, out))
    if (out / "relations.csv").is_file():
        _print_relations(api.evaluate_relations_output(gold, out))


def _print_relations(report) -> None:
    from .evaluate import relation_table

    table = Table(title="kzx eval: typed relations, seven types (gold OTHER set aside)")
    for col in ("type", "P", "R", "F1", "kzx wrote", "gold"):
        table.add_column(col, justify="right" if col != "type" else "left")
    for rtype, row in relation_table(report).items():
        table.add_row(rtype, f"{row['p']:.3f}", f"{row['r']:.3f}", f"{row['f1']:.3f}", str(row["predicted"]),
                      str(row["gold"]))
    console.print(table)
    hit, total = report.any_recall
    right, typed = report.typed_precision
    console.print(f"gold pairs found as any edge: {hit}/{total} = {hit / total if total else 0:.3f}   "
                  f"typed edges matching gold: {right}/{typed} = {right / typed if typed else 0:.3f}")


def _print_report(report: Report) -> None:
    for setting, title in (("all", "all gold mentions"), ("no_boilerplate", "without boilerplate")):
        table = Table(title=f"kzx eval: {title}")
        for col in ("label", "P overlap", "R overlap", "F1 overlap", "F1 exact", "F1 untyped", "gold"):
            table.add_column(col, justify="right" if col != "label" else "left")
        for label, prf in report.overlap[setting].items():
            exact = report.exact[setting][label]
            untyped = report.untyped[setting][label]
            table.add_row(label, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}", f"{exact.f1:.3f}",
                          f"{untyped.f1:.3f}", str(prf.tp + prf.fn))
        console.print(table)
        right, total = report.dates[setting]
        p, r, f = report.bcubed[setting]
        console.print(f"DATE values correct: {right}/{total} = {right / total if total else 0:.3f}   "
                      f"B-cubed entity grouping: P {p:.3f} R {r:.3f} F1 {f:.3f}")


@app.command()
def aliases(
    out: Path = typer.Option(Path("data/out"), "--out", help="Folder holding the store."),
    config: Path = typer.Option(None, "--config", help="kzx.toml settings file."),
    limit: int = typer.Option(30, "--limit", help="Closest unmerged pairs to list."),
) -> None:
    """Every merged entity with its surface forms, and the closest pairs that were NOT merged."""
    try:
        merged, near, conflicts = api.alias_report(out, config)
    except StoreError as exc:
        _fail(str(exc), EXIT_STORE)
    except (ConfigError, FileNotFoundError) as exc:
        _fail(str(exc))
    table = Table(title="merged entities")
    for col in ("id", "type", "mentions", "surface forms (count)"):
        table.add_column(col)
    for e in merged:
        forms = ", ".join(f"{a} ({n})" for a, n in sorted(e.aliases.items(), key=lambda x: -x[1]))
        table.add_row(e.id, e.label, str(e.mentions), forms)
    console.print(table)
    table = Table(title="closest pairs not merged (write overrides in configs/overrides.jsonl)")
    for col in ("a", "b", "similarity"):
        table.add_column(col)
    for a, b, score in near[:limit]:
        table.add_row(a, b, f"{score:.0f}")
    console.print(table)
    table = Table(title="names tagged with several types: one entity of the voted type (override in configs/overrides.jsonl)")
    for col in ("name", "mentions by type", "entity type"):
        table.add_column(col)
    for name, votes, label in conflicts[:limit]:
        table.add_row(name, ", ".join(f"{k} {n}" for k, n in sorted(votes.items(), key=lambda x: -x[1])), label)
    console.print(table)


def main() -> None:
    app()
