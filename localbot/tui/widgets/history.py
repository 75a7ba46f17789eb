"""The staff sidebar: past conversations to open, continue or delete.

The panel reads and deletes conversations through the assistant in its own thread workers and
tells the chat screen by message: a conversation was chosen, loaded, or deleted.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from localbot.tui import messages
from localbot.tui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from localbot.assistant import Assistant, Reply
    from localbot.customers import CustomerSummary
    from localbot.tui.app import LocalbotApp


class SessionList(OptionList):
    """Conversations, newest first; Enter opens one, Delete removes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("delete", "delete", "Delete conversation")]

    def action_delete(self) -> None:
        """Ask to delete the highlighted conversation."""
        option = self.highlighted_option
        if option is not None and option.id:
            self.post_message(messages.DeleteRequested(option.id))
        else:
            self.notify("Pick a conversation in the list first.", timeout=3)


class HistoryPanel(Vertical):
    """Past conversations with open and delete."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.current: str | None = None  # the conversation open on the chat screen

    @property
    def localbot(self) -> LocalbotApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        """Title, the list and the buttons."""
        yield Static("Conversations", classes="panel-title")
        yield SessionList(id="sessions")
        with Horizontal(classes="history-buttons"):
            yield Button("+ New", id="history-new", compact=True)
            yield Button("Delete", id="history-delete", compact=True, variant="error")

    def reload(self) -> None:
        """Read the stored conversations again (in a worker)."""
        self._load_sessions()

    @work(thread=True, group="sessions", exclusive=True, exit_on_error=False)
    def _load_sessions(self) -> None:
        sessions = self.localbot.guarded(lambda assistant: assistant.sessions(), self)
        if sessions is not None:
            self.post_message(messages.HistoryLoaded(sessions))

    @on(messages.HistoryLoaded)
    def _loaded(self, event: messages.HistoryLoaded) -> None:
        event.stop()
        self.show_sessions(event.sessions, self.current)

    def show_sessions(self, sessions: list[dict[str, Any]], current: str | None) -> None:
        """Replace the list with ``sessions``, keeping ``current`` highlighted."""
        options = self.query_one(SessionList)
        options.clear_options()
        for number, session in enumerate(sessions):
            if number:
                options.add_option(None)  # a separator line between conversations
            options.add_option(Option(session_label(session), id=session["id"]))
        if not sessions:
            options.add_option(Option("No conversations yet", disabled=True))
        self.show_current(current)

    def show_current(self, session_id: str | None) -> None:
        """Highlight the open conversation (None: nothing is highlighted)."""
        self.current = session_id
        options = self.query_one(SessionList)
        if session_id is None:
            options.highlighted = None
            return
        with contextlib.suppress(OptionDoesNotExist):
            options.highlighted = options.get_option_index(session_id)

    @on(OptionList.OptionSelected, "#sessions")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id and self.localbot.ready:
            self.post_message(messages.ConversationChosen(event.option.id))
            self._load_conversation(event.option.id)

    @work(thread=True, group="history", exit_on_error=False)
    def _load_conversation(self, session_id: str) -> None:
        loaded = self.localbot.guarded(
            lambda assistant: read_conversation(assistant, session_id), self
        )
        if loaded is not None:
            self.post_message(messages.ConversationLoaded(session_id, *loaded))

    @on(Button.Pressed, "#history-delete")
    def _delete_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        option = self.query_one(SessionList).highlighted_option
        if option is not None and option.id:
            self._confirm_delete(option.id)
        else:
            self.notify("Pick a conversation in the list first.", timeout=3)

    @on(messages.DeleteRequested)
    def _delete_requested(self, event: messages.DeleteRequested) -> None:
        event.stop()
        self._confirm_delete(event.session_id)

    def _confirm_delete(self, session_id: str) -> None:
        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._delete(session_id)

        question = (
            "Delete this conversation, its answers and their feedback? This cannot be undone."
        )
        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    @work(thread=True, group="history", exit_on_error=False)
    def _delete(self, session_id: str) -> None:
        def delete(assistant: Assistant) -> str:
            assistant.delete_session(session_id)
            return session_id

        if self.localbot.guarded(delete, self) is not None:
            self.post_message(messages.ConversationDeleted(session_id))

    @on(messages.ConversationDeleted)
    def _deleted(self) -> None:
        self.reload()  # and the message goes on to the chat screen


def read_conversation(
    assistant: Assistant, session_id: str
) -> tuple[list[Reply], CustomerSummary | None]:
    """A stored conversation's answers, as the assistant reopens them, and who it was with."""
    return assistant.reopen(session_id), assistant.session_customer(session_id)


def session_label(session: dict[str, Any]) -> Content:
    """Two lines: the first question, then when, how many turns and the mode."""
    question = session.get("first_question") or "(no questions)"
    turns = session.get("turns", 0)
    meta = f"{short_time(session.get('created_at', ''))} · {turns} turn{'s' if turns != 1 else ''}"
    if session.get("mode") == "kiosk":
        meta += " · kiosk"
    if session.get("customer_id"):
        meta += f" · customer {session['customer_id']}"
    return Content.from_markup(
        "$question\n[dim]$meta[/dim]", question=_shorten(question), meta=meta
    )


def short_time(stamp: str) -> str:
    """A stored UTC timestamp as local ``Mon 24 Nov 14:05``."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%a %d %b %H:%M")
    except ValueError:
        return stamp


def _shorten(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
