"""The conversation pane: the shopper's questions and the assistant's streamed Markdown answers.

An :class:`AnswerView` is filled from a worker thread through posted messages: text arrives as
:class:`~localbot.tui.messages.AnswerProgress` and goes through a ``MarkdownStream``, which
appends only the new blocks (no redraw of the whole answer, so no flicker); when the reply is
complete the view adds the product cards, the documents used, any corrected facts and the
feedback buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Static

from localbot.tui import messages
from localbot.tui.problems import Problem
from localbot.tui.widgets.cards import ProductCards

if TYPE_CHECKING:
    from textual.widgets import Markdown
    from textual.widgets.markdown import MarkdownStream

    from localbot.assistant import ProductCard, Reply

SUGGESTIONS = (
    "Waterproof hiking boots under $150",
    "What is your return policy?",
    "A warm sleeping bag for winter camping",
)
THINKING = "Looking through the catalogue…"
STOPPED = "⏹ Stopped. The answer above is incomplete."
REUSED = "✓ A staff-approved answer to the same question (prices and stock checked now)."
# A reopened conversation mounts this many of its latest turns at once; mounting hundreds of
# widgets takes seconds, so earlier turns wait behind a button.
RECENT_TURNS = 10


class Welcome(Vertical):
    """What an empty conversation shows: a greeting and questions to tap."""

    def __init__(self, kiosk: bool) -> None:
        super().__init__(id="welcome")
        self.kiosk = kiosk

    def compose(self) -> ComposeResult:
        """The greeting and one button per suggested question."""
        yield Static("[b]Hello! How can I help?[/b]", classes="greeting")
        yield Static(
            "Ask about our products, prices and stock, or about returns, delivery, warranty, "
            "repairs, rentals and opening hours. Everything stays on this device.",
            classes="intro",
        )
        with Horizontal(classes="suggestions"):
            for question in SUGGESTIONS:
                yield Button(question, classes="suggestion", compact=not self.kiosk)

    @on(Button.Pressed, ".suggestion")
    def _suggest(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(messages.SuggestionChosen(str(event.button.label)))


class QuestionView(Static):
    """One of the shopper's questions (as stored: personal data replaced)."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(question), classes="question")
        self.border_title = "You"

    def show(self, question: str) -> None:
        """Show ``question`` instead (the stored wording, once the answer is logged)."""
        self.update(Content(question))


@dataclass(frozen=True)
class Outcome:
    """Everything a finished answer shows, from a live reply or from a stored turn."""

    turn_id: int
    answer: str
    status: str
    products: list[ProductCard] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)
    corrections: list[dict[str, Any]] = field(default_factory=list)
    trimmed: int = 0
    personalisation: str = ""  # what the customer's profile changed, or why it was not used
    rating: str | None = None  # the stored vote of a reopened answer

    @classmethod
    def of_reply(cls, reply: Reply) -> Outcome:
        """The outcome of a reply that just finished."""
        corrections = [c.as_dict() for c in reply.corrections]
        return cls(
            reply.turn_id,
            reply.answer,
            reply.status,
            reply.products,
            reply.documents,
            corrections,
            reply.history_trimmed,
            reply.personalisation,
            reply.rating,
        )


class AnswerView(Vertical):
    """One answer: streamed Markdown, then cards, sources, corrections and feedback buttons.

    A live answer starts empty and is filled by messages; a stored one (``outcome``) is built
    complete in one pass, so reopening a long conversation mounts everything at once.
    """

    def __init__(self, compact: bool = True, outcome: Outcome | None = None) -> None:
        super().__init__(classes="answer")
        self.border_title = "Assistant"
        self.compact = compact
        self.outcome = outcome
        self.turn_id = outcome.turn_id if outcome else None
        self.rating: str | None = outcome.rating if outcome else None
        self.stopped = outcome is not None and outcome.status == "cancelled"
        self.finished = outcome is not None
        self._shown = outcome.answer if outcome else ""
        self._stream: MarkdownStream | None = None
        self.set_class(self.stopped, "-stopped")

    def compose(self) -> ComposeResult:
        """A waiting line, the answer text, the stopped note and what comes after the text."""
        thinking = Static(THINKING, classes="thinking")
        thinking.display = self.outcome is None
        yield thinking
        if self.outcome is None:
            yield markdown_widget()(classes="text")
        else:
            from rich.markdown import Markdown as RichMarkdown  # not at start-up: see above

            # A stored answer never streams: Rich's renderer draws it ~7x faster than the
            # Markdown widget, which matters when a long conversation is reopened.
            yield Static(RichMarkdown(self._shown), classes="text")
        yield Static(STOPPED, classes="stopped-note")
        with Vertical(classes="details"):
            if self.outcome is not None:
                yield from self._details(self.outcome)

    @property
    def text(self) -> str:
        """The answer text shown so far."""
        return self._shown

    @property
    def can_rate(self) -> bool:
        """Whether this answer is stored and not rated yet."""
        return self.turn_id is not None and self.rating is None

    def set_waiting(self, text: str) -> None:
        """Say why the answer has not started yet."""
        self.query_one(".thinking", Static).update(text)

    def mark_stopped(self) -> None:
        """Esc was pressed: say so at once and ignore any text still in flight."""
        self.stopped = True
        self.add_class("-stopped")
        self.query_one(".thinking", Static).display = False

    @on(messages.AnswerProgress)
    async def _progress(self, event: messages.AnswerProgress) -> None:
        event.stop()  # high rate, and nobody above needs it
        if self.stopped or self.finished:
            return
        await self._write(event.text)

    async def _write(self, text: str) -> None:
        if text.strip():
            self.query_one(".thinking", Static).display = False
        if self._stream is None:
            self._stream = markdown_widget().get_stream(self._markdown())
        if text.startswith(self._shown):
            await self._stream.write(text[len(self._shown) :])
        self._shown = text

    @on(messages.AnswerFinished)
    async def _finished(self, event: messages.AnswerFinished) -> None:
        await self.show_outcome(Outcome.of_reply(event.reply))  # the message bubbles on

    @on(messages.AnswerFailed)
    async def _failed(self, event: messages.AnswerFailed) -> None:
        await self.show_problem(event.problem)

    async def show_outcome(self, outcome: Outcome) -> None:
        """Show the complete (or stopped) answer with its cards, sources and corrections."""
        await self._settle(outcome.answer)
        if outcome.status == "cancelled" and not self.stopped:
            self.mark_stopped()
        await self.query_one(".details").mount_all(list(self._details(outcome)))
        self.outcome = outcome
        self.turn_id = outcome.turn_id

    async def show_problem(self, problem: Problem) -> None:
        """Show why this question could not be answered and what to do."""
        await self._settle(self._shown)
        self.add_class("-failed")
        await self.query_one(".details").mount(ProblemNote(problem))

    async def _settle(self, answer: str) -> None:
        """End streaming and make the shown text exactly the stored answer."""
        self.finished = True
        if self._stream is not None:
            await self._stream.stop()
        markdown = self._markdown()
        if answer and markdown.source.strip() != answer.strip():
            await markdown.update(answer)
        self._shown = answer
        self.query_one(".thinking", Static).display = False
        markdown.display = bool(answer.strip())

    def _markdown(self) -> Markdown:
        return self.query_one(".text", markdown_widget())

    def _details(self, outcome: Outcome) -> Iterator[Widget]:
        """What follows the text: notes, cards, sources, other corrections, feedback buttons."""
        if outcome.trimmed:
            yield Static(trimmed_note(outcome.trimmed), classes="note")
        if outcome.status == "reused":
            yield Static(REUSED, classes="note reused")
        if outcome.personalisation:
            yield Static(Content(f"👤 {outcome.personalisation}"), classes="note personalisation")
        if outcome.products:
            yield ProductCards(outcome.products, outcome.corrections)
        if outcome.documents:
            yield Static(sources_line(outcome.documents), classes="sources")
        # Corrections about a product with a card are marked on the card; the rest are listed.
        on_cards = {card.sku for card in outcome.products}
        if others := [c for c in outcome.corrections if c.get("sku") not in on_cards]:
            yield Static(corrections_line(others), classes="corrections")
        yield self._feedback_row()

    def _feedback_row(self) -> Horizontal:
        """The thumbs; a reopened answer that was rated shows its vote, and takes no other."""
        buttons = [
            Button("👍 Helpful", id="rate-up", classes="rate", compact=self.compact),
            Button("👎 Not helpful", id="rate-down", classes="rate", compact=self.compact),
        ]
        if self.rating is not None:
            mark_vote(buttons, self.rating)
        said = "Rated earlier." if self.rating is not None else ""
        return Horizontal(*buttons, Static(said, classes="rated"), classes="feedback")

    @on(Button.Pressed, ".rate")
    def _rate(self, event: Button.Pressed) -> None:
        event.stop()
        if self.turn_id is not None and self.rating is None:
            rating = "up" if event.button.id == "rate-up" else "down"
            self.post_message(messages.FeedbackRequested(self.turn_id, rating))

    @on(messages.FeedbackSaved)
    def _saved(self, event: messages.FeedbackSaved) -> None:
        self.rating = event.rating
        mark_vote(self.query(".rate").results(Button), event.rating)
        self.query_one(".rated", Static).update("Thanks for the feedback.")


def markdown_widget() -> type[Markdown]:
    """Textual's Markdown widget, imported with the first answer: its parser (and Rich's) cost
    a tenth of the time to the first paint, before any answer needs them."""
    from textual.widgets import Markdown

    return Markdown


def mark_vote(buttons: Iterable[Button], rating: str) -> None:
    """Disable the thumbs of a rated answer and mark the one chosen (one vote per answer)."""
    for button in buttons:
        button.disabled = True
        button.set_class(button.id == f"rate-{rating}", "-chosen")


class ProblemNote(Static):
    """An error in place of (or after part of) an answer: what happened and what to do."""

    def __init__(self, problem: Problem) -> None:
        text = Content.from_markup(
            "[b]$title[/b]\n$detail\n[b]What to do:[/b] $fix",
            title=problem.title,
            detail=problem.detail,
            fix=problem.fix,
        )
        super().__init__(text, classes="problem")


def trimmed_note(trimmed: int) -> str:
    """Say that old turns left the model's context, instead of dropping them silently."""
    turns = "turn" if trimmed == 1 else "turns"
    return (
        f"Note: the {trimmed} oldest {turns} of this conversation no longer fit in the model's "
        "memory, so it no longer sees them. Start a new conversation (Ctrl+N) for a fresh topic."
    )


def sources_line(documents: list[dict[str, str]]) -> Content:
    """The store documents an answer used, by title and file."""
    names = [Content.from_markup("[b]$title[/b] [dim]($path)[/dim]", **doc) for doc in documents]
    return Content("From: ") + Content(" · ").join(names)


def corrections_line(corrections: list[dict[str, Any]]) -> Content:
    """The facts the verifier corrected against the database."""
    items = [
        Content.from_markup(
            "$kind $original → [b]$corrected[/b]",
            kind=c["kind"],
            original=str(c["original"]),
            corrected=str(c["corrected"]) or "removed",  # an invented SKU is taken out
        )
        for c in corrections
    ]
    return Content("✎ Corrected from the catalogue: ") + Content("; ").join(items)


class Conversation(VerticalScroll):
    """The scrolling list of questions and answers; stays at the bottom while an answer streams."""

    def __init__(self, kiosk: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kiosk = kiosk
        self._earlier: list[Reply] = []  # stored answers not mounted yet

    def compose(self) -> ComposeResult:
        """An empty conversation shows the welcome panel."""
        yield Welcome(self.kiosk)

    @property
    def is_empty(self) -> bool:
        """Whether nothing has been asked yet."""
        return not self.query(QuestionView)

    async def add_question(self, question: str) -> QuestionView:
        """Show the shopper's question (the welcome panel goes away)."""
        await self.query("#welcome").remove()
        view = QuestionView(question)
        await self.mount(view)
        return view

    async def add_answer(self) -> AnswerView:
        """Add an empty answer to stream into, and keep the view at the bottom."""
        view = AnswerView(compact=not self.kiosk)
        await self.mount(view)
        self.anchor()
        return view

    async def clear(self) -> None:
        """Remove every question and answer and show the welcome panel again."""
        await self.remove_children()
        await self.mount(Welcome(self.kiosk))
        self.scroll_home(animate=False)

    async def show_turns(self, answers: list[Reply]) -> None:
        """Show a stored conversation: its latest turns now, earlier ones on request."""
        await self.remove_children()
        self._earlier, recent = answers[:-RECENT_TURNS], answers[-RECENT_TURNS:]
        widgets: list[Widget] = [*self._turn_widgets(recent)] or [Welcome(self.kiosk)]
        if self._earlier:
            widgets.insert(0, Button(f"Show {len(self._earlier)} earlier turns", id="earlier"))
        await self.mount_all(widgets)
        self.anchor()

    def _turn_widgets(self, answers: list[Reply]) -> Iterator[Widget]:
        for reply in answers:
            yield QuestionView(reply.question)
            yield AnswerView(not self.kiosk, Outcome.of_reply(reply))

    @on(Button.Pressed, "#earlier")
    async def _show_earlier(self, event: Button.Pressed) -> None:
        event.stop()
        earlier, self._earlier = self._earlier, []
        await self.mount_all(list(self._turn_widgets(earlier)), after=event.button)
        await event.button.remove()
        self.scroll_home(animate=False)

    def latest_answer(self) -> AnswerView | None:
        """The newest answer, if any."""
        answers = self.query(AnswerView)
        return answers.last() if answers else None
