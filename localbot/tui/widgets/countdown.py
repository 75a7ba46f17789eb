"""The kiosk's countdown banner, shown in the last seconds before the screen starts over."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


class IdleBanner(Static):
    """Tells the shopper the screen is about to clear, and how to keep it."""

    def on_mount(self) -> None:
        """Hidden until the countdown starts."""
        self.display = False

    def show_seconds(self, seconds: int | None) -> None:
        """Show the seconds left, or hide the banner with None."""
        self.display = seconds is not None
        if seconds is not None:
            unit = "second" if seconds == 1 else "seconds"
            self.update(
                Content.from_markup(
                    "[b]Starting over in $seconds $unit[/b] for the next shopper. "
                    "Touch the screen or press any key to keep this conversation.",
                    seconds=seconds,
                    unit=unit,
                )
            )
