"""Why cards matched and which documents an answer used: live and reopened answers read alike."""

import pytest

from localbot.transcript import documents_used, why_from_trace, why_matched

pytestmark = pytest.mark.real


def test_why_names_ranks_ratings_and_filters():
    assert why_matched(3, 1) == "keyword match #3; meaning match #1"
    assert why_matched(None, 2, -0.02, "under $50") == (
        "meaning match #2; rated unhelpful for similar questions; under $50"
    )
    assert why_matched(None, None) == ""


def test_a_stored_trace_reads_as_the_live_answer_did_and_older_ones_say_what_they_hold():
    item = {"key": "product:TEN-1", "rank": 1, "similarity": 0.61, "keyword_rank": 4,
            "vector_rank": 2, "feedback": 0.01}  # fmt: skip
    assert why_from_trace(item, "in stock") == why_matched(4, 2, 0.01, "in stock")
    older = {"key": "product:TEN-1", "rank": 1, "similarity": 0.61}
    assert why_from_trace(older) == "search result #1; similarity 0.61"
    assert why_from_trace(None) == ""


def test_documents_are_named_from_the_trace_or_for_older_turns_by_similarity():
    returns = {"path": "docs/returns.md", "title": "Returns"}
    hours = {"path": "docs/store-hours.md", "title": "Hours"}
    marked = [
        {"key": "document:docs/store-hours.md#0", "similarity": 0.9, **hours},
        {"key": "document:docs/returns.md#1", "similarity": 0.5, "used": True, **returns},
        {"key": "product:TEN-0001", "similarity": 0.7, "used": True},
    ]
    assert documents_used({"status": "complete", "retrieval": marked}, 0.34, 2) == [returns]
    older = [{k: v for k, v in item.items() if k != "used"} for item in marked]
    assert documents_used({"status": "complete", "retrieval": older}, 0.34, 2) == [hours, returns]
    assert documents_used({"status": "complete", "retrieval": older}, 0.6, 2) == [hours]
    assert documents_used({"status": "no_match", "retrieval": older}, 0.34, 2) == []


def test_a_reopened_conversation_shows_what_the_live_answers_showed(assistant):
    first = assistant.reply("waterproof hiking boots under $150 in stock")
    second = assistant.reply("can I return a used tent?", session_id=first.session_id)
    assistant.feedback(first.turn_id, "up")
    reopened = assistant.reopen(first.session_id)
    assert [r.turn_id for r in reopened] == [first.turn_id, second.turn_id]
    assert [r.question for r in reopened] == [first.question, second.question]
    for live, stored in zip([first, second], reopened, strict=True):
        assert stored.answer == live.answer and stored.status == live.status
        assert [(c.sku, c.why) for c in stored.products] == [(c.sku, c.why) for c in live.products]
        assert stored.documents == live.documents
        assert stored.corrections == live.corrections
    assert first.products and "under $150" in first.products[0].why
    assert second.documents, second.answer
    assert [r.rating for r in reopened] == ["up", None]
