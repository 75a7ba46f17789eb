"""Small dialogs: a yes/no confirmation, and the screen shown when the assistant cannot start."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Static

from localbot.tui.problems import Problem


class ConfirmScreen(ModalScreen[bool]):
    """Asks a yes/no question; returns True for yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "no", "No"),
        Binding("y", "yes", "Yes"),
    ]

    def __init__(self, question: str, yes: str = "Yes") -> None:
        super().__init__(id="confirm")
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-title")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.yes, id="yes", variant="error", compact=True)
                yield Button("Cancel", id="no", compact=True)

    @on(Button.Pressed, "#yes")
    def action_yes(self) -> None:
        """Answer yes."""
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def action_no(self) -> None:
        """Answer no."""
        self.dismiss(False)


class ProblemScreen(Screen[str]):
    """The assistant cannot work: say what happened and what to run; returns 'retry' or 'quit'."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("r", "retry", "Try again")]

    def __init__(self, problem: Problem) -> None:
        super().__init__(id="problem-screen")
        self.problem = problem

    def compose(self) -> ComposeResult:
        """Title, detail, the fix and two buttons."""
        with Vertical(classes="dialog"):
            yield Static(
                Content.from_markup("[b $error]⚠ $title[/]", title=self.problem.title),
                classes="dialog-title",
            )
            yield Static(Content(self.problem.detail), id="problem-detail")
            yield Static(
                Content.from_markup("[b]What to do:[/b] $fix", fix=self.problem.fix),
                id="problem-fix",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Try again", id="retry", variant="primary")
                yield Button("Quit", id="quit")

    @on(Button.Pressed, "#retry")
    def action_retry(self) -> None:
        """Load the assistant again (after the fix was applied in another terminal)."""
        self.dismiss("retry")

    @on(Button.Pressed, "#quit")
    def action_quit(self) -> None:
        """Leave (in kiosk mode the app still asks for the staff PIN)."""
        self.dismiss("quit")
