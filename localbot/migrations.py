"""The schema, as named migrations applied in order when the database opens.

Never edit a migration that has shipped: add a new one below it. Names are ``NNNN_what``.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("localbot")


def _execute_script(db: sqlite_utils.Database, script: str) -> None:
    """Run statements one at a time: ``executescript`` would COMMIT the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


@MIGRATIONS(name="0001_catalogue")
def catalogue(db: sqlite_utils.Database) -> None:
    """Products, document chunks, the quarantine and ingest bookkeeping."""
    _execute_script(
        db,
        """
        CREATE TABLE products (
            sku TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            brand TEXT NOT NULL DEFAULT '',
            category TEXT NOT NULL DEFAULT '',
            description TEXT NOT NULL DEFAULT '',
            price REAL NOT NULL,
            currency TEXT NOT NULL,
            stock INTEGER NOT NULL DEFAULT 0,
            attributes TEXT NOT NULL DEFAULT '{}',
            source TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX products_price ON products(price);
        CREATE INDEX products_brand ON products(brand COLLATE NOCASE);
        CREATE INDEX products_category ON products(category COLLATE NOCASE);
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,              -- path#chunk
            path TEXT NOT NULL,
            title TEXT NOT NULL,
            heading TEXT NOT NULL DEFAULT '',
            chunk INTEGER NOT NULL,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX documents_path ON documents(path);
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            row_number INTEGER NOT NULL,
            reason TEXT NOT NULL,
            raw TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


@MIGRATIONS(name="0002_search_index")
def search_index(db: sqlite_utils.Database) -> None:
    """One searchable row per product or document chunk: FTS5 text and a float32 embedding."""
    _execute_script(
        db,
        """
        CREATE TABLE search_items (
            id INTEGER PRIMARY KEY,
            item_key TEXT NOT NULL UNIQUE,    -- 'product:SKU' or 'document:path#chunk'
            kind TEXT NOT NULL,               -- 'product' or 'document'
            ref TEXT NOT NULL,                -- the SKU or the document chunk id
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            embedding BLOB,                   -- normalised float32, NULL until embedded
            embedding_model TEXT
        );
        CREATE VIRTUAL TABLE search_fts USING fts5(
            text, content='search_items', content_rowid='id', tokenize='porter unicode61'
        );
        CREATE TRIGGER search_items_ai AFTER INSERT ON search_items BEGIN
            INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER search_items_ad AFTER DELETE ON search_items BEGIN
            INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER search_items_au AFTER UPDATE OF text ON search_items BEGIN
            INSERT INTO search_fts(search_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO search_fts(rowid, text) VALUES (new.id, new.text);
        END;
        """,
    )


@MIGRATIONS(name="0003_interactions")
def interactions(db: sqlite_utils.Database) -> None:
    """Sessions, turns with their retrieval traces and timings, and feedback."""
    _execute_script(
        db,
        """
        CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            mode TEXT NOT NULL DEFAULT 'staff',
            customer_id TEXT,
            context_start INTEGER NOT NULL DEFAULT 0   -- first turn id still in the model's context
        );
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            question TEXT NOT NULL,               -- redacted before it is stored
            context TEXT NOT NULL DEFAULT '',      -- catalogue lines the model was given
            answer TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'complete',   -- complete, cancelled, no_match, error
            model TEXT NOT NULL DEFAULT '',
            retrieval TEXT NOT NULL DEFAULT '[]',      -- JSON: [{key, score, rank}]
            products TEXT NOT NULL DEFAULT '[]',       -- JSON: SKUs shown as cards
            corrections TEXT NOT NULL DEFAULT '[]',    -- JSON: facts the verifier fixed
            timings TEXT NOT NULL DEFAULT '{}',        -- JSON: retrieval_ms, ttft_ms, ...
            history_trimmed INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX turns_session ON turns(session_id);
        CREATE INDEX turns_created ON turns(created_at);
        CREATE TABLE feedback (
            id INTEGER PRIMARY KEY,
            turn_id INTEGER NOT NULL REFERENCES turns(id) ON DELETE CASCADE,
            rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
            comment TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX feedback_turn ON feedback(turn_id);
        """,
    )


@MIGRATIONS(name="0005_customers")
def customers(db: sqlite_utils.Database) -> None:
    """Known customers, their purchases and browsing events (personal data: see governance.py).

    Contact details are kept only as given (email, phone), never shown in lists or sent to the
    model; ``consent_personalisation`` gates every personal use of the other tables.
    """
    _execute_script(
        db,
        """
        CREATE TABLE customers (
            id TEXT PRIMARY KEY,
            display_name TEXT NOT NULL,
            loyalty_number TEXT UNIQUE,           -- NULL when the customer has none
            email TEXT,
            phone TEXT,
            consent_personalisation INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX customers_name ON customers(display_name COLLATE NOCASE);
        CREATE TABLE customer_purchases (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            sku TEXT NOT NULL,
            quantity INTEGER NOT NULL,
            price REAL NOT NULL,                  -- unit price paid
            purchased_at TEXT NOT NULL,           -- one basket = one customer and one time
            UNIQUE (customer_id, sku, purchased_at)
        );
        CREATE INDEX customer_purchases_sku ON customer_purchases(sku);
        CREATE TABLE customer_events (
            id INTEGER PRIMARY KEY,
            customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
            sku TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('view', 'wishlist', 'cart')),
            occurred_at TEXT NOT NULL,
            UNIQUE (customer_id, sku, kind, occurred_at)
        );
        """,
    )


@MIGRATIONS(name="0006_question_vectors")
def question_vectors(db: sqlite_utils.Database) -> None:
    """Cached embeddings of logged (redacted) questions for insights; derived from turns."""
    _execute_script(
        db,
        """
        CREATE TABLE question_vectors (
            turn_id INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            content_hash TEXT NOT NULL,          -- of model + redacted question: re-embed on change
            embedding BLOB NOT NULL              -- normalised float32
        );
        """,
    )


@MIGRATIONS(name="0007_answer_reviews")
def answer_reviews(db: sqlite_utils.Database) -> None:
    """Staff decisions on logged answers: approved for reuse, or retired (see reuse.py)."""
    _execute_script(
        db,
        """
        CREATE TABLE answer_reviews (
            turn_id INTEGER PRIMARY KEY REFERENCES turns(id) ON DELETE CASCADE,
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'retired')),
            decided_at TEXT NOT NULL
        );
        """,
    )


@MIGRATIONS(name="0008_catalogue_sources")
def catalogue_sources(db: sqlite_utils.Database) -> None:
    """The file each document came from, and indexes to find a file's rows on re-import.

    ``products.source``, ``documents.source`` and ``quarantine.source`` hold the resolved path of
    the imported file (see ``catalogue.readers.SourceFile``). Rows imported before this migration
    have a short name there (or nothing); a re-import links them to their file again.
    """
    _execute_script(
        db,
        """
        ALTER TABLE documents ADD COLUMN source TEXT NOT NULL DEFAULT '';
        CREATE INDEX documents_source ON documents(source);
        CREATE INDEX products_source ON products(source);
        CREATE INDEX quarantine_source ON quarantine(source);
        """,
    )


@MIGRATIONS(name="0009_erasure_list")
def erasure_list(db: sqlite_utils.Database) -> None:
    """Customers erased on request, so an import does not bring them back (governance.ErasureList).

    Only a keyed hash of the customer id is kept (HMAC-SHA256 with a random key in ``meta``),
    never the id, a name or a contact detail; the day shows when the request was honoured.
    """
    _execute_script(
        db,
        """
        CREATE TABLE erased_customers (
            id_hash TEXT PRIMARY KEY,            -- hex HMAC-SHA256(meta 'erasure_key', customer id)
            erased_on TEXT NOT NULL              -- YYYY-MM-DD
        );
        """,
    )


@MIGRATIONS(name="0010_one_vote_per_answer")
def one_vote_per_answer(db: sqlite_utils.Database) -> None:
    """Keep only the latest vote of each answer (store.add_feedback now replaces a vote).

    Databases from before then may hold an answer rated twice; the newest vote is the one the
    shopper or staff member meant, and counting both would skew insights and feedback boosts.
    """
    _execute_script(
        db,
        """
        DELETE FROM feedback
        WHERE id NOT IN (SELECT max(id) FROM feedback GROUP BY turn_id);
        """,
    )
