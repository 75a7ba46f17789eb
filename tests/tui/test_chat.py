"""Chatting in the terminal UI on the real small model: streaming, cards, feedback, stopping."""

from __future__ import annotations

import asyncio
import itertools
import threading
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input, Static
from tui_helpers import NO_MATCH, settle

from localbot.tui import messages
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.feedback import FeedbackScreen
from localbot.tui.screens.help import HelpScreen
from localbot.tui.widgets.cards import ProductCardView
from localbot.tui.widgets.conversation import AnswerView, QuestionView
from localbot.tui.widgets.status import StatusBar

pytestmark = [pytest.mark.anyio, pytest.mark.real]


def answers(app: Any) -> list[AnswerView]:
    return list(app.screen.query(AnswerView))


async def ask(pilot: Any, question: str) -> None:
    await pilot.click("#question")
    await pilot.press(*question)
    await pilot.press("enter")


async def test_the_screen_is_usable_while_the_model_loads(assistant, build_app) -> None:
    release = threading.Event()
    app = build_app()
    opener = app._open_assistant

    def slow_open() -> Any:
        release.wait(30)
        return opener()

    app._open_assistant = slow_open
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, ChatScreen)
        assert app.focused is app.screen.query_one("#question", Input)
        await pilot.press(*"tent")
        assert app.screen.query_one("#question", Input).value == "tent"
        assert not app.ready
        assert "Opening the database" in str(app.screen.query_one("#state", Static).content)
        release.set()
        await settle(pilot)
        assert app.ready
        assert str(app.screen.query_one("#state", Static).content) == "Ready"
        assert "SmolLM2" in str(app.screen.query_one("#model", Static).content)


async def test_a_question_streams_an_answer_with_cards_and_a_thumbs_up_is_stored(
    assistant, build_app
) -> None:
    seen: list[Message] = []
    app = build_app()
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await settle(pilot)
        await ask(pilot, "Do you have waterproof hiking boots under $150?")
        await settle(pilot)
        progress = [m.text for m in seen if isinstance(m, messages.AnswerProgress)]
        # A bubbling message is seen once by each widget it reaches: count distinct messages.
        finished = list(
            {id(m): m.reply for m in seen if isinstance(m, messages.AnswerFinished)}.values()
        )
        assert len(progress) >= 2 and len(finished) == 1
        reply = finished[0]
        assert all(later.startswith(earlier) for earlier, later in itertools.pairwise(progress))
        view = answers(app)[0]
        assert view.text.strip() == reply.answer.strip() and reply.answer
        cards = list(view.query(ProductCardView))
        assert [c.card.sku for c in cards] == [p.sku for p in reply.products] and cards
        assert "tok/s" in str(app.screen.query_one("#speed", Static).content)
        await pilot.click(view.query_one("#rate-up"))
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press(*"clear answer")
        await pilot.press("enter")
        await settle(pilot)
        stored = assistant.store.feedback_for(reply.turn_id)
        assert [(f["rating"], f["comment"]) for f in stored] == [("up", "clear answer")]
        assert view.query_one("#rate-up").disabled
        assert "Thanks" in str(view.query_one(".rated", Static).content)


async def test_thumbs_down_by_key_with_a_comment(assistant, build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await settle(pilot)
        view = answers(app)[0]
        await pilot.press("f3")
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press(*"not what I asked", "enter")
        await settle(pilot)
        assert [f["rating"] for f in assistant.store.feedback_for(view.turn_id)] == ["down"]
        await pilot.press("f2")  # already rated: nothing opens
        assert isinstance(app.screen, ChatScreen)


@pytest.mark.parametrize("close", ["enter", "escape"])
async def test_after_a_clicked_thumb_the_next_keys_go_to_the_question_box(
    build_app, close: str
) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await settle(pilot)
        await pilot.click(answers(app)[0].query_one("#rate-down"))
        assert isinstance(app.screen, FeedbackScreen)
        await pilot.press(*"meh", close)  # send the comment, or cancel
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen)
        await pilot.press(*"boots")
        assert app.screen.query_one("#question", Input).value == "boots"


async def test_escape_stops_the_answer_at_once_and_keeps_the_partial_text(
    assistant, build_app
) -> None:
    first_text = threading.Event()

    def hook(message: Message) -> None:
        if isinstance(message, messages.AnswerProgress) and message.text.strip():
            first_text.set()

    app = build_app(max_tokens=400)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(pilot)
        await ask(pilot, "Tell me everything about your tents for a family of four")
        assert await asyncio.to_thread(first_text.wait, 120)
        await pilot.press("escape")
        view = answers(app)[0]
        assert view.stopped and view.query_one(".stopped-note").display
        await settle(pilot)
        turn = assistant.store.turn(view.turn_id)
        assert turn["status"] == "cancelled"
        assert turn["timings"]["completion_tokens"] < 400
        assert view.text.strip() == turn["answer"].strip() != ""
        assert str(app.screen.query_one("#state", Static).content) == "Stopped"
        assert str(app.screen.query_one("#send").label) == "Send"


async def test_the_status_says_stopping_until_the_answer_ends_then_ready_for_a_new_one(
    build_app,
) -> None:
    first_text = threading.Event()

    def hook(message: Message) -> None:
        if isinstance(message, messages.AnswerProgress) and message.text.strip():
            first_text.set()

    app = build_app(max_tokens=400)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(StatusBar)
        states: list[str] = []
        set_state = bar.set_state
        bar.set_state = lambda text: (states.append(text), set_state(text))[1]
        await ask(pilot, "Tell me everything about your tents for a family of four")
        assert await asyncio.to_thread(first_text.wait, 120)
        await pilot.press("escape")
        await settle(pilot)
        # Whenever the worker noticed, the status went straight from Stopping… to Stopped.
        assert states[states.index("Stopping…") :] == ["Stopping…", "Stopped"], states
        await pilot.press("ctrl+n")
        assert str(app.screen.query_one("#state", Static).content) == "Ready"


async def test_new_conversation_clears_the_screen_and_starts_a_new_session(build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await settle(pilot)
        first = app.screen.session_id
        assert first and app.screen.query(QuestionView)
        await pilot.press("ctrl+n")
        assert not app.screen.query(QuestionView) and app.screen.query("#welcome")
        assert app.screen.session_id is None
        await ask(pilot, NO_MATCH)
        await settle(pilot)
        assert app.screen.session_id not in (None, first)


async def test_a_suggestion_is_asked_when_pressed(build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.click(".suggestion")
        await settle(pilot)
        question = app.screen.query_one(QuestionView)
        assert "hiking boots" in str(question.content)
        assert answers(app)[0].finished


async def test_a_question_asked_while_the_model_loads_is_answered_when_it_is_ready(
    build_app,
) -> None:
    release = threading.Event()
    app = build_app()
    opener = app._open_assistant
    app._open_assistant = lambda: (release.wait(30), opener())[1]
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, NO_MATCH)
        view = answers(app)[0]
        assert "Getting ready" in str(view.query_one(".thinking", Static).content)
        assert str(app.screen.query_one("#send").label) == "Stop"
        release.set()
        await settle(pilot)
        assert view.finished and view.turn_id is not None
        assert "couldn't find anything" in view.text


async def test_esc_while_the_model_loads_withdraws_the_question(build_app) -> None:
    release = threading.Event()
    app = build_app()
    opener = app._open_assistant
    app._open_assistant = lambda: (release.wait(30), opener())[1]
    async with app.run_test(size=(100, 30)) as pilot:
        await ask(pilot, NO_MATCH)
        await pilot.press("escape")
        view = answers(app)[0]
        assert view.stopped and str(app.screen.query_one("#send").label) == "Send"
        release.set()
        await settle(pilot)
        assert view.turn_id is None and not view.text


async def test_keys_screen_opens_with_f1_and_question_mark(build_app) -> None:
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        assert "Ctrl+N" in str(app.screen.query_one("#keys", Static).content)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)
        box = app.screen.query_one("#question", Input)
        assert app.focused is box
        await pilot.press("?")  # the box is empty: no question starts with '?'
        assert isinstance(app.screen, HelpScreen) and box.value == ""
        await pilot.press("?")  # and it closes the keys again
        assert isinstance(app.screen, ChatScreen) and app.focused is box
        await pilot.press(*"boots?", "?")  # in a question it is just a character
        assert box.value == "boots??" and isinstance(app.screen, ChatScreen)
        box.value = ""
        app.screen.query_one("#conversation").focus()
        await pilot.press("?")
        assert isinstance(app.screen, HelpScreen)


@pytest.mark.parametrize("mode", ["staff", "kiosk"])
async def test_esc_does_nothing_when_no_answer_is_being_written(build_app, mode: str) -> None:
    app = build_app(mode)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen) and app.is_running
