"""Staff mode's sidebar: past conversations can be opened, continued and deleted."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import NO_MATCH, settle

from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.dialogs import ConfirmScreen
from localbot.tui.widgets.cards import ProductCardView
from localbot.tui.widgets.conversation import AnswerView, QuestionView
from localbot.tui.widgets.history import SessionList

pytestmark = [pytest.mark.anyio, pytest.mark.real]


async def ask(pilot: Any, question: str) -> None:
    await pilot.click("#question")
    await pilot.press(*question, "enter")
    await settle(pilot)


def listed(app: Any) -> list[str]:
    options = app.screen.query_one(SessionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_a_past_conversation_reopens_with_its_cards_and_continues(
    assistant, build_app
) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert listed(app) == ["No conversations yet"]
        await ask(pilot, "a warm sleeping bag for winter camping")
        session = app.screen.session_id
        skus = [view.card.sku for view in app.screen.query(ProductCardView)]
        assert skus and "sleeping bag" in listed(app)[0]
        await pilot.press("ctrl+n")
        await pilot.click("#sessions", offset=(2, 0))
        await settle(pilot)
        assert app.screen.session_id == session
        assert "sleeping bag" in str(app.screen.query_one(QuestionView).content)
        assert [view.card.sku for view in app.screen.query(ProductCardView)] == skus
        await ask(pilot, NO_MATCH)
        assert app.screen.session_id == session
        assert len(assistant.conversation(session)) == 2
        assert "2 turns" in listed(app)[0]


async def test_a_conversation_is_deleted_after_confirming(assistant, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        assert app.screen.query_one(SessionList).highlighted == 0  # the open conversation
        app.screen.query_one(SessionList).focus()
        await pilot.press("delete")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")
        assert len(assistant.sessions()) == 1
        await pilot.click("#history-delete")
        await pilot.pause()  # the press travels button -> panel -> screen before the dialog opens
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert assistant.sessions() == []
        assert isinstance(app.screen, ChatScreen) and app.screen.session_id is None
        assert not app.screen.query(AnswerView)
        assert listed(app) == ["No conversations yet"]


async def test_f4_hides_and_shows_the_history(build_app) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        panel = app.screen.query_one("#history")
        await pilot.press("f4")
        assert not panel.display
        await pilot.press("f4")
        assert panel.display
        assert app.focused is app.screen.query_one(SessionList)  # ready for the arrow keys
        await pilot.press("f4")  # hidden with the cursor in it: back to the question box
        assert not panel.display and app.focused is app.screen.query_one("#question", Input)


async def test_a_past_conversation_opens_with_the_keyboard(assistant, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await ask(pilot, "a warm sleeping bag for winter camping")
        session = app.screen.session_id
        await pilot.press("ctrl+n", "f4", "f4")  # hide, then show with the cursor in the list
        assert app.screen.session_id is None
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.screen.session_id == session
        assert "sleeping bag" in str(app.screen.query_one(QuestionView).content)
        assert app.focused is app.screen.query_one("#question", Input)  # to continue it


async def test_a_long_conversation_opens_with_its_latest_turns_first(assistant, build_app) -> None:
    session = assistant.new_session("staff")
    for number in range(12):
        assistant.reply(f"{NO_MATCH} {number}", session)  # nothing found: no model needed
    app = build_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.click("#sessions", offset=(2, 0))
        await settle(pilot)
        questions = [str(q.content) for q in app.screen.query(QuestionView)]
        assert len(questions) == 10 and questions[-1].endswith(" 11")
        app.screen.query_one("#conversation").scroll_home(animate=False)  # as a reader would
        await pilot.pause()
        await pilot.click("#earlier")
        await pilot.pause()
        questions = [str(q.content) for q in app.screen.query(QuestionView)]
        assert len(questions) == 12 and questions[0].endswith(" 0")
        assert not app.screen.query("#earlier")
