"""Benchmark `ask` on the demo store against bare llama-cpp-python on the same prompts, same run.

For each question: localbot's retrieval time, time to first token and tokens/s; then the exact
prompt localbot built is sent to a plain `llama_cpp.Llama` (default settings, same GGUF, same
context size), and tokens/s are compared. Absolute times on a shared machine are noise; the
ratio is the figure to track. The same prompts also run through bare llama-cpp-python with
flash attention on and off, which is how the `flash_attn = "auto"` default was chosen.
Usage: `.venv/bin/python bench/ask.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
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
    "I need a light 2 person tent for backpacking",
    "headlamp under $40 in stock",
    "what stove should I take on a weekend trip?",
    "warm sleeping bag for winter camping",
    "do you have waterproof hiking boots?",
]


def bare_llama(
    model_path: Path, n_ctx: int, prompt: str, max_tokens: int, flash_attn: bool = False
) -> tuple[float, float]:
    """(TTFT ms, tokens/s) of a default `Llama` generating from ``prompt`` with a fresh cache."""
    from llama_cpp import Llama

    from localbot.llm import _extra_buffer_types, cpu_has_amx

    with _extra_buffer_types(enabled=not cpu_has_amx()):
        llama = Llama(
            model_path=str(model_path), n_ctx=n_ctx, verbose=False, seed=7, flash_attn=flash_attn
        )
    tokens = llama.tokenize(prompt.encode(), add_bos=False, special=True)
    started = time.perf_counter()
    first = 0.0
    count = 0
    for _ in llama.create_completion(tokens, max_tokens=max_tokens, temperature=0.2, stream=True):
        count += 1
        if count == 1:
            first = time.perf_counter()
    end = time.perf_counter()
    tps = (count - 1) / (end - first) if count > 1 else 0.0
    return (first - started) * 1000, tps


def main() -> None:
    """Run the benchmark and print a table and the RESULT line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(env={"LOCALBOT_HOME": home})
        db = open_database(settings.database_path)
        embedder = Embedder()
        ingest_paths(db, [knowledge_dir()], embedder)
        bot = Assistant(settings, db=db, embedder=embedder)
        bot.load()
        rows = [measure(bot, q) for _ in range(args.rounds) for q in QUESTIONS]
    report(rows, bot.chat_model.name)


def measure(bot: Assistant, question: str) -> dict[str, float]:
    """One question through localbot, then its prompt through bare llama-cpp-python."""
    reply = bot.reply(question)
    if reply.status != "complete":
        return {
            "retrieval_ms": reply.timings["retrieval_ms"],
            "ttft_ms": 0,
            "tps": 0,
            "bare_tps": 0,
            "flash_ttft_ms": 0,
            "flash_tps": 0,
            "bare_ttft_ms": 0,
        }
    messages = bot._prompt(reply.session_id, _stored_context(bot, reply.turn_id), question).messages
    prompt = bot.chat_model.render(messages[:1] + messages[-1:])
    path, n_ctx, max_tokens = bot.chat_model.path, bot.settings.n_ctx, bot.settings.max_tokens
    bare_ttft, bare = bare_llama(path, n_ctx, prompt, max_tokens)
    flash_ttft, flash = bare_llama(path, n_ctx, prompt, max_tokens, flash_attn=True)
    t = reply.timings
    print(f"{question[:44]:<44} retrieval {t['retrieval_ms']:6.1f} ms  ttft {t['ttft_ms']:7.1f} ms"
          f"  {t['tokens_per_s']:6.1f} tok/s  bare {bare:6.1f} tok/s"
          f"  flash-attn ttft {flash_ttft / bare_ttft:.2f}x tok/s {flash / bare:.2f}x")  # fmt: skip
    return {
        "retrieval_ms": t["retrieval_ms"],
        "ttft_ms": t["ttft_ms"],
        "tps": t["tokens_per_s"],
        "bare_tps": bare,
        "bare_ttft_ms": bare_ttft,
        "flash_ttft_ms": flash_ttft,
        "flash_tps": flash,
    }


def _stored_context(bot: Assistant, turn_id: int) -> str:
    stored = bot.store.turn(turn_id) or {}
    return str(stored.get("context", ""))


def report(rows: list[dict[str, float]], model: str) -> None:
    """Print medians and the RESULT line."""
    answered = [r for r in rows if r["tps"] > 0]
    retrieval = statistics.median(r["retrieval_ms"] for r in rows)
    if not answered:  # every question was a no-match or a reused answer: nothing to compare
        print(f"model {model}: no question got a generated answer; only retrieval was measured")
        print(f"RESULT retrieval_ms={retrieval:.1f} answered=0")
        return
    ttft = statistics.median(r["ttft_ms"] for r in answered)
    tps = statistics.median(r["tps"] for r in answered)
    bare = statistics.median(r["bare_tps"] for r in answered)
    flash_ttft = statistics.median(r["flash_ttft_ms"] / r["bare_ttft_ms"] for r in answered)
    flash_tps = statistics.median(r["flash_tps"] / r["bare_tps"] for r in answered)
    print(f"model {model}: median retrieval {retrieval:.1f} ms, ttft {ttft:.0f} ms, {tps:.1f} tok/s"
          f" vs bare llama-cpp-python {bare:.1f} tok/s")  # fmt: skip
    print(f"flash attention on vs off (bare llama-cpp-python): ttft {flash_ttft:.2f}x,"
          f" tokens/s {flash_tps:.2f}x")  # fmt: skip
    print(f"RESULT retrieval_ms={retrieval:.1f} ttft_ms={ttft:.0f} tokens_per_s={tps:.1f}"
          f" bare_tokens_per_s={bare:.1f} ratio_vs_bare={tps / bare:.2f}"
          f" flash_attn_ttft_ratio={flash_ttft:.2f} flash_attn_tps_ratio={flash_tps:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
