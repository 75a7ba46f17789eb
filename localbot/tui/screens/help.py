"""The keys screen (F1 or ?): every key of the current mode, in plain words."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

COMMON_KEYS = [
    ("Enter", "Ask the question you typed"),
    ("Esc", "Stop the answer being written (what is there is kept)"),
    ("Ctrl+N", "Start a new conversation"),
    ("F2 / F3", "Thumbs up / down for the latest answer"),
    ("Tab", "Move to the buttons (any answer's thumbs, too)"),
    ("F1 or ?", "Show these keys (? when the question box is empty)"),
]
STAFF_KEYS = [
    ("F4", "Show or hide past conversations"),
    ("F5", "Customer panel: find a customer by name or loyalty number"),
    ("F6", "Insights: common questions, pain points, demand; approve answers"),
    ("Enter", "(in the list) Open a past conversation and continue it"),
    ("Delete", "(in the list) Delete a conversation"),
    ("F9", "Switch to kiosk mode"),
    ("Ctrl+Q", "Quit"),
]
KIOSK_KEYS = [
    ("F9", "Staff: switch to staff mode (asks for the staff PIN)"),
    ("Ctrl+Q", "Staff: quit (asks for the staff PIN)"),
]


def keys_table(mode: str) -> Content:
    """The keys of ``mode`` as aligned lines."""
    rows = COMMON_KEYS + (KIOSK_KEYS if mode == "kiosk" else STAFF_KEYS)
    lines = [
        Content.from_markup("[b $accent]$key[/]", key=f"{key:<9}") + Content(text)
        for key, text in rows
    ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """Lists the keys; any of Esc, F1, ? or the Close button closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,f1,question_mark,q", "close", "Close")]

    def __init__(self, mode: str, idle_seconds: int) -> None:
        super().__init__(id="help")
        self.mode = mode
        self.idle_seconds = idle_seconds

    def compose(self) -> ComposeResult:
        """The keys, a note on touch and the close button."""
        with Vertical(classes="dialog"):
            yield Static("[b]Keys[/b]", classes="dialog-title")
            yield Static(keys_table(self.mode), id="keys")
            yield Static(self._note(), classes="note")
            yield Button("Close", id="close", variant="primary")

    def _note(self) -> str:
        if self.mode == "kiosk":
            return (
                "Every action can also be tapped. After "
                f"{self.idle_seconds} seconds without use the screen clears for the next shopper."
            )
        return (
            "Every button can also be clicked. Answers are stored for review; Delete removes them."
        )

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        """Close the keys screen."""
        self.dismiss(None)
