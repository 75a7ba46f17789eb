"""The staff sidebar: past conversations to open, continue or delete, and room for a customer panel."""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from localbot.tui import messages


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
    """Past conversations with open and delete, plus the slot a customer panel will fill."""

    def compose(self) -> ComposeResult:
        """Title, the list, the buttons and the (empty) customer panel."""
        yield Static("Conversations", classes="panel-title")
        yield SessionList(id="sessions")
        with Horizontal(classes="history-buttons"):
            yield Button("+ New", id="history-new", compact=True)
            yield Button("Delete", id="history-delete", compact=True, variant="error")
        # A later issue adds the customer panel here (profile, purchases, consent).
        yield Vertical(id="customer-panel")

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
        options = self.query_one(SessionList)
        if session_id is None:
            options.highlighted = None
            return
        with contextlib.suppress(OptionDoesNotExist):
            options.highlighted = options.get_option_index(session_id)

    @on(OptionList.OptionSelected, "#sessions")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(messages.ConversationChosen(event.option.id))

    @on(Button.Pressed, "#history-delete")
    def _delete(self, event: Button.Pressed) -> None:
        event.stop()
        option = self.query_one(SessionList).highlighted_option
        # Posted from the panel itself: a message does not bubble past the widget that sent it.
        if option is not None and option.id:
            self.post_message(messages.DeleteRequested(option.id))
        else:
            self.notify("Pick a conversation in the list first.", timeout=3)


def session_label(session: dict[str, Any]) -> Content:
    """Two lines: the first question, then when, how many turns and the mode."""
    question = session.get("first_question") or "(no questions)"
    turns = session.get("turns", 0)
    meta = f"{short_time(session.get('created_at', ''))} · {turns} turn{'s' if turns != 1 else ''}"
    if session.get("mode") == "kiosk":
        meta += " · kiosk"
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
