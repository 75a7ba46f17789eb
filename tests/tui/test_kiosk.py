"""Kiosk mode: anonymous, clears itself after the idle timeout, and needs the staff PIN to leave."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input
from tui_helpers import NO_MATCH, PIN, FakeClock, ScriptedModel, settle

from localbot.assistant import Assistant
from localbot.tui import messages
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.help import HelpScreen
from localbot.tui.screens.pin import PinScreen, StaffMenuScreen
from localbot.tui.widgets.conversation import AnswerView, QuestionView
from localbot.tui.widgets.countdown import IdleBanner
from localbot.tui.widgets.history import HistoryPanel

pytestmark = [pytest.mark.anyio, pytest.mark.real]


def banner_text(app: Any) -> str:
    banner = app.screen.query_one(IdleBanner)
    return str(banner.content) if banner.display else ""


async def ask(pilot: Any, question: str) -> None:
    await pilot.click("#question")
    await pilot.press(*question, "enter")
    await settle(pilot)


async def test_the_kiosk_counts_down_then_clears_everything_for_the_next_shopper(
    assistant, build_app, clock: FakeClock
) -> None:
    app = build_app("kiosk", kiosk_idle_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        first_session = app.screen.session_id
        assert assistant.store.sessions()[0]["mode"] == "kiosk"
        await pilot.press(*"half a ques")
        clock.advance(21)
        await app.screen.idle_tick()
        assert "Starting over in 9 seconds" in banner_text(app)
        clock.advance(9)
        await app.screen.idle_tick()
        assert not app.screen.query(QuestionView) and app.screen.query("#welcome")
        assert app.screen.query_one("#question", Input).value == ""
        assert banner_text(app) == ""
        assert app.screen.session_id is None
        await ask(pilot, NO_MATCH)
        assert app.screen.session_id not in (None, first_session)


async def test_the_screens_own_timer_counts_down_and_starts_over(
    build_app, clock: FakeClock
) -> None:
    """No hand-called idle_tick here: the one-second interval the screen sets drives it all."""
    app = build_app("kiosk", kiosk_idle_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        chat = app.screen
        shown: asyncio.Queue[int | None] = asyncio.Queue()
        banner = chat.query_one(IdleBanner)
        show = banner.show_seconds
        banner.show_seconds = lambda seconds: (show(seconds), shown.put_nowait(seconds))[0]
        cleared = asyncio.Event()
        start_over = chat.start_over

        async def noted_start_over() -> None:
            await start_over()
            cleared.set()

        chat.start_over = noted_start_over
        clock.advance(25)
        # The next tick (at most a second away) shows the countdown; bounded, never a sleep.
        assert await asyncio.wait_for(shown.get(), timeout=5) == 5
        assert "5 seconds" in banner_text(app)
        clock.advance(5)
        await asyncio.wait_for(cleared.wait(), timeout=5)
        await pilot.pause()
        assert not chat.query(QuestionView) and banner_text(app) == ""


async def test_any_key_or_touch_keeps_the_conversation(build_app, clock: FakeClock) -> None:
    app = build_app("kiosk", kiosk_idle_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        clock.advance(25)
        await app.screen.idle_tick()
        assert "5 seconds" in banner_text(app)
        await pilot.click("#conversation")
        await app.screen.idle_tick()
        assert banner_text(app) == ""
        clock.advance(29)
        await pilot.press("end")
        clock.advance(29)
        await app.screen.idle_tick()
        assert app.screen.query(QuestionView)


async def test_an_empty_kiosk_never_counts_down(build_app, clock: FakeClock) -> None:
    app = build_app("kiosk", kiosk_idle_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        clock.advance(300)
        await app.screen.idle_tick()
        assert banner_text(app) == ""


async def test_the_reset_also_closes_an_open_dialog(build_app, clock: FakeClock) -> None:
    app = build_app("kiosk", kiosk_idle_seconds=30)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await pilot.press("f2")
        chat = app.screen_stack[-2]
        assert not isinstance(app.screen, ChatScreen)
        clock.advance(31)
        await chat.idle_tick()
        assert app.screen is chat and not chat.query(QuestionView)


async def test_quitting_the_kiosk_needs_the_staff_pin(build_app) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, PinScreen)
        await pilot.press(*"1111", "enter")
        assert isinstance(app.screen, PinScreen) and app.is_running
        assert "not right" in str(app.screen.query_one("#pin-message").content)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_the_pin_pad_works_by_touch_and_unlocks_the_staff_menu(build_app) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        assert not app.screen.query(HistoryPanel)  # no history browser in kiosk mode
        await pilot.click("#staff-button")
        assert isinstance(app.screen, PinScreen)
        for key in [*PIN, "ok"]:
            await pilot.click(f"#key-{key}")
        assert isinstance(app.screen, StaffMenuScreen)
        await pilot.click("#menu-staff")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen) and app.screen.mode == "staff"
        assert app.screen.query(HistoryPanel)


async def test_repeated_wrong_pins_pause_the_pad(build_app, clock: FakeClock) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+q")
        for _ in range(5):
            await pilot.press(*"0000", "enter")
        await pilot.press(*PIN, "enter")
        assert isinstance(app.screen, PinScreen)
        assert "Try again in 30 seconds" in str(app.screen.query_one("#pin-message").content)
        clock.advance(31)
        await pilot.press(*PIN, "enter")
        await pilot.pause()
        assert not app.is_running


async def test_staff_mode_switches_to_kiosk_without_a_pin_and_shows_nothing_of_before(
    build_app,
) -> None:
    app = build_app("staff")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(app.screen, ChatScreen) and app.screen.mode == "kiosk"
        assert not app.screen.query(QuestionView)
        await pilot.press("ctrl+q")
        assert isinstance(app.screen, PinScreen)


async def test_without_a_pin_the_kiosk_warns_and_lets_anyone_leave(build_app) -> None:
    app = build_app("kiosk", staff_pin_hash="")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert any("No staff PIN" in n.message for n in app._notifications)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


# Touch only: a kiosk screen may have no keyboard at all -----------------------------------


async def test_start_over_by_touch_clears_the_conversation(build_app) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await ask(pilot, NO_MATCH)
        assert app.screen.query(QuestionView) and app.screen.session_id
        await pilot.click("#start-over")
        await pilot.pause()
        assert not app.screen.query(QuestionView) and app.screen.query("#welcome")
        assert app.screen.session_id is None


async def test_help_by_touch_opens_the_keys_screen_and_closes_again(build_app) -> None:
    app = build_app("kiosk")
    async with app.run_test(size=(100, 36)) as pilot:
        await settle(pilot)
        await pilot.click("#help-button")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ChatScreen)


class HeldModel(ScriptedModel):
    """Writes its first sentence, then waits for ``release`` before the rest: the answer is
    surely still being written when the test stops it."""

    def __init__(self, real: Any) -> None:
        super().__init__(real, "We have tents for families. They are roomy and dry.")
        self.release = threading.Event()

    def stream(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        """As the real model: stops between pieces once ``should_stop()`` says so."""
        should_stop, stats = kwargs["should_stop"], kwargs["stats"]
        for word in super().stream(messages):
            if should_stop():
                stats.cancelled = True
                return
            yield word
            if word.endswith(". "):
                self.release.wait(timeout=120)


async def test_send_is_stop_by_touch_while_an_answer_is_written(assistant, build_app) -> None:
    first_text = threading.Event()

    def hook(message: Message) -> None:
        if isinstance(message, messages.AnswerProgress) and message.text.strip():
            first_text.set()

    app = build_app("kiosk")
    held = HeldModel(assistant.chat_model)
    app._open_assistant = lambda: Assistant(
        app.settings, db=assistant.db, embedder=assistant.embedder, chat_model=held
    )
    try:
        async with app.run_test(size=(100, 36), message_hook=hook) as pilot:
            await settle(pilot)
            await pilot.click("#question")
            await pilot.press(*"a tent for a family of four", "enter")
            assert await asyncio.to_thread(first_text.wait, 120)
            assert str(app.screen.query_one("#send").label) == "Stop"
            await pilot.click("#send")
            view = app.screen.query_one(AnswerView)
            assert view.stopped
            held.release.set()
            await settle(pilot)
            assert assistant.store.turn(view.turn_id)["status"] == "cancelled"
            assert str(app.screen.query_one("#send").label) == "Send"
    finally:
        held.release.set()
