"""The status bar: offline indicator, model name, speed of the last answer, and what is going on."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Static

if TYPE_CHECKING:
    from localbot.assistant import Reply


OFFLINE_TIP = "The model, the search and the data all run on this device; nothing is sent anywhere."
NOT_OFFLINE_TIP = "The libraries' offline switches are not set; run 'localbot doctor'."


class StatusBar(Horizontal):
    """One line at the bottom of the chat screen."""

    def __init__(self, offline: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.offline = offline

    def compose(self) -> ComposeResult:
        """Offline badge, model, last-answer speed and the current state, left to right."""
        badge = Static(self._offline_badge(), id="offline")
        badge.tooltip = OFFLINE_TIP if self.offline else NOT_OFFLINE_TIP
        yield badge
        yield Static("", id="model")
        speed = Static("", id="speed")
        speed.tooltip = "Retrieval time and generation speed of the last answer"
        yield speed
        yield Static("Starting…", id="state")

    def _offline_badge(self) -> Content:
        if self.offline:
            return Content.from_markup("[b $success]● Offline[/]")
        return Content.from_markup("[b $warning]● Offline switches off[/]")

    def set_state(self, text: str) -> None:
        """Say what is happening now (loading, answering, ready)."""
        self.query_one("#state", Static).update(Content(text))

    def set_model(self, name: str) -> None:
        """Show the chat model in use."""
        self.query_one("#model", Static).update(Content.from_markup("[b]$name[/b]", name=name))

    def show_reply(self, reply: Reply) -> None:
        """Show the speed and retrieval time of the last answer."""
        self.query_one("#speed", Static).update(speed_text(reply.timings))

    def clear_reply(self) -> None:
        """Forget the last answer's numbers (a new conversation, or the next kiosk shopper)."""
        self.query_one("#speed", Static).update("")


def speed_text(timings: dict[str, float]) -> Content:
    """``retrieval 31 ms · 92 tok/s`` for the last answer (tokens/s only when the model ran)."""
    parts = [f"retrieval {timings.get('retrieval_ms', 0):.0f} ms"]
    if timings.get("tokens_per_s"):
        speed = timings["tokens_per_s"]
        parts.append(f"{speed:.0f} tok/s" if speed >= 10 else f"{speed:.1f} tok/s")
    return Content(" · ".join(parts))
