"""The Assistant: retrieve -> prompt -> generate -> verify facts -> log. The only API shells call.

The terminal UI and the CLI both drive :meth:`Assistant.reply`; neither owns retrieval,
prompting or storage. Generation streams through the fact verifier, so what ``on_text`` receives
is already checked, and a cancelled answer keeps its verified partial text.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from localbot.boosts import FeedbackBoosts
from localbot.catalogue.ingest import catalogue_counts
from localbot.catalogue.search import (
    CatalogueSearch,
    Mode,
    Passage,
    Product,
    SearchHit,
    SearchResults,
    fts_query,
)
from localbot.config import MODES, Settings
from localbot.customers import CustomerError, CustomerProfile, CustomerSummary, refuse_in_kiosk
from localbot.customers.profiles import session_link
from localbot.customers.service import (
    CustomerService,
    Personalisation,
    Recommendations,
    resolve_customer,
)
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.governance import ErasureReport, forget_session, privacy_at_startup, purge_expired
from localbot.insights import InsightsReport, build_report
from localbot.llm import ChatModel, GenerationStats
from localbot.modelfiles import check_model_file, resolve_model
from localbot.privacy import Finding, placeholder, redact
from localbot.prompting import Prompt, build_context, build_prompt, system_messages
from localbot.reuse import (
    REUSED_MODEL,
    ReviewError,
    ReviewItem,
    answers_for_review,
    decide,
    find_approved,
    refresh_answer,
)
from localbot.store import InteractionStore, TurnRecord
from localbot.text import strip_control
from localbot.transcript import documents_used, why_from_trace, why_matched
from localbot.verify import Correction, FactChecker, StreamingVerifier

TextCallback = Callable[[str], None]
T = TypeVar("T")


CUT_SHORT = " … (cut short: the answer reached its length limit)"


class AssistantError(RuntimeError):
    """A question cannot be answered (empty catalogue, unknown session); the message says why."""


@dataclass(frozen=True)
class ProductCard:
    """A product shown beside an answer; every field comes from the database."""

    sku: str
    name: str
    price: float
    currency: str
    stock: int
    score: float
    brand: str = ""
    category: str = ""
    why: str = ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "sku": self.sku, "name": self.name, "price": self.price, "currency": self.currency,
            "stock": self.stock, "score": round(self.score, 4), "brand": self.brand,
            "category": self.category, "why": self.why,
        }  # fmt: skip


@dataclass
class Reply:
    """One answered question with everything a shell needs to show it."""

    session_id: str
    turn_id: int
    question: str
    answer: str
    status: str  # 'complete', 'cancelled', 'no_match' or 'reused' (an approved answer)
    products: list[ProductCard] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    model: str = ""
    history_trimmed: int = 0
    filters: str = ""
    personalisation: str = ""  # what a customer's profile changed, or why it was not used
    rating: str | None = None  # the vote it has, for an answer reopened from the log

    def as_dict(self) -> dict[str, Any]:
        """The ``localbot ask --json`` object."""
        return {
            "session_id": self.session_id,
            "turn_id": self.turn_id,
            "answer": self.answer,
            "status": self.status,
            "products": [card.as_dict() for card in self.products],
            "documents": self.documents,
            "corrections": [c.as_dict() for c in self.corrections],
            "timings": self.timings,
            "model": self.model,
            "history_trimmed": self.history_trimmed,
            "filters": self.filters,
            "personalisation": self.personalisation,
        }


class Assistant:
    """Answers shoppers' questions from the local catalogue with the local model."""

    def __init__(
        self,
        settings: Settings,
        db: sqlite_utils.Database | None = None,
        embedder: Embedder | None = None,
        chat_model: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.db = db if db is not None else open_database(settings.database_path)
        self.embedder = embedder or Embedder(Path(settings.embedder) if settings.embedder else None)
        self._chat_model = chat_model
        self.search_engine = CatalogueSearch(self.db, self.embedder)
        if settings.feedback_boosts:
            self.search_engine.feedback = FeedbackBoosts(self.db, self.embedder)
        self.store = InteractionStore(self.db)
        self._customer_service: CustomerService | None = None
        # Kiosk or staff: starts as configured; the UI switches it only after the staff PIN.
        self.mode = settings.mode
        # Retention is enforced every time the assistant starts, not only by 'localbot purge'.
        self.startup_purge = privacy_at_startup(self.db, settings.retention_days, settings.home)

    @property
    def chat_model(self) -> ChatModel:
        """The chat model, resolved from settings on first use (not loaded until needed)."""
        if self._chat_model is None:
            path = resolve_model(self.settings.model, self.settings.models_dir)
            self._chat_model = ChatModel(
                path, n_ctx=self.settings.n_ctx, n_threads=self.settings.n_threads,
                n_gpu_layers=self.settings.n_gpu_layers, seed=self.settings.seed,
                flash_attn=self.settings.flash_attn,
            )  # fmt: skip
        return self._chat_model

    @property
    def model_name(self) -> str:
        """Name of the chat model in use."""
        return self.chat_model.name

    def load(self, on_status: TextCallback | None = None) -> None:
        """Load the embedder and the model and evaluate the system prompt, so answers start fast."""
        say = on_status or (lambda text: None)
        if not self.chat_model.loaded:  # a missing or broken model file is reported at once,
            check_model_file(self.chat_model.path)  # not after the embedder's seconds of loading
        say("Loading the embedding model...")
        self.embedder.load()
        if isinstance(self.search_engine.feedback, FeedbackBoosts):
            say("Reading feedback...")  # embeds rated questions not seen before, once
            self.search_engine.feedback.votes()
        say(f"Loading {self.chat_model.name}...")
        self.chat_model.load()
        say("Preparing the assistant...")
        self.chat_model.warm(system_messages(self.settings.store))
        say("Ready")

    def catalogue_size(self) -> dict[str, int]:
        """Counts of products, documents and quarantined rows."""
        return catalogue_counts(self.db)

    def enforce_retention(self) -> ErasureReport:
        """Purge what has passed ``retention_days`` now (a long-running UI calls this hourly)."""
        return purge_expired(self.db, self.settings.retention_days)

    def switch_mode(self, mode: str) -> None:
        """Serve as a kiosk or as a staff terminal from now on (the UI asks for the PIN first).

        Entering kiosk mode also drops the customer features already built, so nothing about a
        customer stays reachable from the kiosk.
        """
        if mode not in MODES:
            raise AssistantError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        if mode == "kiosk":
            self._customer_service = None

    def new_session(self, mode: str | None = None, customer_id: str | None = None) -> str:
        """Start a conversation and return its id; only a staff session can be for a customer."""
        mode = "kiosk" if self.mode == "kiosk" else (mode or self.mode)  # a kiosk stays anonymous
        if customer_id:
            _guarded(lambda: refuse_in_kiosk(mode))
            _guarded(lambda: resolve_customer(self.db, self.mode, None, customer_id))
        return self.store.start_session(mode, customer_id)

    def find_customers(self, text: str, limit: int = 20) -> list[CustomerSummary]:
        """Customers by part of their name or the start of their loyalty number (staff only)."""
        return _guarded(lambda: self._customers().find(text, limit))

    def customer_profile(self, customer_id: str) -> CustomerProfile:
        """What a staff panel shows about a customer; their preferences only with consent."""
        return _guarded(lambda: self._customers().profile(customer_id))

    def recommend(
        self, customer_id: str, limit: int = 10, include_out_of_stock: bool = False
    ) -> Recommendations:
        """Suggestions for a customer, each with why; popular products without consent."""
        return _guarded(
            lambda: self._customers().recommend(customer_id, limit, include_out_of_stock)
        )

    def session_customer(self, session_id: str) -> CustomerSummary | None:
        """The customer a stored conversation is for (None for an anonymous one)."""
        link = session_link(self.db, session_id)
        if link is None or link[1] is None or self.mode == "kiosk":
            return None  # no customer table is read for an anonymous conversation, or a kiosk
        return self.customer_profile(link[1]).summary

    def _customers(self) -> CustomerService:
        """Customer features, built on first use; refused in kiosk mode."""
        if self._customer_service is None:
            self._customer_service = _guarded(lambda: CustomerService(self.db, self.mode))
        return self._customer_service

    def search(self, query: str, limit: int | None = None, mode: Mode = "hybrid") -> SearchResults:
        """Search the catalogue (what ``localbot search`` shows); personal data is redacted first.

        The embedder is loaded before the clock starts, so the time reported is the search's.
        """
        query = self.protect(_clean_question(query, self.settings.max_question_chars))
        self.embedder.load()
        return self.search_engine.search(query, limit or self.settings.search_limit, mode)

    def sessions(self, limit: int = 50) -> list[dict[str, Any]]:
        """Recent conversations, newest first (id, created_at, mode, customer_id, turns, first_question)."""
        return self.store.sessions(limit)

    def conversation(self, session_id: str) -> list[dict[str, Any]]:
        """All turns of a stored conversation, oldest first, as stored (JSON columns decoded)."""
        return self.store.turns(session_id)

    def reopen(self, session_id: str) -> list[Reply]:
        """A stored conversation's answers, oldest first, to show them again as they were.

        Cards carry today's facts from the database and why each matched then, worded as the
        live answer worded it; each answer names the documents it drew on and keeps its vote.
        """
        turns = self.store.turns(session_id)
        skus = sorted({sku for turn in turns for sku in turn["products"]})
        cards = {card.sku: card for card in self.product_cards(skus)}
        return [self._stored_reply(session_id, turn, cards) for turn in turns]

    def _stored_reply(
        self, session_id: str, turn: dict[str, Any], cards: dict[str, ProductCard]
    ) -> Reply:
        trace = {item.get("key"): item for item in turn["retrieval"]}
        filters = self.search_engine.parse(turn["question"]).describe()
        products = [replace(card, why=why_from_trace(trace.get(f"product:{sku}"), filters))
                    for sku in turn["products"] if (card := cards.get(sku))]  # fmt: skip
        documents = documents_used(
            turn, self.settings.min_similarity, self.settings.context_documents
        )
        corrections = [Correction(**correction) for correction in turn["corrections"]]
        return Reply(session_id, int(turn["id"]), turn["question"], turn["answer"],
                     turn["status"], products, documents, corrections, turn["timings"],
                     rating=turn.get("rating"))  # fmt: skip

    def delete_session(self, session_id: str) -> ErasureReport:
        """Erase a conversation as ``localbot forget --session`` does: turns, feedback, derived
        data, and the deleted bytes overwritten in the database files."""
        return forget_session(self.db, session_id)

    def product_cards(self, skus: list[str]) -> list[ProductCard]:
        """Current cards for SKUs (prices and stock read now from the database)."""
        found = self.search_engine.products_by_sku(skus)
        return [ProductCard(p.sku, p.name, p.price, p.currency, p.stock, 0.0, p.brand, p.category)
                for sku in skus if (p := found.get(sku))]  # fmt: skip

    def feedback(self, turn_id: int, rating: str, comment: str = "") -> int:
        """Record thumbs up or down for an answer (the comment is redacted like a question)."""
        return self.store.add_feedback(turn_id, rating, self.protect(comment) if comment else "")

    def insights(self, since_days: int | None = None) -> InsightsReport:
        """What shoppers ask, where answers fail and what they want (staff only)."""
        self._staff_only("insights")
        return build_report(self.db, self.embedder, since_days)

    def answers_for_review(self, limit: int = 50) -> list[ReviewItem]:
        """Recent generated answers, newest first, each approved, pending or retired."""
        self._staff_only("reviewing answers")
        return answers_for_review(self.db, limit)

    def approve_answer(self, turn_id: int) -> None:
        """Staff approve an answer: it is served again to questions that mean the same."""
        self._review(turn_id, "approved")

    def retire_answer(self, turn_id: int) -> None:
        """Staff retire an answer: it is never served again (until approved anew)."""
        self._review(turn_id, "retired")

    def _review(self, turn_id: int, decision: str) -> None:
        self._staff_only("reviewing answers")
        try:
            decide(self.db, turn_id, decision)
        except ReviewError as error:
            raise AssistantError(str(error)) from error

    def _staff_only(self, what: str) -> None:
        if self.mode == "kiosk":
            raise AssistantError(f"{what} is for staff; leave kiosk mode with the staff PIN")

    def reply(
        self,
        question: str,
        session_id: str | None = None,
        on_text: TextCallback | None = None,
        cancel: threading.Event | None = None,
        customer_id: str | None = None,
    ) -> Reply:
        """Answer ``question`` in a session (a new one if None), streaming checked text to ``on_text``.

        ``customer_id`` (or the session's customer) personalises the answer if they consented:
        products that fit them move up and the prompt gets one line about them. Kiosk mode
        refuses it.
        """
        question = self.protect(_clean_question(question, self.settings.max_question_chars))
        # Before anything loads or is stored: kiosk mode and unknown customers are refused here.
        customer = _guarded(lambda: resolve_customer(self.db, self.mode, session_id, customer_id))
        self.embedder.load()  # a first-use load is start-up cost, not retrieval time
        started = time.perf_counter()
        if self.catalogue_size()["search_items"] == 0:  # before a session is made for nothing
            raise AssistantError(
                "the catalogue is empty; import products with 'localbot ingest knowledge'"
            )
        session_id = self._session(session_id, customer)
        if customer is None and (reused := self._reuse(question, session_id, started, on_text)):
            return reused
        results = self.search_engine.search(question, self.settings.search_limit)
        personal = self._personalise(customer, results)
        products, passages = self._grounding(results)
        if not products and not passages:
            return self._no_match(question, session_id, results, started, on_text)
        return self._generate(
            question, session_id, results, products, passages, started, on_text, cancel, personal
        )

    def _reuse(
        self, question: str, session_id: str, started: float, on_text: TextCallback | None
    ) -> Reply | None:
        """Serve an approved answer to the same question at once, its product facts read now."""
        found = find_approved(self.db, self.embedder, question, self.search_engine.parse)
        if found is None:
            return None
        products = [p for sku in found.skus if (p := self._lookup_sku(sku))]
        original = self.store.turn(found.turn_id) or {}
        trace = original.get("retrieval", [])
        answer, corrections = refresh_answer(
            found.answer, products, self._lookup_sku, self._passage_texts(trace)
        )
        if on_text:
            on_text(answer)
        elapsed = _ms_since(started)
        # Nothing was generated: tokens/s is 0, and the turn it came from is named.
        timings = {"retrieval_ms": 0.0, "ttft_ms": elapsed, "total_ms": elapsed, "tokens_per_s": 0.0,
                   "reused_from_turn": float(found.turn_id), "similarity": found.similarity}  # fmt: skip
        cards = [replace(card, score=found.similarity, why="approved answer")
                 for card in self.product_cards(found.skus)]  # fmt: skip
        record = TurnRecord(session_id, question, "", answer, "complete", REUSED_MODEL,
                            original.get("retrieval", []), found.skus,
                            [c.as_dict() for c in corrections], timings)  # fmt: skip
        turn_id = self.store.record_turn(record)
        return Reply(session_id, turn_id, question, answer, "reused", cards,
                     self._documents_used(original.get("retrieval", [])), corrections, timings,
                     str(original.get("model", REUSED_MODEL)))  # fmt: skip

    def _passage_texts(self, trace: list[dict[str, Any]]) -> list[str]:
        """The text of the document passages a stored answer was given, as they read now."""
        rows = self._used_documents("text", "id", trace)
        return [text for (text,) in rows]

    def _documents_used(self, trace: list[dict[str, Any]]) -> list[dict[str, str]]:
        """The documents (path, title) a stored answer was grounded in, from its trace."""
        rows = self._used_documents("DISTINCT path, title", "path", trace)
        return [{"path": path, "title": title} for path, title in rows]

    def _used_documents(self, columns: str, order: str, trace: list[dict[str, Any]]) -> list[Any]:
        """``columns`` of the document passages the trace marks as given to the model."""
        ids = [item["key"].removeprefix("document:") for item in trace
               if item.get("used") and item["key"].startswith("document:")]  # fmt: skip
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        query = f"SELECT {columns} FROM documents WHERE id IN ({marks}) ORDER BY {order}"
        return self.db.execute(query, ids).fetchall()

    def _personalise(self, customer: str | None, results: SearchResults) -> Personalisation | None:
        """Re-rank ``results`` for a consenting customer; None when the reply is for nobody."""
        if customer is None:
            return None
        return _guarded(lambda: self._customers().personalise(customer, results))

    def protect(self, question: str) -> str:
        """The question as it may be searched, prompted and stored: personal data replaced.

        With the ``redact`` setting off, card numbers are still removed: they never reach the
        model or the log.
        """
        redaction = redact(question)
        if self.settings.redact:
            return redaction.text
        cards = [finding for finding in redaction.findings if finding.type == "CARD"]
        return _replace_findings(question, cards)

    def _session(self, session_id: str | None, customer_id: str | None = None) -> str:
        if session_id is None:
            return self.new_session(customer_id=customer_id)
        if not self.store.session_exists(session_id):
            raise AssistantError(f"no session {session_id!r}; omit --session to start a new one")
        return session_id

    def _grounding(self, results: SearchResults) -> tuple[list[Product], list[Passage]]:
        """The products and passages relevant enough to give the model."""
        relevant = results.relevant(self.settings.min_similarity) or _chosen_by_filters(results)
        products = [h.product for h in relevant if h.product][: self.settings.context_products]
        passages = [h.passage for h in relevant if h.passage][: self.settings.context_documents]
        return products, passages

    def _no_match(
        self,
        question: str,
        session_id: str,
        results: SearchResults,
        started: float,
        on_text: TextCallback | None,
    ) -> Reply:
        answer = _no_match_answer(results, self._categories())
        if on_text:
            on_text(answer)
        timings = {"retrieval_ms": round(results.retrieval_ms, 1), "ttft_ms": 0.0,
                   "total_ms": _ms_since(started), "tokens_per_s": 0.0}  # fmt: skip
        record = TurnRecord(
            session_id,
            question,
            "",
            answer,
            "no_match",
            "",
            _trace(results, set()),
            [],
            [],
            timings,
        )
        turn_id = self.store.record_turn(record)
        return Reply(session_id, turn_id, question, answer, "no_match", timings=timings,
                     filters=results.filters.describe())  # fmt: skip

    def _categories(self) -> list[str]:
        return [
            row[0] for row in self.db.execute("SELECT DISTINCT category FROM products ORDER BY 1")
        ]

    def _generate(
        self,
        question: str,
        session_id: str,
        results: SearchResults,
        products: list[Product],
        passages: list[Passage],
        started: float,
        on_text: TextCallback | None,
        cancel: threading.Event | None,
        personal: Personalisation | None = None,
    ) -> Reply:
        customer, extra = personal.context_for(products) if personal else ("", [])
        context, prompt, products, passages = self._fitting_prompt(
            session_id, question, products, passages, customer
        )
        # Only the passages' own text: the context also lists products, whose prices must
        # stay tied to their products rather than become amounts anyone may quote.
        checker = FactChecker([*products, *extra], self._lookup_sku, _filter_amounts(results),
                              documents=[passage.text for passage in passages])  # fmt: skip
        verifier = StreamingVerifier(checker)
        stats = GenerationStats()
        emit = on_text or (lambda text: None)
        pieces = self.chat_model.stream(
            prompt.messages, self.settings.max_tokens, self.settings.temperature,
            should_stop=cancel.is_set if cancel else None, stats=stats,
        )  # fmt: skip
        for piece in pieces:
            if shown := verifier.feed(strip_control(piece)):
                emit(shown)
        if tail := verifier.finish():
            emit(tail)
        if stats.cut_short and not stats.cancelled:  # say so rather than end mid-word
            emit(CUT_SHORT)
        status = "cancelled" if stats.cancelled else "complete"
        answer = verifier.text.strip() or "(no answer)"
        if stats.cut_short and not stats.cancelled:
            answer += CUT_SHORT
        timings = _timings(results, stats, started)
        cards = _cards(results, products)
        if personal:
            cards = [_with_reason(card, personal) for card in cards]
        record = TurnRecord(
            session_id, question, context, answer, status, self.chat_model.name,
            _trace(results, _keys_given(products, passages)),
            [card.sku for card in cards], [c.as_dict() for c in verifier.corrections], timings,
            prompt.trimmed_turns,
        )  # fmt: skip
        turn_id = self.store.record_turn(record)
        return Reply(
            session_id, turn_id, question, answer, status, cards, _documents(passages),
            verifier.corrections, timings, self.chat_model.name, prompt.trimmed_turns,
            results.filters.describe(), personal.note if personal else "",
        )  # fmt: skip

    def _fitting_prompt(
        self,
        session_id: str,
        question: str,
        products: list[Product],
        passages: list[Passage],
        customer: str = "",
    ) -> tuple[str, Prompt, list[Product], list[Passage]]:
        """Context and prompt that fit the model, and the items in it: history goes first."""
        budget = self.settings.n_ctx - self.settings.max_tokens
        while True:
            context = build_context(products, passages, customer)
            prompt = self._prompt(session_id, context, question)
            if prompt.tokens <= budget:
                if prompt.trimmed_turns:
                    self.store.set_context_start(session_id, prompt.first_turn_id)
                return context, prompt, products, passages
            if len(products) + len(passages) <= 1:  # an answer without grounding is not an answer
                raise AssistantError(
                    f"the question needs {prompt.tokens} tokens but {self.chat_model.name} has "
                    f"room for {budget}; shorten the question or raise n_ctx"
                )
            # A small model still answers from fewer items: drop the weakest one and retry.
            products, passages = _drop_weakest(products, passages)

    def prepare_next_turn(self, session_id: str) -> int:
        """Evaluate the conversation so far into the model's cache while the shopper reads.

        The next question's prompt starts with the past questions and answers, but the cache
        holds the last turn with its catalogue context and the answer as generated, before
        the verifier corrected it. Evaluating the history now (idle time in the UI) leaves
        only the new context and question for the next turn. Returns the tokens evaluated.
        """
        if not self.chat_model.loaded or not self.store.session_exists(session_id):
            return 0
        prompt = self._prompt(session_id, "", "")
        return self.chat_model.warm(prompt.messages[:-1])  # all but the empty new question

    def _prompt(self, session_id: str, context: str, question: str) -> Prompt:
        history = self.store.history(session_id)
        budget = self.settings.n_ctx - self.settings.max_tokens
        return build_prompt(
            history, context, question, self.chat_model.count_tokens, budget,
            self.settings.history_tokens, self.settings.store,
        )  # fmt: skip

    def _lookup_sku(self, sku: str) -> Product | None:
        return self.search_engine.products_by_sku([sku]).get(sku)


def _clean_question(question: str, limit: int) -> str:
    cleaned = " ".join(strip_control(question, keep_newlines=False).split())
    if not cleaned:
        raise AssistantError("the question is empty; type what you are looking for")
    if len(cleaned) > limit:
        raise AssistantError(
            f"the question is {len(cleaned):,} characters; the limit is {limit:,}, so shorten it"
        )
    return cleaned


def _drop_weakest(
    products: list[Product], passages: list[Passage]
) -> tuple[list[Product], list[Passage]]:
    if len(passages) >= len(products) and passages:
        return products, passages[:-1]
    return products[:-1], passages


def _replace_findings(text: str, findings: list[Finding]) -> str:
    for finding in sorted(findings, key=lambda f: f.span, reverse=True):
        start, end = finding.span
        text = text[:start] + placeholder(finding.type) + text[end:]
    return text


def _chosen_by_filters(results: SearchResults) -> list[SearchHit]:
    """The top hits when the filters alone say what the shopper wants, else nothing.

    "Anything from Alpenglow under $200?" names a brand and a price, and the rest of the
    question says nothing a similarity could judge, so the filtered hits are the answer. But
    "a PlayStation 5 in stock?" still asks for a thing: price and stock filters only narrow a
    search, and when nothing is similar to that thing, the honest reply is that there is none.
    """
    filters = results.filters
    named = bool(filters.brands or filters.categories)
    if not filters.active or not (named or not _asks_for_a_thing(filters.text)):
        return []
    return results.hits[:3]


# Shopping words that name no kind of product: "a cheap gift under $25" asks for nothing a
# similarity could judge, so its price filter does the choosing.
_GENERIC_WORDS = frozenset(
    "cheap cheaper cheapest affordable budget gift gifts present presents gear stuff thing things "
    "item items product products sell sells stock carry options idea ideas".split()
)


def _asks_for_a_thing(text: str) -> bool:
    """True when ``text`` (a question without its filter phrases) names something to look for."""
    terms = [term.strip('"') for term in fts_query(text).split(" OR ") if term]
    return any(term not in _GENERIC_WORDS for term in terms)


def _no_match_answer(results: SearchResults, categories: list[str]) -> str:
    if results.filters.active:
        opening = f"I couldn't find anything matching that ({results.filters.describe()})."
    else:
        opening = "I couldn't find anything in our catalogue or store information about that."
    topics = ", ".join(categories[:12]) if categories else "our products"
    return (
        f"{opening} I can help with {topics}, and with store questions such as returns, "
        "delivery, warranty, repairs, rentals and opening hours. A member of staff can help with anything else."
    )


def _filter_amounts(results: SearchResults) -> list[float]:
    """Prices the shopper named (the model may repeat "under $100")."""
    filters = results.filters
    return [a for a in (filters.min_price, filters.max_price) if a is not None]


def _cards(results: SearchResults, products: list[Product]) -> list[ProductCard]:
    scores = {hit.ref: hit for hit in results.hits if hit.product}
    return [
        ProductCard(
            p.sku,
            p.name,
            p.price,
            p.currency,
            p.stock,
            scores[p.sku].score,
            p.brand,
            p.category,
            _why(scores[p.sku], results),
        )
        for p in products
    ]


def _with_reason(card: ProductCard, personal: Personalisation) -> ProductCard:
    """The card with why the product fits the customer, when there is a strong reason."""
    reason = personal.card_reason(card.sku)
    return replace(card, why="; ".join(filter(None, [card.why, reason]))) if reason else card


def _guarded(call: Callable[[], T]) -> T:
    """Run a customer operation, turning its refusals into :class:`AssistantError`."""
    try:
        return call()
    except CustomerError as error:
        raise AssistantError(str(error)) from error


def _why(hit: SearchHit, results: SearchResults) -> str:
    return why_matched(hit.keyword_rank, hit.vector_rank, hit.feedback, results.filters.describe())


def _documents(passages: list[Passage]) -> list[dict[str, str]]:
    seen: dict[str, dict[str, str]] = {}
    for passage in passages:
        seen.setdefault(passage.path, {"path": passage.path, "title": passage.title})
    return list(seen.values())


def _keys_given(products: list[Product], passages: list[Passage]) -> set[str]:
    """Search keys of the items the model was given (as in :attr:`SearchHit.key`)."""
    return {f"product:{p.sku}" for p in products} | {f"document:{p.id}" for p in passages}


def _trace(results: SearchResults, given: set[str]) -> list[dict[str, Any]]:
    return [_trace_item(rank, hit, given) for rank, hit in enumerate(results.hits, start=1)]


def _trace_item(rank: int, hit: Any, given: set[str]) -> dict[str, Any]:
    similarity = None if hit.similarity is None else round(hit.similarity, 4)
    trace = {"key": hit.key, "score": round(hit.score, 5), "rank": rank, "similarity": similarity}
    # Kept so a reopened answer says why a card matched in the live answer's words.
    for name, value in (("keyword_rank", hit.keyword_rank), ("vector_rank", hit.vector_rank)):
        if value:
            trace[name] = value
    if hit.feedback:
        trace["feedback"] = round(hit.feedback, 5)
    if hit.key in given:  # what the answer was grounded in, so it can be named again later
        trace["used"] = True
    return trace


def _timings(results: SearchResults, stats: GenerationStats, started: float) -> dict[str, float]:
    return {
        "retrieval_ms": round(results.retrieval_ms, 1),
        "ttft_ms": round(results.retrieval_ms + stats.ttft_ms, 1),
        "total_ms": _ms_since(started),
        "tokens_per_s": round(stats.tokens_per_s, 1),
        "prompt_tokens": stats.prompt_tokens,
        "cached_tokens": stats.cached_tokens,
        "completion_tokens": stats.completion_tokens,
    }


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
