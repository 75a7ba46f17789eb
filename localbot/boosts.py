"""Retrieval feedback: items in answers rated up for similar questions move up, rated down move down.

Every rated answer is a vote about the items it was built from (its product cards, and the store
pages ranked near the top of its retrieval). A new question takes the votes of past questions
that mean nearly the same, each weighted by how close the question is and how recent the rating
is (half-life :data:`HALF_LIFE_DAYS`), and each item's total becomes a bounded change of its
fused search score: never more than :data:`MAX_BOOST` either way, so feedback re-orders close
candidates but cannot lift an item that search did not find, nor bury a strong match.

Nothing is stored: the votes are read from the feedback and turns tables (so retention, erasure
and ``forget`` apply to them at once) and kept in memory until the feedback changes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlite_utils
from numpy.typing import NDArray

from localbot.db import get_meta
from localbot.embeddings import Embedder
from localbot.insights import cached_question_vectors

# Questions at least this similar share votes; the weight rises linearly to 1 at identical.
# MiniLM gives rewordings 0.85-0.95 and questions about the same kind of thing 0.7-0.8.
SIMILAR = 0.7
# A rating counts half after this many days (the default retention keeps 30 days of them).
HALF_LIFE_DAYS = 14.0
# The largest change of a fused score. One first place in one ranking is worth 1/(RRF_K + 1)
# = 0.091 and neighbouring places differ by 0.004-0.008, so 0.06 moves an item a few places.
# Chosen with bench/feedback.py: 0.015, 0.03, 0.06 and 0.1 tried; 0.06 gave the best MRR on
# the rated questions, 0.1 started to lose relevant items (see bench/RESULTS.md).
MAX_BOOST = 0.06
# Store pages credited by a rated answer: those ranked this high in its retrieval.
CREDITED_DOCUMENT_RANK = 3
# Votes are re-read at least this often, so that ages keep decaying in a long-running kiosk.
RELOAD_SECONDS = 3600.0
UP, DOWN = 1.0, -1.0


@dataclass(frozen=True)
class Votes:
    """Rated questions as vectors, each with its weighted vote and the items it credits."""

    vectors: NDArray[np.float32]  # one row per rated question, normalised
    weights: NDArray[np.float64]  # +-decay per question (ratings of one turn summed)
    items: list[NDArray[np.int64]]  # search item ids each question's answer was built from

    def __len__(self) -> int:
        return len(self.items)


class FeedbackBoosts:
    """Score changes for the search items of a query vector, from the logged feedback."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        embedder: Embedder,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        self.db = db
        self.embedder = embedder
        self._now = now
        self._votes: Votes | None = None
        self._version: tuple[Any, ...] = ()
        self._loaded_at = 0.0

    def __call__(self, query_vector: NDArray[np.float32]) -> dict[int, float]:
        """Search item id -> change of its fused score (within +-MAX_BOOST)."""
        votes = self.votes()
        if not len(votes):
            return {}
        similarity = votes.vectors @ query_vector
        closeness = np.clip((similarity - SIMILAR) / (1.0 - SIMILAR), 0.0, 1.0)
        totals: dict[int, float] = {}
        for row in np.flatnonzero(closeness):
            vote = float(votes.weights[row] * closeness[row])
            for item in votes.items[row].tolist():
                totals[item] = totals.get(item, 0.0) + vote
        return {item: MAX_BOOST * math.tanh(total) for item, total in totals.items() if total}

    def votes(self) -> Votes:
        """The current votes, re-read when the feedback or the index changed."""
        version = self._current_version()
        stale = time.monotonic() - self._loaded_at > RELOAD_SECONDS
        if self._votes is None or version != self._version or stale:
            self._votes = load_votes(self.db, self.embedder, self._now() if self._now else None)
            self._version, self._loaded_at = version, time.monotonic()
        return self._votes

    def _current_version(self) -> tuple[Any, ...]:
        # Erasing a conversation deletes its feedback too, so the count and last id of the
        # feedback rows change whenever a vote appears or goes; a re-ingest renumbers items.
        counts = self.db.execute("SELECT count(*), max(id) FROM feedback").fetchone()
        return (*counts, get_meta(self.db, "index_version", "0"))


_RATED_SQL = """
SELECT t.id, t.question, t.products, t.retrieval, f.rating, f.created_at
FROM feedback f JOIN turns t ON t.id = f.turn_id
WHERE t.status = 'complete'
ORDER BY t.id
"""


def load_votes(db: sqlite_utils.Database, embedder: Embedder, now: datetime | None = None) -> Votes:
    """Read every rating of a complete answer into votes (empty when there are none)."""
    now = now or datetime.now(UTC)
    weights: dict[int, float] = {}
    credited: dict[int, list[str]] = {}
    questions: dict[int, str] = {}
    for turn_id, question, products, retrieval, rating, created_at in db.execute(_RATED_SQL):
        age_days = max(0.0, (now - _parse_time(created_at)).total_seconds() / 86400)
        vote = (UP if rating == "up" else DOWN) * 0.5 ** (age_days / HALF_LIFE_DAYS)
        weights[turn_id] = weights.get(turn_id, 0.0) + vote
        questions[turn_id] = question
        credited[turn_id] = credited_keys(json.loads(products), json.loads(retrieval))
    ids_by_key = _item_ids(db, {key for keys in credited.values() for key in keys})
    turn_ids = [t for t in questions if weights[t] and any(k in ids_by_key for k in credited[t])]
    if not turn_ids:
        return Votes(np.zeros((0, 0), np.float32), np.zeros(0), [])
    vectors = cached_question_vectors(db, embedder, {t: questions[t] for t in turn_ids})
    return Votes(
        np.stack([vectors[t] for t in turn_ids]).astype(np.float32),
        np.array([weights[t] for t in turn_ids]),
        [np.array([ids_by_key[k] for k in credited[t] if k in ids_by_key]) for t in turn_ids],
    )


def credited_keys(products: list[str], retrieval: list[Mapping[str, Any]]) -> list[str]:
    """Search keys an answer was built from: its product cards and its top store pages."""
    keys = [f"product:{sku}" for sku in products]
    keys += [
        str(hit["key"])
        for hit in retrieval
        if str(hit.get("key", "")).startswith("document:")
        and int(hit.get("rank", CREDITED_DOCUMENT_RANK + 1)) <= CREDITED_DOCUMENT_RANK
    ]
    return list(dict.fromkeys(keys))


def _item_ids(db: sqlite_utils.Database, keys: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), 500):  # SQLite's bound-parameter limit
        chunk = ordered[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for key, item_id in db.execute(
            f"SELECT item_key, id FROM search_items WHERE item_key IN ({marks})", chunk
        ):
            found[key] = int(item_id)
    return found


def _parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
