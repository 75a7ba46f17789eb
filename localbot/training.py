"""Training data from approved conversations: chat-format examples for fine-tuning, redacted.

An example is an approved answer (thumbs up, no thumbs down, not retired; see reuse.py) with the
system prompt the assistant runs with. An answer written for a customer is never approved, so
never exported: it may speak of that person's purchases. Personal data is redacted again on the
way out, identical examples are written once, and a short report says what was left out and why.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

import sqlite_utils

from localbot.privacy import redact
from localbot.prompting import DEFAULT_STORE, system_messages
from localbot.reuse import approved_answers, personal_rated_up

NO_ANSWER = {"", "(no answer)"}


@dataclass
class TrainingReport:
    """What an export wrote and what it left out, with the reason."""

    rated_up: int = 0
    approved: int = 0
    written: int = 0
    redacted: int = 0  # examples in which personal data was replaced
    removed: Counter[str] = field(default_factory=Counter)

    def describe(self) -> str:
        """A few lines for people."""
        removed = ", ".join(f"{why}: {n}" for why, n in sorted(self.removed.items())) or "none"
        return (
            f"{self.rated_up} answers rated up, {self.approved} still approved; wrote "
            f"{self.written} examples ({self.redacted} with personal data redacted); "
            f"removed: {removed}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json`` and tests."""
        return {"rated_up": self.rated_up, "approved": self.approved, "written": self.written,
                "redacted": self.redacted, "removed": dict(self.removed)}  # fmt: skip


def training_examples(
    db: sqlite_utils.Database, store: str = DEFAULT_STORE
) -> tuple[list[dict[str, Any]], TrainingReport]:
    """Chat-format examples of the approved answers, redacted and deduplicated, oldest first."""
    report = TrainingReport(rated_up=_rated_up(db))
    examples, seen = [], set()
    approved = approved_answers(db)
    report.approved = len(approved)
    if personal := personal_rated_up(db):
        report.removed["written for a customer"] = personal
    report.removed["thumbs down or retired"] = max(0, report.rated_up - report.approved - personal)
    for _turn_id, question, answer, _skus in approved:
        example, why = _example(question, answer, report, store)
        key = json.dumps(example["messages"][1:]) if example else ""
        if why is None and key in seen:
            why = "duplicate"
        if why:
            report.removed[why] += 1
            continue
        seen.add(key)
        examples.append(example)
    report.written = len(examples)
    return examples, report


def write_examples(examples: list[dict[str, Any]], out: IO[str]) -> None:
    """One JSON object per line."""
    for example in examples:
        out.write(json.dumps(example, ensure_ascii=False) + "\n")


def _rated_up(db: sqlite_utils.Database) -> int:
    sql = "SELECT count(DISTINCT turn_id) FROM feedback WHERE rating = 'up'"
    return int(db.execute(sql).fetchone()[0])


def _example(
    question: str, answer: str, report: TrainingReport, store: str
) -> tuple[dict[str, Any], str | None]:
    """The example, or the reason it is left out."""
    if answer.strip() in NO_ANSWER:
        return {}, "empty answer"
    clean_question, clean_answer = redact(question), redact(answer)
    if clean_question.findings or clean_answer.findings:
        report.redacted += 1
    messages = [
        *system_messages(store),
        {"role": "user", "content": " ".join(clean_question.text.split())},
        {"role": "assistant", "content": clean_answer.text.strip()},
    ]
    return {"messages": messages}, None
