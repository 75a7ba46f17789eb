"""Soak: a long scripted kiosk session; memory must stay bounded and latency flat.

Runs N turns (default 300) through one Assistant in one session on the demo store, cycling
through varied shopper questions. Prints resident memory after warm-up and at the end, and the
median latency of the last 50 turns against the first 50, measured in the same run. The long
session exercises history trimming, the KV cache and the interaction log together.
Usage: `.venv/bin/python bench/soak.py [--turns N] [--max-tokens N]`.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from localbot.assistant import Assistant
from localbot.catalogue.ingest import ingest_paths
from localbot.config import load_settings
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.paths import knowledge_dir

QUESTIONS = [
    "I need a tent for two people",
    "what sleeping bag is good for winter?",
    "headlamp under $40 in stock",
    "do you have a stove for backpacking?",
    "can I return something I bought online?",
    "waterproof hiking boots for women",
    "a lock for my bike",
    "which kayak is good for beginners?",
    "how much is delivery to Alaska?",
    "merino socks",
    "do you rent paddle boards?",
    "a power bank for a week of camping",
]
WINDOW = 50


def rss_mb() -> float:
    """Current resident set size in MB (from /proc; falls back to the peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(turns: int, max_tokens: int) -> None:
    """Drive the session and print the figures."""
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(env={"LOCALBOT_HOME": home}).with_overrides(max_tokens=max_tokens)
        db = open_database(settings.database_path)
        embedder = Embedder()
        ingest_paths(db, [knowledge_dir()], embedder)
        bot = Assistant(settings, db=db, embedder=embedder)
        bot.load()
        session = bot.new_session("kiosk")
        latencies, memory, trimmed = [], [], 0
        for turn in range(turns):
            started = time.perf_counter()
            reply = bot.reply(QUESTIONS[turn % len(QUESTIONS)], session)
            latencies.append((time.perf_counter() - started) * 1000)
            bot.prepare_next_turn(session)  # as the terminal UI does while the answer is read
            trimmed += reply.history_trimmed
            memory.append(rss_mb())
            if (turn + 1) % 50 == 0:
                print(f"turn {turn + 1}: {latencies[-1]:.0f} ms, rss {memory[-1]:.0f} MB")
    report(latencies, memory, trimmed)


def report(latencies: list[float], memory: list[float], trimmed: int) -> None:
    """Compare the last window with the first one."""
    window = min(WINDOW, len(latencies) // 2)
    first = statistics.median(latencies[:window])
    last = statistics.median(latencies[-window:])
    baseline_memory = memory[window - 1]
    growth = memory[-1] - baseline_memory
    print(f"median latency first {window}: {first:.0f} ms, last {window}: {last:.0f} ms")
    print(f"rss after {window} turns {baseline_memory:.0f} MB, at the end {memory[-1]:.0f} MB;"
          f" turns trimmed from the model's context: {trimmed}")  # fmt: skip
    print(f"RESULT turns={len(latencies)} latency_first_ms={first:.0f} latency_last_ms={last:.0f}"
          f" latency_ratio={last / first:.2f} rss_start_mb={baseline_memory:.0f} rss_end_mb={memory[-1]:.0f}"
          f" rss_growth_mb={growth:.0f}")  # fmt: skip


def main() -> None:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=300)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()
    run(args.turns, args.max_tokens)


if __name__ == "__main__":
    main()
