"""Importing customers, purchases and browsing events from CSV, JSON and JSONL files.

Like the product import: valid rows are kept, invalid ones go to the ``quarantine`` table with the
file, row number and reason, and a re-import changes only what changed. Unlike it, the raw text
of a quarantined row is not kept: ``forget --customer`` could not find it there, so only the
non-personal fields (SKU, quantity, price, times) are stored with the reason.

Customers are imported before purchases and events whatever the file order, so a purchase can
refer to a customer from another file. A purchase or event must name a known customer and a
SKU that is in the catalogue.

Rows of a customer erased on request (``localbot forget --customer``; see
:class:`localbot.governance.ErasureList`) are skipped before they are validated, stored or
quarantined, and counted as "skipped: erased on request": an erasure sticks across re-imports.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from localbot.catalogue.readers import FileProblem, RawRow, read_text
from localbot.catalogue.validation import RowError
from localbot.customers.validation import (
    Customer,
    Purchase,
    canonical_row,
    record_kind,
    unused_columns,
    validate_customer,
    validate_event,
    validate_purchase,
)
from localbot.db import get_meta, set_meta, utc_now, write_transaction
from localbot.governance import ErasureList

DATA_SUFFIXES = {".csv", ".json", ".jsonl", ".ndjson"}
KINDS = ("customers", "purchases", "events")
JSON_KEYS = {"customers": "customers", "purchases": "purchases", "events": "events",
             "browsing_events": "events"}  # fmt: skip
# Fields shown in the quarantine: none of them identifies a person.
NON_PERSONAL = {"sku", "quantity", "price", "at", "kind", "consent_personalisation", "created_at"}
NOT_KEPT = "(not kept: the row may hold personal data; see the file at this row)"
BATCH_ROWS = 500
SAMPLES = 20


@dataclass
class CustomerImportReport:
    """What an import did, per kind of record: inserted, updated, unchanged."""

    files: int = 0
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {
            kind: {"inserted": 0, "updated": 0, "unchanged": 0} for kind in KINDS
        }
    )
    quarantined: int = 0
    # rows (customers, purchases, events) of customers erased on request: not imported
    erased_skipped: int = 0
    problems: list[str] = field(default_factory=list)
    quarantine_samples: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)

    @property
    def imported_anything(self) -> bool:
        """True when at least one valid row of any kind is stored after this run."""
        return any(sum(counts.values()) for counts in self.counts.values())

    @property
    def changed(self) -> bool:
        """True when a row was inserted or updated (recommendations must be recomputed)."""
        return any(c["inserted"] + c["updated"] for c in self.counts.values())

    def summary(self) -> str:
        """One line for people: counts per kind and the quarantine."""
        parts = [
            f"{kind}: {c['inserted']} inserted, {c['updated']} updated, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]
        erased = (
            f"; {self.erased_skipped} skipped: erased on request" if self.erased_skipped else ""
        )
        return "; ".join(parts) + f"; {self.quarantined} quarantined{erased}"

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data for ``--json``."""
        return asdict(self)


@dataclass
class _Batch:
    """Rows read from all files, grouped by kind, with each file's source name."""

    rows: dict[str, list[RawRow]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    sources: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (source, reason)
    ignored: set[str] = field(default_factory=set)


def import_customer_files(
    db: sqlite_utils.Database, paths: Iterable[Path], now: datetime | None = None
) -> CustomerImportReport:
    """Import every customer, purchase and browsing-event file under ``paths``."""
    report = CustomerImportReport()
    files, skipped = find_data_files([Path(p) for p in paths])
    report.files, report.skipped_files = len(files), [str(p) for p in skipped]
    batch = _read_all(files, [Path(p) for p in paths])
    report.ignored_columns = sorted(batch.ignored)
    report.problems = [reason for _, reason in batch.problems]
    with write_transaction(db):
        # A re-import replaces the files' earlier quarantine entries instead of adding to them.
        for source in batch.sources:
            db.execute("DELETE FROM quarantine WHERE source = ?", [source])
        for source, reason in batch.problems:
            _quarantine(db, source, 0, reason, "")
    _RowImporter(db, report, now).run(batch)
    if report.changed:
        with write_transaction(db):
            set_meta(db, "customers_version", str(int(get_meta(db, "customers_version", "0")) + 1))
    return report


def find_data_files(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(CSV/JSON/JSONL files, other files) under ``paths``; folders are read recursively."""
    found: list[Path] = []
    skipped: list[Path] = []
    for path in paths:
        if path.is_dir():
            children = [c for c in sorted(path.rglob("*")) if c.is_file()]
            children = [c for c in children if not _hidden(c.relative_to(path))]
        elif path.is_file():
            children = [path]
        else:
            raise FileProblem(f"{path} does not exist; check the path")
        for child in children:
            (found if child.suffix.lower() in DATA_SUFFIXES else skipped).append(child)
    return found, skipped


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _source_name(path: Path, roots: list[Path]) -> str:
    """``customers:purchases.csv``: the prefix keeps these apart from product files' entries."""
    for root in roots:
        if root.is_dir() and path.is_relative_to(root):
            return f"customers:{path.relative_to(root).as_posix()}"
    return f"customers:{path.name}"


def _read_all(files: list[Path], roots: list[Path]) -> _Batch:
    batch = _Batch()
    for path in files:
        source = _source_name(path, roots)
        batch.sources.append(source)
        try:
            for kind, raw in read_records(path, source):
                batch.rows[kind].append(raw)
                if isinstance(raw.data, dict):
                    batch.ignored |= unused_columns(canonical_row(raw.data), kind)
        except FileProblem as problem:
            batch.problems.append((source, str(problem)))
    return batch


# --- reading ------------------------------------------------------------------------------------


def read_records(path: Path, source: str) -> Iterator[tuple[str, RawRow]]:
    """Yield (kind, row) for each record of a file; the kind comes from the columns."""
    text, _ = read_text(path)
    if not text.strip():
        raise FileProblem(f"{source} is empty; export the customer data again")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows: Iterable[tuple[str | None, RawRow]] = _with_kind(_csv_rows(text, source), source)
    elif suffix == ".json":
        rows = _json_records(text, source)
    else:
        rows = _with_kind(_jsonl_rows(text, source), source)
    for kind, raw in rows:
        yield kind or "customers", raw


def _with_kind(rows: Iterator[RawRow], source: str) -> Iterator[tuple[str | None, RawRow]]:
    """One kind per file, decided by the first readable row's columns."""
    kind: str | None = None
    pending: list[RawRow] = []
    for raw in rows:
        if kind is None and isinstance(raw.data, dict):
            kind = record_kind(canonical_row(raw.data))
            if kind is None:
                raise FileProblem(_unknown_kind(source, raw.data))
        if kind is None:
            pending.append(raw)  # an unreadable first line: keep it for the quarantine
            continue
        yield from ((kind, row) for row in pending)
        pending = []
        yield kind, raw
    yield from ((kind, row) for row in pending)


def _unknown_kind(source: str, data: dict[str, Any]) -> str:
    columns = ", ".join(str(key) for key in data)[:120]
    return (
        f"{source} holds neither customers (id, display_name), purchases (customer_id, sku, "
        f"price, time) nor browsing events (customer_id, sku, kind, time); columns: {columns}"
    )


def _csv_rows(text: str, source: str) -> Iterator[RawRow]:
    reader = csv.reader(io.StringIO(text, newline=""), dialect=_dialect(text))
    header = [column.strip() for column in next(reader, [])]
    for number, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        if len(values) > len(header):
            yield RawRow(source, number, values, "more values than columns; check delimiters")
        elif len(values) < len(header):
            # A cut-off line or a lost delimiter, not empty cells (a spreadsheet writes ',,').
            missing = ", ".join(header[len(values) :])
            yield RawRow(source, number, values, f"fewer values than columns (no {missing})")
        else:
            yield RawRow(source, number, dict(zip(header, values, strict=False)))


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _jsonl_rows(text: str, source: str) -> Iterator[RawRow]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield RawRow(source, number, json.loads(line))
        except json.JSONDecodeError as error:
            yield RawRow(source, number, line, f"line is not valid JSON ({error.msg})")


def _json_records(text: str, source: str) -> Iterator[tuple[str | None, RawRow]]:
    """A list of records of one kind, or an object of lists: {"customers": [...], ...}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FileProblem(
            f"{source} is not valid JSON ({error.msg} at line {error.lineno})"
        ) from None
    if isinstance(data, list):
        yield from _with_kind((RawRow(source, n, item) for n, item in enumerate(data, 1)), source)
        return
    if not isinstance(data, dict) or not set(data) & set(JSON_KEYS):
        raise FileProblem(
            f"{source} must hold a list of records or an object with lists named "
            "customers, purchases and events"
        )
    number = 0
    for key, kind in JSON_KEYS.items():
        for item in data.get(key) or []:
            number += 1
            yield kind, RawRow(source, number, item)


# --- validating and storing ---------------------------------------------------------------------


class _RowImporter:
    """Validates rows against the catalogue and the known customers, then upserts them."""

    def __init__(
        self, db: sqlite_utils.Database, report: CustomerImportReport, now: datetime | None
    ) -> None:
        self.db, self.report, self.now = db, report, now
        self.skus = {row[0] for row in db.execute("SELECT sku FROM products")}
        self.customers: set[str] = set()
        self.seen: dict[Any, str] = {}
        self.erased = ErasureList(db)

    def run(self, batch: _Batch) -> None:
        """Store customers first, so purchases and events in any file can refer to them."""
        steps: dict[str, Callable[[RawRow], str]] = {
            "customers": self._customer, "purchases": self._purchase, "events": self._event,
        }  # fmt: skip
        for kind in KINDS:
            if kind != "customers":
                self.customers = {row[0] for row in self.db.execute("SELECT id FROM customers")}
            for start in range(0, len(batch.rows[kind]), BATCH_ROWS):
                with write_transaction(self.db):
                    for raw in batch.rows[kind][start : start + BATCH_ROWS]:
                        self._one(kind, raw, steps[kind])

    def _one(self, kind: str, raw: RawRow, step: Callable[[RawRow], str]) -> None:
        if self._erased_on_request(kind, raw):
            self.report.erased_skipped += 1
            return
        try:
            if raw.error:
                raise RowError(raw.error)
            outcome = step(raw)
        except RowError as error:
            self._reject(raw, str(error))
            return
        self.report.counts[kind][outcome] += 1

    def _erased_on_request(self, kind: str, raw: RawRow) -> bool:
        """Whether the row is about an erased customer; checked first, so nothing of it is kept
        (not even a quarantine reason naming the id)."""
        if not self.erased or not isinstance(raw.data, dict):
            return False
        value = canonical_row(raw.data).get("id" if kind == "customers" else "customer_id")
        return value is not None and str(value) in self.erased

    def _reject(self, raw: RawRow, reason: str) -> None:
        _quarantine(self.db, raw.source, raw.row_number, reason, _masked(raw))
        self.report.quarantined += 1
        if len(self.report.quarantine_samples) < SAMPLES:
            self.report.quarantine_samples.append(f"{raw.source} row {raw.row_number}: {reason}")

    def _first(self, key: Any, raw: RawRow, what: str, fix: str = "") -> None:
        """Refuse a second row with the same key in one import (which one is right?)."""
        here = f"{raw.source} row {raw.row_number}"
        first = self.seen.setdefault(key, here)
        if first != here:
            raise RowError(f"duplicate {what} (first seen at {first}){'; ' + fix if fix else ''}")

    def _customer(self, raw: RawRow) -> str:
        customer = validate_customer(raw.data, self.now)
        self._first(("customer", customer.id), raw, f"customer id {customer.id}")
        if customer.loyalty_number:
            self._first(("loyalty", customer.loyalty_number), raw,
                        f"loyalty number {customer.loyalty_number}")  # fmt: skip
        return _upsert_customer(self.db, customer, raw.source)

    def _known(self, customer_id: str, sku: str) -> None:
        if customer_id not in self.customers:
            raise RowError(f"customer {customer_id} is not known; import the customer first")
        if sku not in self.skus:
            raise RowError(f"sku {sku} is not in the catalogue; import products first (ingest)")

    def _purchase(self, raw: RawRow) -> str:
        purchase = validate_purchase(raw.data, self.now)
        self._known(purchase.customer_id, purchase.sku)
        key = ("purchase", purchase.customer_id, purchase.sku, purchase.purchased_at)
        self._first(
            key, raw, "purchase line (same customer, sku and time)", "add up the quantities"
        )
        return _upsert_purchase(self.db, purchase)

    def _event(self, raw: RawRow) -> str:
        event = validate_event(raw.data, self.now)
        self._known(event.customer_id, event.sku)
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO customer_events(customer_id, sku, kind, occurred_at)"
            " VALUES (?, ?, ?, ?)",
            [event.customer_id, event.sku, event.kind, event.occurred_at],
        )
        return "inserted" if cursor.rowcount else "unchanged"


def _upsert_customer(db: sqlite_utils.Database, customer: Customer, source: str) -> str:
    if customer.loyalty_number:
        owner = db.execute(
            "SELECT id FROM customers WHERE loyalty_number = ? AND id != ?",
            [customer.loyalty_number, customer.id],
        ).fetchone()
        if owner:
            raise RowError(
                f"loyalty number {customer.loyalty_number} belongs to customer {owner[0]}"
            )
    existing = db.execute(
        "SELECT content_hash FROM customers WHERE id = ?", [customer.id]
    ).fetchone()
    if existing and existing[0] == customer.content_hash:
        return "unchanged"
    values = [customer.display_name, customer.loyalty_number, customer.email, customer.phone,
              int(customer.consent_personalisation), customer.created_at, source,
              customer.content_hash, utc_now(), customer.id]  # fmt: skip
    if existing:
        db.execute(
            "UPDATE customers SET display_name=?, loyalty_number=?, email=?, phone=?,"
            " consent_personalisation=?, created_at=?, source=?, content_hash=?, updated_at=?"
            " WHERE id=?",
            values,
        )
        return "updated"
    db.execute(
        "INSERT INTO customers(display_name, loyalty_number, email, phone, consent_personalisation,"
        " created_at, source, content_hash, updated_at, id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        values,
    )
    return "inserted"


def _upsert_purchase(db: sqlite_utils.Database, purchase: Purchase) -> str:
    key = [purchase.customer_id, purchase.sku, purchase.purchased_at]
    existing = db.execute(
        "SELECT quantity, price FROM customer_purchases"
        " WHERE customer_id = ? AND sku = ? AND purchased_at = ?",
        key,
    ).fetchone()
    if existing and tuple(existing) == (purchase.quantity, purchase.price):
        return "unchanged"
    if existing:
        db.execute(
            "UPDATE customer_purchases SET quantity = ?, price = ?"
            " WHERE customer_id = ? AND sku = ? AND purchased_at = ?",
            [purchase.quantity, purchase.price, *key],
        )
        return "updated"
    db.execute(
        "INSERT INTO customer_purchases(customer_id, sku, quantity, price, purchased_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [*key[:2], purchase.quantity, purchase.price, purchase.purchased_at],
    )
    return "inserted"


def _quarantine(db: sqlite_utils.Database, source: str, row: int, reason: str, raw: str) -> None:
    db.execute(
        "INSERT INTO quarantine(source, row_number, reason, raw, created_at) VALUES (?, ?, ?, ?, ?)",
        [source, row, reason, raw, utc_now()],
    )


def _masked(raw: RawRow) -> str:
    """The row with every value that could identify a person replaced (names, ids, contacts)."""
    if not isinstance(raw.data, dict):
        return NOT_KEPT
    row = canonical_row(raw.data)
    kept = {key: (value if key in NON_PERSONAL else "[removed]") for key, value in row.items()}
    return json.dumps(kept, ensure_ascii=False, default=str)[:2000]
