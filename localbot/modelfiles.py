"""Model files: the manifest, finding GGUFs in ``models/``, resolving the ``model`` setting, checks.

A GGUF is checked cheaply before every load (it exists, starts with the GGUF magic, and a known
file has its recorded size); the full SHA-256 is computed once per file version and remembered
in ``models/.cache/checksums.json`` keyed by size and modification time.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localbot import paths
from localbot.embeddings import file_sha256
from localbot.gguf_layout import LayoutError, check_complete

GGUF_MAGIC = b"GGUF"


class ModelFileError(RuntimeError):
    """A model file is missing or unusable; the message names the file and the fix."""


@dataclass(frozen=True)
class ManifestEntry:
    """A model localbot knows by name, with its expected size and checksum."""

    name: str
    file: str
    size: int
    sha256: str
    package: str = ""
    member: str = ""
    license: str = ""
    default: bool = False


@dataclass(frozen=True)
class Manifest:
    """The parsed ``models/manifest.toml``."""

    models: list[ManifestEntry]
    embedder: dict[str, Any] = field(default_factory=dict)

    def by_file(self, file_name: str) -> ManifestEntry | None:
        """The entry for a GGUF file name, if the manifest lists it."""
        return next((m for m in self.models if m.file == file_name), None)

    def by_name(self, name: str) -> ManifestEntry | None:
        """The entry with this model name, if any."""
        return next((m for m in self.models if m.name == name), None)


@dataclass(frozen=True)
class ModelFile:
    """A GGUF found on disk, for ``localbot models``."""

    path: Path
    size: int
    name: str
    checksum: str  # 'ok', 'MISMATCH' or 'not in manifest'


def manifest_path() -> Path:
    """The manifest shipped with the project."""
    return paths.PROJECT_DIR / "models" / "manifest.toml"


def models_dir_default() -> Path:
    """Where setup puts the default models."""
    return paths.default_models_dir()


def load_manifest(path: Path | None = None) -> Manifest:
    """Read the model manifest (an empty one if the file is absent)."""
    path = path or manifest_path()
    if not path.exists():
        return Manifest(models=[])
    data = tomllib.loads(path.read_text())
    models = [ManifestEntry(**entry) for entry in data.get("models", [])]
    return Manifest(models=models, embedder=data.get("embedder", {}))


def resolve_model(setting: str, models_dir: Path, manifest: Manifest | None = None) -> Path:
    """Turn the ``model`` setting (name, file name or path) into a GGUF path that exists."""
    manifest = manifest or load_manifest()
    entry = manifest.by_name(setting)
    candidates = [Path(setting).expanduser(), models_dir / setting, models_dir / f"{setting}.gguf"]
    if entry:
        candidates.insert(0, models_dir / entry.file)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    available = ", ".join(p.name for p in list_gguf(models_dir)) or "none"
    hint = "run 'make setup' to fetch the default model" if entry else "check the name"
    raise ModelFileError(
        f"model '{setting}' not found in {models_dir} (available: {available}); {hint}"
    )


def list_gguf(models_dir: Path) -> list[Path]:
    """GGUF files in the models folder, sorted by name."""
    if not models_dir.is_dir():
        return []
    return sorted(p for p in models_dir.glob("*.gguf") if p.is_file())


def check_model_file(path: Path, manifest: Manifest | None = None) -> None:
    """Checks before loading: readable, GGUF magic; for a manifest model, size and checksum.

    The checksum is computed once per file version (size and mtime) and cached, so this costs
    a hash the first time a model is used and a stat afterwards.
    """
    manifest = manifest or load_manifest()
    if not path.is_file():
        raise ModelFileError(f"model file {path} does not exist; run 'make setup' or fix 'model'")
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic != GGUF_MAGIC:
        raise ModelFileError(
            f"{path} is not a GGUF model file; replace it with a .gguf from llama.cpp's converters"
        )
    entry = manifest.by_file(path.name)
    if entry is None:  # no checksum to compare: at least the header must reach every tensor
        try:
            check_complete(path)
        except LayoutError as error:
            raise ModelFileError(str(error)) from error
        return
    size = path.stat().st_size
    if size != entry.size:
        raise ModelFileError(
            f"{path} is {size:,} bytes but should be {entry.size:,} (truncated or replaced); "
            "delete it and run 'make setup'"
        )
    if cached_sha256(path) != entry.sha256:
        raise ModelFileError(
            f"{path} fails its sha256 checksum (corrupted?); delete it and run 'make setup'"
        )


def checksum_status(path: Path, manifest: Manifest | None = None) -> str:
    """'ok', 'MISMATCH' or 'not in manifest' for one GGUF, using the checksum cache."""
    manifest = manifest or load_manifest()
    entry = manifest.by_file(path.name)
    if entry is None:
        return "not in manifest"
    return "ok" if cached_sha256(path) == entry.sha256 else "MISMATCH"


def cached_sha256(path: Path) -> str:
    """SHA-256 of ``path``, computed once per (size, mtime) and remembered beside the models."""
    cache_file = path.parent / ".cache" / "checksums.json"
    stat = path.stat()
    key = f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"
    cache = _read_json(cache_file)
    if key not in cache:
        cache = {k: v for k, v in cache.items() if not k.startswith(f"{path.name}:")}
        cache[key] = file_sha256(path)
        _write_json(cache_file, cache)
    return str(cache[key])


def describe_models(models_dir: Path, manifest: Manifest | None = None) -> list[ModelFile]:
    """Every GGUF in the folder with its size and checksum status."""
    manifest = manifest or load_manifest()
    found = []
    for path in list_gguf(models_dir):
        entry = manifest.by_file(path.name)
        found.append(
            ModelFile(
                path,
                path.stat().st_size,
                entry.name if entry else path.stem,
                checksum_status(path, manifest),
            )
        )
    return found


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=1))
    except OSError:
        pass  # a read-only models folder just means the checksum is recomputed next time
