"""Staff review of answers on the real embedder and demo database: approve, retire, refusals."""

from __future__ import annotations

import json

import pytest

from localbot.assistant import Assistant, AssistantError
from localbot.cli import main
from localbot.reuse import REUSE_THRESHOLD, find_approved
from localbot.store import TurnRecord

QUESTION = "what's the lightest 2 person tent you have?"
REWORDED = "What is the lightest two person tent you have?"
ANSWER = "The Northpeak Ridgeback 2 Ultralight Tent (TEN-0001) is our lightest tent for two."


def log_answer(assistant: Assistant, question: str = QUESTION, model: str = "m") -> int:
    """A generated answer as the log holds it, without feedback."""
    session = assistant.new_session()
    record = TurnRecord(session, question, "", ANSWER, "complete", model, [], ["TEN-0001"], [], {})
    return assistant.store.record_turn(record)


def reusable(assistant: Assistant) -> int | None:
    engine = assistant.search_engine
    found = find_approved(assistant.db, assistant.embedder, REWORDED, engine.parse, REUSE_THRESHOLD)
    return found.turn_id if found else None


def state_of(assistant: Assistant, turn_id: int) -> str:
    return next(i.state for i in assistant.answers_for_review() if i.turn_id == turn_id)


def test_staff_approval_makes_an_unrated_answer_reusable_and_retiring_stops_it(assistant):
    turn = log_answer(assistant)
    assert reusable(assistant) is None and state_of(assistant, turn) == "pending"
    assistant.approve_answer(turn)
    assert reusable(assistant) == turn and state_of(assistant, turn) == "approved"
    assistant.retire_answer(turn)
    assert reusable(assistant) is None and state_of(assistant, turn) == "retired"
    assistant.feedback(turn, "up")  # a shopper's thumbs up does not overrule staff
    assert reusable(assistant) is None


def test_a_thumbs_down_retires_a_staff_approval_and_blocks_approving_again(assistant):
    turn = log_answer(assistant)
    assistant.approve_answer(turn)
    assistant.feedback(turn, "down")
    assert reusable(assistant) is None and state_of(assistant, turn) == "retired"
    with pytest.raises(AssistantError, match="rated down"):
        assistant.approve_answer(turn)


def test_only_original_complete_answers_can_be_approved(assistant):
    copy = log_answer(assistant, model="reused")
    with pytest.raises(AssistantError, match="not a complete generated answer"):
        assistant.approve_answer(copy)
    with pytest.raises(AssistantError, match="no answer with turn id 999999"):
        assistant.approve_answer(999_999)
    assert copy not in [i.turn_id for i in assistant.answers_for_review()]


def test_review_is_refused_in_kiosk_mode(settings, demo_db_path, embedder, chat_model):
    kiosk = Assistant(
        settings.with_overrides(mode="kiosk"), embedder=embedder, chat_model=chat_model
    )
    with pytest.raises(AssistantError, match="for staff"):
        kiosk.answers_for_review()
    with pytest.raises(AssistantError, match="for staff"):
        kiosk.approve_answer(1)


def test_answers_command_lists_approves_and_retires(assistant, capsys):
    turn = log_answer(assistant)
    assert main(["answers", "approve", str(turn)]) == 0
    assert main(["answers", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.split("\n", 1)[1])
    assert {"turn_id": turn, "state": "approved"}.items() <= listed[0].items()
    assert main(["answers", "retire", str(turn)]) == 0
    assert main(["answers", "approve"]) == 2
    assert "needs the turn id" in capsys.readouterr().err


def test_answers_list_keeps_one_row_per_answer(assistant, capsys):
    session = assistant.new_session()
    record = TurnRecord(session, QUESTION, "", "These fit:\n- a tent\n- another", "complete", "m",
                        [], [], [], {})  # fmt: skip
    turn = assistant.store.record_turn(record)
    assert main(["answers", "list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert len(rows) == 2 and rows[1].startswith(str(turn)) and "These fit: - a tent" in rows[1]
