"""Seeded simulator: a realistic-shaped conversation history written through the InteractionStore.

Usage: ``LOCALBOT_HOME=... python scripts/simulate_history.py [--turns 3000] [--weeks 4] [--seed 7]``
(the catalogue must be ingested first). Answers are templated from the catalogue instead of being
generated, so thousands of turns take seconds. The same seed writes the same history.

What it produces: recurring intents phrased many ways (some growing over the weeks), thumbs up
and down with comments, unanswerable questions logged as ``no_match``, low-similarity traces,
occasional fact corrections, and personal data that is redacted before it is stored.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlite_utils

from localbot.db import write_transaction
from localbot.privacy import redact
from localbot.store import InteractionStore, TurnRecord
from localbot.verify import Correction, format_price

MODEL = "simulated"


@dataclass(frozen=True)
class Intent:
    """One thing shoppers keep asking, in several phrasings; ``category`` or ``doc`` grounds it."""

    name: str
    phrasings: tuple[str, ...]
    weight: float
    category: str = ""
    doc: str = ""
    down_rate: float = 0.15
    growth: float = 0.0  # extra weight per week, so some intents trend up
    complaints: tuple[str, ...] = ()


INTENTS: tuple[Intent, ...] = (
    Intent("light tent", ("what's your lightest 2 person tent", "need an ultralight tent for two",
           "which tent is lightest for backpacking", "lightweight two-man tent?",
           "show me backpacking tents under 1.5kg"), 6, category="Tents"),
    Intent("family tent", ("big tent for a family of 5", "do you have family camping tents",
           "tent that sleeps six people", "large tent for car camping"), 4, category="Tents"),
    Intent("winter sleeping bag", ("warm sleeping bag for winter", "sleeping bag rated to -10C",
           "which sleeping bag for snow camping", "coldest rated sleeping bag you sell"), 5,
           category="Sleeping Bags & Mats", down_rate=0.3,
           complaints=("temperature rating was wrong", "it suggested a summer bag")),
    Intent("rain jacket", ("waterproof rain jacket", "best jacket for heavy rain",
           "do you have a breathable waterproof shell", "rain coat for hiking"), 5,
           category="Jackets", growth=1.5),
    Intent("hiking boots", ("waterproof hiking boots", "boots for a multi-day hike",
           "which walking boots for wide feet", "leather hiking boots?"), 5, category="Footwear"),
    Intent("headlamp", ("bright headlamp for running", "rechargeable head torch",
           "headlamp with red light mode", "which headlamp lasts longest"), 3, category="Lighting"),
    Intent("stove", ("small camping stove", "gas stove for backpacking",
           "what stove boils water fastest", "lightweight cooking stove"), 3,
           category="Camp Kitchen"),
    Intent("day pack", ("daypack around 20 litres", "small backpack for day hikes",
           "hiking rucksack for a day trip", "which 25L pack do you recommend"), 4,
           category="Backpacks"),
    Intent("bike light", ("bike lights for commuting", "front light for my bicycle",
           "cycling lights usb rechargeable"), 2, category="Cycling"),
    Intent("kayak", ("inflatable kayak", "do you sell kayaks", "paddle board or kayak for a lake"),
           2, category="Water Sports", down_rate=0.35,
           complaints=("said it was in stock but it isn't", "no prices shown")),
    Intent("returns", ("how do I return something", "what is your return policy",
           "can I get a refund without a receipt", "how long do I have to return boots"), 6,
           doc="returns.md", down_rate=0.25, complaints=("didn't say how many days",)),
    Intent("opening hours", ("what time do you open", "are you open on sunday",
           "opening hours today", "when do you close tonight"), 5, doc="store-hours.md"),
    Intent("delivery", ("how much is delivery", "do you deliver next day",
           "shipping cost to my house", "how long does delivery take"), 4, doc="delivery.md"),
    Intent("warranty", ("is there a warranty on tents", "my zip broke, is it under warranty",
           "how long is the guarantee"), 2, doc="warranty.md", down_rate=0.3,
           complaints=("wanted to know about zips specifically",)),
    Intent("rentals", ("can I rent a tent", "do you hire out kayaks", "rental prices for gear"),
           2, doc="rentals.md", growth=0.8),
    Intent("unanswerable", ("do you sell car tyres", "can you fix my laptop",
           "what's the weather this weekend", "do you have dog food", "where can I park my car",
           "who won the football last night"), 3, down_rate=0.6,
           complaints=("not helpful", "couldn't answer", "needed a person")),
)  # fmt: skip

OPENERS = ("", "", "", "hi, ", "hello ", "quick question: ", "sorry, ", "hey - ")
CLOSERS = ("", "", "?", "?", " please", " thanks", "??")
PRAISE = ("great, thanks", "exactly what I needed", "", "", "helpful")
PERSONAL = ("call me on 07700 900123", "my email is sam.jones@example.com")


@dataclass
class SimulationResult:
    """What was written: counts for the caller to print."""

    sessions: int = 0
    turns: int = 0
    feedback: int = 0
    intents: dict[str, int] = field(default_factory=dict)


class Simulator:
    """Writes a seeded history into one database through the real :class:`InteractionStore`."""

    def __init__(self, db: sqlite_utils.Database, seed: int = 7, end: datetime | None = None):
        self.db = db
        self.store = InteractionStore(db)
        self.rng = random.Random(seed)
        self.end = end or datetime.now(UTC).replace(microsecond=0)
        self.products = _products_by_category(db)

    def run(self, turns: int, weeks: int = 4) -> SimulationResult:
        """Write about ``turns`` turns spread over ``weeks`` weeks; returns what was written."""
        result = SimulationResult()
        midnight = self.end.replace(hour=0, minute=0, second=0)
        start = midnight - timedelta(days=weeks * 7 - 1)
        # Shop hours on every day up to the end; nothing after it (a history is in the past).
        moments = sorted(min(self._moment(start, weeks), self.end) for _ in range(turns))
        index = 0
        while index < len(moments):
            length = min(self.rng.choice((1, 1, 2, 2, 3)), len(moments) - index)
            self._session(moments[index : index + length], start, result)
            index += length
        return result

    def _moment(self, start: datetime, weeks: int) -> datetime:
        """A time inside shop hours, more often in the afternoon and at weekends."""
        day = self.rng.randrange(weeks * 7)
        if (start + timedelta(days=day)).weekday() < 5 and self.rng.random() < 0.25:
            day = self.rng.randrange(weeks * 7)  # thins weekdays a little
        hour = min(19, max(9, round(self.rng.gauss(14.5, 2.6))))
        return start + timedelta(days=day, hours=hour, minutes=self.rng.randrange(60))

    def _session(self, moments: Sequence[datetime], start: datetime, result: SimulationResult):
        session_id = self.store.start_session("kiosk" if self.rng.random() < 0.6 else "staff")
        _set_time(self.db, "sessions", "id", session_id, moments[0])
        result.sessions += 1
        for offset, moment in enumerate(moments):
            moment = moment + timedelta(minutes=offset)
            intent = self._intent((moment - start).days / 7)
            self._turn(session_id, intent, moment, result)

    def _intent(self, week: float) -> Intent:
        weights = [i.weight + i.growth * week for i in INTENTS]
        return self.rng.choices(INTENTS, weights=weights)[0]

    def _turn(self, session_id: str, intent: Intent, moment: datetime, result: SimulationResult):
        question = self._question(intent)
        record = self._record(session_id, intent, question)
        turn_id = self.store.record_turn(record)
        _set_time(self.db, "turns", "id", turn_id, moment)
        result.turns += 1
        result.intents[intent.name] = result.intents.get(intent.name, 0) + 1
        if self.rng.random() < 0.22:
            self._feedback(turn_id, intent, record.status, moment)
            result.feedback += 1

    def _question(self, intent: Intent) -> str:
        """A phrasing with small variations; now and then with personal data, redacted as live."""
        text = self.rng.choice(OPENERS) + self.rng.choice(intent.phrasings)
        text += self.rng.choice(CLOSERS)
        if self.rng.random() < 0.03:
            text += ", " + self.rng.choice(PERSONAL)
        return redact(text).text

    def _record(self, session_id: str, intent: Intent, question: str) -> TurnRecord:
        if not intent.category and not intent.doc:
            return self._no_match(session_id, question)
        products = self._pick_products(intent.category)
        trace = self._trace(intent, products)
        answer = _answer(intent, products)
        corrections = self._corrections(products)
        timings = self._timings(answered=True)
        skus = [p["sku"] for p in products]
        return TurnRecord(session_id, question, "", answer, "complete", MODEL, trace, skus,
                          corrections, timings)  # fmt: skip

    def _no_match(self, session_id: str, question: str) -> TurnRecord:
        trace = [{"key": "document:store-hours.md#0", "score": 0.01, "rank": 1,
                  "similarity": round(self.rng.uniform(0.05, 0.25), 4)}]  # fmt: skip
        answer = "I couldn't find anything in our catalogue or store information about that."
        return TurnRecord(session_id, question, "", answer, "no_match", "", trace, [], [],
                          self._timings(answered=False))  # fmt: skip

    def _pick_products(self, category: str) -> list[dict[str, Any]]:
        pool = self.products.get(category, [])
        # The first few products of a category are the popular ones: skewed picks.
        ranked = sorted(pool, key=lambda p: self.rng.random() * (1 + pool.index(p) / 4))
        return ranked[:3]

    def _trace(self, intent: Intent, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
        keys = [f"product:{p['sku']}" for p in products] or [f"document:{intent.doc}#0"]
        top = self.rng.uniform(0.28, 0.78)  # some answered questions still match weakly
        return [{"key": key, "score": round(0.03 / rank, 5), "rank": rank,
                 "similarity": round(top - 0.04 * rank, 4)}
                for rank, key in enumerate(keys, start=1)]  # fmt: skip

    def _corrections(self, products: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not products or self.rng.random() > 0.04:
            return []
        product = products[0]
        wrong = round(product["price"] * 0.8, 2)
        correction = Correction("price", format_price(wrong), format_price(product["price"]),
                                product["sku"], "price differs from the catalogue")  # fmt: skip
        return [correction.as_dict()]

    def _timings(self, answered: bool) -> dict[str, float]:
        retrieval = round(self.rng.uniform(15, 60), 1)
        if not answered:
            return {"retrieval_ms": retrieval, "ttft_ms": 0.0, "total_ms": retrieval + 2}
        ttft = round(retrieval + self.rng.lognormvariate(6.6, 0.35), 1)
        return {"retrieval_ms": retrieval, "ttft_ms": ttft, "total_ms": round(ttft * 3.2, 1)}

    def _feedback(self, turn_id: int, intent: Intent, status: str, moment: datetime) -> None:
        down_rate = 0.8 if status == "no_match" else intent.down_rate
        if self.rng.random() < down_rate:
            comment = self.rng.choice(intent.complaints or ("wrong answer", "not what I asked"))
            rating = "down"
        else:
            rating, comment = "up", self.rng.choice(PRAISE)
        feedback_id = self.store.add_feedback(turn_id, rating, comment)
        _set_time(self.db, "feedback", "id", feedback_id, moment + timedelta(minutes=1))


def _products_by_category(db: sqlite_utils.Database) -> dict[str, list[dict[str, Any]]]:
    cursor = db.execute(
        "SELECT sku, name, category, price, currency, stock FROM products ORDER BY sku"
    )
    keys = [c[0] for c in cursor.description]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in cursor:
        product = dict(zip(keys, row, strict=True))
        grouped.setdefault(product["category"], []).append(product)
    return grouped


def _answer(intent: Intent, products: list[dict[str, Any]]) -> str:
    """A templated answer from the grounding, the shape a real answer has."""
    if not products:
        return f"Here is what our {intent.doc.removesuffix('.md').replace('-', ' ')} page says."
    lines = [f"- {p['name']} ({p['sku']}): {p['price']:.2f} {p['currency']}" for p in products]
    return f"For {intent.name}, these fit:\n" + "\n".join(lines)


def _set_time(db: sqlite_utils.Database, table: str, key: str, value: Any, when: datetime) -> None:
    """Backdate a row the store just wrote (the store stamps 'now'; history is in the past)."""
    with write_transaction(db):
        db.execute(
            f"UPDATE {table} SET created_at = ? WHERE {key} = ?",
            [when.isoformat(timespec="seconds"), value],
        )


def simulate(
    db: sqlite_utils.Database, turns: int = 3000, weeks: int = 4, seed: int = 7,
    end: datetime | None = None,
) -> SimulationResult:  # fmt: skip
    """Write a seeded history of about ``turns`` turns ending at ``end`` (default now)."""
    if db.execute("SELECT count(*) FROM products").fetchone()[0] == 0:
        raise SystemExit("the catalogue is empty; run 'localbot ingest knowledge' first")
    return Simulator(db, seed, end).run(turns, weeks)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: simulate into the database of LOCALBOT_HOME (or --home)."""
    from localbot.config import load_settings
    from localbot.db import open_database

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=3000)
    # Four weeks: within the default 30-day retention, which the assistant enforces at start-up.
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", help="data folder (default: LOCALBOT_HOME)")
    args = parser.parse_args(argv)
    settings = load_settings({"home": args.home})
    db = open_database(settings.database_path)
    result = simulate(db, args.turns, args.weeks, args.seed)
    print(f"wrote {result.sessions} sessions, {result.turns} turns, {result.feedback} feedback "
          f"into {settings.database_path}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
