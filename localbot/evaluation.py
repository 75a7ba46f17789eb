"""Retrieval evaluation on a labelled question set: recall@5, MRR and nDCG@10 per search mode.

A question file has one JSON object per line: ``question`` and ``relevant``, either a list of SKUs
or document paths, or an object mapping them to graded relevance (1 = relevant, 2 = very). An empty
``relevant`` marks a question the store cannot answer; those measure how often search correctly
finds nothing relevant (see ``SearchResults.relevant``) instead of counting for recall. Keyword
search has no similarity to judge that by, so its no-answer accuracy is None ("n/a").

Each labelled item counts once: a result matching a label already credited (the same document
imported under two paths, say) earns nothing more, so every metric stays between 0 and 1.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localbot.catalogue.search import MODES, CatalogueSearch, Mode, SearchResults

RECALL_AT = 5
# The extra row of `localbot eval` when the store has rated answers.
FEEDBACK_MODE = "hybrid+feedback"
NDCG_AT = 10


class QuestionFileError(ValueError):
    """The question file cannot be used; the message names the line and the problem."""


@dataclass(frozen=True)
class LabelledQuestion:
    """A question and the items that answer it, with graded relevance."""

    question: str
    relevant: dict[str, float]
    line: int


@dataclass
class ModeScores:
    """Mean metrics of one search mode over the answerable questions.

    ``abstain_accuracy`` is the share of unanswerable questions where nothing relevant was found;
    None when the mode cannot tell (keyword search) or the set has no unanswerable questions.
    """

    recall_at_5: float = 0.0
    mrr: float = 0.0
    ndcg_at_10: float = 0.0
    abstain_accuracy: float | None = 0.0


@dataclass
class EvalReport:
    """Scores per mode and, for ``--json``, each question's ranked results."""

    questions: int
    answerable: int
    modes: dict[str, ModeScores]
    details: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for ``--json``."""
        return {
            "questions": self.questions,
            "answerable": self.answerable,
            "modes": {mode: vars(scores) for mode, scores in self.modes.items()},
            "details": self.details,
        }


def load_questions(path: Path) -> list[LabelledQuestion]:
    """Read and check a labelled question file."""
    questions = []
    for number, line in enumerate(_read_lines(path), start=1):
        if line.strip():
            questions.append(_parse_question(line, number, path))
    if not questions:
        raise QuestionFileError(f"{path} holds no questions; add one JSON object per line")
    return questions


def _read_lines(path: Path) -> list[str]:
    """The lines of a question file, or a :class:`QuestionFileError` saying what to fix."""
    if path.is_dir():
        raise QuestionFileError(f"{path} is a folder, not a file; pass --questions FILE.jsonl")
    if not path.exists():
        raise QuestionFileError(f"{path} does not exist; pass --questions FILE")
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        raise QuestionFileError(
            f"{path} is not UTF-8 text (byte {error.start}); save it as UTF-8"
        ) from None
    except OSError as error:
        raise QuestionFileError(f"{path} cannot be read ({error.strerror})") from None


def _parse_question(line: str, number: int, path: Path) -> LabelledQuestion:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise QuestionFileError(f"{path} line {number} is not JSON ({error.msg})") from None
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        raise QuestionFileError(f"{path} line {number} needs a 'question' string")
    relevant = data.get("relevant", [])
    if isinstance(relevant, list):
        graded = {str(item): 1.0 for item in relevant}
    elif isinstance(relevant, dict):
        graded = {
            str(key): _grade(value, key, f"{path} line {number}") for key, value in relevant.items()
        }
    else:
        raise QuestionFileError(f"{path} line {number}: 'relevant' must be a list or an object")
    return LabelledQuestion(data["question"], graded, number)


def _grade(value: Any, item: str, where: str) -> float:
    """A graded relevance: a number above 0 (1 = relevant, 2 = very)."""
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    if number is None or not math.isfinite(number) or number <= 0:
        raise QuestionFileError(
            f"{where}: the relevance of {item!r} must be a number above 0 (1 = relevant,"
            f" 2 = very), not {json.dumps(value)[:40]}"
        )
    return float(number)


def result_ids(results: SearchResults) -> list[str]:
    """Ranked ids as labelled: SKUs for products, document paths (first chunk wins) for passages."""
    ids: list[str] = []
    for hit in results.hits:
        item = hit.ref if hit.kind == "product" else hit.ref.split("#", 1)[0]
        if item not in ids:
            ids.append(item)
    return ids


def matches(item: str, label: str) -> bool:
    """A result matches a label exactly, or a document path ends with the labelled path."""
    return item == label or item.endswith("/" + label) or label.endswith("/" + item)


def credited(ranked: list[str], relevant: dict[str, float]) -> list[float]:
    """The gain of each ranked result; a label is credited to its first matching result only.

    A result matching several labels takes the exact one if unused, else the highest graded.
    """
    unused = dict(relevant)
    gains = []
    for item in ranked:
        found = [label for label in unused if matches(item, label)]
        best = max(found, key=lambda label: (label == item, unused[label]), default=None)
        gains.append(unused.pop(best) if best is not None else 0.0)
    return gains


def recall_at(ranked: list[str], relevant: dict[str, float], k: int) -> float:
    """Share of the relevant items found in the top ``k``."""
    found = {label for label in relevant for item in ranked[:k] if matches(item, label)}
    return len(found) / len(relevant)


def reciprocal_rank(ranked: list[str], relevant: dict[str, float]) -> float:
    """1 / rank of the first relevant result (0 if none)."""
    for rank, gain in enumerate(credited(ranked, relevant), start=1):
        if gain > 0:
            return 1.0 / rank
    return 0.0


def ndcg_at(ranked: list[str], relevant: dict[str, float], k: int) -> float:
    """Normalised discounted cumulative gain with graded relevance, each label counted once."""
    gains = credited(ranked[:k], relevant)
    dcg = sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, 1))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(grade / math.log2(rank + 1) for rank, grade in enumerate(ideal, 1))
    return dcg / idcg if idcg else 0.0


def evaluate(
    search: CatalogueSearch,
    questions: list[LabelledQuestion],
    min_similarity: float,
    depth: int = 10,
    modes: tuple[Mode, ...] = MODES,
    progress: Callable[[int, int], None] | None = None,
    with_feedback: bool = False,
) -> EvalReport:
    """Run every question in every mode and average the metrics.

    The plain modes never use feedback, so they stay the baseline; ``with_feedback`` adds the
    row :data:`FEEDBACK_MODE`: hybrid search with the store's retrieval feedback applied.
    """
    vectors = search.embedder.embed([search.parse(q.question).text for q in questions])
    runs: list[tuple[str, Mode, bool]] = [(mode, mode, False) for mode in modes]
    if with_feedback:
        runs.append((FEEDBACK_MODE, "hybrid", True))
    sums = {name: ModeScores() for name, _, _ in runs}
    details: list[dict[str, Any]] = []
    for number, (item, vector) in enumerate(zip(questions, vectors, strict=True), start=1):
        row: dict[str, Any] = {"question": item.question, "relevant": item.relevant, "results": {}}
        for name, mode, use_feedback in runs:
            results = search.search(
                item.question, max(depth, NDCG_AT), mode, query_vector=vector,
                use_feedback=use_feedback,
            )  # fmt: skip
            ranked = result_ids(results)
            row["results"][name] = ranked[:depth]
            _accumulate(sums[name], ranked, item, results, min_similarity)
        details.append(row)
        if progress:
            progress(number, len(questions))
    answerable = sum(1 for q in questions if q.relevant)
    return EvalReport(
        len(questions), answerable, _averages(sums, answerable, len(questions)), details
    )


def _accumulate(
    scores: ModeScores,
    ranked: list[str],
    item: LabelledQuestion,
    results: SearchResults,
    threshold: float,
) -> None:
    if item.relevant:
        scores.recall_at_5 += recall_at(ranked, item.relevant, RECALL_AT)
        scores.mrr += reciprocal_rank(ranked, item.relevant)
        scores.ndcg_at_10 += ndcg_at(ranked, item.relevant, NDCG_AT)
    elif results.mode == "keyword":
        scores.abstain_accuracy = None  # keyword hits carry no similarity to judge them by
    elif scores.abstain_accuracy is not None:
        scores.abstain_accuracy += not results.relevant(threshold)


def _averages(sums: dict[str, ModeScores], answerable: int, total: int) -> dict[str, ModeScores]:
    unanswerable = total - answerable
    averaged: dict[str, ModeScores] = {}
    for mode, s in sums.items():
        abstain = s.abstain_accuracy
        averaged[mode] = ModeScores(
            recall_at_5=round(s.recall_at_5 / max(answerable, 1), 4),
            mrr=round(s.mrr / max(answerable, 1), 4),
            ndcg_at_10=round(s.ndcg_at_10 / max(answerable, 1), 4),
            abstain_accuracy=round(abstain / unanswerable, 4)
            if abstain is not None and unanswerable
            else None,
        )
    return averaged
