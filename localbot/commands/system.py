"""System commands: ``models`` (what GGUFs are here) and ``doctor`` (is everything in order)."""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localbot.commands import settings_from
from localbot.commands.output import table


def register(subparsers: Any) -> None:
    """Add the system commands."""
    models = subparsers.add_parser("models", help="list GGUF models with size and checksum status")
    models.add_argument("--json", action="store_true")
    models.set_defaults(handler=run_models)
    doctor = subparsers.add_parser("doctor", help="check models, embedder, database and settings")
    doctor.add_argument("--json", action="store_true")
    doctor.set_defaults(handler=run_doctor)


def run_models(args: argparse.Namespace) -> int:
    """List the GGUF files in the models folder."""
    from localbot.modelfiles import describe_models, resolve_model

    settings = settings_from(args)
    found = describe_models(settings.models_dir)
    try:
        selected = resolve_model(settings.model, settings.models_dir)
    except Exception:
        selected = None
    if args.json:
        print(json.dumps([{"name": m.name, "path": str(m.path), "size": m.size, "checksum": m.checksum,
                           "selected": m.path == selected} for m in found], indent=2))  # fmt: skip
        return 0
    if not found:
        print(f"no GGUF files in {settings.models_dir}; run 'make setup' for the default model")
        return 1
    rows = [[("*" if m.path == selected else " "), m.name, m.path.name, f"{m.size / 1e6:,.0f} MB", m.checksum]
            for m in found]  # fmt: skip
    print(table(["", "name", "file", "size", "checksum"], rows))
    print("(* = selected; choose another with --model NAME or the 'model' setting)")
    return 0


@dataclass(frozen=True)
class Check:
    """One doctor finding: what was checked, whether it is fine, and the detail or fix."""

    name: str
    ok: bool
    detail: str


def run_doctor(args: argparse.Namespace) -> int:
    """Run every check and print one line each; exit 1 if any failed."""
    from localbot.governance import loose_permissions

    settings = settings_from(args)
    # Looked at before the database check opens the files, which makes them owner-only.
    loose = loose_permissions(settings.home)
    checks = [check(settings) for check in (_check_model, _check_embedder, _check_database, _check_threads,
                                           _check_offline)]  # fmt: skip
    checks.append(_check_privacy(settings, loose))
    if args.json:
        print(json.dumps([vars(c) for c in checks], indent=2))
    else:
        for c in checks:
            print(f"{'ok ' if c.ok else 'FAIL'} {c.name:<10} {c.detail}")
    return 0 if all(c.ok for c in checks) else 1


def _check_model(settings: Any) -> Check:
    from localbot.modelfiles import ModelFileError, check_model_file, checksum_status, resolve_model

    try:
        path = resolve_model(settings.model, settings.models_dir)
        check_model_file(path)
    except ModelFileError as error:
        return Check("model", False, str(error))
    status = checksum_status(path)
    if status == "MISMATCH":
        return Check("model", False, f"{path} fails its checksum; delete it and run 'make setup'")
    return Check(
        "model", True, f"{path.name} ({path.stat().st_size / 1e6:,.0f} MB, checksum {status})"
    )


def _check_embedder(settings: Any) -> Check:
    from localbot.embeddings import EmbedderError, bundled_model_dir, file_sha256
    from localbot.modelfiles import load_manifest

    try:
        folder = bundled_model_dir()
    except EmbedderError as error:
        return Check("embedder", False, str(error))
    expected = load_manifest().embedder
    weights = folder / expected["file"].removeprefix("model/")
    if not weights.exists() or file_sha256(weights) != expected["sha256"]:
        return Check(
            "embedder", False, f"{weights} is missing or fails its checksum; run 'make setup'"
        )
    return Check("embedder", True, f"{expected['name']} at {folder} (checksum ok)")


def _check_database(settings: Any) -> Check:
    from localbot.catalogue.ingest import catalogue_counts
    from localbot.db import DatabaseError, pending_migrations, schema_version
    from localbot.governance import open_governed

    path = settings.database_path
    if path.parent.exists() and not path.parent.is_dir():
        return Check(
            "database", False, f"{path.parent} is a file, not a folder; point LOCALBOT_HOME or"
            " --home at a folder you may write to"
        )  # fmt: skip
    if not path.exists():
        return Check(
            "database", False, f"{path} does not exist yet; run 'localbot ingest knowledge'"
        )
    try:
        # Opened as every command opens it (past-retention data purged), but not upgraded: a
        # schema that is behind is reported, not changed.
        db, _ = open_governed(settings, migrate=False)
    except (DatabaseError, OSError) as error:
        return Check("database", False, str(error))
    pending = pending_migrations(db)
    if pending:
        return Check(
            "database",
            False,
            f"schema is behind ({', '.join(pending)}); any command that opens it upgrades it",
        )
    counts = catalogue_counts(db)
    if counts["products"] == 0:
        return Check("database", False, f"{path} has no products; run 'localbot ingest knowledge'")
    return Check("database", True, f"{path} schema {schema_version(db)}, {counts['products']} products,"
                                   f" {counts['documents']} passages, {counts['quarantine']} quarantined")  # fmt: skip


def _check_threads(settings: Any) -> Check:
    import os

    from localbot.llm import physical_cores

    threads = settings.n_threads or physical_cores()
    return Check("threads", True, f"{threads} generation threads ({physical_cores()} physical cores,"
                                  f" {os.cpu_count()} logical), n_ctx {settings.n_ctx}, {_gpu_note(settings)}")  # fmt: skip


def _gpu_note(settings: Any) -> str:
    """Where the model's layers run, and how to get a GPU build when there is none."""
    from localbot.llm import GPU_BUILD_COMMAND, gpu_available

    if not gpu_available():
        return f"CPU only (this llama-cpp-python has no GPU backend; for one: {GPU_BUILD_COMMAND})"
    if settings.n_gpu_layers == 0:
        return "GPU build, offload off (n_gpu_layers 0)"
    layers = "all layers" if settings.n_gpu_layers < 0 else f"{settings.n_gpu_layers} layers"
    return f"GPU offload of {layers} (n_gpu_layers {settings.n_gpu_layers})"


def _check_offline(settings: Any) -> Check:
    """Checks that can fail: the switches are in force as the CLI set them, the hub library
    read them when it was imported, and every model file is on this disk.

    Nothing here sets a switch first: a check that set them and then read them back could
    never fail. The look at the files runs under the network guard, which fails on any
    connection attempt.
    """
    from localbot.governance import NetworkUseError, network_guard

    try:
        with network_guard():
            problems = [*_unset_switches(), *_hub_not_offline(), *_files_not_local(settings)]
    except NetworkUseError as error:
        problems = [str(error)]
    if problems:
        return Check("offline", False, "; ".join(problems))
    return Check("offline", True, "works with no network and sends nothing off this device: the "
                                  "models are local files, and the Hugging Face offline and "
                                  "no-telemetry switches are on and in force")  # fmt: skip


def _unset_switches() -> list[str]:
    import os

    from localbot.offline import OFFLINE_ENVIRONMENT

    unset = [key for key, value in OFFLINE_ENVIRONMENT.items() if os.environ.get(key) != value]
    if not unset:
        return []
    return [f"offline switches not set in this process: {', '.join(unset)} (start localbot "
            "through its command, which sets them before any model library loads)"]  # fmt: skip


def _hub_not_offline() -> list[str]:
    """huggingface_hub reads its switches once, at import: imported before the CLI set them, it
    stays online whatever the environment says now."""
    try:
        from huggingface_hub import constants
    except ImportError:  # no hub library: nothing could download
        return []
    if constants.is_offline_mode() and constants.HF_HUB_DISABLE_TELEMETRY:
        return []
    return ["huggingface_hub was imported before the offline switches were set, so it may "
            "contact the hub; set HF_HUB_OFFLINE=1 and HF_HUB_DISABLE_TELEMETRY=1"]  # fmt: skip


def _files_not_local(settings: Any) -> list[str]:
    """The chat model and every file the embedder loads, found on disk."""
    from localbot.embeddings import EmbedderError, bundled_model_dir
    from localbot.modelfiles import ModelFileError, resolve_model

    problems = []
    try:
        resolve_model(settings.model, settings.models_dir)
    except ModelFileError as error:
        problems.append(str(error))
    try:
        folder = Path(settings.embedder) if settings.embedder else bundled_model_dir()
    except EmbedderError as error:
        return [*problems, str(error)]
    missing = _missing_embedder_files(folder)
    if missing:
        problems.append(f"embedder files missing from {folder}: {', '.join(missing)} (without "
                        "them the model library would look for them online); run 'make setup'")  # fmt: skip
    return problems


def _missing_embedder_files(folder: Path) -> list[str]:
    """Files a sentence-transformers folder needs: config, tokenizer, weights, module configs."""
    needed = ["modules.json", "config.json", "tokenizer.json"]
    try:
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        modules = []
    # Normalize has no files; other modules (pooling, dense layers) have a config in their folder.
    needed += [f"{m['path']}/config.json" for m in modules
               if m.get("path") and not str(m.get("type", "")).endswith("Normalize")]  # fmt: skip
    missing = [name for name in needed if not (folder / name).is_file()]
    weights = ("model.safetensors", "pytorch_model.bin")
    if not any((folder / name).is_file() for name in weights):
        missing.append("model.safetensors")
    return missing


def _check_privacy(settings: Any, loose: list[Path]) -> Check:
    files_ok, files = _private_files(settings.home, loose)
    parts = [
        "personal data (emails, phones, cards, IBANs, addresses, postcodes, birth dates, names) is "
        "redacted before storage" if settings.redact else
        "REDACTION IS OFF: questions are stored as typed (set redact = true)",
        f"conversations and feedback are deleted after {settings.retention_days} days"
        f"{_oldest_note(settings)}",
        files,
    ]  # fmt: skip
    return Check("privacy", settings.redact and files_ok, "; ".join(parts))


def _private_files(home: Path, loose: list[Path]) -> tuple[bool, str]:
    """Make the data files owner-only (a safe fix, as every command does) and say how it went.

    ``loose`` lists the files that were not owner-only when the doctor started.
    """
    from localbot.governance import restrict_permissions

    try:
        fixed = [*loose, *(p for p in restrict_permissions(home) if p not in loose)]
    except OSError as error:
        return False, f"files in {home} are readable by other users and cannot be fixed: {error}"
    note = f" (just made {', '.join(p.name for p in fixed)} owner-only)" if fixed else ""
    return True, f"files in {home} are readable by you only{note}"


def _oldest_note(settings: Any) -> str:
    """' (oldest stored: 3 days)' when the database holds conversations."""
    from datetime import UTC, datetime

    from localbot.db import DatabaseError
    from localbot.governance import oldest_stored, open_governed

    if not settings.database_path.exists():
        return ""
    try:
        oldest = oldest_stored(open_governed(settings, migrate=False)[0])
    except (DatabaseError, OSError):
        return ""
    if oldest is None:
        return " (none stored now)"
    age = (datetime.now(UTC) - datetime.fromisoformat(oldest)).days
    return f" (oldest stored: {age} days)"
