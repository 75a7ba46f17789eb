"""Reading a SQLite database the way another program on the machine would: every byte on disk.

Erasure tests look for erased values in the database file and its ``-wal`` and ``-shm`` files. A
connection that a test dropped without closing may be finalised by the garbage collector at any
moment; SQLite then checkpoints and deletes ``-wal`` and ``-shm`` while they are being listed.
"""

from __future__ import annotations

import gc
from pathlib import Path

ATTEMPTS = 5


def raw_bytes(database_path: Path) -> bytes:
    """Every byte of the database and its -wal/-shm files, read in one pass no file vanished from.

    Dropped connections are finalised first, so their clean-up happens before the reading, not
    during it. If a file still vanishes mid-pass (another connection closing), the whole pass is
    read again: skipping it could miss a -wal whose pages were checkpointed into a main file
    already read, and an erasure test would then pass on bytes it never saw.
    """
    gc.collect()
    for _ in range(ATTEMPTS):
        files = sorted(database_path.parent.glob(database_path.name + "*"))
        try:
            return b"".join(path.read_bytes() for path in files)
        except FileNotFoundError:
            gc.collect()
    raise AssertionError(f"the files of {database_path} kept changing while being read")
