"""Conversations on the real model: each turn evaluates only its new context and question.

Past turns are replayed without their catalogue context, and the chat model removes the previous
turn's context (and turns sliding out of the window) from its KV cache instead of evaluating the
rest again. Assertions are on token counts, never on times (the test machine is shared).
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from grounding import document_amounts

import localbot.llm
from localbot.assistant import Assistant
from localbot.db import open_database
from localbot.prompting import system_messages, user_message

# Template markup around the new message and the replayed answer.
SLACK = 32
PRICE = re.compile(r"\$(\d[\d,]*\.?\d*)")


def new_message_tokens(bot: Assistant, reply) -> int:
    """Tokens of this turn's user message (its context and question) as the model sees it."""
    context = str(bot.store.turn(reply.turn_id)["context"])
    return bot.chat_model.count_tokens([user_message(context, reply.question)])


def answer_tokens(bot: Assistant, reply) -> int:
    """Tokens of a stored answer: evaluated again from its first corrected fact, whose
    corrected text was never in the cache."""
    return len(bot.chat_model.tokenize(reply.answer))


def evaluated(reply) -> int:
    return int(reply.timings["prompt_tokens"] - reply.timings["cached_tokens"])


def assert_verified(bot: Assistant, reply) -> None:
    """A complete answer whose every price is one the database holds."""
    assert reply.status == "complete", reply.answer
    prices = {round(row[0], 2) for row in bot.db.execute("SELECT price FROM products")}
    prices |= document_amounts(bot.db, reply)  # a policy's fee or rate may be quoted
    for amount in PRICE.findall(reply.answer):
        if amount.rstrip("."):
            assert round(float(amount.rstrip(".").replace(",", "")), 2) in prices, reply.answer


@pytest.fixture
def bot(settings, demo_db_path, embedder, chat_model):
    """An assistant on the shared model, built from the test's settings."""

    def make(**overrides) -> Assistant:
        return Assistant(
            settings.with_overrides(**overrides), db=open_database(demo_db_path),
            embedder=embedder, chat_model=chat_model,
        )  # fmt: skip

    return make


def test_a_follow_up_evaluates_only_its_new_context_and_question(bot):
    assistant = bot()
    first = assistant.reply("I need a light tent for two people")
    second = assistant.reply("and a sleeping bag for cold nights?", first.session_id)
    assert_verified(assistant, first)
    assert_verified(assistant, second)
    assert second.history_trimmed == 0
    # The first turn's context was cut out of the cache: its question, after it, was reused.
    system = assistant.chat_model.count_tokens(system_messages())
    question = len(assistant.chat_model.tokenize(f"QUESTION: {first.question}"))
    assert second.timings["cached_tokens"] >= system + question
    assert evaluated(second) <= (
        new_message_tokens(assistant, second) + answer_tokens(assistant, first) + SLACK
    )


def test_after_prepare_next_turn_a_follow_up_evaluates_only_its_own_message(bot):
    assistant = bot()
    first = assistant.reply("I need a light tent for two people")
    prepared = assistant.prepare_next_turn(first.session_id)  # what the UI does while reading
    assert prepared > 0  # the history differs from the cache: context gone, answer checked
    assert assistant.prepare_next_turn(first.session_id) == 0  # now it is all cached
    second = assistant.reply("and a sleeping bag for cold nights?", first.session_id)
    assert_verified(assistant, second)
    assert evaluated(second) <= new_message_tokens(assistant, second) + 8  # + template markup


def test_turns_sliding_out_of_the_window_are_not_re_evaluated(bot):
    assistant = bot(history_tokens=200, max_tokens=60)
    session = assistant.new_session()
    questions = ["tents for 4 people", "sleeping bags for winter", "a small camping stove",
                 "headlamps", "rain jackets"]  # fmt: skip
    replies = [assistant.reply(q, session) for q in questions]
    slid = [(before, r) for before, r in pairwise(replies)
            if r.history_trimmed]  # fmt: skip
    assert slid, "five answered turns do not fit a 200-token window"
    assert assistant.store.context_start(session) > replies[0].turn_id
    for before, reply in slid:
        assert_verified(assistant, reply)
        # The turns still in the window (all but the latest) come from the cache, shifted.
        assert evaluated(reply) <= (
            new_message_tokens(assistant, reply) + answer_tokens(assistant, before) + SLACK
        )


def test_models_that_cannot_shift_their_cache_still_answer(bot, monkeypatch):
    monkeypatch.setattr(localbot.llm, "_can_shift", lambda llama: False)
    assistant = bot()
    first = assistant.reply("I need a light tent for two people")
    second = assistant.reply("and a sleeping bag for cold nights?", first.session_id)
    assert_verified(assistant, second)
    # Only the common prefix (at least the system prompt) is reused; the rest is evaluated.
    assert 0 < second.timings["cached_tokens"] < first.timings["prompt_tokens"]
    assert evaluated(second) > new_message_tokens(assistant, second)
