"""The conversation pane: the shopper's questions and the assistant's streamed Markdown answers.

An :class:`AnswerView` is filled from a worker thread through posted messages: text arrives as
:class:`~localbot.tui.messages.AnswerProgress` and goes through a ``MarkdownStream``, which
appends only the new blocks (no redraw of the whole answer, so no flicker); when the reply is
complete the view adds the product cards, the documents used, any corrected facts and the
feedback buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Button, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from localbot.tui import messages
from localbot.tui.problems import Problem
from localbot.tui.widgets.cards import ProductCards

if TYPE_CHECKING:
    from localbot.assistant import ProductCard, Reply

SUGGESTIONS = (
    "Waterproof hiking boots under $150",
    "What is your return policy?",
    "A warm sleeping bag for winter camping",
)
STOPPED = "⏹ Stopped. The answer above is incomplete."


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
    """One of the shopper's questions."""

    def __init__(self, question: str) -> None:
        super().__init__(Content(question), classes="question")
        self.border_title = "You"


class AnswerView(Vertical):
    """One answer: streamed Markdown, then cards, sources, corrections and feedback buttons."""

    def __init__(self, compact: bool = True) -> None:
        super().__init__(classes="answer")
        self.border_title = "Assistant"
        self.compact = compact
        self.turn_id: int | None = None
        self.rating: str | None = None
        self.stopped = False
        self.finished = False
        self._shown = ""
        self._stream: MarkdownStream | None = None

    def compose(self) -> ComposeResult:
        """A waiting line, the answer text and a slot for what comes after the text."""
        yield Static("Looking through the catalogue…", classes="thinking")
        yield Markdown(classes="text")
        yield Static(STOPPED, classes="stopped-note")
        yield Vertical(classes="details")

    @property
    def text(self) -> str:
        """The answer text shown so far."""
        return self.query_one(".text", Markdown).source

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
            self._stream = Markdown.get_stream(self.query_one(".text", Markdown))
        if text.startswith(self._shown):
            await self._stream.write(text[len(self._shown) :])
        self._shown = text

    @on(messages.AnswerFinished)
    async def _finished(self, event: messages.AnswerFinished) -> None:
        await self.show_reply(event.reply)  # the message bubbles on to the screen

    @on(messages.AnswerFailed)
    async def _failed(self, event: messages.AnswerFailed) -> None:
        await self.show_problem(event.problem)

    async def show_reply(self, reply: Reply) -> None:
        """Show the complete (or stopped) reply with its cards, sources and corrections."""
        corrections = [c.as_dict() for c in reply.corrections]
        await self._settle(reply.answer)
        await self._details(
            reply.status, reply.products, reply.documents, corrections, reply.history_trimmed
        )
        self.turn_id = reply.turn_id

    async def show_turn(self, turn: Mapping[str, Any], cards: Mapping[str, ProductCard]) -> None:
        """Show a stored turn again (documents are not stored, so none are named)."""
        products = [cards[sku] for sku in turn["products"] if sku in cards]
        await self._settle(turn["answer"])
        await self._details(turn["status"], products, [], turn["corrections"], 0)
        self.turn_id = int(turn["id"])

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
        markdown = self.query_one(".text", Markdown)
        if answer and markdown.source.strip() != answer.strip():
            await markdown.update(answer)
        self._shown = answer
        self.query_one(".thinking", Static).display = False
        markdown.display = bool(answer.strip())

    async def _details(
        self,
        status: str,
        products: list[ProductCard],
        documents: list[dict[str, str]],
        corrections: list[dict[str, Any]],
        trimmed: int,
    ) -> None:
        if status == "cancelled" and not self.stopped:
            self.mark_stopped()
        widgets: list[Static | ProductCards | Horizontal] = []
        if trimmed:
            widgets.append(Static(trimmed_note(trimmed), classes="note"))
        if products:
            widgets.append(ProductCards(products, corrections))
        if documents:
            widgets.append(Static(sources_line(documents), classes="sources"))
        if corrections:
            widgets.append(Static(corrections_line(corrections), classes="corrections"))
        widgets.append(self._feedback_row())
        await self.query_one(".details").mount_all(widgets)

    def _feedback_row(self) -> Horizontal:
        return Horizontal(
            Button("👍 Helpful", id="rate-up", classes="rate", compact=self.compact),
            Button("👎 Not helpful", id="rate-down", classes="rate", compact=self.compact),
            Static("", classes="rated"),
            classes="feedback",
        )

    @on(Button.Pressed, ".rate")
    def _rate(self, event: Button.Pressed) -> None:
        event.stop()
        if self.turn_id is not None and self.rating is None:
            rating = "up" if event.button.id == "rate-up" else "down"
            self.post_message(messages.FeedbackRequested(self.turn_id, rating))

    @on(messages.FeedbackSaved)
    def _saved(self, event: messages.FeedbackSaved) -> None:
        self.rating = event.rating
        for button in self.query(".rate").results(Button):
            button.disabled = True
            button.set_class(button.id == f"rate-{event.rating}", "-chosen")
        self.query_one(".rated", Static).update("Thanks for the feedback.")


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
            corrected=str(c["corrected"]),
        )
        for c in corrections
    ]
    return Content("✎ Corrected from the catalogue: ") + Content("; ").join(items)


class Conversation(VerticalScroll):
    """The scrolling list of questions and answers; stays at the bottom while an answer streams."""

    def __init__(self, kiosk: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.kiosk = kiosk

    def compose(self) -> ComposeResult:
        """An empty conversation shows the welcome panel."""
        yield Welcome(self.kiosk)

    @property
    def is_empty(self) -> bool:
        """Whether nothing has been asked yet."""
        return not self.query(QuestionView)

    async def add_question(self, question: str) -> None:
        """Show the shopper's question (the welcome panel goes away)."""
        await self.query("#welcome").remove()
        await self.mount(QuestionView(question))

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

    async def show_turns(
        self, turns: list[dict[str, Any]], cards: Mapping[str, ProductCard]
    ) -> None:
        """Show a stored conversation, oldest turn first."""
        await self.remove_children()
        for turn in turns:
            await self.mount(QuestionView(turn["question"]))
            view = AnswerView(compact=not self.kiosk)
            await self.mount(view)
            await view.show_turn(turn, cards)
        self.anchor()

    def latest_answer(self) -> AnswerView | None:
        """The newest answer, if any."""
        answers = self.query(AnswerView)
        return answers.last() if answers else None
