"""Approved answers: a thumbs-up answer is served again to questions that mean the same.

Approval is read live from the feedback table, so nothing has to be kept in step: an answer is
approved while it has a thumbs up and no thumbs down, and a thumbs down on it (or on a reply that
reused it) retires it at once. Question vectors come from the insights cache
(``question_vectors``, erased with the turns). Product facts in a reused answer are checked
against the database now, so prices and stock are current.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlite_utils

from localbot.catalogue.filters import QueryFilters
from localbot.catalogue.search import Product
from localbot.embeddings import Embedder
from localbot.insights import cached_question_vectors
from localbot.verify import Correction, FactChecker, StreamingVerifier

# Cosine similarity two questions need to share an answer. MiniLM gives rewordings of one
# question 0.85-0.95 and merely related questions (another tent size, another policy) 0.6-0.8.
REUSE_THRESHOLD = 0.9
REUSED_MODEL = "reused"
Lookup = Callable[[str], Product | None]

_APPROVED_SQL = """
SELECT t.id, t.question, t.answer, t.products FROM turns t
WHERE t.status = 'complete' AND t.answer != ''
  AND EXISTS (SELECT 1 FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'up')
  AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'down')
  AND t.id NOT IN (
      SELECT CAST(json_extract(r.timings, '$.reused_from_turn') AS INTEGER) FROM turns r
      JOIN feedback f ON f.turn_id = r.id AND f.rating = 'down'
      WHERE r.model = 'reused')
ORDER BY t.id
"""


@dataclass(frozen=True)
class ApprovedAnswer:
    """An approved past answer that fits a new question."""

    turn_id: int
    question: str
    answer: str
    skus: list[str]
    similarity: float


def approved_answers(db: sqlite_utils.Database) -> list[tuple[int, str, str, list[str]]]:
    """(turn id, question, answer, SKUs) of every answer currently approved, oldest first."""
    return [(row[0], row[1], row[2], json.loads(row[3])) for row in db.execute(_APPROVED_SQL)]


def filter_key(filters: QueryFilters) -> tuple[Any, ...]:
    """The parts of parsed filters two questions must share (price, stock, brand, category)."""
    return (
        filters.min_price, filters.max_price, filters.max_inclusive, filters.in_stock,
        tuple(sorted(b.lower() for b in filters.brands)),
        tuple(sorted(c.lower() for c in filters.categories)),
    )  # fmt: skip


def find_approved(
    db: sqlite_utils.Database,
    embedder: Embedder,
    question: str,
    parse: Callable[[str], QueryFilters],
    threshold: float = REUSE_THRESHOLD,
) -> ApprovedAnswer | None:
    """The approved answer whose question is most similar to ``question``, if above threshold."""
    wanted = filter_key(parse(question))
    candidates = [c for c in approved_answers(db) if filter_key(parse(c[1])) == wanted]
    if not candidates:
        return None
    vectors = cached_question_vectors(db, embedder, {c[0]: c[1] for c in candidates})
    query = embedder.embed_one(question)
    scores = np.array([float(vectors[c[0]] @ query) for c in candidates])
    best = int(np.argmax(scores))
    if scores[best] < threshold:
        return None
    turn_id, old_question, answer, skus = candidates[best]
    return ApprovedAnswer(turn_id, old_question, answer, skus, round(float(scores[best]), 4))


def refresh_answer(
    answer: str, products: Sequence[Product], lookup: Lookup
) -> tuple[str, list[Correction]]:
    """The answer with prices and stock claims checked against the products as they are now."""
    verifier = StreamingVerifier(FactChecker(products, lookup))
    verifier.feed(answer)
    verifier.finish()
    return verifier.text.strip(), list(verifier.corrections)
