"""One typed settings object, merged from defaults < ``localbot.toml`` < ``LOCALBOT_*`` env < flags.

Every field documents itself through its ``help`` metadata; ``localbot doctor`` and the README
list them from here, so there is a single place to read what can be configured.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from localbot import paths

ENV_PREFIX = "LOCALBOT_"
MODES = ("staff", "kiosk")
FLASH_ATTN = ("auto", "on", "off")
# Shorter, and a shopper still reading an answer (or the countdown) would lose it.
MIN_KIOSK_IDLE_SECONDS = 15


class SettingsError(ValueError):
    """A setting has a value localbot cannot use; the message says which and how to fix it."""


def _setting(default: Any, help: str, **kwargs: Any) -> Any:
    """Declare a settings field with its documentation."""
    if callable(default):
        return field(default_factory=default, metadata={"help": help}, **kwargs)
    return field(default=default, metadata={"help": help}, **kwargs)


@dataclass(frozen=True)
class Settings:
    """Everything that can be configured, with its default. Build it with :func:`load_settings`."""

    home: Path = _setting(paths.default_home, "Data folder for databases and logs.")
    models_dir: Path = _setting(paths.default_models_dir, "Folder holding GGUF files.")
    model: str = _setting(
        "smollm2-135m-instruct",
        "Chat model: a manifest name, a GGUF file name in models/, or a path.",
    )
    embedder: str = _setting("", "Embedding model folder; empty uses the bundled all-MiniLM-L6-v2.")
    n_ctx: int = _setting(4096, "Context window in tokens given to the chat model.")
    n_threads: int = _setting(0, "CPU threads for generation; 0 means one per physical core.")
    n_gpu_layers: int = _setting(
        -1, "Layers to offload to a GPU when one is present; -1 means all."
    )
    flash_attn: str = _setting(
        "auto",
        "Flash attention: 'on', 'off', or 'auto' (on only when layers are offloaded to a GPU;"
        " on a CPU it slows generation more than it speeds up reading the prompt, see bench/ask.py).",
    )
    max_tokens: int = _setting(200, "Most tokens the model may generate for one answer.")
    history_tokens: int = _setting(
        512,
        "Conversation window: most tokens of past questions and answers replayed to the model;"
        " older turns slide out (and are reported); 0 replays none. Smaller keeps answers"
        " starting fast.",
    )
    max_question_chars: int = _setting(2000, "Longest question accepted, in characters.")
    temperature: float = _setting(
        0.2, "Sampling temperature; low keeps answers close to the facts."
    )
    seed: int = _setting(7, "Sampling seed, so the same question gives the same answer.")
    search_limit: int = _setting(8, "Results returned by a search.")
    context_products: int = _setting(5, "Products described to the model for one answer.")
    context_documents: int = _setting(2, "Knowledge-document passages given to the model.")
    min_similarity: float = _setting(
        0.34, "Cosine similarity below which a result does not count as relevant to a question."
    )
    store: str = _setting(
        "Ridgeline Outfitters, an outdoor and sports store",
        "Who the assistant works for, as its system prompt says: the store's name and kind.",
    )
    mode: str = _setting("staff", "UI mode: 'staff' (full) or 'kiosk' (anonymous, PIN to leave).")
    kiosk_idle_seconds: int = _setting(
        120,
        f"Kiosk: seconds of inactivity before the screen resets (at least {MIN_KIOSK_IDLE_SECONDS}).",
    )
    staff_pin_hash: str = _setting("", "Kiosk: salted hash of the staff PIN (set with a command).")
    retention_days: int = _setting(30, "Days conversations and feedback are kept before purging.")
    redact: bool = _setting(True, "Redact personal data from questions before storing them.")
    feedback_boosts: bool = _setting(
        True, "Let thumbs up/down on answers to similar questions re-rank search results."
    )

    @property
    def database_path(self) -> Path:
        """The SQLite file holding catalogue, interactions and customers."""
        return self.home / paths.DATABASE_NAME

    def with_overrides(self, **overrides: Any) -> Settings:
        """Return a copy with some fields replaced (values are coerced and validated)."""
        return _validated(dataclasses.replace(self, **_coerce_all(overrides, source="override")))


def setting_help() -> dict[str, str]:
    """Map each setting name to its one-line documentation."""
    return {f.name: f.metadata["help"] for f in fields(Settings)}


def load_settings(
    flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Merge defaults, the config file, ``LOCALBOT_*`` variables and flags, in that order."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    home_hint = Path(env.get(ENV_PREFIX + "HOME") or paths.default_home())
    if flags and flags.get("home"):
        home_hint = Path(flags["home"])
    config_file = Path(env.get(ENV_PREFIX + "CONFIG") or home_hint / paths.CONFIG_NAME)
    merged.update(_coerce_all(_read_config_file(config_file), source=str(config_file)))
    merged.update(_coerce_all(_env_values(env), source="environment"))
    merged.update(_coerce_all({k: v for k, v in (flags or {}).items() if v is not None}, "flag"))
    return _validated(Settings(**merged))


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(
            f"{path} is not valid TOML ({error}); fix or delete the file"
        ) from error


def _env_values(env: Mapping[str, str]) -> dict[str, str]:
    names = {f.name for f in fields(Settings)}
    found = {}
    for key, value in env.items():
        name = key[len(ENV_PREFIX) :].lower() if key.startswith(ENV_PREFIX) else ""
        if name in names:
            found[name] = value
    return found


def _coerce_all(values: Mapping[str, Any], source: str) -> dict[str, Any]:
    types = {f.name: f.type for f in fields(Settings)}
    coerced = {}
    for name, value in values.items():
        if name not in types:
            known = ", ".join(sorted(types))
            raise SettingsError(f"unknown setting '{name}' in {source}; known settings: {known}")
        coerced[name] = _coerce(name, str(types[name]), value, source)
    return coerced


def _coerce(name: str, type_name: str, value: Any, source: str) -> Any:
    try:
        if type_name == "Path":
            return Path(str(value)).expanduser()
        if type_name == "bool":
            return _to_bool(value)
        if type_name == "int":
            return int(value)
        if type_name == "float":
            return float(value)
        return str(value)
    except (TypeError, ValueError) as error:
        kind = _TYPE_WORDS.get(type_name, type_name)
        raise SettingsError(
            f"setting '{name}' from {source} must be {kind}, got {value!r}"
        ) from error


_TYPE_WORDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "Path": "a path",
}


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ValueError(value)


def _validated(settings: Settings) -> Settings:
    if settings.mode not in MODES:
        raise SettingsError(
            f"setting 'mode' must be one of {', '.join(MODES)}, not {settings.mode!r}"
        )
    if settings.flash_attn not in FLASH_ATTN:
        raise SettingsError(
            f"setting 'flash_attn' must be one of {', '.join(FLASH_ATTN)}, not {settings.flash_attn!r}"
        )
    if not settings.store.strip():
        raise SettingsError("setting 'store' must name the store, e.g. \"Acme Bikes, a bike shop\"")
    return _validated_numbers(settings)


def _validated_numbers(settings: Settings) -> Settings:
    if settings.n_ctx < 256:
        raise SettingsError(f"setting 'n_ctx' must be at least 256, not {settings.n_ctx}")
    if settings.retention_days < 1:
        raise SettingsError("setting 'retention_days' must be at least 1")
    if settings.max_tokens < 16:
        raise SettingsError("setting 'max_tokens' must be at least 16")
    if settings.history_tokens < 0:
        raise SettingsError("setting 'history_tokens' must be 0 (no past turns) or more")
    if settings.kiosk_idle_seconds < MIN_KIOSK_IDLE_SECONDS:
        raise SettingsError(
            f"setting 'kiosk_idle_seconds' must be at least {MIN_KIOSK_IDLE_SECONDS}, "
            f"not {settings.kiosk_idle_seconds}"
        )
    return settings
