"""Where localbot keeps its files: the data home, the database, the models and the shipped knowledge.

``LOCALBOT_HOME`` overrides the data home; tests point it at a temporary folder so they never touch
a real store's data.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
DATABASE_NAME = "localbot.db"
CONFIG_NAME = "localbot.toml"


def default_home() -> Path:
    """Return the data home: ``LOCALBOT_HOME`` if set, else the XDG data folder."""
    override = os.environ.get("LOCALBOT_HOME")
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "localbot"


def default_models_dir() -> Path:
    """Return the models folder: ``models/`` of a source checkout, else one inside the data home."""
    checkout_models = PROJECT_DIR / "models"
    if (checkout_models / "manifest.toml").exists():
        return checkout_models
    return default_home() / "models"


def knowledge_dir() -> Path:
    """Return the demo store shipped with the project (catalogue, documents, labelled questions)."""
    return PROJECT_DIR / "knowledge"


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` and any missing parent folders owner-only (0700), whatever the umask.

    ``mkdir(parents=True, mode=...)`` gives the mode to the last folder only: the parents it makes
    get 0777 less the umask, world-writable under ``umask 000``. Every folder created here gets
    0700, as the XDG base directory spec asks for the data home; folders that already exist are
    left as they are (``LOCALBOT_HOME`` may point into a folder shared on purpose).
    """
    missing = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    for folder in reversed(missing):
        # The umask can only take bits away from 0700; exist_ok: another process may be first.
        folder.mkdir(mode=0o700, exist_ok=True)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    return path
