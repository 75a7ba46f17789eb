"""Opening the one SQLite database: pragmas for safe concurrent use, owner-only files, migrations.

Every process (the kiosk UI, a staff CLI, a benchmark) opens the database through
:func:`open_database`, so WAL mode, the busy timeout and the schema version are always the same.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from localbot.migrations import MIGRATIONS
from localbot.paths import ensure_private_dir

# A kiosk UI and a staff CLI may write at once: wait this long for a lock instead of failing.
BUSY_TIMEOUT_MS = 15_000


class DatabaseError(RuntimeError):
    """The database cannot be opened or used; the message says what to do."""


def open_database(path: Path, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date."""
    try:
        ensure_private_dir(path.parent)
        _create_private_file(path)
    except OSError as error:
        # LOCALBOT_HOME naming a file, a read-only folder: say which setting to change.
        detail = error.strerror or str(error)
        raise DatabaseError(
            f"cannot create the database {path} ({detail}); point LOCALBOT_HOME or --home at"
            " a folder you may write to"
        ) from error
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
        db = sqlite_utils.Database(conn)
        _apply_pragmas(db)
        if migrate:
            MIGRATIONS.apply(db)
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            f"cannot open database {path}: {error}; move the file aside and run 'localbot ingest'"
        ) from error
    return db


def open_memory_database() -> sqlite_utils.Database:
    """Open a migrated in-memory database (unit tests and dry runs)."""
    db = sqlite_utils.Database(memory=True)
    MIGRATIONS.apply(db)
    return db


def schema_version(db: sqlite_utils.Database) -> str:
    """Name of the newest applied migration ('none' for an empty file)."""
    applied = MIGRATIONS.applied(db)
    return applied[-1].name if applied else "none"


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Names of migrations this code knows that the database has not had yet."""
    return [migration.name for migration in MIGRATIONS.pending(db)]


def _apply_pragmas(db: sqlite_utils.Database) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA journal_mode = WAL")
    # NORMAL is durable across application crashes in WAL mode; only a power cut may lose the
    # last transaction, never corrupt the file.
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    # Erased rows are overwritten with zeros, so deleted personal data does not linger in pages.
    db.execute("PRAGMA secure_delete = ON")


def _create_private_file(path: Path) -> None:
    """Create the database and its WAL/SHM companions readable by the owner only."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if not candidate.exists():
            fd = os.open(candidate, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)


@contextmanager
def write_transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """Run a block of writes as one transaction that takes the write lock up front.

    ``BEGIN IMMEDIATE`` waits (busy timeout) for another writer instead of failing later with
    "database is locked" when a read transaction tries to become a write one.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.conn.execute("COMMIT")


def utc_now() -> str:
    """Current time as an ISO-8601 UTC string, the one timestamp format in the database."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def get_meta(db: sqlite_utils.Database, key: str, default: str = "") -> str:
    """Read a value from the small key/value ``meta`` table."""
    row = db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def set_meta(db: sqlite_utils.Database, key: str, value: str) -> None:
    """Write a value to the ``meta`` table."""
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [key, value])
