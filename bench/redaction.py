"""Redaction quality on the labelled set: precision and recall per type of personal data.

Usage: .venv/bin/python bench/redaction.py [--cases FILE] [--errors]

Each line of tests/data/pii_cases.jsonl holds a text and the personal data in it (type and
value); look-alike lines (SKUs, prices, order numbers, event dates...) hold none.

- recall: share of labelled values that a finding of the same type covers entirely (a partly
  redacted phone number still leaks, so it counts as missed);
- precision: share of findings that overlap a labelled value of the same type.

Ends with one line ``RESULT key=value ...``.
"""

from __future__ import annotations

import argparse
import json
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
        return self.correct[kind] / self.predicted[kind] if self.predicted[kind] else 1.0

    def recall(self, kind: str) -> float:
        return self.found[kind] / self.gold[kind] if self.gold[kind] else 1.0


def load_cases(path: Path = DEFAULT_CASES) -> list[dict]:
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


def microseconds_per_line(cases: list[dict], rounds: int = 5) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for case in cases:
            find_personal_data(case["text"])
    return (time.perf_counter() - started) / (rounds * len(cases)) * 1e6


def report(scores: Scores, cases: list[dict], per_line_us: float) -> str:
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


def result_line(scores: Scores, cases: list[dict], per_line_us: float) -> str:
    values = {}
    for kind in PII_TYPES:
        values[f"{kind.lower()}_p"] = f"{scores.precision(kind):.3f}"
        values[f"{kind.lower()}_r"] = f"{scores.recall(kind):.3f}"
    values["min_precision"] = f"{min(scores.precision(k) for k in PII_TYPES):.3f}"
    values["min_critical_recall"] = f"{min(scores.recall(k) for k in CRITICAL_TYPES):.3f}"
    values["lines"] = str(len(cases))
    values["us_per_line"] = f"{per_line_us:.0f}"
    return "RESULT " + " ".join(f"{key}={value}" for key, value in values.items())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--errors", action="store_true", help="list every missed or wrong finding")
    args = parser.parse_args()
    cases = load_cases(args.cases)
    scores = score(cases)
    per_line_us = microseconds_per_line(cases)
    print(report(scores, cases, per_line_us))
    if args.errors:
        print("\n".join(scores.errors) or "no errors")
    print(result_line(scores, cases, per_line_us))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
