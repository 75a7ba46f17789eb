"""Redaction quality on the labelled set: precision and recall per type of personal data.

Usage: .venv/bin/python bench/redaction.py [--cases FILE] [--errors]

Each line of tests/data/pii_cases.jsonl holds a text and the personal data in it (type and
value); look-alike lines (SKUs, prices, order numbers, event dates...) hold none.

- recall: share of labelled values that a finding of the same type covers entirely (a partly
  redacted phone number still leaks, so it counts as missed);
- precision: share of findings that overlap a labelled value of the same type.

Then the card trade-off on generated text (seeded, so every run is the same): cards written
with any separators after any word must all be found, and number look-alikes (barcodes, order
numbers, prices, phones, dates) are counted when taken for a card. A Luhn-valid order number
with a card issuer's prefix is redacted on purpose: a card must never reach the model. A second
generated set writes cards with other marks between the groups (slashes, commas, bullets, bars)
and in other digits (full-width, Arabic-Indic, Devanagari); it has its own seed, so adding it
left the first set's figures as they were.

Ends with one line ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localbot.privacy import PII_TYPES, Finding, find_personal_data  # noqa: E402

DEFAULT_CASES = ROOT / "tests" / "data" / "pii_cases.jsonl"
# The bar: these types must be found almost always; every type must rarely be wrong.
CRITICAL_TYPES = ("CARD", "EMAIL", "PHONE")
MIN_CRITICAL_RECALL = 0.98
MIN_PRECISION = 0.95


@dataclass
class Scores:
    """Counts per type, and the lines that went wrong (for --errors)."""

    gold: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)

    def precision(self, kind: str) -> float:
        """Share of ``kind`` findings that overlap a labelled value of that type (1.0 if none)."""
        return self.correct[kind] / self.predicted[kind] if self.predicted[kind] else 1.0

    def recall(self, kind: str) -> float:
        """Share of labelled ``kind`` values a finding of that type covers whole (1.0 if none)."""
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 1.0


def load_cases(path: Path = DEFAULT_CASES) -> list[dict]:
    """The labelled lines of a JSONL file: ``{"id", "text", "pii": [{"type", "value"}]}``."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def gold_spans(case: dict) -> list[Finding]:
    """Labelled values as spans (a value that appears twice is matched in order)."""
    spans, searched_from = [], Counter[str]()
    for item in case["pii"]:
        start = case["text"].index(item["value"], searched_from[item["value"]])
        searched_from[item["value"]] = start + 1
        spans.append(Finding(item["type"], (start, start + len(item["value"]))))
    return spans


def score(cases: list[dict]) -> Scores:
    """Run the redactor on every line and count hits, misses and wrong findings per type."""
    scores = Scores()
    for case in cases:
        gold = gold_spans(case)
        predicted = find_personal_data(case["text"])
        _score_case(scores, case, gold, predicted)
    return scores


def _score_case(scores: Scores, case: dict, gold: list[Finding], predicted: list[Finding]) -> None:
    for item in gold:
        scores.gold[item.type] += 1
        if _covered(item, predicted):
            scores.found[item.type] += 1
        else:
            scores.errors.append(f"missed {item.type:<8} {case['id']}: {case['text']!r}")
    for finding in predicted:
        scores.predicted[finding.type] += 1
        if any(g.type == finding.type and _overlap(g, finding) for g in gold):
            scores.correct[finding.type] += 1
        else:
            shown = case["text"][finding.span[0] : finding.span[1]]
            scores.errors.append(
                f"wrong  {finding.type:<8} {case['id']}: {shown!r} in {case['text']!r}"
            )


def _covered(item: Finding, predicted: list[Finding]) -> bool:
    """Every character of the labelled value is inside a finding of the same type."""
    same = [f.span for f in predicted if f.type == item.type]
    return all(any(a <= i < b for a, b in same) for i in range(*item.span))


def _overlap(a: Finding, b: Finding) -> bool:
    return a.span[0] < b.span[1] and b.span[0] < a.span[1]


# --- the card trade-off on generated text ----------------------------------------------------

CARD_PREFIXES = ("4", "51", "55", "2221", "2720", "2200", "34", "37", "36", "6011", "65", "3528",
                 "62")  # fmt: skip
SEPARATORS = (" ", "  ", "-", " - ", ".", "", "\t", "\u00a0", "–")
OTHER_MARKS = ("/", "_", ",", "*", "•", " | ", "~", "+", ") (", " / ")
DIGIT_SCRIPTS = ("0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹", "०१२३४५६७८९")
WORDS_BEFORE = ("card", "my visa is", "ref", "order", "receipt", "serial no", "cc:", "pay with")


def luhn_complete(body: str) -> str:
    """``body`` with the check digit that makes it pass the Luhn test."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def ean_complete(body: str) -> str:
    """``body`` (12 digits) with its EAN-13 check digit."""
    total = sum(int(char) * (3 if index % 2 else 1) for index, char in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def synthetic_cards(
    rng: random.Random,
    count: int = 400,
    separators: tuple[str, ...] = SEPARATORS,
    scripts: tuple[str, ...] = DIGIT_SCRIPTS[:1],
) -> list[tuple[str, str]]:
    """(text, card as written): valid cards, grouped in fours, any separator, any word before."""
    cases = []
    for _ in range(count):
        prefix = rng.choice(CARD_PREFIXES)
        length = 15 if prefix in ("34", "37") else 14 if prefix == "36" else 16
        card = luhn_complete(prefix + _digits(rng, length - len(prefix) - 1))
        shown = rng.choice(separators).join(card[i : i + 4] for i in range(0, length, 4))
        if len(scripts) > 1:  # one draw fewer for the first set: its figures stay comparable
            shown = shown.translate(str.maketrans(DIGIT_SCRIPTS[0], rng.choice(scripts)))
        glue = rng.choice(("", " "))
        cases.append((f"{rng.choice(WORDS_BEFORE)}{glue}{shown}{glue}exp 04/27", shown))
    return cases


def synthetic_lookalikes(rng: random.Random, count: int = 200) -> dict[str, list[str]]:
    """Number look-alikes by kind, ``count`` lines each."""
    makers = {
        "EAN-13 barcode": lambda: f"barcode {ean_complete(rng.choice(('40', '41', '50', '54', '87', '00')) + _digits(rng, 10))}",
        "order number (16-19 digits)": lambda: f"order {_digits(rng, rng.randint(16, 19))} is late",
        "SKU": lambda: f"SKU {_digits(rng, 4)}-{_digits(rng, 4)}-{_digits(rng, 2)} in stock?",
        "prices": lambda: " ".join(f"{rng.randint(10, 99)}.{rng.randint(0, 99):02d}" for _ in range(4)),
        "sizes": lambda: "sizes " + " ".join(str(rng.randint(36, 48)) for _ in range(8)),
        "phone numbers": lambda: f"call (541) 555-{_digits(rng, 4)} or +44 7700 900{_digits(rng, 3)}",
        "dates": lambda: f"from {rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}.2025 to 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
    }  # fmt: skip
    return {kind: [make() for _ in range(count)] for kind, make in makers.items()}


@dataclass
class CardTradeOff:
    """Generated cards found, and generated look-alikes taken for cards, by kind."""

    cards: int
    cards_found: int
    lookalikes: dict[str, tuple[int, int]]  # kind -> (lines, lines with a CARD finding)
    marked_cards: int = 0  # the second set: other marks and other digits
    marked_found: int = 0

    @property
    def recall(self) -> float:
        """Share of the first set of generated cards found whole."""
        return self.cards_found / self.cards

    @property
    def marked_recall(self) -> float:
        """Share of the second set (other marks, other digits) found whole."""
        return self.marked_found / self.marked_cards if self.marked_cards else 1.0

    @property
    def lookalike_rate(self) -> float:
        """Share of all generated look-alike lines that got a CARD finding."""
        lines = sum(total for total, _ in self.lookalikes.values())
        return sum(flagged for _, flagged in self.lookalikes.values()) / lines


def cards_found(cards: list[tuple[str, str]]) -> int:
    """How many of the generated (text, card as written) pairs have the card redacted whole."""
    found = 0
    for text, shown in cards:
        start = text.index(shown)
        item = Finding("CARD", (start, start + len(shown)))
        found += _covered(item, find_personal_data(text))
    return found


def card_trade_off(seed: int = 2026) -> CardTradeOff:
    """Both generated card sets and the look-alikes, from fixed seeds."""
    rng = random.Random(seed)
    cards = synthetic_cards(rng)
    found = cards_found(cards)
    lookalikes = {}
    for kind, lines in synthetic_lookalikes(rng).items():
        flagged = sum(any(f.type == "CARD" for f in find_personal_data(line)) for line in lines)
        lookalikes[kind] = (len(lines), flagged)
    marked = synthetic_cards(random.Random(seed + 1), 400, OTHER_MARKS, DIGIT_SCRIPTS)
    return CardTradeOff(len(cards), found, lookalikes, len(marked), cards_found(marked))


def trade_off_report(trade_off: CardTradeOff) -> str:
    """The generated sets' figures, a few lines for people."""
    lines = [f"generated cards: {trade_off.cards_found}/{trade_off.cards} found "
             f"(recall {trade_off.recall:.3f}); with other marks and digits: "
             f"{trade_off.marked_found}/{trade_off.marked_cards} "
             f"(recall {trade_off.marked_recall:.3f}); look-alikes taken for a card:"]  # fmt: skip
    for kind, (total, flagged) in trade_off.lookalikes.items():
        lines.append(f"  {kind:<28} {flagged:>4}/{total}")
    return "\n".join(lines)


def microseconds_per_line(cases: list[dict], rounds: int = 5) -> float:
    """Mean time to find personal data in one line, over ``rounds`` passes of the set."""
    started = time.perf_counter()
    for _ in range(rounds):
        for case in cases:
            find_personal_data(case["text"])
    return (time.perf_counter() - started) / (rounds * len(cases)) * 1e6


def report(scores: Scores, cases: list[dict], per_line_us: float) -> str:
    """A table of counts, precision and recall per type, and the set's size and speed."""
    lines = [
        f"{'type':<9} {'labelled':>8} {'found':>6} {'flagged':>7} {'precision':>9} {'recall':>7}"
    ]
    for kind in PII_TYPES:
        lines.append(f"{kind:<9} {scores.gold[kind]:>8} {scores.found[kind]:>6} "
                     f"{scores.predicted[kind]:>7} {scores.precision(kind):>9.3f} {scores.recall(kind):>7.3f}")  # fmt: skip
    lookalikes = sum(1 for c in cases if not c["pii"])
    lines.append(f"{len(cases)} lines ({lookalikes} look-alikes without personal data), "
                 f"{per_line_us:.0f} us per line")  # fmt: skip
    return "\n".join(lines)


def result_line(
    scores: Scores, cases: list[dict], per_line_us: float, trade_off: CardTradeOff
) -> str:
    """The one ``RESULT key=value ...`` line that scripts and the tests read."""
    values = {}
    for kind in PII_TYPES:
        values[f"{kind.lower()}_p"] = f"{scores.precision(kind):.3f}"
        values[f"{kind.lower()}_r"] = f"{scores.recall(kind):.3f}"
    values["min_precision"] = f"{min(scores.precision(k) for k in PII_TYPES):.3f}"
    values["min_critical_recall"] = f"{min(scores.recall(k) for k in CRITICAL_TYPES):.3f}"
    values["generated_card_r"] = f"{trade_off.recall:.3f}"
    values["marked_card_r"] = f"{trade_off.marked_recall:.3f}"
    values["lookalike_card_rate"] = f"{trade_off.lookalike_rate:.3f}"
    values["lines"] = str(len(cases))
    values["us_per_line"] = f"{per_line_us:.0f}"
    return "RESULT " + " ".join(f"{key}={value}" for key, value in values.items())


def main() -> int:
    """Score a labelled set and the generated cards, print the report; exit code 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--errors", action="store_true", help="list every missed or wrong finding")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    scores = score(cases)
    per_line_us = microseconds_per_line(cases)
    trade_off = card_trade_off()
    print(report(scores, cases, per_line_us))
    print(trade_off_report(trade_off))
    if args.errors:
        print("\n".join(scores.errors) or "no errors")
    print(result_line(scores, cases, per_line_us, trade_off))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
