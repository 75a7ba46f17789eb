"""A reopened conversation shows its answers as they were: the vote, why cards matched, sources.

One vote per answer: the store replaces an earlier vote (so Insights count it once), and a
reopened answer that was rated shows the vote and offers no second one.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Static
from tui_helpers import NO_MATCH, settle

from localbot.assistant import Assistant
from localbot.store import StoreError
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.feedback import FeedbackScreen
from localbot.tui.widgets.cards import ProductCardView
from localbot.tui.widgets.conversation import AnswerView

pytestmark = [pytest.mark.anyio, pytest.mark.real]
BOOTS = "waterproof hiking boots"
RETURNS = "What is your return policy?"


async def ask(pilot: Any, question: str) -> None:
    await pilot.click("#question")
    await pilot.press(*question, "enter")
    await settle(pilot)


async def reopen_newest(pilot: Any) -> None:
    await pilot.press("ctrl+n")
    await pilot.click("#sessions", offset=(2, 0))
    await settle(pilot)


def card_lines(view: AnswerView) -> list[str]:
    return [str(card.content) for card in view.query(ProductCardView)]


def test_a_second_vote_replaces_the_first_in_one_row(assistant: Assistant) -> None:
    turn = assistant.reply(NO_MATCH).turn_id
    first = assistant.feedback(turn, "up", "nice")
    second = assistant.feedback(turn, "down", "actually not")
    rows = assistant.store.feedback_for(turn)
    assert [(r["id"], r["rating"], r["comment"]) for r in rows] == [
        (second, "down", "actually not")
    ]
    assert second > first  # a new row: readers watching the newest feedback id see the change
    with pytest.raises(StoreError, match="no turn"):
        assistant.feedback(999_999, "up")
    with pytest.raises(StoreError, match="rating"):
        assistant.feedback(turn, "sideways")
    assert assistant.store.feedback_for(turn) == rows  # a refused vote leaves the old one
    session = assistant.store.turn(turn)["session_id"]
    assert [t["rating"] for t in assistant.conversation(session)] == ["down"]
    report = assistant.insights()
    assert (report.thumbs_up, report.thumbs_down) == (0, 1)


async def test_a_reopened_rated_answer_shows_its_vote_and_cannot_be_rated_again(
    assistant: Assistant, build_app
) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await pilot.press("f3", *"not what I asked", "enter")
        await settle(pilot)
        turn = app.screen.query_one(AnswerView).turn_id
        await reopen_newest(pilot)
        view = app.screen.query_one(AnswerView)
        assert view.turn_id == turn and view.rating == "down" and not view.can_rate
        up, down = view.query_one("#rate-up", Button), view.query_one("#rate-down", Button)
        assert up.disabled and down.disabled and down.has_class("-chosen")
        assert "Rated earlier" in str(view.query_one(".rated", Static).content)
        await pilot.click(down)
        await pilot.press("f3")
        assert isinstance(app.screen, ChatScreen)  # no second feedback dialog
        assert [f["rating"] for f in assistant.store.feedback_for(turn)] == ["down"]
        assert assistant.insights().thumbs_down == 1


async def test_an_unrated_reopened_answer_can_still_be_rated(
    assistant: Assistant, build_app
) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await reopen_newest(pilot)
        view = app.screen.query_one(AnswerView)
        assert view.can_rate and not view.query_one("#rate-up", Button).disabled
        await pilot.click(view.query_one("#rate-up", Button))
        assert isinstance(app.screen, FeedbackScreen)


async def test_a_reopened_answer_keeps_why_cards_matched_and_the_documents_used(
    build_app,
) -> None:
    app = build_app()
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        await ask(pilot, BOOTS)
        await ask(pilot, RETURNS)
        live = list(app.screen.query(AnswerView))
        live_cards = card_lines(live[0])
        live_sources = str(live[1].query_one(".sources", Static).content)
        assert live_cards and "Returns" in live_sources
        await reopen_newest(pilot)
        reopened = list(app.screen.query(AnswerView))
        # The same words as the live answer (localbot/transcript.py words both): the cards'
        # facts are read again, and why each matched is the live answer's.
        assert card_lines(reopened[0]) == live_cards
        assert all("Why: " in card and "match #" in card for card in live_cards), live_cards
        assert str(reopened[1].query_one(".sources", Static).content) == live_sources
