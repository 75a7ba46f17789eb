"""Fixtures and helpers for the customer tests: the demo store with its demo customers imported.

The demo customers are imported once per test session into a copy of the ingested demo
template; each test that needs them gets its own copy of that file.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from localbot.config import Settings
from localbot.customers.importer import import_customer_files
from localbot.db import open_database
from localbot.paths import knowledge_dir

# Demo customers the tests rely on (from scripts/generate_customers.py, seed 2026).
CONSENTING = "C0002"  # Kara Haddad: climbing, Summit & Co
NOT_CONSENTING = "C0001"  # Owen Usman


@pytest.fixture(scope="session")
def customers_template(demo_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database with knowledge/customers imported, closed and checkpointed."""
    path = tmp_path_factory.mktemp("customers") / "template.db"
    shutil.copyfile(demo_db_template, path)
    db = open_database(path)
    report = import_customer_files(db, [knowledge_dir() / "customers"])
    assert report.quarantined == 0, report.quarantine_samples
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def customers_db_path(settings: Settings, customers_template: Path) -> Path:
    """A private copy of the demo database with customers, at settings.database_path."""
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(customers_template, settings.database_path)
    return settings.database_path


@pytest.fixture
def customers_db(customers_db_path: Path) -> Iterator[sqlite_utils.Database]:
    """An open connection to that copy."""
    db = open_database(customers_db_path)
    yield db
    db.close()


def write_lines(path: Path, text: str) -> Path:
    """Write a small test file (dedented lines) and return its path."""
    path.write_text("\n".join(line.strip() for line in text.strip().splitlines()) + "\n")
    return path


def statements_during(db: sqlite_utils.Database, action: object) -> list[str]:
    """Every SQL statement ``action()`` runs on ``db`` (to prove what is never read)."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        action()  # type: ignore[operator]
    finally:
        db.conn.set_trace_callback(None)
    return seen
