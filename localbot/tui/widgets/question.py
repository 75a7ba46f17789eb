"""The question box: an Input where ``?`` on an empty box shows the keys instead of typing.

The box has the focus nearly all the time, so a plain Input would swallow the ``?`` key that
the keys screen promises. No real question starts with ``?``, so an empty box gives it up;
once something is typed, ``?`` is an ordinary character.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class QuestionBox(Input):
    """Where the shopper types; ``?`` on an empty box runs the screen's ``help`` action."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """An empty box leaves ``?`` to the screen's key binding (the footer follows)."""
        return not self._asks_for_help(character) and super().check_consume_key(key, character)

    async def _on_key(self, event: events.Key) -> None:
        # Runs before Input's own handler; preventing the default keeps '?' out of the box.
        if self._asks_for_help(event.character):
            event.stop()
            event.prevent_default()
            await self.run_action("screen.help")

    def _asks_for_help(self, character: str | None) -> bool:
        return character == "?" and not self.value
