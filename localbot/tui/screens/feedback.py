"""The feedback dialog: confirm a thumbs up or down and add an optional short comment."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

COMMENT_LIMIT = 200
TITLES = {
    "up": "👍 Glad it helped! Anything to add?",
    "down": "👎 Sorry about that. What was wrong?",
}


class FeedbackScreen(ModalScreen[str | None]):
    """Returns the comment ('' for none) when sent, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, rating: str, compact: bool = True) -> None:
        super().__init__(id="feedback")
        self.rating = rating
        self.compact = compact

    def compose(self) -> ComposeResult:
        """Title, comment box and the two buttons."""
        with Vertical(classes="dialog"):
            yield Static(TITLES[self.rating], classes="dialog-title")
            yield Input(
                placeholder="Optional comment, then Enter", max_length=COMMENT_LIMIT, id="comment"
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send", id="send", variant="primary", compact=self.compact)
                yield Button("Cancel", id="cancel", compact=self.compact)

    @on(Input.Submitted, "#comment")
    @on(Button.Pressed, "#send")
    def _send(self) -> None:
        self.dismiss(self.query_one("#comment", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close without recording anything."""
        self.dismiss(None)
