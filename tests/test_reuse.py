"""Approved answers on the real model, embedder and demo database: reuse, retirement, current facts."""

from __future__ import annotations

from localbot.reuse import REUSE_THRESHOLD, find_approved
from localbot.store import TurnRecord

TENT = "TEN-0001"
OLD_ANSWER = f"The Northpeak Ridgeback 2 Ultralight Tent ({TENT}) costs $449.95 and is in stock."


def approve(assistant, question, answer=OLD_ANSWER, skus=(TENT,), rating="up"):
    """Log a past turn directly (no generation) and rate it."""
    session = assistant.new_session()
    record = TurnRecord(session, question, "", answer, "complete", "m", [], list(skus), [], {})
    turn_id = assistant.store.record_turn(record)
    if rating:
        assistant.feedback(turn_id, rating)
    return turn_id


def find(assistant, question, threshold=REUSE_THRESHOLD):
    engine = assistant.search_engine
    return find_approved(assistant.db, assistant.embedder, question, engine.parse, threshold)


def test_a_rewording_reuses_an_approved_answer_and_other_questions_do_not(assistant):
    source = approve(assistant, "what's the lightest 2 person tent you have?")
    reply = assistant.reply("What is the lightest two person tent you have?")
    assert reply.status == "reused" and reply.timings["reused_from_turn"] == source
    assert reply.answer.startswith("The Northpeak Ridgeback 2") and reply.products[0].sku == TENT
    stored = assistant.store.turn(reply.turn_id)
    assert stored["model"] == "reused" and stored["products"] == [TENT]
    other = assistant.reply("how long do I have to return boots?")
    assert other.status != "reused"


def test_reuse_only_above_the_threshold(assistant):
    approve(assistant, "what's the lightest 2 person tent you have?")
    found = find(assistant, "which is your lightest tent for two people?")
    assert found is not None and REUSE_THRESHOLD <= found.similarity < 1
    assert (
        find(assistant, "which is your lightest tent for two people?", found.similarity + 1e-3)
        is None
    )
    assert find(assistant, "big tent for a family of 6 for car camping") is None
    assert (
        find(assistant, "what's the lightest 2 person tent you have under $100?") is None
    )  # filters differ


def test_thumbs_down_answers_are_never_reused_and_a_later_one_retires(assistant):
    approve(assistant, "what's the lightest 2 person tent you have?", rating="down")
    assert find(assistant, "what's the lightest 2 person tent you have?") is None
    source = approve(assistant, "what's the lightest 2 person tent you have?")
    assert find(assistant, "what's the lightest 2 person tent you have?").turn_id == source
    assistant.feedback(source, "down")
    assert find(assistant, "what's the lightest 2 person tent you have?") is None


def test_a_thumbs_down_on_a_reused_reply_retires_its_source(assistant):
    approve(assistant, "what's the lightest 2 person tent you have?")
    reply = assistant.reply("what's the lightest 2 person tent you have?")
    assert reply.status == "reused"
    assistant.feedback(reply.turn_id, "down", "price was old")
    assert find(assistant, "what's the lightest 2 person tent you have?") is None


def test_reused_answers_show_current_prices_and_stock(assistant):
    approve(assistant, "what's the lightest 2 person tent you have?")
    assistant.db.execute("UPDATE products SET price = 399.0, stock = 0 WHERE sku = ?", [TENT])
    assistant.db.conn.commit()
    reply = assistant.reply("what's the lightest 2 person tent you have?")
    assert reply.status == "reused"
    assert "$399.00" in reply.answer and "$449.95" not in reply.answer
    assert "out of stock" in reply.answer
    assert reply.products[0].price == 399.0 and reply.products[0].stock == 0
    assert {c.kind for c in reply.corrections} >= {"price"}


def test_a_reused_reply_keeps_the_ask_json_shape_with_its_sources_model_and_documents(assistant):
    generated = assistant.reply("how many days do I have to return unworn boots?")
    assert generated.status == "complete" and generated.documents
    assistant.feedback(generated.turn_id, "up")
    reused = assistant.reply("How many days do I have to return unworn boots?")
    assert reused.status == "reused"
    shape, before = reused.as_dict(), generated.as_dict()
    assert shape.keys() == before.keys()
    timing_keys = {"retrieval_ms", "ttft_ms", "total_ms", "tokens_per_s"}
    assert timing_keys <= shape["timings"].keys() and timing_keys <= before["timings"].keys()
    assert shape["model"] == before["model"] == assistant.chat_model.name
    assert shape["documents"] == before["documents"]
