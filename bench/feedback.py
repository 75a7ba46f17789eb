"""Benchmark approved-answer reuse: answer latency of a reused answer against full generation.

A seeded simulated history (scripts/simulate_history.py) is replayed into a copy of the demo
store. Each labelled question from knowledge/eval/questions.jsonl is answered by the model (full
generation), rated up, then asked again in other words; the second answer is served from the
approved answer. Both are timed in the same run, on the same model and database.

Not measured: recall@5 before and after retrieval feedback boosts (the boosts are not built yet).

Usage: ``.venv/bin/python bench/feedback.py [--questions 6] [--database FILE]``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from localbot.assistant import Assistant
from localbot.catalogue.ingest import ingest_paths
from localbot.config import load_settings
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.paths import knowledge_dir

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Prepare the store with a simulated history, time both paths, print RESULT."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=6)
    parser.add_argument("--database", type=Path, help="an ingested database to copy from")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        assistant = prepare(Path(home), args.database)
        generated, reused = measure(assistant, labelled_questions(args.questions))
    report(generated, reused)


def prepare(home: Path, source: Path | None) -> Assistant:
    """A private store: the demo catalogue (copied or ingested) plus 600 simulated turns."""
    settings = load_settings({"home": str(home)})
    embedder = Embedder()
    if source:
        shutil.copyfile(source, settings.database_path)
    db = open_database(settings.database_path)
    if not source:
        ingest_paths(db, [knowledge_dir()], embedder)
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


def report(generated: list[float], reused: list[float]) -> None:
    """Medians and the speed-up, then the RESULT line."""
    if not generated or not reused:
        print("RESULT reuse=unmeasured (no question was both generated and reused)")
        return
    full, fast = statistics.median(generated), statistics.median(reused)
    print(f"full generation: median {full:,.0f} ms over {len(generated)} answers")
    print(f"reused answers:  median {fast:,.1f} ms over {len(reused)} answers")
    print("recall@5 before/after feedback boosts: not measured (boosts not implemented)")
    print(f"RESULT reused_ms={fast:.1f} generated_ms={full:.0f} speedup={full / fast:.0f}x "
          f"reused={len(reused)}/{len(generated)}")  # fmt: skip


if __name__ == "__main__":
    main()
