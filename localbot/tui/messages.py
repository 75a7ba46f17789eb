"""Every message the UI posts, as small dataclasses in one place.

Worker threads talk to widgets only through these (``post_message`` is thread-safe); the
high-rate :class:`AnswerProgress` carries the whole answer so far, so a newer one can replace an
older one still waiting in the queue and a busy screen draws the latest text once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message

from localbot.tui.problems import Problem

if TYPE_CHECKING:
    from localbot.assistant import Assistant, Reply
    from localbot.customers import CustomerProfile, CustomerSummary
    from localbot.customers.service import Recommendations
    from localbot.insights import InsightsReport
    from localbot.reuse import ReviewItem


@dataclass
class LoadProgress(Message):
    """What the background loader is doing now (shown in the status bar)."""

    text: str

    def can_replace(self, message: Message) -> bool:
        """Only the newest status is worth drawing."""
        return isinstance(message, LoadProgress)


@dataclass
class AssistantReady(Message):
    """The embedder and the model are loaded and the system prompt is evaluated."""

    assistant: Assistant
    model_name: str
    catalogue: dict[str, int]


@dataclass
class LoadFailed(Message):
    """The assistant could not be opened or loaded (``assistant`` is set if it was opened)."""

    problem: Problem
    assistant: Assistant | None = None


@dataclass
class AnswerProgress(Message):
    """More checked answer text arrived; ``text`` is the whole answer so far."""

    text: str

    def can_replace(self, message: Message) -> bool:
        """A newer progress message holds everything an older one did."""
        return isinstance(message, AnswerProgress)


@dataclass
class AnswerFinished(Message):
    """The assistant finished (or stopped) an answer; the reply holds cards, sources and timings."""

    reply: Reply


@dataclass
class AnswerFailed(Message):
    """Answering raised an error; the problem says what happened and how to fix it."""

    problem: Problem


@dataclass
class FeedbackRequested(Message):
    """A thumbs button of an answer was pressed."""

    turn_id: int
    rating: str  # 'up' or 'down'


@dataclass
class FeedbackSaved(Message):
    """Feedback for an answer is stored."""

    rating: str


@dataclass
class SuggestionChosen(Message):
    """A suggested question on the welcome panel was pressed."""

    question: str


@dataclass
class HistoryLoaded(Message):
    """The list of stored conversations, newest first (as ``Assistant.sessions()`` returns it)."""

    sessions: list[dict[str, Any]]


@dataclass
class ConversationChosen(Message):
    """A past conversation was picked in the history panel."""

    session_id: str


@dataclass
class DeleteRequested(Message):
    """The history panel asks to delete a conversation."""

    session_id: str


@dataclass
class ConversationDeleted(Message):
    """A conversation was deleted from the database."""

    session_id: str


@dataclass
class ConversationLoaded(Message):
    """A stored conversation was read: its answers as ``Assistant.reopen`` gives them."""

    session_id: str
    answers: list[Reply]
    customer: CustomerSummary | None = None  # who the conversation was with


@dataclass
class ActionFailed(Message):
    """A background task other than answering (feedback, history) failed."""

    problem: Problem


@dataclass
class CustomersFound(Message):
    """Customers matching what staff typed in the customer panel's search box."""

    text: str
    customers: list[CustomerSummary]


@dataclass
class CustomerLoaded(Message):
    """A picked customer's profile and top suggestions, read for the customer panel."""

    profile: CustomerProfile
    recommendations: Recommendations


@dataclass
class CustomerChosen(Message):
    """The chat now serves this customer (None: nobody, the chat is anonymous again)."""

    customer: CustomerSummary | None


@dataclass
class InsightsLoaded(Message):
    """The insights report for the period chosen on the Insights screen."""

    report: InsightsReport


@dataclass
class ReviewLoaded(Message):
    """Recent answers with their review state, newest first."""

    items: list[ReviewItem]


@dataclass
class AnswerReviewed(Message):
    """Staff approved or retired an answer ('approved' or 'retired')."""

    turn_id: int
    decision: str
