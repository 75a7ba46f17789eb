"""The Textual app: builds the chat screen at once, loads the assistant in a background worker.

:func:`make_app` is the one factory the CLI and the tests use; the assistant comes from an
``open_assistant`` callable, so tests pass the real small model and a copy of the demo database,
and errors raised while opening or loading it become a screen saying what to run, not a crash.

A load that failed is tried again when asked to (Try again, or a question typed after its
screen closed), and a kiosk tries again by itself after a problem that clears by itself (a
database busy with another program). Quitting cancels the loader, which stops before its next
step; :func:`run_app` says so if the step under way holds up the exit.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from textual import events, on, work
from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.worker import get_current_worker

from localbot.offline import enforce_offline_environment
from localbot.pin import PinGate
from localbot.tui import messages
from localbot.tui.idle import Clock, IdleTimer
from localbot.tui.problems import Problem, describe_error, empty_catalogue
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.dialogs import ProblemScreen
from localbot.tui.screens.pin import PinScreen, StaffMenuScreen

if TYPE_CHECKING:
    from localbot.assistant import Assistant
    from localbot.config import Settings

OpenAssistant = Callable[[], "Assistant"]
T = TypeVar("T")
# How often a running app purges what has passed retention_days (start-up always does).
RETENTION_CHECK_SECONDS = 3600
# A kiosk has nobody to choose Try again: a problem that clears by itself is retried this often.
LOAD_RETRY_SECONDS = 10
# Opening takes milliseconds; longer means SQLite waits for another program's write lock.
SLOW_OPEN_SECONDS = 3
# The loader waits at most this long for the first paint (its imports would slow the paint).
FIRST_PAINT_WAIT_SECONDS = 1.0
OPENING = "Opening the database…"
OPENING_SLOWLY = "Waiting for another program that is writing to the database…"
EXIT_NOTICE = "localbot: finishing the current loading step before exiting…"
# Input that counts as a shopper being there, for the kiosk's idle reset.
ACTIVITY = (
    events.Key,
    events.MouseDown,
    events.MouseScrollDown,
    events.MouseScrollUp,
    events.Paste,
)


class LoadCancelled(Exception):
    """The loader's worker was cancelled (the app is closing): stop before the next step."""


class LocalbotApp(App[int]):
    """localbot's terminal UI over :class:`~localbot.assistant.Assistant`."""

    CSS_PATH = "app.tcss"
    TITLE = "localbot"
    # The palette would offer themes and quitting without the PIN; the keys screen lists all keys.
    ENABLE_COMMAND_PALETTE = False

    status_text: reactive[str] = reactive("Starting…")
    ready: reactive[bool] = reactive(False)

    def __init__(
        self,
        settings: Settings,
        open_assistant: OpenAssistant,
        mode: str | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        super().__init__()
        enforce_offline_environment()  # before the loader imports any model library
        self.settings = settings
        self.mode = mode or settings.mode
        self.assistant: Assistant | None = None
        self.model_name = ""
        self.db_lock = threading.Lock()  # one caller of the assistant at a time
        self.idle = IdleTimer(settings.kiosk_idle_seconds, clock)
        self.pin_gate = PinGate(settings.staff_pin_hash, clock)
        self.loading = False  # a loader worker is on its way to AssistantReady or LoadFailed
        self.loader_running = False  # the loader's thread is inside a step (read after exit)
        self.load_retry_seconds: float = LOAD_RETRY_SECONDS
        self.slow_open_seconds: float = SLOW_OPEN_SECONDS
        self._painted = threading.Event()
        self._open_assistant = open_assistant

    def on_mount(self) -> None:
        """Show the chat screen now and load the models behind it."""
        self.push_screen(ChatScreen(self.mode))
        self.call_after_refresh(self._painted.set)
        if self.mode == "kiosk" and not self.pin_gate.required:
            self.notify(
                "No staff PIN is set, so anyone can leave kiosk mode. Run 'localbot pin set'.",
                title="Kiosk",
                severity="warning",
                timeout=10,
            )
        self.start_loading()

    async def on_event(self, event: events.Event) -> None:
        """Every key, touch and scroll keeps the kiosk's conversation on screen."""
        if isinstance(event, ACTIVITY):
            self.idle.touch()
        await super().on_event(event)

    # Loading -------------------------------------------------------------------------------

    def start_loading(self) -> None:
        """Open and load the assistant in the background, unless that is done or under way."""
        if self.ready or self.loading:
            return
        self.loading = True
        self.load_assistant()

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load_assistant(self) -> None:
        """Open and load the assistant (embedder, model, warmed system prompt) off the UI thread.

        Use :meth:`start_loading`, which never starts a second loader beside a running one.
        """
        # The loader's imports hold the GIL for a while: let the chat screen draw first.
        self._painted.wait(FIRST_PAINT_WAIT_SECONDS)
        self.loader_running = True
        try:
            self.post_message(self._load())
        except LoadCancelled:
            return  # the app is closing: nobody is left to tell
        finally:
            self.loader_running = False

    def _load(self) -> Message:
        """Open (if not open yet) and load the assistant; the message saying how it went."""
        assistant = self.assistant
        try:
            if assistant is None:  # another program writing can hold this up (busy timeout)
                self._say(OPENING)
                assistant = self._open_assistant()
            catalogue = assistant.catalogue_size()
            if catalogue.get("search_items", 0) == 0:  # say so now, not after loading models
                return messages.LoadFailed(empty_catalogue(), assistant)
            assistant.load(on_status=self._say)
            return messages.AssistantReady(assistant, assistant.model_name, catalogue)
        except LoadCancelled:
            raise
        except Exception as error:  # shown on a screen with the fix: the UI must not crash
            return messages.LoadFailed(describe_error(error, retry="choose Try again"), assistant)

    def _say(self, text: str) -> None:
        """Show the loader's progress; between its steps, stop if the app is closing.

        Assistant.load calls this between its steps, so raising here is the one way to stop it
        there: quitting then waits for the step under way only, not for every step left.
        """
        if get_current_worker().is_cancelled:
            raise LoadCancelled
        self.post_message(messages.LoadProgress(text))

    @on(messages.LoadProgress)
    def _progress(self, event: messages.LoadProgress) -> None:
        self.status_text = event.text
        if event.text == OPENING:
            self.set_timer(self.slow_open_seconds, self._opening_slowly, name="slow open")

    def _opening_slowly(self) -> None:
        """Still opening: SQLite is waiting for another program's lock, so say so."""
        if self.status_text == OPENING:
            self.status_text = OPENING_SLOWLY

    @on(messages.AssistantReady)
    def _assistant_ready(self, event: messages.AssistantReady) -> None:
        self.loading = False
        self.assistant = event.assistant
        self.assistant.switch_mode(self.mode)  # '--kiosk' or a mode chosen while it loaded
        self.model_name = event.model_name
        self.ready = True
        # A kiosk runs for weeks: retention is enforced while it runs, not only at start-up.
        self.set_interval(RETENTION_CHECK_SECONDS, self.enforce_retention, name="retention")

    @work(thread=True, exclusive=True, group="retention", exit_on_error=False)
    def enforce_retention(self) -> None:
        """Purge conversations past ``retention_days`` off the UI thread (errors are shown)."""
        self.guarded(lambda assistant: assistant.enforce_retention(), self)

    @on(messages.LoadFailed)
    def _failed(self, event: messages.LoadFailed) -> None:
        self.loading = False
        self.assistant = event.assistant  # opened, if it got that far: "Try again" reuses it
        problem = event.problem
        if self.mode == "kiosk" and not problem.fatal:
            self.set_timer(self.load_retry_seconds, self._retry_by_itself, name="retry loading")
            problem = dataclasses.replace(
                problem, fix=f"{problem.fix} This screen tries again by itself."
            )
        self.show_problem(problem)

    def show_problem(self, problem: Problem) -> None:
        """Say why the assistant cannot work, with the fix; offer to try again or quit."""
        self.status_text = problem.title

        def after(choice: str | None) -> None:
            if choice == "retry":
                self.status_text = "Trying again…"
                self.start_loading()
            else:
                self.request_quit(then_retry=True)

        if isinstance(self.screen, ProblemScreen):  # one problem on screen: the latest
            self.pop_screen()
        self.push_screen(ProblemScreen(problem), after)

    def _retry_by_itself(self) -> None:
        """Kiosk: load again after a problem that can clear by itself (no one chooses Try again)."""
        if self.ready or self.loading:
            return
        if isinstance(self.screen, ProblemScreen):
            self.screen.dismiss("retry")  # its callback starts loading
        elif isinstance(self.screen, ChatScreen):
            self.start_loading()
        else:  # staff are at the PIN pad: not under their fingers
            self.set_timer(self.load_retry_seconds, self._retry_by_itself, name="retry loading")

    def guarded(self, call: Callable[[Assistant], T], report_to: MessagePump) -> T | None:
        """From a worker thread: ``call(assistant)`` under the lock, or None if it failed.

        A failure is posted to ``report_to`` as :class:`~localbot.tui.messages.ActionFailed`,
        so the screen says what happened instead of the app crashing.
        """
        if self.assistant is None:
            return None
        try:
            with self.db_lock:
                return call(self.assistant)
        except Exception as error:  # reported, not crashed on
            report_to.post_message(messages.ActionFailed(describe_error(error, "try again")))
            return None

    # Leaving and switching modes (the staff PIN in kiosk mode) ------------------------------

    async def action_quit(self) -> None:
        """Ctrl+Q: quit, after the staff PIN in kiosk mode."""
        self.request_quit()

    def action_help_quit(self) -> None:
        """Ctrl+C: staff are told which key quits; a kiosk tells shoppers nothing of the sort."""
        if self.mode != "kiosk":
            super().action_help_quit()

    def request_quit(self, then_retry: bool = False) -> None:
        """Exit now, or after the staff PIN in kiosk mode (cancelling it stays, or retries loading)."""

        def after(right: bool | None) -> None:
            if right:
                self.exit(0)
            elif then_retry:
                self.start_loading()

        if self.mode == "kiosk" and self.pin_gate.required:
            self.push_screen(PinScreen(self.pin_gate, "quit localbot"), after)
        else:
            self.exit(0)

    def staff_menu(self) -> None:
        """Kiosk: the staff PIN, then switch to staff mode or quit."""

        def chosen(choice: str | None) -> None:
            if choice == "staff":
                self.change_mode("staff")
            elif choice == "quit":
                self.exit(0)

        def unlocked(right: bool | None) -> None:
            if right:
                self.push_screen(StaffMenuScreen(id="staff-menu"), chosen)

        if self.pin_gate.required:
            self.push_screen(PinScreen(self.pin_gate, "open the staff menu"), unlocked)
        else:
            unlocked(True)

    def change_mode(self, mode: str) -> None:
        """Replace the chat screen with a fresh one in ``mode`` (nothing carries over)."""
        while len(self.screen_stack) > 1 and not isinstance(self.screen, ChatScreen):
            self.pop_screen()
        self.mode = mode
        if self.assistant is not None:  # staff features open only after the PIN let us here
            self.assistant.switch_mode(mode)
        self.idle.touch()
        self.switch_screen(ChatScreen(mode))


def make_app(
    settings: Settings,
    mode: str | None = None,
    open_assistant: OpenAssistant | None = None,
    clock: Clock = time.monotonic,
) -> LocalbotApp:
    """Build the app; by default the assistant is opened from ``settings`` in the loader thread."""

    def open_from_settings() -> Assistant:
        from localbot.assistant import Assistant

        return Assistant(settings)

    return LocalbotApp(settings, open_assistant or open_from_settings, mode, clock)


def run_app(args: argparse.Namespace) -> int:
    """``localbot chat``: run the UI until it is quit; returns the exit code."""
    from localbot.commands import settings_from

    settings = settings_from(args)
    if getattr(args, "kiosk", False):  # the assistant itself starts as a kiosk, not only the UI
        settings = dataclasses.replace(settings, mode="kiosk")
    app = make_app(settings, settings.mode)
    with asyncio.Runner() as runner:  # App.run() in two halves, to speak between them
        code = runner.run(app.run_async())
        if app.loader_running:  # closing the loop waits for the loader's thread
            print(EXIT_NOTICE, file=sys.stderr, flush=True)
    return code or 0
