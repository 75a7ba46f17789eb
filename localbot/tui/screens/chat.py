"""The chat screen: conversation, question box, status bar; sidebars (staff) or idle reset (kiosk).

Answers are generated in a thread worker that calls :meth:`Assistant.reply`; the worker reaches
the UI only by posting messages to the answer's view, and stops between tokens when Esc sets its
cancel event. Every other call into the assistant (feedback here, history in the sidebar) also
runs in a thread worker under the app's lock, so the UI thread never waits on SQLite or the model.

In staff mode the history sidebar is on the left and the customer panel (F5) on the right; a
picked customer's id goes with every question, and the bar above the conversation says who the
chat is for. F6 opens the Insights screen (imported then: its charts library costs start-up
time). Kiosk mode builds none of these.

A question is shown as the assistant stores it, personal data replaced, from the moment it is
asked: a card number typed at a kiosk never stays on its screen.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input

from localbot.offline import offline_switches_set
from localbot.tui import messages
from localbot.tui.problems import describe_error
from localbot.tui.screens.dialogs import ProblemScreen
from localbot.tui.screens.feedback import FeedbackScreen
from localbot.tui.screens.help import HelpScreen
from localbot.tui.widgets.conversation import THINKING, AnswerView, Conversation, QuestionView
from localbot.tui.widgets.countdown import IdleBanner
from localbot.tui.widgets.customers import CustomerBar, CustomerPanel
from localbot.tui.widgets.history import HistoryPanel, SessionList
from localbot.tui.widgets.question import QuestionBox
from localbot.tui.widgets.status import StatusBar

if TYPE_CHECKING:
    from localbot.assistant import Assistant
    from localbot.customers import CustomerSummary
    from localbot.tui.app import LocalbotApp

QUESTION_LIMIT = 500
WAITING = "Getting ready (loading the model); your question is next…"
STAFF_ONLY = {"toggle_history", "kiosk_mode", "customers", "insights"}
KIOSK_ONLY = {"staff_menu"}


class ChatScreen(Screen[None]):
    """Ask questions and read answers; ``mode`` is 'staff' or 'kiosk'."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop"),
        Binding("ctrl+n", "new_conversation", "New conversation"),
        Binding("f1", "help", "Keys"),
        Binding("question_mark", "help", "Keys", show=False),
        Binding("f2", "rate('up')", "👍"),
        Binding("f3", "rate('down')", "👎"),
        Binding("f4", "toggle_history", "History"),
        Binding("f5", "customers", "Customer"),
        Binding("f6", "insights", "Insights"),
        Binding("f9", "kiosk_mode", "Kiosk mode"),
        Binding("f9", "staff_menu", "Staff"),
    ]

    def __init__(self, mode: str) -> None:
        super().__init__(classes=f"-{mode}")
        self.mode = mode
        self.kiosk = mode == "kiosk"
        self.session_id: str | None = None
        self.customer: CustomerSummary | None = None  # staff: who the chat is for
        self._cancel: threading.Event | None = None
        self._answer: AnswerView | None = None
        self._asked: QuestionView | None = None  # the question of the answer being written
        self._question = ""  # as shown: back in the box if answering fails
        self._waiting: str | None = None  # asked before the model was ready

    @property
    def localbot(self) -> LocalbotApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    @property
    def busy(self) -> bool:
        """Whether an answer is on its way (being written, or waiting for the model)."""
        return self._answer is not None

    @property
    def writing(self) -> bool:
        """Whether an answer is being written now (not waiting for the model to load)."""
        return self._answer is not None and self._waiting is None

    def compose(self) -> ComposeResult:
        """Sidebar (staff), conversation, question box with its buttons, status bar and keys."""
        with Horizontal(id="body"):
            if not self.kiosk:
                yield HistoryPanel(id="history")
            with Vertical(id="main"):
                if self.kiosk:
                    yield IdleBanner(id="idle-banner")
                else:
                    yield CustomerBar(id="customer-bar")
                yield Conversation(self.kiosk, id="conversation")
                with Horizontal(id="composer"):
                    yield QuestionBox(
                        placeholder="Getting ready… you can start typing",
                        id="question",
                        max_length=QUESTION_LIMIT,
                    )
                    yield from self._composer_buttons()
            if not self.kiosk:
                yield CustomerPanel(id="customers")
        yield StatusBar(offline=offline_switches_set(), id="status")
        yield Footer()

    def _composer_buttons(self) -> ComposeResult:
        yield Button("Send", id="send", variant="primary")
        if self.kiosk:  # a touch screen has no Ctrl+N or F1
            yield Button("Start over", id="start-over")
            yield Button("Help", id="help-button")
            yield Button("Staff", id="staff-button", classes="quiet")

    def on_mount(self) -> None:
        """Follow the app's loading state; start the kiosk's idle clock."""
        self.watch(self.app, "status_text", self._show_status)
        self.watch(self.app, "ready", self._on_ready)
        if self.kiosk:
            self.set_interval(1.0, self.idle_tick, name="idle")
        self.query_one("#question", Input).focus()

    def on_unmount(self) -> None:
        """Leaving (quit, or a switch of mode): stop any answer still being written."""
        if self._cancel is not None:
            self._cancel.set()

    def _show_status(self, text: str) -> None:
        self.query_one(StatusBar).set_state(text)

    def _on_ready(self, ready: bool) -> None:
        if not ready:
            return
        self.query_one(StatusBar).set_model(self.localbot.model_name)
        self.query_one(StatusBar).set_state("Ready")
        self.query_one("#question", Input).placeholder = "Type your question and press Enter"
        if not self.kiosk:
            self.query_one(HistoryPanel).reload()
        self.query_one(
            "#question", Input
        ).focus()  # ready to type, whatever had focus while loading
        self._start_waiting_question()

    # Asking --------------------------------------------------------------------------------

    @on(Input.Submitted, "#question")
    async def _submitted(self) -> None:
        if self.busy:
            self.notify("Wait for this answer, or press Esc to stop it.", timeout=3)
            return
        await self._ask_from_box()

    @on(Button.Pressed, "#send")
    async def _send_pressed(self) -> None:
        if self.busy:  # while an answer is written the Send button is the Stop button
            self.action_stop()
        else:
            await self._ask_from_box()

    @on(messages.SuggestionChosen)
    async def _suggestion(self, event: messages.SuggestionChosen) -> None:
        if not self.busy:
            await self.ask(event.question)

    async def _ask_from_box(self) -> None:
        box = self.query_one("#question", Input)
        if question := box.value.strip():
            box.value = ""
            await self.ask(question)

    async def ask(self, question: str) -> None:
        """Show ``question`` and answer it (once the model is loaded, if it is still loading).

        A load that failed, its screen since closed, is tried again: the question is next.
        """
        conversation = self.query_one(Conversation)
        self._question = self._protected(question)
        self._asked = await conversation.add_question(self._question)
        view = await conversation.add_answer()
        self._cancel = threading.Event()
        self._answer = view
        if self.localbot.ready:
            self._set_busy(True)
            self._answer_in_thread(question, self.session_id, view, self._cancel, self._customer_id)
        else:
            self._waiting = question
            view.set_waiting(WAITING)
            self._set_busy(True, "Waiting for the model…")
            self.localbot.start_loading()

    def _protected(self, question: str) -> str:
        """``question`` with personal data replaced, as the assistant will store it."""
        assistant = self.localbot.assistant
        if assistant is not None:
            return assistant.protect(question)
        from localbot.privacy import redact  # not open yet: replace all personal data

        return redact(question).text

    def _start_waiting_question(self) -> None:
        """The model is ready: answer the question asked while it loaded."""
        question, self._waiting = self._waiting, None
        if question and self._answer is not None and self._cancel is not None:
            self._answer.set_waiting(THINKING)  # no longer "getting ready"
            self._set_busy(True)
            self._answer_in_thread(
                question, self.session_id, self._answer, self._cancel, self._customer_id
            )

    @property
    def _customer_id(self) -> str | None:
        return self.customer.id if self.customer else None

    @work(thread=True, group="answer", exit_on_error=False)
    def _answer_in_thread(
        self,
        question: str,
        session_id: str | None,
        view: AnswerView,
        cancel: threading.Event,
        customer_id: str | None = None,
    ) -> None:
        assistant = self._assistant()
        shown = ""

        def on_text(piece: str) -> None:
            nonlocal shown
            shown += piece
            view.post_message(messages.AnswerProgress(shown))

        try:
            with self.localbot.db_lock:
                session = session_id or assistant.new_session(self.mode, customer_id)
                reply = assistant.reply(question, session, on_text, cancel, customer_id)
        except Exception as error:  # shown in the answer's place: the UI must not crash
            view.post_message(messages.AnswerFailed(describe_error(error)))
            return
        view.post_message(messages.AnswerFinished(reply))
        self._prepare_next_turn(assistant, reply.session_id)

    def _prepare_next_turn(self, assistant: Assistant, session_id: str) -> None:
        """While the shopper reads, put the conversation into the model's cache (a next
        question waits for the lock, which costs it no more than doing this itself)."""
        try:
            with self.localbot.db_lock:
                assistant.prepare_next_turn(session_id)
        except Exception:  # only a speed-up: the next turn evaluates it instead
            return

    @on(messages.AnswerFinished)
    def _answered(self, event: messages.AnswerFinished) -> None:
        if self._answer is None or not self._answer.finished:
            return  # an abandoned answer (new conversation, reset) finishing late
        self.session_id = event.reply.session_id
        if self._asked is not None:
            self._asked.show(event.reply.question)  # word for word as logged
        self.query_one(StatusBar).show_reply(event.reply)
        if not self.kiosk:
            self.query_one(HistoryPanel).show_current(self.session_id)
            self.query_one(HistoryPanel).reload()
        self._set_busy(False, "Stopped" if event.reply.status == "cancelled" else "Ready")

    @on(messages.AnswerFailed)
    def _answer_failed(self, event: messages.AnswerFailed) -> None:
        if self._answer is None or not self._answer.finished:
            return  # an abandoned answer (new conversation, reset) failing late
        box = self.query_one("#question", Input)
        if not box.value:  # the question is not lost: Enter asks it again (the lock has gone)
            box.value = self._question
            box.cursor_position = len(box.value)
        self._set_busy(False, event.problem.title)
        self.notify(event.problem.fix, title=event.problem.title, severity="error", timeout=8)

    def _set_busy(self, busy: bool, state: str = "Answering…") -> None:
        if not busy:
            self._answer = None
            self._asked = None
            self._cancel = None
            self.localbot.idle.touch()  # the shopper is reading the answer now
        send = self.query_one("#send", Button)
        send.label, send.variant = ("Stop", "error") if busy else ("Send", "primary")
        self.query_one(StatusBar).set_state(state)
        self.refresh_bindings()

    def action_stop(self) -> None:
        """Stop the answer being written; the text so far stays, marked as stopped."""
        if self._cancel is not None and self._answer is not None:
            self._cancel.set()
            self._answer.mark_stopped()
            self.query_one(StatusBar).set_state("Stopping…")
        if self._waiting is not None:  # no worker runs yet, so none will report back
            self._waiting = None
            self._set_busy(False, "Stopped")

    def _abandon(self) -> None:
        """Stop the answer being written and stop waiting for it (its view is going away)."""
        if self._cancel is not None:
            self._cancel.set()
        self._waiting = None
        if self.busy:
            self._set_busy(False, self._idle_state())

    def _idle_state(self) -> str:
        """What the status says with no answer on the way: ready, or what is still loading."""
        return "Ready" if self.localbot.ready else self.localbot.status_text

    async def action_new_conversation(self) -> None:
        """Clear the conversation; the next question starts a new session."""
        self._abandon()
        self.session_id = None
        await self.query_one(Conversation).clear()
        self.query_one("#question", Input).value = ""
        self.query_one(StatusBar).clear_reply()
        self.query_one(StatusBar).set_state(self._idle_state())  # not a stale "Stopped"
        if not self.kiosk:
            self.query_one(HistoryPanel).show_current(None)
        self.query_one("#question", Input).focus()
        self.refresh_bindings()

    @on(Button.Pressed, "#start-over")
    @on(Button.Pressed, "#history-new")
    async def _new_pressed(self) -> None:
        await self.action_new_conversation()

    # Feedback ------------------------------------------------------------------------------

    def action_rate(self, rating: str) -> None:
        """Thumbs up or down for the latest answer."""
        view = self.query_one(Conversation).latest_answer()
        if view is not None and view.can_rate and view.turn_id is not None:
            self._ask_comment(view, view.turn_id, rating)

    @on(messages.FeedbackRequested)
    def _feedback_requested(self, event: messages.FeedbackRequested) -> None:
        views = [v for v in self.query(AnswerView) if v.turn_id == event.turn_id]
        if views:
            self._ask_comment(views[0], event.turn_id, event.rating)

    def _ask_comment(self, view: AnswerView, turn_id: int, rating: str) -> None:
        def send(comment: str | None) -> None:
            if comment is not None:
                self._save_feedback(view, turn_id, rating, comment)

        # Back from the dialog, the cursor is in the question box (a clicked thumb is about to
        # be disabled, and keys typed on it would be lost): the screen restores this focus.
        self.set_focus(self.query_one("#question", Input))
        self.app.push_screen(FeedbackScreen(rating, compact=not self.kiosk), send)

    @work(thread=True, group="store", exit_on_error=False)
    def _save_feedback(self, view: AnswerView, turn_id: int, rating: str, comment: str) -> None:
        saved = self.localbot.guarded(lambda a: a.feedback(turn_id, rating, comment), self)
        if saved is not None:
            view.post_message(messages.FeedbackSaved(rating))

    @on(messages.FeedbackSaved)
    def _feedback_saved(self) -> None:
        self.refresh_bindings()

    @on(messages.ActionFailed)
    def _action_failed(self, event: messages.ActionFailed) -> None:
        self.notify(event.problem.fix, title=event.problem.title, severity="error", timeout=8)

    # History (staff) -----------------------------------------------------------------------

    @on(messages.ConversationChosen)
    def _conversation_chosen(self) -> None:
        self._abandon()  # the history panel is loading the chosen one

    @on(messages.ConversationLoaded)
    async def _conversation_loaded(self, event: messages.ConversationLoaded) -> None:
        self.session_id = event.session_id
        self._show_customer(event.customer)  # a stored conversation keeps the customer it had
        await self.query_one(Conversation).show_turns(event.answers)
        self.query_one(StatusBar).set_state("Continuing a past conversation")
        self.query_one("#question", Input).focus()
        self.refresh_bindings()

    @on(messages.ConversationDeleted)
    async def _deleted(self, event: messages.ConversationDeleted) -> None:
        if event.session_id == self.session_id:
            await self.action_new_conversation()
        self.notify("Conversation deleted.", timeout=3)

    # Customers and insights (staff) ---------------------------------------------------------

    def action_customers(self) -> None:
        """Show the customer panel and put the cursor in its search box (again: hide it)."""
        panel = self.query_one(CustomerPanel)
        panel.display = not panel.display or not panel.has_focus_within
        if panel.display:
            panel.focus_search()
        else:
            self.query_one("#question", Input).focus()

    @on(messages.CustomerChosen)
    async def _customer_chosen(self, event: messages.CustomerChosen) -> None:
        chosen = event.customer
        if (chosen and chosen.id) == self._customer_id:
            return
        # A conversation belongs to one customer (or none): a change starts a new one.
        if self.session_id is not None or self.busy:
            await self.action_new_conversation()
        self._show_customer(chosen)
        self.query_one("#question", Input).focus()

    @on(Button.Pressed, "#customer-clear")
    async def _clear_customer(self) -> None:
        self.post_message(messages.CustomerChosen(None))

    def _show_customer(self, customer: CustomerSummary | None) -> None:
        self.customer = customer
        self.query_one(CustomerBar).show(customer)
        if customer is None:
            self.query_one(CustomerPanel).forget()

    def action_insights(self) -> None:
        """Open the Insights screen: the report, and the answers for staff to review."""
        from localbot.tui.screens.insights import InsightsScreen

        self.app.push_screen(InsightsScreen())

    def action_toggle_history(self) -> None:
        """Show the past conversations with the cursor in their list, or hide them."""
        panel = self.query_one(HistoryPanel)
        had_focus = panel.has_focus_within
        panel.display = not panel.display
        if panel.display:
            panel.query_one(SessionList).focus()
        elif had_focus:  # the cursor must not stay in a hidden list
            self.query_one("#question", Input).focus()

    # Modes, help and the kiosk's idle reset ------------------------------------------------

    def action_help(self) -> None:
        """Show the keys of this mode."""
        self.app.push_screen(HelpScreen(self.mode, self.localbot.settings.kiosk_idle_seconds))

    @on(Button.Pressed, "#help-button")
    def _help_pressed(self) -> None:
        self.action_help()

    def action_kiosk_mode(self) -> None:
        """Staff: hand the screen to shoppers."""
        self._abandon()
        self.localbot.change_mode("kiosk")

    @on(Button.Pressed, "#staff-button")
    def action_staff_menu(self) -> None:
        """Kiosk: the staff PIN, then switch to staff mode or quit."""
        self.localbot.staff_menu()

    async def idle_tick(self) -> None:
        """Kiosk, every second: show the countdown, and start over when the time is up.

        A question still waiting for the model counts down too: if loading never finishes,
        the next shopper must not find it there.
        """
        idle = self.localbot.idle
        if self.writing or not self._has_something_to_clear():
            idle.touch()  # nothing to protect, or an answer is still being written
        self.query_one(IdleBanner).show_seconds(idle.countdown())
        if idle.expired():
            await self.start_over()

    def _has_something_to_clear(self) -> bool:
        box = self.query_one("#question", Input)
        return not self.query_one(Conversation).is_empty or bool(box.value) or self._dialog_open()

    def _dialog_open(self) -> bool:
        """A shopper's dialog is over this screen (not the problem screen: that stays)."""
        screen = self.app.screen
        return screen is not self and not isinstance(screen, ProblemScreen)

    async def start_over(self) -> None:
        """Clear everything the last shopper saw or typed and begin a new session.

        Dialogs close; a problem screen stays (closing it would leave a kiosk that cannot work
        and does not say why), and the conversation under it is cleared all the same. A PIN pad
        opened from a problem screen closes too, so loading is tried again (or says why not).
        """
        while self._dialog_open() and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        if not self.localbot.ready and not isinstance(self.app.screen, ProblemScreen):
            self.localbot.start_loading()
        self.app.clear_notifications()
        await self.action_new_conversation()
        self.localbot.idle.touch()
        self.query_one(IdleBanner).show_seconds(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer each key only where it does something (the footer follows)."""
        if action in STAFF_ONLY:
            return not self.kiosk
        if action in KIOSK_ONLY:
            return self.kiosk
        if action == "stop":
            return self.busy
        if action == "rate":
            latest = self.query(AnswerView).last() if self.query(AnswerView) else None
            return latest is not None and latest.can_rate
        return True

    def _assistant(self) -> Assistant:
        assistant = self.localbot.assistant
        if assistant is None:
            raise RuntimeError("the assistant is not loaded yet")
        return assistant
