"""Retrieval feedback on the real embedder and a real copy of the demo database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from localbot.assistant import Assistant
from localbot.boosts import MAX_BOOST, FeedbackBoosts, credited_keys
from localbot.cli import main
from localbot.db import write_transaction
from localbot.evaluation import FEEDBACK_MODE, LabelledQuestion, evaluate
from localbot.store import TurnRecord

ASKED = "what's your lightest 2 person tent?"
REWORDED = "lightest 2 person tent"
WRONG, RIGHT = "TEN-0015", "TEN-0001"  # a 6-person cabin tent ranks first without feedback


@pytest.fixture
def bot(settings, demo_db_path, embedder, chat_model) -> Assistant:
    return Assistant(settings, embedder=embedder, chat_model=chat_model)


def rated_answer(bot: Assistant, skus: list[str], rating: str, question: str = ASKED) -> int:
    """A logged answer that showed ``skus``, rated by the shopper."""
    session = bot.new_session()
    record = TurnRecord(session, question, "", "answer", "complete", "m", [], skus, [], {})
    turn_id = bot.store.record_turn(record)
    bot.feedback(turn_id, rating)
    return turn_id


def ranking(bot: Assistant, query: str, use_feedback: bool = True) -> list[str]:
    results = bot.search_engine.search(query, 8, use_feedback=use_feedback)
    return [hit.ref for hit in results.hits]


def test_ratings_of_a_similar_question_reorder_its_results(bot):
    before = ranking(bot, REWORDED)
    assert before[0] == WRONG and before.index(RIGHT) > 0
    for _ in range(2):  # two shoppers say so: one rating alone moves an item less
        rated_answer(bot, [WRONG], "down")
        rated_answer(bot, [RIGHT], "up")
    after = ranking(bot, REWORDED)
    assert after[0] == RIGHT and after.index(WRONG) > 0
    assert sorted(after) == sorted(before)  # only re-ordered: nothing new, nothing lost
    assert ranking(bot, REWORDED, use_feedback=False) == before


def test_unrelated_questions_are_untouched(bot):
    before = ranking(bot, "how long do I have to return boots?")
    rated_answer(bot, [WRONG], "down")
    rated_answer(bot, [RIGHT], "up")
    assert ranking(bot, "how long do I have to return boots?") == before


def test_the_change_is_bounded_however_many_votes(bot):
    for _ in range(40):
        rated_answer(bot, [RIGHT], "up")
    hits = bot.search_engine.search(REWORDED, 8).hits
    boosted = next(hit for hit in hits if hit.ref == RIGHT)
    assert 0 < boosted.feedback <= MAX_BOOST


def test_old_ratings_count_less(bot, embedder):
    turn = rated_answer(bot, [RIGHT], "up")
    query = embedder.embed_one(REWORDED)
    item = bot.db.execute("SELECT id FROM search_items WHERE item_key = ?", [f"product:{RIGHT}"])
    item_id = item.fetchone()[0]
    now = datetime.now(UTC)
    fresh = FeedbackBoosts(bot.db, embedder, now=lambda: now)(query)[item_id]
    later = FeedbackBoosts(bot.db, embedder, now=lambda: now + timedelta(days=28))(query)[item_id]
    assert 0 < later < fresh / 2  # two half-lives of 14 days
    with write_transaction(bot.db):
        bot.db.execute("UPDATE feedback SET rating = 'down' WHERE turn_id = ?", [turn])
    assert FeedbackBoosts(bot.db, embedder)(query)[item_id] < 0


def feedback_on(bot: Assistant, sku: str) -> float:
    return next(
        hit.feedback for hit in bot.search_engine.search(REWORDED, 8).hits if hit.ref == sku
    )


def test_erasing_a_conversation_erases_its_votes(bot):
    session = bot.store.turn(rated_answer(bot, [RIGHT], "up"))["session_id"]
    assert feedback_on(bot, RIGHT) > 0
    bot.delete_session(session)
    assert feedback_on(bot, RIGHT) == 0


def test_feedback_can_be_switched_off(settings, demo_db_path, embedder, chat_model):
    bot = Assistant(settings.with_overrides(feedback_boosts=False), embedder=embedder,
                    chat_model=chat_model)  # fmt: skip
    before = ranking(bot, REWORDED)
    rated_answer(bot, [RIGHT], "up")
    assert ranking(bot, REWORDED) == before


def test_eval_shows_the_effect_of_feedback(bot, tmp_path, capsys):
    for _ in range(2):
        rated_answer(bot, [WRONG], "down")
        rated_answer(bot, [RIGHT], "up")
    labelled = [LabelledQuestion(REWORDED, {RIGHT: 1.0}, 1)]
    report = evaluate(bot.search_engine, labelled, 0.34, with_feedback=True)
    assert report.modes[FEEDBACK_MODE].mrr == 1.0 > report.modes["hybrid"].mrr
    questions = tmp_path / "q.jsonl"
    questions.write_text(f'{{"question": "{REWORDED}", "relevant": ["{RIGHT}"]}}\n')
    assert main(["eval", "--questions", str(questions)]) == 0
    out = capsys.readouterr().out
    assert FEEDBACK_MODE in out and "retrieval feedback from 4 rated questions: recall@5" in out


def test_credited_items_are_the_cards_and_the_top_pages():
    trace = [{"key": "document:docs/returns.md#0", "rank": 1},
             {"key": "product:TEN-0001", "rank": 2},
             {"key": "document:docs/delivery.md#1", "rank": 5}]  # fmt: skip
    assert credited_keys(["TEN-0001"], trace) == ["product:TEN-0001", "document:docs/returns.md#0"]


def test_no_feedback_means_no_change(bot, embedder):
    assert FeedbackBoosts(bot.db, embedder)(np.ones(384, dtype=np.float32) / 384**0.5) == {}
