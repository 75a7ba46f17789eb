"""Interactions kept on the device: sessions, turns with retrieval traces and timings, feedback.

Questions arrive here already redacted; nothing in this module sends data anywhere.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from localbot.db import utc_now, write_transaction

RATINGS = ("up", "down")


class StoreError(ValueError):
    """A request about stored interactions cannot be met (unknown id, bad rating)."""


@dataclass(frozen=True)
class StoredTurn:
    """A past turn, as needed to rebuild a conversation's prompt."""

    id: int
    question: str
    context: str
    answer: str
    status: str


@dataclass(frozen=True)
class TurnRecord:
    """Everything logged about one question and its answer."""

    session_id: str
    question: str
    context: str
    answer: str
    status: str
    model: str
    retrieval: list[dict[str, Any]]
    products: list[str]
    corrections: list[dict[str, Any]]
    timings: dict[str, float]
    history_trimmed: int = 0


class InteractionStore:
    """Reads and writes the interaction tables of one database."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def start_session(self, mode: str = "staff", customer_id: str | None = None) -> str:
        """Create a session and return its id."""
        session_id = uuid.uuid4().hex[:12]
        with write_transaction(self.db):
            self.db.execute(
                "INSERT INTO sessions(id, created_at, mode, customer_id) VALUES (?, ?, ?, ?)",
                [session_id, utc_now(), mode, customer_id],
            )
        return session_id

    def session_exists(self, session_id: str) -> bool:
        """Whether a session with this id is stored."""
        return (
            self.db.execute("SELECT 1 FROM sessions WHERE id = ?", [session_id]).fetchone()
            is not None
        )

    def history(self, session_id: str) -> list[StoredTurn]:
        """The session's turns still inside the model's context window, oldest first."""
        start = self.context_start(session_id)
        rows = self.db.execute(
            "SELECT id, question, context, answer, status FROM turns"
            " WHERE session_id = ? AND id >= ? AND status IN ('complete', 'cancelled')"
            " ORDER BY id",
            [session_id, start],
        ).fetchall()
        return [StoredTurn(*row) for row in rows]

    def context_start(self, session_id: str) -> int:
        """Id of the oldest turn the model still sees in this session."""
        row = self.db.execute(
            "SELECT context_start FROM sessions WHERE id = ?", [session_id]
        ).fetchone()
        return int(row[0]) if row else 0

    def set_context_start(self, session_id: str, turn_id: int) -> None:
        """Drop turns before ``turn_id`` from the model's view (they stay stored and visible)."""
        with write_transaction(self.db):
            self.db.execute(
                "UPDATE sessions SET context_start = ? WHERE id = ?", [turn_id, session_id]
            )

    def record_turn(self, record: TurnRecord) -> int:
        """Store one turn and return its id."""
        with write_transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO turns(session_id, created_at, question, context, answer, status, model,"
                " retrieval, products, corrections, timings, history_trimmed)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    record.session_id, utc_now(), record.question, record.context, record.answer,
                    record.status, record.model, json.dumps(record.retrieval),
                    json.dumps(record.products), json.dumps(record.corrections),
                    json.dumps(record.timings), record.history_trimmed,
                ],
            )  # fmt: skip
        return int(cursor.lastrowid or 0)

    def add_feedback(self, turn_id: int, rating: str, comment: str = "") -> int:
        """Record thumbs up/down (with an optional comment) for a turn; returns the feedback id.

        One vote per turn: rating a turn again replaces its earlier vote and comment. In one
        transaction the new row is written and then the older ones deleted (not updated in
        place, and in that order, so the new vote's id is above every id before it and readers
        that watch the newest feedback id see the change).
        """
        if rating not in RATINGS:
            raise StoreError(f"rating must be 'up' or 'down', not {rating!r}")
        with write_transaction(self.db):
            if self.db.execute("SELECT 1 FROM turns WHERE id = ?", [turn_id]).fetchone() is None:
                raise StoreError(
                    f"no turn with id {turn_id}; use the turn_id printed by 'localbot ask'"
                )
            cursor = self.db.execute(
                "INSERT INTO feedback(turn_id, rating, comment, created_at) VALUES (?, ?, ?, ?)",
                [turn_id, rating, comment.strip()[:2000], utc_now()],
            )
            feedback_id = int(cursor.lastrowid or 0)
            self.db.execute(
                "DELETE FROM feedback WHERE turn_id = ? AND id != ?", [turn_id, feedback_id]
            )
        return feedback_id

    def turn(self, turn_id: int) -> dict[str, Any] | None:
        """One stored turn as a dict (JSON columns decoded), or None."""
        cursor = self.db.execute("SELECT * FROM turns WHERE id = ?", [turn_id])
        row = cursor.fetchone()
        if row is None:
            return None
        record = dict(zip([c[0] for c in cursor.description], row, strict=True))
        for column in ("retrieval", "products", "corrections", "timings"):
            record[column] = json.loads(record[column])
        return record

    def feedback_for(self, turn_id: int) -> list[dict[str, Any]]:
        """Feedback rows for one turn, oldest first."""
        cursor = self.db.execute(
            "SELECT id, rating, comment, created_at FROM feedback WHERE turn_id = ? ORDER BY id",
            [turn_id],
        )
        return [
            dict(zip(["id", "rating", "comment", "created_at"], r, strict=True)) for r in cursor
        ]

    def sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent sessions (with the customer's id, if any), first question and turn count, newest first."""
        cursor = self.db.execute(
            "SELECT s.id, s.created_at, s.mode, s.customer_id, count(t.id),"
            " (SELECT question FROM turns WHERE session_id = s.id ORDER BY id LIMIT 1)"
            " FROM sessions s LEFT JOIN turns t ON t.session_id = s.id"
            " GROUP BY s.id ORDER BY s.created_at DESC, s.rowid DESC LIMIT ?",
            [limit],
        )
        keys = ["id", "created_at", "mode", "customer_id", "turns", "first_question"]
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    def turns(self, session_id: str) -> list[dict[str, Any]]:
        """Every stored turn of a session, oldest first (for reopening a conversation).

        Each turn carries its ``rating`` ('up', 'down' or None) and its ``retrieval`` trace,
        whose document items also name the document (``path`` and ``title``, when it is still
        in the catalogue), so a reopened answer can show its vote, why each card matched and
        the documents it drew on.
        """
        cursor = self.db.execute(
            "SELECT id, created_at, question, answer, status, products, corrections, timings,"
            " retrieval, (SELECT rating FROM feedback f WHERE f.turn_id = turns.id"
            " ORDER BY f.id DESC LIMIT 1)"
            " FROM turns WHERE session_id = ? ORDER BY id",
            [session_id],
        )
        keys = ["id", "created_at", "question", "answer", "status", "products", "corrections",
                "timings", "retrieval", "rating"]  # fmt: skip
        turns = [dict(zip(keys, row, strict=True)) for row in cursor]
        for turn in turns:
            for column in ("products", "corrections", "timings", "retrieval"):
                turn[column] = json.loads(turn[column])
        self._name_documents([item for turn in turns for item in turn["retrieval"]])
        return turns

    def _name_documents(self, trace: list[dict[str, Any]]) -> None:
        """Add the document's path and title to each 'document:ID' item of a retrieval trace."""
        ids = {item["key"].partition(":")[2] for item in trace
               if str(item.get("key", "")).startswith("document:")}  # fmt: skip
        if not ids:
            return
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT id, path, title FROM documents WHERE id IN ({marks})", sorted(ids)
        ).fetchall()
        names = {row[0]: {"path": row[1], "title": row[2]} for row in rows}
        for item in trace:
            kind, _, ref = str(item.get("key", "")).partition(":")
            if kind == "document" and ref in names:
                item.update(names[ref])

    def delete_session(self, session_id: str) -> None:
        """Delete a session with its turns and feedback."""
        with write_transaction(self.db):
            self.db.execute("DELETE FROM sessions WHERE id = ?", [session_id])
