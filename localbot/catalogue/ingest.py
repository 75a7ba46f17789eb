"""Importing products and documents: validate, quarantine, upsert by content hash, then embed.

Each batch of rows is written in one transaction, and vectors are computed only for search items
whose text changed, so re-importing an unchanged catalogue costs a hash comparison per row. The
catalogue follows its files: after every file is read, products and documents the files no longer
hold are removed (see :mod:`localbot.catalogue.sources`). A run killed half-way leaves a
consistent database; the next run finishes the work (rows whose embedding is still NULL are
embedded then).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import sqlite_utils

from localbot.catalogue import sources
from localbot.catalogue.readers import (
    UNREADABLE,
    DocumentChunk,
    FileProblem,
    RawRow,
    SourceFile,
    is_document,
    read_document,
    read_product_rows,
    scan,
)
from localbot.catalogue.validation import Product, RowError, validate_product
from localbot.catalogue.vectors import bump_index_version
from localbot.db import utc_now, write_transaction
from localbot.embeddings import Embedder, to_blob

BATCH_ROWS = 500
EMBED_BATCH = 256
SAMPLES = 20
SAMPLE_SKUS = 8
# A product file with more rows than this also reports progress per batch of rows.
ROW_PROGRESS_FROM = BATCH_ROWS
# Progress callback: (stage, done, total). Stages: "read" (files), "rows" (of a large file),
# "embed" (search items).
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class IngestReport:
    """What an ingest did, for people (``summary``, ``details``) and machines (``as_dict``)."""

    files: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    quarantined: int = 0
    documents_inserted: int = 0
    documents_updated: int = 0
    documents_unchanged: int = 0
    documents_removed: int = 0
    documents_quarantined: int = 0
    embedded: int = 0
    files_quarantined: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    quarantine_samples: list[str] = field(default_factory=list)
    removed_samples: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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

    def summary(self) -> str:
        """One line with every count.

        A product file that cannot be read at all counts as one quarantined product entry (its
        one row in the quarantine table), a document file as one quarantined document; the
        line ends by saying how many files were quarantined whole.
        """
        whole = self.files_quarantined
        return (
            f"products: {self.inserted} inserted, {self.updated} updated, {self.unchanged} unchanged,"
            f" {self.removed} removed, {self.quarantined} quarantined; documents:"
            f" {self.documents_inserted} inserted, {self.documents_updated} updated,"
            f" {self.documents_unchanged} unchanged, {self.documents_removed} removed,"
            f" {self.documents_quarantined} quarantined; {self.embedded} embedded"
            + (f"; {whole} file{'s' if whole > 1 else ''} quarantined whole" if whole else "")
        )

    def problem_lines(self) -> list[str]:
        """One line per file or folder that could not be read and per quarantined row (a sample).

        These are shown even by ``ingest --quiet``: quiet hides progress, not problems.
        """
        lines = [f"quarantined file: {problem}" for problem in self.problems]
        lines += [_skipped_line(item) for item in self.skipped if _unreadable(item)]
        lines += [f"quarantined: {sample}" for sample in self.quarantine_samples]
        rows = self.quarantined - (self.files_quarantined - self.documents_quarantined)
        if rows > len(self.quarantine_samples):
            more = rows - len(self.quarantine_samples)
            lines.append(f"... {more} more quarantined rows in the quarantine table")
        return lines

    def details(self) -> list[str]:
        """The problem lines, then one line per file with removals, note and skipped path."""
        lines = self.problem_lines()
        lines += [f"removed: {sample}" for sample in self.removed_samples]
        lines += [f"note: {note}" for note in self.notes]
        return lines + [_skipped_line(item) for item in self.skipped if not _unreadable(item)]


def _skipped_line(item: dict[str, str]) -> str:
    return f"skipped {item['path']} ({item['reason']})"


def _unreadable(item: dict[str, str]) -> bool:
    return item["reason"].startswith(UNREADABLE)


@dataclass
class _Run:
    """What one run has seen so far, across all its files."""

    present: set[str] = field(default_factory=set)  # SKUs in the files, valid or quarantined
    first_seen: dict[str, str] = field(default_factory=dict)  # lower-case SKU -> file and row
    complete: list[str] = field(default_factory=list)  # product files read to their end
    unnamed: set[str] = field(default_factory=set)  # files with a row that names no SKU


def ingest_paths(
    db: sqlite_utils.Database,
    paths: Iterable[Path],
    embedder: Embedder,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Import every product file and Markdown document under ``paths`` and index them.

    Rows the files no longer hold are removed at the end, once every file has been read, so a
    product that moved from one file to another is never removed.
    """
    roots = [Path(p) for p in paths]
    files, skipped = scan(roots)
    report = IngestReport(files=len(files), skipped=[asdict(item) for item in skipped])
    run = _Run()
    for number, source in enumerate(files, start=1):
        _ingest_file(db, source, report, run, progress)
        if progress:
            progress("read", number, len(files))
    unreadable = [Path(item.path) for item in skipped if item.reason.startswith(UNREADABLE)]
    _remove_stale(db, run, [root for root in roots if root.is_dir()], files, report, unreadable)
    report.embedded = embed_pending(db, embedder, progress)
    return report


def _ingest_file(
    db: sqlite_utils.Database,
    source: SourceFile,
    report: IngestReport,
    run: _Run,
    progress: ProgressCallback | None = None,
) -> None:
    # A re-import replaces this file's earlier quarantine entries, never duplicates them.
    sources.clear_quarantine(db, source.key)
    try:
        if is_document(source.path):
            _ingest_document(db, source, report)
        else:
            _ingest_products(db, source, report, run, progress)
            run.complete.append(source.key)
    except FileProblem as problem:
        _record_file_problem(db, source, str(problem), report)
    except OSError as error:
        # Gone since the scan, a dangling link, no permission: one file, not the whole run.
        _record_file_problem(db, source, _unreadable_reason(source, error), report)


def _unreadable_reason(source: SourceFile, error: OSError) -> str:
    if source.path.is_symlink() and not source.path.exists():
        return f"{source.label} links to {source.key}, which does not exist; fix or remove the link"
    why = error.strerror or str(error)
    return f"{source.label} cannot be read ({why}); check that it exists and may be read"


def _record_file_problem(
    db: sqlite_utils.Database, source: SourceFile, reason: str, report: IngestReport
) -> None:
    """Quarantine a whole file; what it held before stays until it can be read again."""
    if _has_rows(db, source.key):
        reason += "; what was imported from it before is kept until it can be read"
    report.problems.append(reason)
    report.files_quarantined += 1
    if is_document(source.path):
        report.documents_quarantined += 1
    else:
        report.quarantined += 1
    with write_transaction(db):
        _quarantine(db, source.key, 0, reason, "")


def _has_rows(db: sqlite_utils.Database, key: str) -> bool:
    return any(
        db.execute(f"SELECT 1 FROM {table} WHERE source = ? LIMIT 1", [key]).fetchone()
        for table in ("products", "documents")
    )


def _remove_stale(
    db: sqlite_utils.Database,
    run: _Run,
    folders: list[Path],
    files: list[SourceFile],
    report: IngestReport,
    unreadable: list[Path],
) -> None:
    """Remove products the files read to their end no longer hold, and rows of vanished files.

    Nothing below an ``unreadable`` folder is removed: its files are out of sight, not gone.
    """
    labels = {file.key: file.label for file in files}
    for key in run.complete:
        stale = sources.stale_products(db, key, run.present)
        if stale and key in run.unnamed:
            report.notes.append(
                f"{len(stale)} products no longer found in {labels[key]} are kept until every"
                " row of it can be read and names its SKU"
            )
            continue
        sources.remove_products(db, stale)
        _report_removed(report, stale, f"no longer in {labels[key]}")
    for key in sources.vanished_sources(db, folders, set(labels), unreadable):
        stale = sources.stale_products(db, key, run.present)
        sources.remove_products(db, stale)
        _report_removed(report, stale, f"from {key}, which is gone")
        path = sources.remove_document(db, key)
        if path is not None:
            report.documents_removed += 1
            report.removed_samples.append(f"document {path}: its file {key} is gone")
        sources.clear_quarantine(db, key)


def _report_removed(report: IngestReport, skus: list[str], why: str) -> None:
    """Count removed products and name them: one line per file, the first few SKUs."""
    if skus:
        report.removed += len(skus)
        more = f" and {len(skus) - SAMPLE_SKUS} more" if len(skus) > SAMPLE_SKUS else ""
        report.removed_samples.append(
            f"{len(skus)} product{'s' if len(skus) > 1 else ''} {why}: "
            f"{', '.join(skus[:SAMPLE_SKUS])}{more}"
        )


def _ingest_products(
    db: sqlite_utils.Database,
    source: SourceFile,
    report: IngestReport,
    run: _Run,
    progress: ProgressCallback | None = None,
) -> None:
    rows = read_product_rows(source.path, source.label)
    # Per-file progress stands still through one big file; a large one also reports its rows,
    # once per batch (a callback per row would cost more than it shows).
    show_rows = progress if rows.estimate > ROW_PROGRESS_FROM else None
    done = 0
    for batch in _batches(iter(rows), BATCH_ROWS):
        with write_transaction(db):
            for raw in batch:
                _ingest_product_row(db, raw, source.key, report, run)
        done += len(batch)
        if show_rows:
            show_rows("rows", done, max(done, rows.estimate))
    if show_rows:
        show_rows("rows", done, done)  # the estimate counts lines; the file is read to its end


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
    db: sqlite_utils.Database, raw: RawRow, key: str, report: IngestReport, run: _Run
) -> None:
    try:
        if raw.error:
            raise RowError(raw.error)
        product = validate_product(raw.data)
        first_seen = run.first_seen.get(product.sku.lower())
        if first_seen:
            raise RowError(f"duplicate sku {product.sku} (first seen at {first_seen})")
    except RowError as error:
        # A quarantined row keeps its product's last good version: a typo must not delete it.
        sku = _raw_sku(raw)
        if sku:
            run.present.add(sku)
        else:
            run.unnamed.add(key)
        _quarantine(db, key, raw.row_number, str(error), raw.raw_text())
        report.quarantined += 1
        if len(report.quarantine_samples) < SAMPLES:
            report.quarantine_samples.append(f"{raw.source} row {raw.row_number}: {error}")
        return
    run.present.add(product.sku)
    run.first_seen[product.sku.lower()] = f"{raw.source} row {raw.row_number}"
    outcome = _upsert_product(db, product, key)
    setattr(report, outcome, getattr(report, outcome) + 1)


def _raw_sku(raw: RawRow) -> str:
    """The SKU a row that failed validation names, if any ('' when it names none)."""
    if not isinstance(raw.data, dict):
        return ""
    fields = {str(name).strip().lower(): value for name, value in raw.data.items()}
    return str(fields.get("sku") or "").strip()


def _quarantine(db: sqlite_utils.Database, source: str, row: int, reason: str, raw: str) -> None:
    db.execute(
        "INSERT INTO quarantine(source, row_number, reason, raw, created_at) VALUES (?, ?, ?, ?, ?)",
        [source, row, reason, raw, utc_now()],
    )


def _upsert_product(db: sqlite_utils.Database, product: Product, source: str) -> str:
    """Insert or update one product and its search item; return the report counter to bump."""
    content_hash = product.content_hash
    existing = db.execute(
        "SELECT content_hash, source FROM products WHERE sku = ?", [product.sku]
    ).fetchone()
    if existing and existing[0] == content_hash:
        if existing[1] != source:  # moved to another file: that file now owns it
            db.execute("UPDATE products SET source = ? WHERE sku = ?", [source, product.sku])
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
    bump_index_version(db)


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _ingest_document(db: sqlite_utils.Database, source: SourceFile, report: IngestReport) -> None:
    chunks = read_document(source.path, source.relative, source.label)
    with write_transaction(db):
        path = sources.claim_document_path(db, source)
        chunks = [replace(chunk, path=path) for chunk in chunks]
        old = {
            row[0]: row[1]
            for row in db.execute(
                "SELECT id, content_hash FROM documents WHERE source = ?", [source.key]
            )
        }
        changed = sum(_upsert_chunk(db, chunk, source.key, old.get(chunk.id)) for chunk in chunks)
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


def _upsert_chunk(
    db: sqlite_utils.Database, chunk: DocumentChunk, source: str, old_hash: str | None
) -> bool:
    content_hash = _text_hash(f"{chunk.title}\n{chunk.heading}\n{chunk.text}")
    if old_hash == content_hash:
        return False
    db.execute(
        "INSERT OR REPLACE INTO documents(id, path, title, heading, chunk, text, content_hash,"
        " updated_at, source) VALUES (?,?,?,?,?,?,?,?,?)",
        [chunk.id, chunk.path, chunk.title, chunk.heading, chunk.chunk, chunk.text, content_hash,
         utc_now(), source],
    )  # fmt: skip
    heading = f" - {chunk.heading}" if chunk.heading and chunk.heading != chunk.title else ""
    _upsert_search_item(db, "document", chunk.id, f"{chunk.title}{heading}. {chunk.text}")
    return True


def _delete_document_chunk(db: sqlite_utils.Database, chunk_id: str) -> None:
    db.execute("DELETE FROM documents WHERE id = ?", [chunk_id])
    sources.delete_search_item(db, f"document:{chunk_id}")
    bump_index_version(db)


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
            bump_index_version(db)
        if progress:
            progress("embed", min(start + EMBED_BATCH, len(pending)), len(pending))
    return len(pending)


def catalogue_counts(db: sqlite_utils.Database) -> dict[str, int]:
    """Rows in the catalogue tables, for ``doctor`` and the UI's empty-catalogue check."""
    tables = ("products", "documents", "quarantine", "search_items")
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}
