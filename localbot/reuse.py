"""Approved answers: a thumbs-up answer is served again to questions that mean the same.

Approval is read live from the feedback and review tables, so nothing has to be kept in step: an
answer is approved while it has a thumbs up or a staff approval, no thumbs down and no staff
retirement; a thumbs down on it (or on a reply that reused it) retires it at once, and an answer
rated down is never approved again. An answer written for a customer (its session is linked to
one, or its prompt had their purchases) is never approved: it may speak of that person, and
reuse would serve it to every shopper asking alike, the kiosk included. Question vectors come
from the insights cache (``question_vectors``, erased with the turns). Product facts in a reused
answer are checked against the database now, so prices and stock are current.
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
from localbot.db import utc_now, write_transaction
from localbot.embeddings import Embedder
from localbot.governance import personal_turn_sql
from localbot.insights import cached_question_vectors
from localbot.verify import Correction, FactChecker, StreamingVerifier

# Cosine similarity two questions need to share an answer. MiniLM gives rewordings of one
# question 0.85-0.95 and merely related questions (another tent size, another policy) 0.6-0.8.
REUSE_THRESHOLD = 0.9
REUSED_MODEL = "reused"
Lookup = Callable[[str], Product | None]

# Answers a thumbs down has retired: rated down themselves, or served again and rated down there.
_RATED_DOWN = """
    EXISTS (SELECT 1 FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'down')
    OR t.id IN (
      SELECT CAST(json_extract(r.timings, '$.reused_from_turn') AS INTEGER) FROM turns r
      JOIN feedback f ON f.turn_id = r.id AND f.rating = 'down'
      WHERE r.model = 'reused')
"""
_DECISION = "(SELECT decision FROM answer_reviews v WHERE v.turn_id = t.id)"
# Answers that could ever be served again: complete, generated, and not written for a customer.
_REUSABLE = f"""
    t.status = 'complete' AND t.answer != '' AND t.model != '{REUSED_MODEL}'
    AND NOT {personal_turn_sql("t")}
"""
_APPROVED = f"""
    {_REUSABLE}
    AND NOT ({_RATED_DOWN})
    AND coalesce({_DECISION}, '') != 'retired'
    AND (EXISTS (SELECT 1 FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'up')
         OR {_DECISION} = 'approved')
"""
_APPROVED_SQL = (
    f"SELECT t.id, t.question, t.answer, t.products FROM turns t WHERE {_APPROVED} ORDER BY t.id"
)


@dataclass(frozen=True)
class ApprovedAnswer:
    """An approved past answer that fits a new question."""

    turn_id: int
    question: str
    answer: str
    skus: list[str]
    similarity: float


class ReviewError(ValueError):
    """A staff decision that cannot be taken; the message says why and what to do."""


@dataclass(frozen=True)
class ReviewItem:
    """A logged answer as staff review it: its state and its ratings."""

    turn_id: int
    question: str
    answer: str
    state: str  # 'approved' (served again), 'pending' or 'retired'
    ups: int
    downs: int
    created_at: str


def answers_for_review(db: sqlite_utils.Database, limit: int = 50) -> list[ReviewItem]:
    """Recent generated answers, newest first, with whether each is approved for reuse.

    Answers written for a customer are not listed: they are never reused, so there is nothing
    to decide about them.
    """
    rows = db.execute(
        f"""SELECT t.id, t.question, t.answer, t.created_at,
                   (SELECT count(*) FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'up'),
                   (SELECT count(*) FROM feedback f WHERE f.turn_id = t.id AND f.rating = 'down'),
                   {_APPROVED}, ({_RATED_DOWN}) OR coalesce({_DECISION}, '') = 'retired'
            FROM turns t WHERE {_REUSABLE}
            ORDER BY t.id DESC LIMIT ?""",
        [limit],
    ).fetchall()
    return [
        ReviewItem(row[0], row[1], row[2], _state(row[6], row[7]), row[4], row[5], row[3])
        for row in rows
    ]


def _state(approved: int, retired: int) -> str:
    return "approved" if approved else "retired" if retired else "pending"


def decide(db: sqlite_utils.Database, turn_id: int, decision: str) -> None:
    """Record a staff decision ('approved' or 'retired') on a logged answer."""
    row = db.execute(
        f"SELECT t.status, t.model, t.answer, ({_RATED_DOWN}), {personal_turn_sql('t')}"
        " FROM turns t WHERE t.id = ?",
        [turn_id],
    ).fetchone()
    if row is None:
        raise ReviewError(f"no answer with turn id {turn_id}; pick one from the review list")
    status, model, answer, rated_down, personal = row
    if decision == "approved":
        if status != "complete" or not answer or model == REUSED_MODEL:
            raise ReviewError(
                f"turn {turn_id} is not a complete generated answer; approve the original answer"
            )
        if personal:
            raise ReviewError(
                f"turn {turn_id} was answered for a customer, and such answers are never reused"
            )
        if rated_down:
            raise ReviewError(
                f"turn {turn_id} was rated down, and answers rated down are never reused"
            )
    with write_transaction(db):
        db.execute(
            "INSERT INTO answer_reviews(turn_id, decision, decided_at) VALUES (?, ?, ?)"
            " ON CONFLICT(turn_id) DO UPDATE SET decision = excluded.decision,"
            " decided_at = excluded.decided_at",
            [turn_id, decision, utc_now()],
        )


def approved_answers(db: sqlite_utils.Database) -> list[tuple[int, str, str, list[str]]]:
    """(turn id, question, answer, SKUs) of every answer currently approved, oldest first.

    Never one written for a customer, so neither reuse nor the training export sees one.
    """
    return [(row[0], row[1], row[2], json.loads(row[3])) for row in db.execute(_APPROVED_SQL)]


def personal_rated_up(db: sqlite_utils.Database) -> int:
    """How many answers rated up were written for a customer (so are never approved)."""
    sql = (
        "SELECT count(*) FROM turns t WHERE EXISTS (SELECT 1 FROM feedback f"
        f" WHERE f.turn_id = t.id AND f.rating = 'up') AND {personal_turn_sql('t')}"
    )
    return int(db.execute(sql).fetchone()[0])


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
    answer: str, products: Sequence[Product], lookup: Lookup, documents: Sequence[str] = ()
) -> tuple[str, list[Correction]]:
    """The answer with prices and stock claims checked against the products as they are now.

    ``documents`` are the texts of the store passages the answer was written from: amounts
    quoted from them (fees, deposits) stay, as they did when the answer was checked first.
    """
    verifier = StreamingVerifier(FactChecker(products, lookup, documents=documents))
    verifier.feed(answer)
    verifier.finish()
    return verifier.text.strip(), list(verifier.corrections)
