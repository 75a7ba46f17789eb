"""Time to first token across a 10-turn conversation: localbot's prompt layout against a naive one.

localbot's layout (localbot/prompting.py): the static system prompt first (evaluated once, at
start-up), then the past turns as question and answer (inside the `history_tokens` window), then
the new turn with its catalogue context. The chat model cuts the previous turn's context, and
turns sliding out of the window, out of its KV cache (localbot/llm.py), so a turn evaluates
about its new context and question only, at a depth the window keeps bounded. The naive layout
re-sends everything: the current catalogue context in the system message at the top, then the
past questions and answers, then the question; the prompt changes right after the first lines,
so every turn evaluates the whole conversation again.

Both run in the same process on two copies of the model (so neither disturbs the other's cache),
turn by turn interleaved (so both see the same machine load), on the demo store, with the same
history (localbot's answers). After each turn the turn-1 prompt is timed again on the naive
model ("turn-1 work now"): dividing each turn's TTFT by it cancels the machine's load, which
moved several-fold during one conversation on the shared test machine. Each turn's own message
is also timed as the first turn of a new conversation ("as a first turn"): a turn's TTFT over
it is what the history costs, whatever the size of that turn's context. Between turns the bench
calls `Assistant.prepare_next_turn`, as the terminal UI does while the answer is read.
TTFT here is the model's: from the prompt to the first token,
retrieval excluded (it is the same for both). Usage: `.venv/bin/python bench/turns.py [--rounds N]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile

from localbot.assistant import Assistant
from localbot.catalogue.ingest import ingest_paths
from localbot.config import load_settings
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.llm import ChatModel, GenerationStats
from localbot.paths import knowledge_dir
from localbot.prompting import SYSTEM_PROMPT, system_messages, user_message

CONVERSATION = [
    "I'm planning a three day backpacking trip, what tent would you suggest for two people?",
    "is there a lighter one?",
    "what sleeping bag goes with it for nights around freezing?",
    "and a sleeping mat?",
    "I need a stove too, something small",
    "what fuel does it use?",
    "do you have a headlamp under $40?",
    "what about a water filter?",
    "which backpack would fit all of this?",
    "can I return the tent if it doesn't fit in the pack?",
]


def naive_messages(history: list[tuple[str, str]], context: str, question: str) -> list[dict]:
    """Everything re-sent: fresh context at the top, then the plain conversation."""
    messages = [{"role": "system", "content": f"{SYSTEM_PROMPT}\n\n{context}"}]
    for past_question, answer in history:
        messages += [{"role": "user", "content": past_question},
                     {"role": "assistant", "content": answer}]  # fmt: skip
    return [*messages, {"role": "user", "content": f"QUESTION: {question}"}]


def naive_ttft(model: ChatModel, messages: list[dict]) -> tuple[float, int, int]:
    """Model TTFT (ms), prompt tokens and tokens evaluated for one naive turn."""
    stats = GenerationStats()
    for _ in model.stream(messages, max_tokens=1, stats=stats):
        pass
    return stats.ttft_ms, stats.prompt_tokens, stats.prompt_tokens - stats.cached_tokens


def run_conversation(bot: Assistant, naive: ChatModel) -> list[dict[str, float]]:
    """One conversation: each turn through localbot, then the same turn in the naive layout."""
    session = bot.new_session()
    history: list[tuple[str, str]] = []
    rows = []
    first: list[dict] = []
    for number, question in enumerate(CONVERSATION, start=1):
        reply = bot.reply(question, session)
        t = reply.timings
        context = str((bot.store.turn(reply.turn_id) or {}).get("context", ""))
        own = [*system_messages(), user_message(context, question)]
        first = first or own
        n_ttft, n_prompt, n_eval = naive_ttft(naive, naive_messages(history, context, question))
        reference, _, _ = naive_ttft(naive, first)
        naive.warm(system_messages())  # as at start-up: only the message itself is evaluated
        fresh, _, _ = naive_ttft(naive, own)
        history.append((question, reply.answer))
        # What the terminal UI does while the shopper reads the answer (not timed: idle time).
        bot.prepare_next_turn(session)
        rows.append({
            "turn": number, "ttft": t.get("ttft_ms", 0) - t.get("retrieval_ms", 0),
            "prompt": t.get("prompt_tokens", 0),
            "evaluated": t.get("prompt_tokens", 0) - t.get("cached_tokens", 0),
            "own": bot.chat_model.count_tokens(own) - bot.chat_model.count_tokens(system_messages()),
            "trimmed": reply.history_trimmed, "status": reply.status,
            "naive_ttft": n_ttft, "naive_prompt": n_prompt, "naive_evaluated": n_eval,
            "reference": reference, "fresh": fresh,
        })  # fmt: skip
        print_turn(rows[-1])
    return rows


def print_turn(row: dict) -> None:
    """One line per turn."""
    note = f"  (dropped {row['trimmed']} oldest turns)" if row["trimmed"] else ""
    print(f"turn {row['turn']:>2}: localbot {row['ttft']:7.1f} ms ({row['evaluated']:>4} of"
          f" {row['prompt']:>4} tokens evaluated; own message {row['own']:>4})   naive {row['naive_ttft']:7.1f} ms"
          f" ({row['naive_evaluated']:>4} of {row['naive_prompt']:>4})   as a first turn {row['fresh']:7.1f} ms   turn-1 work now"
          f" {row['reference']:7.1f} ms{note}", flush=True)  # fmt: skip


def main() -> None:
    """Run the conversation(s) and print the RESULT line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--threads", type=int, default=0, help="generation threads for both models (0: setting)"
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory() as home:
        settings = load_settings(
            env={"LOCALBOT_HOME": home, "LOCALBOT_N_THREADS": str(args.threads)}
        )
        db = open_database(settings.database_path)
        embedder = Embedder()
        ingest_paths(db, [knowledge_dir()], embedder)
        bot = Assistant(settings, db=db, embedder=embedder)
        bot.load()  # evaluates the static system prompt once
        naive = ChatModel(
            bot.chat_model.path, settings.n_ctx, settings.n_threads, seed=settings.seed
        )
        naive.load()
        rounds = [run_conversation(bot, naive) for _ in range(args.rounds)]
    report(rounds, bot.chat_model.name)


def report(rounds: list[list[dict]], model: str) -> None:
    """Median per turn over the rounds, then the RESULT line.

    Tokens evaluated per turn drive TTFT and do not depend on the machine's load, so they are
    reported next to the times (on a busy machine the time per token varies several-fold). "Own
    message" is the turn's context and question alone: what it would evaluate as a first turn,
    the least any cache can leave to evaluate.
    """
    med = {key: [statistics.median(r[i][key] for r in rounds) for i in range(len(rounds[0]))]
           for key in ("ttft", "evaluated", "own", "naive_ttft", "naive_evaluated")}  # fmt: skip
    # Load-corrected: each turn's TTFT over the turn-1 prompt's TTFT measured right after it.
    norm = [statistics.median(r[i]["ttft"] / r[i]["reference"] for r in rounds)
            for i in range(len(rounds[0]))]  # fmt: skip
    naive_norm = [statistics.median(r[i]["naive_ttft"] / r[i]["reference"] for r in rounds)
                  for i in range(len(rounds[0]))]  # fmt: skip
    # History cost: each turn's TTFT over the same message asked as a first turn, right after.
    history_cost = [statistics.median(r[i]["ttft"] / r[i]["fresh"] for r in rounds)
                    for i in range(len(rounds[0]))]  # fmt: skip
    ttft, tokens, naive, naive_tokens = (med[k] for k in ("ttft", "evaluated", "naive_ttft",
                                                           "naive_evaluated"))  # fmt: skip
    print(f"model {model}: turn 10 / turn 1 TTFT {ttft[-1] / ttft[0]:.2f} (localbot),"
          f" {naive[-1] / naive[0]:.2f} (naive); tokens evaluated {tokens[-1] / tokens[0]:.2f}"
          f" (localbot), {naive_tokens[-1] / naive_tokens[0]:.2f} (naive); localbot is"
          f" {naive[-1] / ttft[-1]:.1f}x faster than naive at turn 10")  # fmt: skip
    print(f"RESULT turn1_ttft_ms={ttft[0]:.0f} turn10_ttft_ms={ttft[-1]:.0f}"
          f" turn10_vs_turn1={ttft[-1] / ttft[0]:.2f} worst_turn_vs_turn1={max(ttft) / ttft[0]:.2f}"
          f" tokens_turn10_vs_turn1={tokens[-1] / tokens[0]:.2f}"
          f" own_message_tokens_turn10_vs_turn1={med['own'][-1] / med['own'][0]:.2f}"
          f" naive_turn10_vs_turn1={naive[-1] / naive[0]:.2f}"
          f" naive_tokens_turn10_vs_turn1={naive_tokens[-1] / naive_tokens[0]:.2f}"
          f" speedup_vs_naive_turn10={naive[-1] / ttft[-1]:.1f}"
          f" load_corrected_turn10_vs_turn1={norm[-1] / norm[0]:.2f}"
          f" load_corrected_worst_vs_turn1={max(norm) / norm[0]:.2f}"
          f" naive_load_corrected_turn10_vs_turn1={naive_norm[-1] / norm[0]:.2f}"
          f" history_cost_turn10={history_cost[-1]:.2f} history_cost_worst={max(history_cost):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
