"""Staff-only dialogs in kiosk mode: the PIN pad and the staff menu it unlocks.

The PIN pad works by keyboard and by touch (a 3x4 keypad), shows dots only, and leaves the
pause after repeated wrong PINs to :class:`localbot.pin.PinGate`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from localbot.pin import MAX_LENGTH, PinError, PinGate

# (label, id suffix) of the touch keypad, in reading order.
KEYPAD = [(str(n), str(n)) for n in range(1, 10)] + [("⌫", "back"), ("0", "0"), ("OK", "ok")]


class PinScreen(ModalScreen[bool]):
    """Asks for the staff PIN; returns True when it is right, False when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, gate: PinGate, purpose: str) -> None:
        super().__init__(id="pin-screen")
        self.gate = gate
        self.purpose = purpose

    def compose(self) -> ComposeResult:
        """Title, the masked PIN box, a message line, the keypad and Cancel."""
        with Vertical(classes="dialog"):
            yield Static("[b]Staff PIN[/b]", classes="dialog-title")
            yield Static(f"Enter the staff PIN to {self.purpose}.", classes="note")
            yield Input(password=True, restrict=r"[0-9]*", max_length=MAX_LENGTH, id="pin")
            yield Static("", id="pin-message")
            with Grid(id="keypad"):
                for label, name in KEYPAD:
                    primary = name == "ok"
                    yield Button(
                        label,
                        id=f"key-{name}",
                        classes="key",
                        variant="primary" if primary else "default",
                    )
            yield Button("Cancel", id="pin-cancel")

    def on_mount(self) -> None:
        """Say so at once if wrong tries have paused the pad."""
        self._say_if_paused()

    @on(Button.Pressed, ".key")
    def _key(self, event: Button.Pressed) -> None:
        box = self.query_one("#pin", Input)
        key = (event.button.id or "").removeprefix("key-")
        if key == "ok":
            self._check()
        elif key == "back":
            box.value = box.value[:-1]
        elif len(box.value) < MAX_LENGTH:
            box.value += key

    @on(Input.Submitted, "#pin")
    def _check(self) -> None:
        box = self.query_one("#pin", Input)
        pin, box.value = box.value, ""
        if self._say_if_paused():
            return
        try:
            right = self.gate.check(pin)
        except PinError as error:
            self._say(f"{error}; run 'localbot pin set' in a terminal, then restart.")
            return
        if right:
            self.dismiss(True)
        elif not self._say_if_paused():
            self._say("That PIN is not right. Try again.")

    def _say_if_paused(self) -> bool:
        seconds = self.gate.locked_for()
        if seconds > 0:
            self._say(f"Too many wrong PINs. Try again in {seconds:.0f} seconds.")
        return seconds > 0

    def _say(self, text: str) -> None:
        self.query_one("#pin-message", Static).update(text)

    @on(Button.Pressed, "#pin-cancel")
    def action_cancel(self) -> None:
        """Back to the kiosk."""
        self.dismiss(False)


class StaffMenuScreen(ModalScreen[str | None]):
    """What staff can do after the PIN: 'staff' (switch mode), 'quit', or None to go back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        """Three large buttons."""
        with Vertical(classes="dialog"):
            yield Static("[b]Staff[/b]", classes="dialog-title")
            yield Button("Switch to staff mode", id="menu-staff", variant="primary")
            yield Button("Quit localbot", id="menu-quit", variant="error")
            yield Button("Back to the kiosk", id="menu-back")

    @on(Button.Pressed, "#menu-staff")
    def _staff(self) -> None:
        self.dismiss("staff")

    @on(Button.Pressed, "#menu-quit")
    def _quit(self) -> None:
        self.dismiss("quit")

    @on(Button.Pressed, "#menu-back")
    def action_back(self) -> None:
        """Close the menu."""
        self.dismiss(None)
