"""Settings stage: reads configs/kzx.toml and the data files it names, with clear errors."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "kzx.toml"
# the pipeline `kzx train` writes and the project ships: base tok2vec, tagger, parser + kzx's trained NER
TRAINED_MODEL = DEFAULT_CONFIG.parent.parent / "models" / "kzx-en"


# the kzx stages, in pipeline order after the base model's NER; with kzx_paragraphs (before the parser)
# and kzx_orgtype (the trained typer's threshold) the [components.*] tables a config may hold
STAGES = ("kzx_gazetteer", "kzx_world_places", "kzx_rules", "kzx_labels", "kzx_cable", "kzx_acronyms", "kzx_consistency",
          "kzx_boilerplate", "kzx_dates", "kzx_relations")
COMPONENT_TABLES = ("kzx_paragraphs", "kzx_orgtype", *STAGES)


class ConfigError(ValueError):
    """A settings file is missing or malformed."""


@dataclass
class Settings:
    """Parsed kzx.toml; `components` maps factory name to its spaCy config (paths made absolute)."""

    path: Path
    model: str = "auto"
    disable: list[str] = field(default_factory=list)
    batch_size: int = 4
    # most parser processes (0: as many as --workers asks); "off", "prefer" or "require" a GPU
    max_workers: int = 0
    gpu: str = "off"
    components: dict[str, dict] = field(default_factory=dict)
    resolve: dict = field(default_factory=dict)
    graph: dict = field(default_factory=dict)
    # the outputs use a second (forked) process when twice this process's memory fits; 0: never
    export_memory_mb: int = 1500
    # per-document budgets of the parse ([limits]): not in any fingerprint, they change no output
    document_seconds: float = 60.0
    document_memory_mb: int = 1024
    max_file_mb: int = 100

    @property
    def gazetteer_files(self) -> list[str]:
        return self.components.get("kzx_gazetteer", {}).get("patterns", [])

    @property
    def world_place_files(self) -> list[str]:
        return self.components.get("kzx_world_places", {}).get("patterns", [])

    def parse_fingerprint(self) -> str:
        """Covers everything that changes what the parse writes: model and component settings and data;
        a pipeline directory counts by its weights, so retraining it re-parses."""
        return _fingerprint([self.model, model_digest(self.model), sorted(self.disable), self.components])

    def resolve_fingerprint(self) -> str:
        """Covers what changes the graph built from stored rows: resolution and graph settings."""
        return _fingerprint([self.resolve, self.graph])


def model_digest(name: str) -> str:
    """Content hash of the pipeline a model setting names, when it is a directory ('auto' included)."""
    path = TRAINED_MODEL if name == "auto" else Path(name)
    if not (path / "config.cfg").is_file():
        return ""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(hashlib.sha256(file.read_bytes()).digest())
    return digest.hexdigest()[:16]


def _fingerprint(tree) -> str:
    """Hash of a settings tree in which every data file counts by its content, not its path."""
    return hashlib.sha256(json.dumps(_by_content(tree), sort_keys=True).encode()).hexdigest()[:16]


def _by_content(tree):
    if isinstance(tree, dict):
        return {k: _by_content(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_by_content(v) for v in tree]
    if isinstance(tree, str) and tree.startswith("/") and Path(tree).is_file():
        return "sha256:" + hashlib.sha256(Path(tree).read_bytes()).hexdigest()
    return tree


def _absolute(tree, base: Path):
    """Makes every value that names a file relative to the config dir absolute."""
    if isinstance(tree, dict):
        return {k: _absolute(v, base) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_absolute(v, base) for v in tree]
    if isinstance(tree, str) and tree.endswith((".json", ".jsonl")):
        path = (base / tree).resolve()
        if not path.is_file():
            raise ConfigError(f"{base}: data file not found: {tree}")
        return str(path)
    return tree


def _read_toml(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """A kzx.toml as a dict, data file paths made absolute; `extends = "other.toml"` starts from that
    file's tables (a profile)."""
    if path in seen:
        raise ConfigError(f"{path}: 'extends' loops back to itself")
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a directory, not a config file: give --config a kzx.toml") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save the config as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    for table in ("components", "resolve"):
        if not isinstance(raw.get(table, {}), dict):
            raise ConfigError(f"{path}: '{table}' must be a table ([{table}]), not a value")
        raw[table] = _absolute(raw.get(table, {}), path.parent)
    parent = raw.pop("extends", None)
    if parent is not None and not isinstance(parent, str):
        raise ConfigError(f"{path}: extends must name a config file (a string), not {parent!r}")
    return _merge(_read_toml((path.parent / parent).resolve(), (*seen, path)), raw) if parent else raw


def _merge(base: dict, over: dict) -> dict:
    return {**base, **{k: _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) else v
                       for k, v in over.items()}}


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _ModelTable(_Table):
    name: str = "auto"
    disable: list[str] = []
    batch_size: int = Field(4, ge=1, le=10_000)
    workers: int = Field(0, ge=0, le=1024)
    gpu: Literal["off", "prefer", "require"] = "off"


class _LimitsTable(_Table):
    document_seconds: float = Field(60.0, gt=0, le=7 * 86_400)
    document_memory_mb: int = Field(1024, ge=64, le=1_048_576)
    max_file_mb: int = Field(100, ge=1, le=1_048_576)


class _ExportTable(_Table):
    memory_mb: int = Field(1500, ge=0, le=1_048_576)


class _GraphTable(_Table):
    cooccurrence_window: int = Field(12, ge=0, le=10_000)
    date_nodes: bool = False
    min_weight: int = Field(1, ge=1, le=1_000_000)
    typed_only: bool = False


class _ResolveTable(_Table):
    overrides: str = ""
    fuzzy_threshold: float = Field(92, ge=0, le=100)
    document_local: list[str] = []


class _Config(_Table):
    model: _ModelTable = _ModelTable()
    limits: _LimitsTable = _LimitsTable()
    export: _ExportTable = _ExportTable()
    graph: _GraphTable = _GraphTable()
    resolve: _ResolveTable = _ResolveTable()
    components: dict[str, dict] = {}


def _validated(raw: dict, path: Path) -> _Config:
    """The config checked against its schema; the first problem as one line naming the table and key."""
    if not raw.get("components"):
        raise ConfigError(f"{path}: no [components.*] table, so no kzx stage would run; start from "
                          f"configs/kzx.toml, or put extends = \"kzx.toml\" (its path) at the top")
    unknown = sorted(set(raw["components"]) - set(COMPONENT_TABLES))
    if unknown:
        raise ConfigError(f"{path}: unknown table [components.{unknown[0]}]; kzx's stages are "
                          f"{', '.join(COMPONENT_TABLES)}")
    try:
        return _Config.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        *tables, key = [str(part) for part in error["loc"]] or ["?"]
        where = f"[{'.'.join(tables)}] {key}" if tables else f"top-level key '{key}'"
        what = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        value = "" if error["type"] in ("extra_forbidden", "missing") else f" (got {error.get('input')!r})"
        raise ConfigError(f"{path}: {where}: {what}{value}"[:300]) from None


def load_settings(path: Path | str | None = None, model: str | None = None, gpu: str | None = None) -> Settings:
    """Reads a kzx.toml (or a profile that extends one); `model` and `gpu` override [model]."""
    path = Path(path or DEFAULT_CONFIG).resolve()
    raw = _read_toml(path)
    config = _validated(raw, path)
    m = config.model
    gpu = gpu or m.gpu
    if gpu not in ("off", "prefer", "require"):
        raise ConfigError(f"{path}: [model] gpu must be off, prefer or require, not '{gpu}'")
    return Settings(
        path=path,
        model=model or m.name,
        disable=list(m.disable),
        batch_size=m.batch_size,
        max_workers=m.workers,
        gpu=gpu,
        components=raw["components"],
        resolve=raw["resolve"],
        graph=raw.get("graph", {}),
        export_memory_mb=config.export.memory_mb,
        document_seconds=config.limits.document_seconds,
        document_memory_mb=config.limits.document_memory_mb,
        max_file_mb=config.limits.max_file_mb,
    )


def read_jsonl(path: str | Path | list) -> list[dict]:
    """Records of a JSONL file, with the file and line in any error (a list of records passes through)."""
    if isinstance(path, list):
        return path
    records = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ConfigError(f"{path}:{n}: {exc.msg}") from None
    return records


def read_json(path: str | Path | dict) -> dict:
    """A JSON settings file (a dict passes through: settings inlined in a saved pipeline)."""
    if isinstance(path, dict):
        return path
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: {exc.msg}") from None
