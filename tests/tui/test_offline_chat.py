"""The real terminal UI, start to two answers, inside localbot's network guard.

tests/test_offline.py proves the assistant and the plain chat offline; this drives the Textual
app itself (its own loader opening the database and loading both models from disk) through two
questions the real model answers, and the guard sees no connection at all.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import SHORT_ANSWER_TOKENS, settle

from localbot.governance import network_guard
from localbot.tui.app import make_app
from localbot.tui.widgets.conversation import AnswerView

pytestmark = [pytest.mark.anyio, pytest.mark.real]
QUESTIONS = ("a light tent for two people", "can I return it if it leaks?")


async def ask(pilot: Any, question: str) -> None:
    pilot.app.screen.query_one("#question", Input).focus()
    await pilot.press(*question, "enter")
    await settle(pilot)


async def test_the_chat_loads_and_answers_two_questions_without_the_network(
    settings, demo_db_path
) -> None:
    app = make_app(settings.with_overrides(max_tokens=SHORT_ANSWER_TOKENS))
    with network_guard() as guard:
        async with app.run_test(size=(110, 36)) as pilot:
            await settle(pilot)
            assert app.ready, app.status_text
            for question in QUESTIONS:
                await ask(pilot, question)
            answers = list(app.screen.query(AnswerView))
            assert [answer.turn_id is not None for answer in answers] == [True, True]
            assert all(answer.outcome.status == "complete" for answer in answers)  # the model
            assert all(answer.text.strip() for answer in answers)
    assert guard.violations == []
