"""Settings stage: reads configs/kzx.toml and the data files it names, with clear errors."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "configs" / "kzx.toml"


class ConfigError(ValueError):
    """A settings file is missing or malformed."""


@dataclass
class Settings:
    """Parsed kzx.toml; `components` maps factory name to its spaCy config (paths made absolute)."""

    path: Path
    model: str = "auto"
    disable: list[str] = field(default_factory=list)
    batch_size: int = 32
    components: dict[str, dict] = field(default_factory=dict)
    resolve: dict = field(default_factory=dict)

    @property
    def gazetteer_files(self) -> list[str]:
        return self.components.get("kzx_gazetteer", {}).get("patterns", [])

    def parse_fingerprint(self) -> str:
        """Covers everything that changes what the parse writes: model and component settings and data."""
        return _fingerprint([self.model, sorted(self.disable), self.components])

    def resolve_fingerprint(self) -> str:
        return _fingerprint(self.resolve)


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


def inline_data(tree):
    """The settings tree with every data file replaced by its content: a saved pipeline then needs no
    configs/ folder (`kzx model build`)."""
    if isinstance(tree, dict):
        return {k: inline_data(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [inline_data(v) for v in tree]
    if isinstance(tree, str) and tree.endswith(".jsonl") and Path(tree).is_file():
        return read_jsonl(tree)
    if isinstance(tree, str) and tree.endswith(".json") and Path(tree).is_file():
        return read_json(tree)
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


def load_settings(path: Path | str | None = None, model: str | None = None) -> Settings:
    """Reads a kzx.toml; `model` overrides [model].name."""
    path = Path(path or DEFAULT_CONFIG).resolve()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    base = path.parent
    m = raw.get("model", {})
    return Settings(
        path=path,
        model=model or m.get("name", "auto"),
        disable=list(m.get("disable", [])),
        batch_size=int(m.get("batch_size", 32)),
        components=_absolute(raw.get("components", {}), base),
        resolve=_absolute(raw.get("resolve", {}), base),
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
