"""Schema upgrades on a real SQLite file: a database from an older version opens and is fixed up."""

from __future__ import annotations

import sqlite_utils

from localbot.db import open_database, schema_version
from localbot.migrations import MIGRATIONS
from localbot.store import InteractionStore, TurnRecord


def test_an_answer_rated_twice_before_the_upgrade_keeps_only_its_latest_vote(tmp_path) -> None:
    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    MIGRATIONS.apply(old, stop_before="0010_one_vote_per_answer")
    store = InteractionStore(old)
    session = store.start_session()
    twice = store.record_turn(TurnRecord(session, "q", "", "a", "complete", "m", [], [], [], {}))
    once = store.record_turn(TurnRecord(session, "q2", "", "b", "complete", "m", [], [], [], {}))
    rows = [(twice, "down", "first"), (twice, "up", "changed my mind"), (once, "up", "")]
    for turn, rating, comment in rows:  # as the old add_feedback did: one row per vote
        old.execute(
            "INSERT INTO feedback (turn_id, rating, comment, created_at)"
            " VALUES (?, ?, ?, datetime('now'))",
            [turn, rating, comment],
        )
    old.conn.commit()
    old.close()

    upgraded = open_database(path)
    assert schema_version(upgraded) == "0010_one_vote_per_answer"
    votes = upgraded.execute("SELECT turn_id, rating, comment FROM feedback ORDER BY turn_id")
    assert votes.fetchall() == [(twice, "up", "changed my mind"), (once, "up", "")]
