"""Importing products and documents: validate, quarantine, upsert by content hash, then embed.

Each batch of rows is written in one transaction, and vectors are computed only for search items
whose text changed, so re-importing an unchanged catalogue costs a hash comparison per row. A run
killed half-way leaves a consistent database; the next run finishes the work (rows whose
embedding is still NULL are embedded then).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import sqlite_utils

from localbot.catalogue.readers import (
    DocumentChunk,
    FileProblem,
    RawRow,
    find_files,
    is_document,
    read_document,
    read_product_rows,
)
from localbot.catalogue.validation import Product, RowError, validate_product
from localbot.db import get_meta, set_meta, utc_now, write_transaction
from localbot.embeddings import Embedder, to_blob

BATCH_ROWS = 500
EMBED_BATCH = 256
# Progress callback: (stage, done, total). Stages: "read", "embed".
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingest did, for people (``summary_lines``) and machines (``as_dict``)."""

    files: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    documents_inserted: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    documents_removed: int = 0
    embedded: int = 0
    problems: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    quarantine_samples: list[str] = field(default_factory=list)

    @property
    def imported_anything(self) -> bool:
        """True when at least one valid row or document is in the catalogue after this run."""
        valid = self.inserted + self.updated + self.unchanged
        return (
            valid + self.documents_inserted + self.documents_updated + self.documents_unchanged > 0
        )

    def as_dict(self) -> dict[str, object]:
        """The report as plain data for ``--json``."""
        return asdict(self)


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[Path],
    embedder: Embedder,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Import every product file and Markdown document under ``paths`` and index them."""
    report = IngestReport()
    files, skipped = find_files([Path(p) for p in paths])
    report.skipped_files = [str(path) for path in skipped]
    report.files = len(files)
    roots = [Path(p) for p in paths]
    seen_skus: dict[str, str] = {}
    for number, path in enumerate(files, start=1):
        source = _source_name(path, roots)
        try:
            if is_document(path):
                _ingest_document(db, path, source, report)
            else:
                _ingest_products(db, path, source, report, seen_skus)
        except FileProblem as problem:
            _record_file_problem(db, source, str(problem), report)
        if progress:
            progress("read", number, len(files))
    report.embedded = embed_pending(db, embedder, progress)
    return report


def _source_name(path: Path, roots: list[Path]) -> str:
    """Name a file relative to the folder it was found in (``docs/returns.md``)."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return path.relative_to(root).as_posix()
    return path.name


def _record_file_problem(
    db: sqlite_utils.Database, source: str, reason: str, report: IngestReport
) -> None:
    report.problems.append(reason)
    with write_transaction(db):
        db.execute("DELETE FROM quarantine WHERE source = ?", [source])
        _quarantine(db, source, 0, reason, "")


def _ingest_products(
    db: sqlite_utils.Database,
    path: Path,
    source: str,
    report: IngestReport,
    seen_skus: dict[str, str],
) -> None:
    rows = read_product_rows(path, source)
    first = True
    for batch in _batches(rows, BATCH_ROWS):
        with write_transaction(db):
            if first:
                # A re-import replaces this file's earlier quarantine entries, never duplicates them.
                db.execute("DELETE FROM quarantine WHERE source = ?", [source])
                first = False
            for raw in batch:
                _ingest_product_row(db, raw, report, seen_skus)


def _batches(rows: Iterator[RawRow], size: int) -> Iterator[list[RawRow]]:
    batch: list[RawRow] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _ingest_product_row(
    db: sqlite_utils.Database, raw: RawRow, report: IngestReport, seen_skus: dict[str, str]
) -> None:
    try:
        if raw.error:
            raise RowError(raw.error)
        product = validate_product(raw.data)
        first_seen = seen_skus.get(product.sku.lower())
        if first_seen:
            raise RowError(f"duplicate sku {product.sku} (first seen at {first_seen})")
    except RowError as error:
        _quarantine(db, raw.source, raw.row_number, str(error), raw.raw_text())
        report.quarantined += 1
        if len(report.quarantine_samples) < 20:
            report.quarantine_samples.append(f"{raw.source} row {raw.row_number}: {error}")
        return
    seen_skus[product.sku.lower()] = f"{raw.source} row {raw.row_number}"
    outcome = _upsert_product(db, product, raw.source)
    setattr(report, outcome, getattr(report, outcome) + 1)


def _quarantine(db: sqlite_utils.Database, source: str, row: int, reason: str, raw: str) -> None:
    db.execute(
        "INSERT INTO quarantine(source, row_number, reason, raw, created_at) VALUES (?, ?, ?, ?, ?)",
        [source, row, reason, raw, utc_now()],
    )


def _upsert_product(db: sqlite_utils.Database, product: Product, source: str) -> str:
    """Insert or update one product and its search item; return the report counter to bump."""
    content_hash = product.content_hash
    existing = db.execute(
        "SELECT content_hash FROM products WHERE sku = ?", [product.sku]
    ).fetchone()
    if existing and existing[0] == content_hash:
        return "unchanged"
    values = [
        product.name, product.brand, product.category, product.description, product.price,
        product.currency, product.stock, json.dumps(product.attributes, ensure_ascii=False),
        source, content_hash, utc_now(), product.sku,
    ]  # fmt: skip
    if existing:
        db.execute(
            "UPDATE products SET name=?, brand=?, category=?, description=?, price=?, currency=?,"
            " stock=?, attributes=?, source=?, content_hash=?, updated_at=? WHERE sku=?",
            values,
        )
    else:
        db.execute(
            "INSERT INTO products(name, brand, category, description, price, currency, stock,"
            " attributes, source, content_hash, updated_at, sku) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            values,
        )
    _upsert_search_item(db, "product", product.sku, product.search_text())
    return "updated" if existing else "inserted"


def _upsert_search_item(db: sqlite_utils.Database, kind: str, ref: str, text: str) -> None:
    """Keep one search row per item; a changed text clears the vector so it is recomputed."""
    key = f"{kind}:{ref}"
    text_hash = _text_hash(text)
    existing = db.execute(
        "SELECT id, content_hash FROM search_items WHERE item_key = ?", [key]
    ).fetchone()
    if existing is None:
        db.execute(
            "INSERT INTO search_items(item_key, kind, ref, text, content_hash) VALUES (?,?,?,?,?)",
            [key, kind, ref, text, text_hash],
        )
    elif existing[1] != text_hash:
        db.execute(
            "UPDATE search_items SET text=?, content_hash=?, embedding=NULL, embedding_model=NULL"
            " WHERE id=?",
            [text, text_hash, existing[0]],
        )
    else:
        return
    _bump_index_version(db)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _bump_index_version(db: sqlite_utils.Database) -> None:
    """Tell every process's in-memory vector matrix that the index changed."""
    set_meta(db, "index_version", str(int(get_meta(db, "index_version", "0")) + 1))


def _ingest_document(
    db: sqlite_utils.Database, path: Path, source: str, report: IngestReport
) -> None:
    chunks = read_document(path, source)
    with write_transaction(db):
        db.execute("DELETE FROM quarantine WHERE source = ?", [source])
        old = {
            row[0]: row[1]
            for row in db.execute("SELECT id, content_hash FROM documents WHERE path = ?", [source])
        }
        changed = sum(_upsert_chunk(db, chunk, old.get(chunk.id)) for chunk in chunks)
        stale = set(old) - {chunk.id for chunk in chunks}
        for chunk_id in stale:
            _delete_document_chunk(db, chunk_id)
    _count_document(report, bool(old), changed > 0 or bool(stale))


def _count_document(report: IngestReport, existed: bool, changed: bool) -> None:
    if not existed:
        report.documents_inserted += 1
    elif changed:
        report.documents_updated += 1
    else:
        report.documents_unchanged += 1


def _upsert_chunk(db: sqlite_utils.Database, chunk: DocumentChunk, old_hash: str | None) -> bool:
    content_hash = _text_hash(f"{chunk.title}\n{chunk.heading}\n{chunk.text}")
    if old_hash == content_hash:
        return False
    db.execute(
        "INSERT OR REPLACE INTO documents(id, path, title, heading, chunk, text, content_hash,"
        " updated_at) VALUES (?,?,?,?,?,?,?,?)",
        [chunk.id, chunk.path, chunk.title, chunk.heading, chunk.chunk, chunk.text, content_hash,
         utc_now()],
    )  # fmt: skip
    heading = f" - {chunk.heading}" if chunk.heading and chunk.heading != chunk.title else ""
    _upsert_search_item(db, "document", chunk.id, f"{chunk.title}{heading}. {chunk.text}")
    return True


def _delete_document_chunk(db: sqlite_utils.Database, chunk_id: str) -> None:
    db.execute("DELETE FROM documents WHERE id = ?", [chunk_id])
    db.execute("DELETE FROM search_items WHERE item_key = ?", [f"document:{chunk_id}"])
    _bump_index_version(db)


def embed_pending(
    db: sqlite_utils.Database, embedder: Embedder, progress: ProgressCallback | None = None
) -> int:
    """Compute vectors for search items that have none (or one from another model)."""
    pending = db.execute(
        "SELECT id, text FROM search_items WHERE embedding IS NULL OR embedding_model IS NOT ?",
        [embedder.name],
    ).fetchall()
    for start in range(0, len(pending), EMBED_BATCH):
        batch = pending[start : start + EMBED_BATCH]
        vectors = embedder.embed([text for _, text in batch])
        with write_transaction(db):
            for (item_id, _), vector in zip(batch, vectors, strict=True):
                db.execute(
                    "UPDATE search_items SET embedding = ?, embedding_model = ? WHERE id = ?",
                    [to_blob(vector), embedder.name, item_id],
                )
            _bump_index_version(db)
        if progress:
            progress("embed", min(start + EMBED_BATCH, len(pending)), len(pending))
    return len(pending)


def catalogue_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows in the catalogue tables, for ``doctor`` and the UI's empty-catalogue check."""
    tables = ("products", "documents", "quarantine", "search_items")
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
