"""The in-memory vector index: every item vector of one database in a float32 matrix.

Small catalogues are scored exactly with one matrix-vector product. Scoring 100k vectors that way
reads 150 MB per query (20-30 ms on two busy cores), so large catalogues are searched in two
stages. Each item also has a 384-bit sign code: one bit per dimension, set where the vector is
above the catalogue's mean vector (48 bytes per item instead of 1,536). The first stage estimates
every item's cosine from its code, the query (quantised to 4 bits per dimension) and two numbers
stored per item (the RaBitQ-style asymmetric estimate: far closer than the Hamming distance
between codes); the second scores the best ``shortlist`` items exactly. The codes are stored
column by column, so the first stage is a few passes of AND and popcount over contiguous arrays.
bench/search.py measures how often the result matches sqlite-vec's exhaustive search.

The matrix is reloaded only when ``meta.index_version`` says an ingest changed the index.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import sqlite_utils

from localbot.db import get_meta, set_meta
from localbot.embeddings import DIMENSIONS

if TYPE_CHECKING:
    from numpy.typing import NDArray

# Up to this many vectors an exact search takes a few ms, so it stays exact.
EXACT_LIMIT = 20_000
# Items scored exactly after the estimate: this share of the catalogue, at least SHORTLIST. On
# real MiniLM vectors (10k) and the synthetic 100k catalogue it finds the exact top 10 for 99.5%+
# of the demo questions (bench/RESULTS.md).
SHORTLIST = 4096
SHORTLIST_SHARE = 1 / 16
QUERY_BITS = 4
_WORDS = DIMENSIONS // 64


def bump_index_version(db: sqlite_utils.Database) -> None:
    """Tell every process's vector matrix that the index changed (items added, changed or removed)."""
    set_meta(db, "index_version", str(int(get_meta(db, "index_version", "0")) + 1))


class VectorIndex:
    """All item vectors of one database, their sign codes, and nearest-neighbour search."""

    def __init__(self) -> None:
        self.ids: NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self.matrix: NDArray[np.float32] = np.zeros((0, DIMENSIONS), dtype=np.float32)
        self.codes: SignCodes | None = None
        self.version = ""
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.ids)

    def refresh(self, db: sqlite_utils.Database, model_name: str) -> None:
        """Reload the matrix if an ingest changed the index since the last load."""
        version = get_meta(db, "index_version", "0") + "/" + model_name
        if version == self.version:
            return
        with self._lock:
            if version != self.version:
                self._load(db, model_name)
                self.version = version

    def _load(self, db: sqlite_utils.Database, model_name: str) -> None:
        rows = db.execute(
            "SELECT id, embedding FROM search_items WHERE embedding IS NOT NULL"
            " AND embedding_model = ? ORDER BY id",
            [model_name],
        ).fetchall()
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        blob = b"".join(row[1] for row in rows)
        del rows
        self.set_vectors(ids, np.frombuffer(blob, dtype="<f4").reshape(len(ids), DIMENSIONS))

    def set_vectors(self, ids: NDArray[np.int64], matrix: NDArray[np.float32]) -> None:
        """Use these (sorted ids, normalised rows); codes are built only for large catalogues."""
        self.ids, self.matrix = ids, matrix
        self.codes = SignCodes.build(matrix) if len(ids) > EXACT_LIMIT else None

    def rows_of(self, allowed: NDArray[np.int64]) -> NDArray[np.int64]:
        """Matrix rows of the item ids in ``allowed`` (sorted) that have a vector."""
        rows = np.searchsorted(self.ids, allowed)
        inside = rows < len(self.ids)
        rows, allowed = rows[inside], allowed[inside]
        return rows[self.ids[rows] == allowed]

    def nearest(
        self, query: NDArray[np.float32], limit: int, allowed: NDArray[np.int64] | None = None
    ) -> list[tuple[int, float]]:
        """Up to ``limit`` (item id, cosine) pairs, best first, optionally among ``allowed`` ids."""
        rows = None if allowed is None else self.rows_of(allowed)
        return self._best(query, limit, self.candidates(query, limit, rows))

    def candidates(
        self, query: NDArray[np.float32], limit: int, rows: NDArray[np.int64] | None = None
    ) -> NDArray[np.int64] | None:
        """Rows worth scoring exactly: all of them (None) when the catalogue is small."""
        count = len(self.ids) if rows is None else len(rows)
        keep = max(SHORTLIST, limit, int(count * SHORTLIST_SHARE))
        if self.codes is None or count <= keep:
            return rows
        estimate = self.codes.estimate(query, rows)
        best = np.argpartition(-estimate, keep - 1)[:keep]
        return np.sort(best if rows is None else rows[best])

    def scored(
        self, query: NDArray[np.float32], rows: NDArray[np.int64] | None
    ) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Item ids and exact cosines of ``rows`` (every row when None)."""
        matrix = self.matrix if rows is None else self.matrix[rows]
        return (self.ids if rows is None else self.ids[rows]), dot_rows(matrix, query)

    def _best(
        self, query: NDArray[np.float32], limit: int, rows: NDArray[np.int64] | None
    ) -> list[tuple[int, float]]:
        ids, scores = self.scored(query, rows)
        if len(ids) == 0:
            return []
        top = min(limit, len(ids))
        best = np.argpartition(-scores, top - 1)[:top]
        best = best[np.argsort(-scores[best])]
        return [(int(ids[i]), float(scores[i])) for i in best]


def dot_rows(matrix: NDArray[np.float32], query: NDArray[np.float32]) -> NDArray[np.float32]:
    """``matrix @ query`` on one thread.

    A matrix-vector product is memory-bound, so BLAS threads do not speed it up; on a busy
    2-core machine OpenBLAS's threads waiting for each other made it 40x slower (21 ms instead of
    0.5 ms for 10k rows), and in a shop the cores are busy generating text. einsum's own loop is
    single-threaded and as fast as one BLAS thread.
    """
    return np.einsum("ij,j->i", matrix, query)


@dataclass(frozen=True)
class SignCodes:
    """One bit per dimension and item, with what the cosine estimate needs per item."""

    center: NDArray[np.float32]
    bits: NDArray[np.uint64]  # (words, items): each row contiguous, for fast scans
    ones: NDArray[np.float32]  # set bits per item
    scale: NDArray[np.float32]  # |x - center|^2 / |x - center|_1
    offset: NDArray[np.float32]  # center . x

    @classmethod
    def build(cls, matrix: NDArray[np.float32]) -> SignCodes:
        """Codes for every row of ``matrix``."""
        center = matrix.mean(axis=0, dtype=np.float64).astype(np.float32)
        bits = np.empty((len(matrix), _WORDS), dtype=np.uint64)
        scale = np.empty(len(matrix), dtype=np.float32)
        for start in range(0, len(matrix), 65536):  # chunks keep the temporaries small
            part = matrix[start : start + 65536] - center
            bits[start : start + len(part)] = np.packbits(part > 0, axis=1).view(np.uint64)
            scale[start : start + len(part)] = np.einsum("ij,ij->i", part, part) / np.abs(part).sum(
                axis=1
            )
        ones = np.bitwise_count(bits).sum(axis=1).astype(np.float32)
        return cls(center, np.ascontiguousarray(bits.T), ones, scale, dot_rows(matrix, center))

    def estimate(
        self, query: NDArray[np.float32], rows: NDArray[np.int64] | None = None
    ) -> NDArray[np.float32]:
        """Estimated cosine of ``query`` with every item (or those in ``rows``).

        q.x = q'.x' + q.c + c.x with q' = q - c and x' = x - c; q'.x' is estimated as
        scale(x) * q'.sign(x'), and q'.sign(x') = 2 q'.bits(x) - sum(q'), where q' is quantised
        to QUERY_BITS bit planes so q'.bits(x) is a weighted sum of popcounts.
        """
        shifted = query - self.center
        low, step, planes = _quantise(shifted)
        bits = self.bits if rows is None else self.bits[:, rows]
        total = np.zeros(bits.shape[1], dtype=np.float32)
        for weight, plane in enumerate(planes):
            counts = np.bitwise_count(bits & plane[:, None]).sum(axis=0, dtype=np.uint16)
            total += counts * np.float32(step * (1 << weight))
        pick = (lambda a: a) if rows is None else (lambda a: a[rows])
        signed = 2 * (total + np.float32(low) * pick(self.ones)) - np.float32(shifted.sum())
        return pick(self.scale) * signed + pick(self.offset)


def _quantise(values: NDArray[np.float32]) -> tuple[float, float, list[NDArray[np.uint64]]]:
    """``values`` ~ low + step * sum(2^i * plane_i): the low value, the step and the bit planes."""
    low, high = float(values.min()), float(values.max())
    step = (high - low) / ((1 << QUERY_BITS) - 1) or 1.0
    levels = np.rint((values - low) / step).astype(np.uint8)
    planes = [np.packbits((levels >> i) & 1 > 0).view(np.uint64) for i in range(QUERY_BITS)]
    return low, step, planes
