"""What localbot holds about people, for how long, and how it is erased, exported and kept local.

- **Retention**: :func:`purge_expired` deletes conversations, turns and feedback older than
  ``retention_days`` with everything derived from them; it runs whenever the database is opened
  (:func:`open_governed` for commands, the Assistant for the UI, both through
  :func:`privacy_at_startup`) and with ``localbot purge``.
- **Erasure**: :func:`forget_session` and :func:`forget_customer` delete everything held about a
  session or a person. Deleted rows are overwritten (``PRAGMA secure_delete``) and the
  write-ahead log is checkpointed and truncated, so the bytes leave the files too. An erased
  customer goes on the :class:`ErasureList` (a keyed hash of the id, nothing else), which the
  customer import consults, so re-importing the loyalty export does not bring them back.
- **Access**: :func:`export_customer` gathers everything held about a person (a subject access
  request); :func:`iter_interactions` yields redacted turns for audits.
- **Files**: the data folder and its files are readable by their owner only.
- **Network**: :func:`network_guard` is an audit hook that refuses any socket connection except a
  local Unix socket; the tests run the whole assistant under it.

Extending (the customers and insights work plug in here, nowhere else):

- a table holding rows about a customer gets a :class:`PersonalTable` line in
  :data:`PERSONAL_TABLES`; forget and export then cover it;
- a store derived from turns (question embeddings, an FTS index over questions, insight
  clusters) gets a :class:`DerivedStore` line in :data:`DERIVED_STORES`: a function that deletes
  its rows for a list of turn ids. Purge and forget call it before the turns go. Reused copies of
  an answer (turns naming it in ``timings.reused_from_turn``) are one such store, erased by
  forget only.
- **Personal answers**: :func:`personal_turn_sql` tells which turns were answered for a
  customer; reuse, the training export and FAQ drafts never use them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import socket
import sqlite3
import stat
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import sqlite_utils

from localbot.db import (
    DatabaseError,
    get_meta,
    open_database,
    pending_migrations,
    set_meta,
    utc_now,
    write_transaction,
)
from localbot.paths import ensure_private_dir
from localbot.privacy import redact

if TYPE_CHECKING:
    from localbot.config import Settings

Exporter = Callable[[sqlite_utils.Database, str], list[dict[str, Any]]]
Eraser = Callable[[sqlite_utils.Database, str], dict[str, int]]
TurnEraser = Callable[[sqlite_utils.Database, Sequence[int]], int]
# SQLite allows 32,766 bound parameters; stay well below it when deleting by id.
ID_CHUNK = 500
# The meta entry holding the key of the erasure list's hashes (see ErasureList).
ERASURE_KEY = "erasure_key"
# Quarantine entries of the customer import: it names their source 'customers:<file>', while the
# product import names its own by the file's resolved path (which starts with '/').
CUSTOMER_QUARANTINE = "source GLOB 'customers:*'"


class ErasureError(ValueError):
    """An erasure or export request that names nobody; the message says what to give instead."""


def require_id(value: str | None, what: str) -> str:
    """``value`` if it names something; a blank id would match nothing, or worse, everything."""
    if value is None or not value.strip():
        raise ErasureError(f"the {what} id is empty; give the id to erase or export")
    return value


@dataclass(frozen=True)
class ErasureReport:
    """Rows deleted per table or derived store, and whether the WAL was emptied afterwards."""

    rows: dict[str, int] = field(default_factory=dict)
    wal_cleared: bool = True
    # forget --customer: the id is on the erasure list (imports skip it) after this erasure
    import_blocked: bool = False

    @property
    def total(self) -> int:
        """All rows deleted."""
        return sum(self.rows.values())

    def describe(self) -> str:
        """One line for people, rows per table: 'sessions: 2, turns: 5, feedback: 1'."""
        parts = [f"{name}: {count}" for name, count in reversed(self.rows.items()) if count]
        return ", ".join(parts) or "nothing"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        data = {"rows": dict(self.rows), "total": self.total, "wal_cleared": self.wal_cleared}
        return {**data, "import_blocked": True} if self.import_blocked else data


# --- registries ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedStore:
    """Data computed from turns; ``erase_turns(db, turn_ids)`` deletes it and returns a row count.

    ``on_purge=False``: only forget erases it; retention leaves it alone, because its rows have
    an age of their own (a reused copy of an answer is another shopper's newer turn).
    """

    name: str
    description: str
    erase_turns: TurnEraser
    on_purge: bool = True


@dataclass(frozen=True)
class PersonalTable:
    """A table holding personal data keyed by a customer id; forget and export cover each one.

    By default export reads every column of the matching rows and erase deletes them; a table
    whose rows own other data (sessions own turns) passes its own functions. ``expires_column``
    names a timestamp column if the table's rows also fall under ``retention_days``.
    """

    table: str
    customer_column: str
    description: str
    export_rows: Exporter | None = None
    erase_rows: Eraser | None = None
    expires_column: str | None = None

    def export(self, db: sqlite_utils.Database, customer_id: str) -> list[dict[str, Any]]:
        """Every row held about the customer."""
        if self.export_rows:
            return self.export_rows(db, customer_id)
        if not db.table(self.table).exists():
            return []
        sql = f"SELECT * FROM [{self.table}] WHERE [{self.customer_column}] = ?"
        return _rows(db, sql, [customer_id])

    def erase(self, db: sqlite_utils.Database, customer_id: str) -> dict[str, int]:
        """Delete every row held about the customer; returns rows deleted per table."""
        if self.erase_rows:
            return self.erase_rows(db, customer_id)
        if not db.table(self.table).exists():
            return {}
        sql = f"DELETE FROM [{self.table}] WHERE [{self.customer_column}] = ?"
        return {self.table: db.execute(sql, [customer_id]).rowcount}


def _customer_sessions(db: sqlite_utils.Database, customer_id: str) -> list[str]:
    rows = db.execute(
        "SELECT id FROM sessions WHERE customer_id = ? ORDER BY created_at", [customer_id]
    )
    return [row[0] for row in rows]


def _export_customer_sessions(db: sqlite_utils.Database, customer_id: str) -> list[dict[str, Any]]:
    return [_session_record(db, session_id) for session_id in _customer_sessions(db, customer_id)]


def _erase_customer_sessions(db: sqlite_utils.Database, customer_id: str) -> dict[str, int]:
    return _erase_sessions(db, _customer_sessions(db, customer_id))


# The line build_context (prompting.py) puts in a prompt about a consenting customer.
CUSTOMER_LINE = "CUSTOMER: "


def personal_turn_sql(alias: str = "t") -> str:
    """SQL that is true for a turn answered for a customer, ``alias`` naming the turns table.

    Its session is linked to a customer, or its prompt had the CUSTOMER line (their purchases):
    the answer may speak of that person ("the harness you bought in March"), so it is never
    served to anyone else, exported for training or quoted in an FAQ draft.
    """
    return (
        f"(EXISTS (SELECT 1 FROM sessions ps WHERE ps.id = {alias}.session_id"
        f" AND ps.customer_id IS NOT NULL)"
        f" OR instr(char(10) || {alias}.context, char(10) || '{CUSTOMER_LINE}') > 0)"
    )


def reused_copies(db: sqlite_utils.Database, turn_ids: Sequence[int]) -> list[int]:
    """Other turns that served one of these answers again (a reuse names its source turn)."""
    wanted, copies = set(turn_ids), []
    for chunk in _chunks(turn_ids):
        marks = ",".join("?" * len(chunk))
        copies += _ids(db, "SELECT id FROM turns WHERE"
                       f" CAST(json_extract(timings, '$.reused_from_turn') AS INTEGER) IN ({marks})"
                       " ORDER BY id", chunk)  # fmt: skip
    return [turn_id for turn_id in copies if turn_id not in wanted]


def _erase_reused_copies(db: sqlite_utils.Database, turn_ids: Sequence[int]) -> int:
    """Delete the copies with their own derived rows and feedback; returns copies deleted."""
    copies = reused_copies(db, turn_ids)
    if not copies:
        return 0
    _erase_derived(db, copies)
    _delete_by_id(db, "feedback", "turn_id", copies)
    return _delete_by_id(db, "turns", "id", copies)


# Derived from turns: each store derived from logged turns adds a line here.
DERIVED_STORES: list[DerivedStore] = [
    DerivedStore(
        "question_vectors", "embeddings of logged questions (insights clusters)",
        lambda db, turn_ids: _delete_by_id(db, "question_vectors", "turn_id", turn_ids),
    ),
    DerivedStore(
        "answer_reviews", "staff approvals of logged answers for reuse",
        lambda db, turn_ids: _delete_by_id(db, "answer_reviews", "turn_id", turn_ids),
    ),
    # A reused answer is stored again, verbatim, in the session it was served to: forgetting the
    # answer must reach those copies too.
    DerivedStore(
        "reused_copies", "the answer served again to other shoppers (turns naming it their source)",
        _erase_reused_copies, on_purge=False,
    ),
]  # fmt: skip


def _quarantine_mentions(db: sqlite_utils.Database, customer_id: str) -> list[dict[str, Any]]:
    """Customer-import problems whose reason names the customer's id or loyalty number.

    The quarantine keeps no personal values of a rejected row, but its reason may name an id
    ("customer C0002 is not known") or a loyalty number ("duplicate loyalty number RL-1001").
    Only the customer import's entries are searched: a product file's problem ("SKU TENT-2 is
    not known") is about the catalogue, and an id that happens to look like one of its words
    must not delete it.
    """
    if not db.table("quarantine").exists():
        return []
    names = [customer_id.strip()]
    if db.table("customers").exists():  # read while the customer row still exists
        row = db.execute(
            "SELECT loyalty_number FROM customers WHERE id = ?", [customer_id]
        ).fetchone()
        names += [row[0].strip()] if row and row[0] and row[0].strip() else []
    if not all(names):
        return []  # an empty name would match every reason
    # Ids and loyalty numbers are letters, digits, '.', '_' and '-': match whole ones only.
    pattern = re.compile("|".join(rf"(?<![\w.-]){re.escape(n)}(?![\w.-])" for n in names))
    sql = f"SELECT * FROM quarantine WHERE {CUSTOMER_QUARANTINE} ORDER BY id"
    return [row for row in _rows(db, sql, []) if pattern.search(row["reason"])]


def _erase_quarantine_mentions(db: sqlite_utils.Database, customer_id: str) -> dict[str, int]:
    ids = [row["id"] for row in _quarantine_mentions(db, customer_id)]
    return {"quarantine": _delete_by_id(db, "quarantine", "id", ids)}


# Tables holding rows about a customer: forget and export cover each one, in this order.
PERSONAL_TABLES: list[PersonalTable] = [
    PersonalTable(
        "sessions", "customer_id", "conversations, with their turns and feedback",
        export_rows=_export_customer_sessions, erase_rows=_erase_customer_sessions,
    ),
    # Before customers: it looks the loyalty number up in the customer's row.
    PersonalTable(
        "quarantine", "reason", "customer-import problems naming their id or loyalty number",
        export_rows=_quarantine_mentions, erase_rows=_erase_quarantine_mentions,
    ),
    # Purchases and events before customers: deleting a customer row cascades to them, and each
    # table's own count would then read 0.
    PersonalTable("customer_purchases", "customer_id", "purchases: product, quantity, price, time"),
    PersonalTable("customer_events", "customer_id", "products viewed, wish-listed or put in a basket"),
    PersonalTable("customers", "id", "name, loyalty number, contact details and consent"),
]  # fmt: skip


# --- retention ----------------------------------------------------------------------------------


def purge_expired(
    db: sqlite_utils.Database, retention_days: int, now: datetime | None = None
) -> ErasureReport:
    """Delete turns, feedback and sessions older than ``retention_days``, with derived data."""
    cutoff = ((now or datetime.now(UTC)) - timedelta(days=retention_days)).isoformat(
        timespec="seconds"
    )
    with write_transaction(db):
        old_turns = _ids(db, "SELECT id FROM turns WHERE created_at < ?", [cutoff])
        rows = _erase_derived(db, old_turns, purging=True)
        rows["feedback"] = _delete(db, "feedback", "created_at < ?", [cutoff])
        rows["feedback"] += _delete_by_id(db, "feedback", "turn_id", old_turns)
        rows["turns"] = _delete_by_id(db, "turns", "id", old_turns)
        rows["sessions"] = _delete(
            db, "sessions",
            "created_at < ? AND NOT EXISTS (SELECT 1 FROM turns WHERE session_id = sessions.id)",
            [cutoff],
        )  # fmt: skip
        rows.update(_purge_personal_tables(db, cutoff))
        if copies := _erase_personal_copies(db):
            rows["personal_copies"] = copies
    return ErasureReport(rows, clear_deleted_pages(db) if any(rows.values()) else True)


def _erase_personal_copies(db: sqlite_utils.Database) -> int:
    """Delete reused copies of answers written for a customer (served before that was refused).

    Reuse no longer serves such answers; copies stored by an older version would otherwise stay
    in other shoppers' sessions until retention. Run with every purge, so at every start-up.
    """
    personal = _ids(db, f"SELECT t.id FROM turns t WHERE {personal_turn_sql('t')} AND t.id IN ("
                    "SELECT CAST(json_extract(timings, '$.reused_from_turn') AS INTEGER)"
                    " FROM turns WHERE json_extract(timings, '$.reused_from_turn') IS NOT NULL)",
                    [])  # fmt: skip
    return _erase_reused_copies(db, personal) if personal else 0


def _purge_personal_tables(db: sqlite_utils.Database, cutoff: str) -> dict[str, int]:
    """Expired rows of customer tables that fall under retention (``expires_column`` set)."""
    rows = {}
    for entry in PERSONAL_TABLES:
        if entry.expires_column and db.table(entry.table).exists():
            rows[entry.table] = _delete(db, entry.table, f"[{entry.expires_column}] < ?", [cutoff])
    return rows


def privacy_at_startup(db: sqlite_utils.Database, retention_days: int, home: Path) -> ErasureReport:
    """Start-up duties: purge what is past retention and make the data files owner-only."""
    restrict_permissions(home)
    return purge_expired(db, retention_days)


def open_governed(
    settings: Settings, retention_days: int | None = None, migrate: bool = True
) -> tuple[sqlite_utils.Database, ErasureReport]:
    """Open the database as every command does: nothing past retention is readable afterwards.

    Creates the data folder owner-only, opens (and migrates) the database, makes the files
    owner-only and purges what is older than ``retention_days`` (the setting by default), before
    the caller reads a row. With ``migrate=False`` (the doctor's look at an old file) a schema
    that is behind is not purged, since the purge needs the current tables; only file modes are
    fixed then.
    """
    try:
        ensure_private_dir(settings.home)
    except OSError as error:  # LOCALBOT_HOME naming a file: say which setting to change
        raise DatabaseError(
            f"cannot use {settings.home} as the data folder ({error.strerror or error}); point"
            " LOCALBOT_HOME or --home at a folder you may write to"
        ) from error
    db = open_database(settings.database_path, migrate=migrate)
    if not migrate and pending_migrations(db):
        restrict_permissions(settings.home)
        return db, ErasureReport()
    days = settings.retention_days if retention_days is None else retention_days
    return db, privacy_at_startup(db, days, settings.home)


# --- erasure ------------------------------------------------------------------------------------


def forget_session(db: sqlite_utils.Database, session_id: str) -> ErasureReport:
    """Erase one session: its turns, feedback and derived data, then scrub the files."""
    require_id(session_id, "session")
    with write_transaction(db):
        rows = _erase_sessions(db, [session_id])
    return ErasureReport(rows, clear_deleted_pages(db))


def forget_customer(db: sqlite_utils.Database, customer_id: str) -> ErasureReport:
    """Erase everything held about a customer in every registered table, then scrub the files.

    The id also goes on the erasure list, even when nothing was stored yet (the request may come
    before the loyalty export is imported): the customer import skips it from then on.
    """
    require_id(customer_id, "customer")
    rows: dict[str, int] = {}
    with write_transaction(db):
        for entry in PERSONAL_TABLES:
            for name, count in entry.erase(db, customer_id).items():
                rows[name] = rows.get(name, 0) + count
        ErasureList(db).add(customer_id)
    return ErasureReport(rows, clear_deleted_pages(db), import_blocked=True)


class ErasureList:
    """Customer ids erased on request, kept as keyed hashes so that imports can skip them.

    An erasure must stick: the store's next loyalty export still lists the person, and importing
    it would bring them back. The list holds HMAC-SHA256 of the id under a random key made for
    this database (``meta`` key ``erasure_key``), and the day; no id, name or contact detail.
    Someone holding the database file and a guess at an id can test the guess, as they could
    with any pseudonym: the list hides ids from reading, not from a search with the key.
    """

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self._key = get_meta(db, ERASURE_KEY) if db.table("meta").exists() else ""
        # Read once: an import asks about every row, and the list stays small.
        stored = db.table("erased_customers").exists()
        rows = db.execute("SELECT id_hash FROM erased_customers") if stored else []
        self._hashes: set[str] = {row[0] for row in rows}

    def digest(self, customer_id: str) -> str:
        """The stored form of an id (the key is created with the first entry)."""
        if not self._key:
            self._key = secrets.token_hex(32)
            set_meta(self.db, ERASURE_KEY, self._key)
        message = customer_id.strip().encode("utf-8")
        return hmac.new(bytes.fromhex(self._key), message, hashlib.sha256).hexdigest()

    def __contains__(self, customer_id: object) -> bool:
        if not self._hashes or not isinstance(customer_id, str):
            return False
        return self.digest(customer_id) in self._hashes

    def __len__(self) -> int:
        return len(self._hashes)

    def add(self, customer_id: str) -> None:
        """Put the id on the list, in the caller's transaction; kept until lifted (retention does
        not apply: the list must outlive the data it keeps out)."""
        digest = self.digest(customer_id)
        self.db.execute(
            "INSERT OR IGNORE INTO erased_customers(id_hash, erased_on) VALUES (?, ?)",
            [digest, utc_now()[:10]],
        )
        self._hashes.add(digest)

    def lift(self, customer_id: str) -> bool:
        """Take the id off the list (the person re-joined); False if it was not on it."""
        if customer_id not in self:
            return False
        digest = self.digest(customer_id)
        with write_transaction(self.db):
            self.db.execute("DELETE FROM erased_customers WHERE id_hash = ?", [digest])
        self._hashes.discard(digest)
        return True


def _erase_sessions(db: sqlite_utils.Database, session_ids: Sequence[str]) -> dict[str, int]:
    """Delete sessions with their turns and feedback (counted before the cascade removes them)."""
    turn_ids: list[int] = []
    for chunk in _chunks(session_ids):
        marks = ",".join("?" * len(chunk))
        turn_ids += _ids(db, f"SELECT id FROM turns WHERE session_id IN ({marks})", list(chunk))
    rows = _erase_derived(db, turn_ids)
    rows["feedback"] = _delete_by_id(db, "feedback", "turn_id", turn_ids)
    rows["turns"] = _delete_by_id(db, "turns", "id", turn_ids)
    rows["sessions"] = _delete_by_id(db, "sessions", "id", session_ids)
    return rows


def _erase_derived(
    db: sqlite_utils.Database, turn_ids: Sequence[int], purging: bool = False
) -> dict[str, int]:
    """Call each derived store's eraser first, while the turns it refers to still exist."""
    stores = [store for store in DERIVED_STORES if store.on_purge or not purging]
    if not turn_ids:
        return {store.name: 0 for store in stores}
    return {store.name: store.erase_turns(db, turn_ids) for store in stores}


def clear_deleted_pages(db: sqlite_utils.Database) -> bool:
    """Copy the WAL into the database file and truncate it, so erased bytes leave both files.

    ``secure_delete`` zeroes deleted content in the pages that are written; the old copies of
    those pages sit in the write-ahead log until a checkpoint. TRUNCATE waits (busy timeout) for
    other connections to finish reading; False means one kept the log busy and the old copies
    stay there until the next checkpoint (run ``localbot purge`` again).
    """
    db.execute("PRAGMA secure_delete = ON")
    row = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return row is None or int(row[0]) == 0


# --- access -------------------------------------------------------------------------------------


def export_customer(db: sqlite_utils.Database, customer_id: str) -> dict[str, Any]:
    """Everything held about one customer, by table (a subject access request)."""
    require_id(customer_id, "customer")
    return {
        "subject": {"customer_id": customer_id},
        "exported_at": utc_now(),
        "about": "Everything localbot stores about this customer on this device. Questions "
        "were redacted before they were stored, so personal details appear as placeholders "
        "such as [PHONE].",
        "tables": {entry.table: entry.export(db, customer_id) for entry in PERSONAL_TABLES},
    }


def iter_interactions(db: sqlite_utils.Database) -> Iterator[dict[str, Any]]:
    """Every stored turn for an audit, oldest first, redacted again and without customer ids."""
    cursor = db.execute(
        "SELECT t.id, t.session_id, s.mode, s.customer_id IS NOT NULL, t.created_at, t.status,"
        " t.model, t.question, t.answer, t.products, t.corrections, t.timings, t.history_trimmed"
        " FROM turns t JOIN sessions s ON s.id = t.session_id ORDER BY t.created_at, t.id"
    )
    keys = ["turn_id", "session_id", "mode", "customer_linked", "created_at", "status", "model",
            "question", "answer", "products", "corrections", "timings", "history_trimmed"]  # fmt: skip
    for row in cursor.fetchall():
        record = dict(zip(keys, row, strict=True))
        yield _audit_record(db, record)


def _audit_record(db: sqlite_utils.Database, record: dict[str, Any]) -> dict[str, Any]:
    # Redacted again: rows stored before redaction was on, or with it off, must not leak here.
    record["question"] = redact(record["question"]).text
    record["answer"] = redact(record["answer"]).text
    record["customer_linked"] = bool(record["customer_linked"])
    for column in ("products", "corrections", "timings"):
        record[column] = json.loads(record[column])
    feedback = _rows(db, "SELECT rating, comment, created_at FROM feedback WHERE turn_id = ?"
                     " ORDER BY id", [record["turn_id"]])  # fmt: skip
    record["feedback"] = [{**f, "comment": redact(f["comment"]).text} for f in feedback]
    return record


def _session_record(db: sqlite_utils.Database, session_id: str) -> dict[str, Any]:
    session = _rows(db, "SELECT * FROM sessions WHERE id = ?", [session_id])[0]
    turns = _rows(db, "SELECT * FROM turns WHERE session_id = ? ORDER BY id", [session_id])
    for turn in turns:
        for column in ("retrieval", "products", "corrections", "timings"):
            turn[column] = json.loads(turn[column])
        turn["feedback"] = _rows(db, "SELECT * FROM feedback WHERE turn_id = ? ORDER BY id",
                                 [turn["id"]])  # fmt: skip
    return {**session, "turns": turns}


def oldest_stored(db: sqlite_utils.Database) -> str | None:
    """Timestamp of the oldest stored conversation or turn, or None if there are none."""
    try:
        row = db.execute(
            "SELECT min(created_at) FROM (SELECT created_at FROM sessions"
            " UNION ALL SELECT created_at FROM turns)"
        ).fetchone()
    except sqlite3.OperationalError:  # a database from before the interaction tables
        return None
    return row[0] if row else None


# --- files --------------------------------------------------------------------------------------


def open_private(path: Path) -> IO[str]:
    """Open ``path`` for writing (truncating it), readable and writable by its owner only.

    Use it for exports and log files: the mode is set when the file is created, so there is no
    moment when another user could read it.
    """
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # an existing file keeps its old mode through O_CREAT
    return os.fdopen(fd, "w", encoding="utf-8")


def loose_permissions(home: Path) -> list[Path]:
    """The data folder and localbot's files in it that other users can read or write."""
    if not home.is_dir():
        return []
    # Only localbot's own files, and never a home or root folder: LOCALBOT_HOME may point at one.
    ours = [p for p in home.iterdir() if _is_localbot_file(p)]
    candidates = ours if home.resolve() in (Path.home().resolve(), Path("/")) else [home, *ours]
    return [p for p in candidates if p.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)]


def _is_localbot_file(path: Path) -> bool:
    named = path.name.startswith("localbot.") or path.suffix in (".log", ".jsonl", ".json")
    return named and path.is_file() and not path.is_symlink()


def restrict_permissions(home: Path) -> list[Path]:
    """Make the data folder (0700) and the files in it (0600) owner-only; returns what changed."""
    changed = loose_permissions(home)
    for path in changed:
        path.chmod(0o700 if path.is_dir() else 0o600)
    return changed


# --- network guard ------------------------------------------------------------------------------


class NetworkUseError(RuntimeError):
    """Code tried to open a network connection while the network guard was on."""


@dataclass
class NetworkGuard:
    """Records (and refuses) network use while armed; see :func:`network_guard`."""

    violations: list[str] = field(default_factory=list)
    armed: bool = False


_GUARD = NetworkGuard()
_GUARD_LOCK = threading.Lock()
_HOOK_INSTALLED = False
_NETWORK_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg")
_LOOKUP_EVENTS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr")


@contextmanager
def network_guard() -> Iterator[NetworkGuard]:
    """Within the block, any socket connection other than a local Unix socket raises.

    Uses an audit hook on ``socket.connect`` (and ``sendto``, ``sendmsg`` and name look-ups), so it
    sees every connection made through Python's socket module, whichever library makes it.
    Native code that opens sockets itself is not seen: run such code under ``unshare -n`` too.
    """
    _install_hook()
    with _GUARD_LOCK:
        _GUARD.violations.clear()
        _GUARD.armed = True
    try:
        yield _GUARD
    finally:
        _GUARD.armed = False


def _install_hook() -> None:
    global _HOOK_INSTALLED
    with _GUARD_LOCK:
        if not _HOOK_INSTALLED:
            sys.addaudithook(_audit)  # audit hooks cannot be removed: install once, arm per use
            _HOOK_INSTALLED = True


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _GUARD.armed or not (event in _NETWORK_EVENTS or event in _LOOKUP_EVENTS):
        return
    if event in _NETWORK_EVENTS and getattr(args[0], "family", None) == socket.AF_UNIX:
        return
    target = args[1] if event in _NETWORK_EVENTS and len(args) > 1 else args[0]
    message = f"{event} to {target!r} while localbot must stay offline"
    _GUARD.violations.append(message)
    raise NetworkUseError(message)


# --- small SQL helpers --------------------------------------------------------------------------


def _rows(db: sqlite_utils.Database, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
    cursor = db.execute(sql, list(params))
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _ids(db: sqlite_utils.Database, sql: str, params: Sequence[Any]) -> list[Any]:
    return [row[0] for row in db.execute(sql, list(params)).fetchall()]


def _delete(db: sqlite_utils.Database, table: str, where: str, params: Sequence[Any]) -> int:
    return int(db.execute(f"DELETE FROM [{table}] WHERE {where}", list(params)).rowcount)


def _delete_by_id(db: sqlite_utils.Database, table: str, column: str, ids: Sequence[Any]) -> int:
    deleted = 0
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        deleted += _delete(db, table, f"[{column}] IN ({marks})", chunk)
    return deleted


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), ID_CHUNK):
        yield values[start : start + ID_CHUNK]
