"""A running app enforces retention itself: a kiosk left on for weeks keeps nothing too old."""

from __future__ import annotations

import pytest
from tui_helpers import settle

from localbot.store import TurnRecord
from localbot.tui import app as app_module

pytestmark = [pytest.mark.anyio, pytest.mark.real]


async def test_the_app_purges_turns_that_pass_retention_while_it_runs(assistant, build_app) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        timers = [t for t in app._timers if t.name == "retention"]
        assert timers and timers[0]._interval == app_module.RETENTION_CHECK_SECONDS
        session = assistant.store.start_session("kiosk")
        record = TurnRecord(session, "old question", "", "old answer", "complete", "m", [], [],
                            [], {})  # fmt: skip
        turn = assistant.store.record_turn(record)
        with assistant.db.conn:  # as if it were asked 40 days ago
            assistant.db.execute(
                "UPDATE turns SET created_at = datetime('now', '-40 days') WHERE id = ?", [turn]
            )
        app.enforce_retention()  # what the timer runs every hour
        await settle(pilot)
        assert assistant.store.turn(turn) is None
