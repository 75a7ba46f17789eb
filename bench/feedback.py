"""Benchmark learning from feedback: reused answers against full generation, and recall with boosts.

(a) Latency. A seeded simulated history (scripts/simulate_history.py) is replayed into a copy of
the demo store. Each of the first labelled questions is answered by the model (full generation),
rated up, then asked again in other words; the second answer is served from the approved answer.
Both are timed in the same run, on the same model and database.

(b) Recall. Simulated shoppers ask reworded versions of half the labelled questions
(knowledge/eval/questions.jsonl), see the top results of the live search, and rate the answer
up when it shows something the labels call relevant, down otherwise; 15% of ratings are flipped
(shoppers are not consistent). recall@5, MRR and nDCG@10 of hybrid search are then measured
with and without the feedback, in the same run, on the questions shoppers rated and on the
held-out half nobody rated (feedback must not hurt them).

Usage: ``.venv/bin/python bench/feedback.py [--questions 6] [--database FILE] [--skip-latency]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import sqlite_utils

from localbot.assistant import Assistant
from localbot.boosts import FeedbackBoosts
from localbot.catalogue.ingest import ingest_paths
from localbot.catalogue.search import CatalogueSearch
from localbot.config import load_settings
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.evaluation import (
    FEEDBACK_MODE,
    LabelledQuestion,
    ModeScores,
    evaluate,
    load_questions,
    matches,
    result_ids,
)
from localbot.paths import knowledge_dir
from localbot.store import InteractionStore, TurnRecord

ROOT = Path(__file__).resolve().parents[1]


OPENERS = ("", "hi, ", "quick question: ", "hello, do you know ", "sorry - ")
CLOSERS = ("", "?", " please", " thanks", "??")
ASKS_PER_QUESTION = 3
SHOWN = 4  # results a shopper looks at before rating
FLIPPED = 0.15


def main() -> None:
    """Measure recall with and without feedback, then reuse latency; print RESULT."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=6, help="latency: questions generated")
    parser.add_argument("--database", type=Path, help="an ingested database to copy from")
    parser.add_argument("--skip-latency", action="store_true", help="only the recall part")
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        recall = measure_recall(Path(home) / "recall", args.database, args.seed)
    generated: list[float] = []
    reused: list[float] = []
    if not args.skip_latency:
        with tempfile.TemporaryDirectory() as home:
            assistant = prepare(Path(home), args.database)
            generated, reused = measure(assistant, labelled_questions(args.questions))
    report(generated, reused, recall)


def measure_recall(home: Path, source: Path | None, seed: int) -> dict[str, float]:
    """Simulate rated answers for half the labelled questions; score both halves before/after."""
    db, embedder = _store(home, source)
    labelled = load_questions(knowledge_dir() / "eval" / "questions.jsonl")
    answerable = [q for q in labelled if q.relevant]
    rated, held_out = answerable[0::2], answerable[1::2]
    search = CatalogueSearch(db, embedder)
    search.feedback = FeedbackBoosts(db, embedder)
    ratings = simulate_shoppers(db, search, rated, random.Random(seed))
    figures: dict[str, float] = {"ratings": float(ratings)}
    for name, questions in (("rated", rated), ("held_out", held_out)):
        scores = evaluate(search, questions, 0.34, modes=("hybrid",), with_feedback=True).modes
        before, after = scores["hybrid"], scores[FEEDBACK_MODE]
        _print_scores(name, len(questions), before, after)
        figures[f"{name}_recall5_before"] = before.recall_at_5
        figures[f"{name}_recall5_after"] = after.recall_at_5
        figures[f"{name}_mrr_before"], figures[f"{name}_mrr_after"] = before.mrr, after.mrr
    return figures


def _store(home: Path, source: Path | None) -> tuple[sqlite_utils.Database, Embedder]:
    home.mkdir(parents=True, exist_ok=True)
    embedder = Embedder()
    path = home / "localbot.db"
    if source:
        shutil.copyfile(source, path)
    db = open_database(path)
    if not source:
        ingest_paths(db, [knowledge_dir()], embedder)
    return db, embedder


def simulate_shoppers(
    db: sqlite_utils.Database,
    search: CatalogueSearch,
    questions: list[LabelledQuestion],
    rng: random.Random,
) -> int:
    """Shoppers ask rewordings, look at the top results of the live search and rate them."""
    store = InteractionStore(db)
    count = 0
    for _ in range(ASKS_PER_QUESTION):
        for item in questions:
            asked = rng.choice(OPENERS) + item.question.rstrip("?") + rng.choice(CLOSERS)
            results = search.search(asked, 8)
            shown = result_ids(results)[:SHOWN]
            helpful = any(_relevant(found, item) for found in shown)
            if rng.random() < FLIPPED:
                helpful = not helpful
            skus = [hit.ref for hit in results.hits[:SHOWN] if hit.kind == "product"]
            trace = [{"key": hit.key, "rank": rank} for rank, hit in enumerate(results.hits, 1)]
            session = store.start_session("kiosk")
            record = TurnRecord(session, asked, "", "simulated answer", "complete", "simulated",
                                trace, skus, [], {})  # fmt: skip
            store.add_feedback(store.record_turn(record), "up" if helpful else "down")
            count += 1
    return count


def _relevant(found: str, item: LabelledQuestion) -> bool:
    return any(matches(found, label) for label in item.relevant)


def _print_scores(name: str, count: int, before: ModeScores, after: ModeScores) -> None:
    print(f"{name} questions ({count}): recall@5 {before.recall_at_5:.3f} -> {after.recall_at_5:.3f}, "
          f"MRR {before.mrr:.3f} -> {after.mrr:.3f}, nDCG@10 {before.ndcg_at_10:.3f} -> "
          f"{after.ndcg_at_10:.3f} (hybrid without -> with feedback)")  # fmt: skip


def prepare(home: Path, source: Path | None) -> Assistant:
    """A private store: the demo catalogue (copied or ingested) plus 600 simulated turns."""
    settings = load_settings({"home": str(home)})
    db, embedder = _store(settings.database_path.parent, source)
    _simulator().simulate(db, turns=600, weeks=4, seed=3)
    assistant = Assistant(settings, db=db, embedder=embedder)
    assistant.load()
    return assistant


def _simulator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("simulate_history", ROOT / "scripts/simulate_history.py")  # fmt: skip
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules.setdefault("simulate_history", module)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def labelled_questions(limit: int) -> list[str]:
    """The first labelled evaluation questions."""
    lines = (knowledge_dir() / "eval" / "questions.jsonl").read_text().splitlines()
    return [json.loads(line)["question"] for line in lines if line.strip()][:limit]


def measure(assistant: Assistant, questions: list[str]) -> tuple[list[float], list[float]]:
    """Total milliseconds of full generations and of reused answers to rewordings."""
    generated, reused = [], []
    for question in questions:
        first = assistant.reply(question)
        if first.status != "complete":
            continue  # no match, or already approved in the simulated history
        generated.append(first.timings["total_ms"])
        assistant.feedback(first.turn_id, "up")
        again = assistant.reply(f"{question.rstrip('?')}, please?")
        if again.status == "reused":
            reused.append(again.timings["total_ms"])
        print(f"{question!r}: generated {first.timings['total_ms']:,.0f} ms, "
              f"again {again.status} {again.timings['total_ms']:,.0f} ms")  # fmt: skip
    return generated, reused


def report(generated: list[float], reused: list[float], recall: dict[str, float]) -> None:
    """Medians and the speed-up, then the RESULT line."""
    fields = [f"{key}={value:.3f}" if value % 1 else f"{key}={value:.0f}"
              for key, value in recall.items()]  # fmt: skip
    if generated and reused:
        full, fast = statistics.median(generated), statistics.median(reused)
        print(f"full generation: median {full:,.0f} ms over {len(generated)} answers")
        print(f"reused answers:  median {fast:,.1f} ms over {len(reused)} answers")
        fields[:0] = [f"reused_ms={fast:.1f}", f"generated_ms={full:.0f}",
                      f"speedup={full / fast:.0f}x", f"reused={len(reused)}/{len(generated)}"]  # fmt: skip
    else:
        fields.insert(0, "reuse=unmeasured")
    print("RESULT " + " ".join(fields))


if __name__ == "__main__":
    main()
