"""Loading the assistant: a load that failed recovers, the kiosk never sticks, quitting is quick.

The opener is the real one (the shared database copy and models) behind a small gate that can
fail first or hold the load in progress; the kiosk's idle clock is a fake the tests move.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import Any

import pytest
from textual.widgets import Input, Static
from tui_helpers import NO_MATCH, PIN, FakeClock, Opener, settle, until

from localbot.tui.app import OPENING_SLOWLY
from localbot.tui.screens.chat import WAITING, ChatScreen
from localbot.tui.screens.dialogs import ProblemScreen
from localbot.tui.screens.pin import PinScreen
from localbot.tui.widgets.conversation import THINKING, AnswerView, QuestionView

pytestmark = [pytest.mark.anyio, pytest.mark.real]
NO_RETRY = 3600.0  # the kiosk's own retry kept out of the way of what a test checks


def locked() -> sqlite3.OperationalError:
    return sqlite3.OperationalError("database is locked")


def kiosk(build_app: Any, errors: list[Exception] = [], gated: bool = False) -> Any:  # noqa: B006
    app = build_app("kiosk", kiosk_idle_seconds=30)
    app._open_assistant = Opener(app._open_assistant, errors, gated)
    return app


async def type_question(pilot: Any, question: str) -> None:
    pilot.app.screen.query_one("#question", Input).focus()
    await pilot.press(*question, "enter")


async def test_the_idle_reset_leaves_the_problem_screen_and_closes_dialogs_over_it(
    build_app, clock: FakeClock
) -> None:
    """The audit's stuck kiosk: the reset closed the error screen, leaving 'Getting ready…'."""
    app = kiosk(build_app, [locked(), locked()])
    app.load_retry_seconds = NO_RETRY
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        chat = next(screen for screen in app.screen_stack if isinstance(screen, ChatScreen))
        assert isinstance(app.screen, ProblemScreen)
        assert "tries again by itself" in str(app.screen.query_one("#problem-fix").content)
        clock.advance(31)
        await chat.idle_tick()
        assert isinstance(app.screen, ProblemScreen)  # nothing else says why nothing works
        await pilot.click("#quit")  # the PIN pad opens instead; nobody types the PIN
        assert isinstance(app.screen, PinScreen)
        clock.advance(31)
        await chat.idle_tick()  # the pad closes and loading is tried again: still busy
        await settle(pilot)
        assert isinstance(app.screen, ProblemScreen) and app._open_assistant.calls == 2
        app._retry_by_itself()  # what the retry timer calls (its interval is kept out of the way)
        await settle(pilot)
        assert app.ready and app.screen is chat
        await type_question(pilot, NO_MATCH)
        await settle(pilot)
        assert chat.query(AnswerView).last().turn_id is not None


async def test_a_kiosk_retries_a_busy_database_by_itself(build_app) -> None:
    app = kiosk(build_app, [locked(), locked()])
    app.load_retry_seconds = 0.01
    async with app.run_test(size=(100, 36)) as pilot:
        await until(app, "ready", bool)
        await settle(pilot)
        assert app._open_assistant.calls == 3 and isinstance(app.screen, ChatScreen)


async def test_staff_choose_try_again_themselves(build_app) -> None:
    app = build_app("staff")
    app._open_assistant = Opener(app._open_assistant, [locked()])
    app.load_retry_seconds = 0.01
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemScreen) and not app.ready
        fix = str(app.screen.query_one("#problem-fix").content)
        assert "choose Try again" in fix and "by itself" not in fix
        await pilot.click("#retry")
        await settle(pilot)
        assert app.ready and app._open_assistant.calls == 2


async def test_a_question_asked_after_a_failed_load_tries_loading_again(build_app) -> None:
    app = kiosk(build_app, [locked()])
    app.load_retry_seconds = NO_RETRY
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ProblemScreen)
        app.pop_screen()  # however it closed, the kiosk is left not ready
        await pilot.pause()
        await type_question(pilot, NO_MATCH)
        await settle(pilot)
        assert app.ready and app._open_assistant.calls == 2
        assert app.screen.query(AnswerView).last().turn_id is not None


async def test_the_idle_reset_clears_a_question_still_waiting_for_the_model(
    assistant, build_app, clock: FakeClock
) -> None:
    app = kiosk(build_app, gated=True)
    sessions = len(assistant.store.sessions())
    try:
        async with app.run_test(size=(100, 36)) as pilot:
            await type_question(pilot, NO_MATCH)
            await pilot.pause()
            chat = app.screen
            assert chat.busy and chat.query(QuestionView)
            clock.advance(31)
            await chat.idle_tick()
            assert not chat.query(QuestionView) and not chat.busy
            app._open_assistant.gate.set()
            await settle(pilot)
            assert app.ready and not chat.query(QuestionView)
        assert len(assistant.store.sessions()) == sessions  # the cleared question was not asked
    finally:
        app._open_assistant.gate.set()


async def test_a_slow_open_says_it_waits_for_another_program(build_app) -> None:
    app = build_app("staff")
    app._open_assistant = Opener(app._open_assistant, gated=True)
    app.slow_open_seconds = 0.01
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await until(app, "status_text", lambda text: text == OPENING_SLOWLY)
            await pilot.pause()
            assert "another program" in str(app.screen.query_one("#state", Static).content)
            app._open_assistant.gate.set()
            await settle(pilot)
            assert app.ready
    finally:
        app._open_assistant.gate.set()


async def test_once_the_model_is_ready_the_waiting_answer_stops_saying_getting_ready(
    build_app,
) -> None:
    app = build_app("staff")
    app._open_assistant = Opener(app._open_assistant, gated=True)
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await type_question(pilot, NO_MATCH)
            await pilot.pause()
            chat = app.screen
            thinking = chat.query_one(AnswerView).query_one(".thinking", Static)
            assert str(thinking.content) == WAITING
            started: list[str] = []
            chat._answer_in_thread = lambda question, *args: started.append(question)
            app._open_assistant.gate.set()
            await until(app, "ready", bool)
            await pilot.pause()
            assert started == [NO_MATCH] and str(thinking.content) == THINKING
    finally:
        app._open_assistant.gate.set()


async def test_quitting_while_loading_stops_the_loader_before_its_next_step(
    build_app, monkeypatch
) -> None:
    app = build_app("staff")
    opened = app._open_assistant()
    entered, release, done = threading.Event(), threading.Event(), threading.Event()
    steps: list[str] = []

    def load(on_status: Any) -> None:
        try:
            on_status("Loading the embedding model...")
            steps.append("embedder")
            entered.set()
            release.wait(timeout=120)
            on_status("Loading the chat model...")  # the app has closed: this stops the load
            steps.append("chat model")
        finally:
            done.set()

    monkeypatch.setattr(opened, "load", load)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            assert await asyncio.to_thread(entered.wait, 120)
            await pilot.press("ctrl+q")
            await pilot.pause()
        assert not app.is_running and app.loader_running  # run_app says why exit waits
    finally:
        release.set()
    assert await asyncio.to_thread(done.wait, 120)
    assert steps == ["embedder"]


@pytest.mark.parametrize(("mode", "told"), [("kiosk", False), ("staff", True)])
async def test_ctrl_c_tells_staff_how_to_quit_but_not_shoppers(build_app, mode, told) -> None:
    app = build_app(mode)
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        app.set_focus(None)  # in the question box Ctrl+C copies
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert any("quit" in n.message for n in app._notifications) is told
        assert app.is_running


async def test_the_kiosk_pin_still_guards_quitting_from_the_problem_screen(build_app) -> None:
    app = kiosk(build_app, [locked()])
    app.load_retry_seconds = NO_RETRY
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.click("#quit")
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert not app.is_running
