"""The raw-bytes reader of the erasure tests copes with SQLite removing its -wal/-shm files."""

import sqlite3
from pathlib import Path

from sqlite_files import raw_bytes


def wal_database(path: Path) -> sqlite3.Connection:
    """An open database in WAL mode with a row in its log, so -wal and -shm exist."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("CREATE TABLE t (value TEXT)")
    connection.execute("INSERT INTO t VALUES ('walmark-5521')")
    connection.commit()
    return connection


def test_a_file_removed_while_listing_is_read_again_not_an_error(tmp_path, monkeypatch):
    path = tmp_path / "x.db"
    connection = wal_database(path)
    shm = Path(f"{path}-shm")
    assert shm.exists()
    real_read = Path.read_bytes
    calls = []

    def closing_mid_listing(self: Path) -> bytes:
        # As when a collected connection closes: SQLite deletes -shm between listing and reading.
        calls.append(self.name)
        if self == shm and calls.count(self.name) == 1:
            self.unlink()
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", closing_mid_listing)
    data = raw_bytes(path)
    connection.close()

    assert b"walmark-5521" in data  # the second pass still read the -wal
    assert calls.count("x.db") == 2  # the whole pass was read again


def test_a_dropped_connection_is_finalised_before_reading(tmp_path):
    path = tmp_path / "x.db"
    connection = wal_database(path)
    holder: list[object] = [connection]
    holder.append(holder)  # a reference cycle: only the garbage collector frees it
    del connection, holder

    data = raw_bytes(path)

    # The last connection closed, checkpointed and removed its log before the files were read.
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    assert b"walmark-5521" in data
