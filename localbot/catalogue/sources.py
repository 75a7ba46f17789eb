"""Which file each catalogue row came from, and keeping the catalogue in step with its files.

Every product, document chunk and quarantine row records its file's resolved path (see
:class:`~localbot.catalogue.readers.SourceFile`). With it an import can:

- name a document once and keep that name: the path below the folder named when it was first
  imported, made longer only if another file already uses it (``q2/returns.md``), and taken over
  from a file that no longer exists (a moved folder updates its documents instead of copying them);
- remove what a file no longer holds: products that left a file read to its end, and everything
  from files gone from a folder that was imported again. A product that moved to another file of
  the same run, or whose row is quarantined, is kept; so are a file's products while any of its
  rows cannot be read or names no SKU (that row may be one of them).
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from localbot.catalogue.readers import SourceFile, belongs_to
from localbot.catalogue.vectors import bump_index_version
from localbot.db import write_transaction

DELETE_BATCH = 500


def claim_document_path(db: sqlite_utils.Database, source: SourceFile) -> str:
    """The stored path (and chunk-id prefix) of the document in ``source``; call in a transaction."""
    row = db.execute("SELECT path FROM documents WHERE source = ? LIMIT 1", [source.key]).fetchone()
    if row:
        return str(row[0])
    for candidate in _path_candidates(source):
        holder = db.execute(
            "SELECT source FROM documents WHERE path = ? LIMIT 1", [candidate]
        ).fetchone()
        if holder is None:
            return candidate
        if not _file_exists(holder[0]):
            db.execute("UPDATE documents SET source = ? WHERE path = ?", [source.key, candidate])
            return candidate
    return source.key


def _path_candidates(source: SourceFile) -> list[str]:
    """The path below the named folder, then with more and more of the folders above it."""
    parts = Path(source.key).parts[1:]
    shortest = len(Path(source.relative).parts)
    return [source.relative] + ["/".join(parts[-n:]) for n in range(shortest + 1, len(parts) + 1)]


def _file_exists(key: str) -> bool:
    # Rows imported before sources were recorded have no path; they belong to whoever claims them.
    return bool(key) and Path(key).is_file()


def vanished_sources(
    db: sqlite_utils.Database,
    folders: list[Path],
    found: set[str],
    unreadable: list[Path] | None = None,
) -> list[str]:
    """Files with rows in the catalogue that importing ``folders`` would read but no longer find.

    Files below an ``unreadable`` folder (one the scan could not list) are not gone, only out
    of sight, so they are never counted as vanished.
    """
    keys = [folder.resolve().as_posix() for folder in folders]
    hidden = [folder.resolve().as_posix() for folder in unreadable or []]
    recorded = {
        row[0]
        for table in ("products", "documents", "quarantine")
        for row in db.execute(f"SELECT DISTINCT source FROM {table}")
    }
    return sorted(
        key
        for key in recorded - found
        if any(belongs_to(folder, key) for folder in keys)
        and not any(key.startswith(folder.rstrip("/") + "/") for folder in hidden)
    )


def stale_products(db: sqlite_utils.Database, source_key: str, keep: set[str]) -> list[str]:
    """SKUs of the products from ``source_key`` that are not in ``keep``."""
    rows = db.execute("SELECT sku FROM products WHERE source = ?", [source_key])
    return [sku for (sku,) in rows if sku not in keep]


def remove_products(db: sqlite_utils.Database, stale: list[str]) -> None:
    """Delete these products and their search rows."""
    for start in range(0, len(stale), DELETE_BATCH):
        batch = stale[start : start + DELETE_BATCH]
        with write_transaction(db):
            for sku in batch:
                db.execute("DELETE FROM products WHERE sku = ?", [sku])
                delete_search_item(db, f"product:{sku}")
            bump_index_version(db)


def remove_document(db: sqlite_utils.Database, source_key: str) -> str | None:
    """Delete every chunk of the document from ``source_key``; return its path (None if none)."""
    with write_transaction(db):
        rows = db.execute(
            "SELECT id, path FROM documents WHERE source = ?", [source_key]
        ).fetchall()
        for chunk_id, _ in rows:
            db.execute("DELETE FROM documents WHERE id = ?", [chunk_id])
            delete_search_item(db, f"document:{chunk_id}")
        if rows:
            bump_index_version(db)
    return str(rows[0][1]) if rows else None


def clear_quarantine(db: sqlite_utils.Database, source_key: str) -> None:
    """Forget a file's quarantined rows (before it is read again, or when it is gone)."""
    with write_transaction(db):
        db.execute("DELETE FROM quarantine WHERE source = ?", [source_key])


def delete_search_item(db: sqlite_utils.Database, item_key: str) -> None:
    """Delete an item's search row; a trigger removes its FTS entry, and its vector goes with it."""
    db.execute("DELETE FROM search_items WHERE item_key = ?", [item_key])
