"""An answer written for a customer stays with that customer, on real SQLite files.

It is never served to another shopper (kiosk included), exported for training or quoted in an
FAQ draft; and forgetting an answer also erases the copies reuse stored in other sessions.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from customer_helpers import CONSENTING, customers_db, customers_db_path, customers_template
from sqlite_files import raw_bytes

from localbot.assistant import Assistant
from localbot.db import open_database
from localbot.governance import forget_customer, forget_session, purge_expired
from localbot.insights import best_rated_answer, feedback_by_turn
from localbot.prompting import build_context
from localbot.reuse import REUSED_MODEL, ReviewError, answers_for_review, decide, find_approved
from localbot.store import InteractionStore, TurnRecord
from localbot.training import training_examples

FIXTURES = (customers_db, customers_db_path, customers_template)
HARNESS = "I need a harness for the climbing gym"
TENT_QUESTION = "what's the lightest 2 person tent you have?"
MARK = "reusemark-6620"
# The line a consenting customer's prompt carries, as prompting.build_context writes it.
CUSTOMER_CONTEXT = build_context([], [], f"Bought before: Summit & Co harness {MARK} (2025-03).")


@pytest.fixture
def db(settings):
    database = open_database(settings.database_path)
    yield database
    database.close()


def log(db, question, answer, *ratings, customer=None, context="", timings=None):
    """A turn stored directly (no generation), rated as given."""
    store = InteractionStore(db)
    session = store.start_session(customer_id=customer)
    model = REUSED_MODEL if timings else "m"
    record = TurnRecord(session, question, context, answer, "complete", model, [], [], [],
                        timings or {})  # fmt: skip
    turn = store.record_turn(record)
    for rating in ratings:
        store.add_feedback(turn, rating)
    return session, turn


def copy_of(db, source, question="lightest tent for two?"):
    """A reused reply of ``source`` in another shopper's session, as reuse stores it."""
    answer = db.execute("SELECT answer FROM turns WHERE id = ?", [source]).fetchone()[0]
    return log(db, question, answer, "up", timings={"reused_from_turn": float(source)})


def turn_ids(db):
    return [row[0] for row in db.execute("SELECT id FROM turns ORDER BY id")]


# --- never served, exported or drafted --------------------------------------------------------


@pytest.mark.real
def test_an_answer_written_for_a_customer_is_not_served_to_other_shoppers(
    settings, customers_db, embedder, chat_model
):
    def make(mode):
        quick = settings.with_overrides(mode=mode, max_tokens=16)
        return Assistant(quick, db=customers_db, embedder=embedder, chat_model=chat_model)

    staff = make("staff")
    personal = staff.reply(HARNESS, customer_id=CONSENTING)
    staff.feedback(personal.turn_id, "up")  # one thumbs up used to be enough to approve it

    for other in (staff.reply(HARNESS), make("kiosk").reply(HARNESS)):
        assert other.status == "complete" and "reused_from_turn" not in other.timings
    assert find_approved(customers_db, embedder, HARNESS, staff.search_engine.parse) is None
    assert personal.turn_id not in [item.turn_id for item in answers_for_review(customers_db)]
    with pytest.raises(ReviewError, match="answered for a customer"):
        decide(customers_db, personal.turn_id, "approved")


def test_a_linked_session_or_a_customer_line_keeps_an_answer_out_of_training(db):
    log(db, "do you deliver on saturday?", "Yes, Saturday delivery costs $9.95.", "up")
    log(db, "which harness?", f"Your {MARK} harness fits.", "up", context=CUSTOMER_CONTEXT)
    log(db, "which chalk?", f"Chalk for you: {MARK}.", "up", customer="cust-4471")

    examples, report = training_examples(db)

    assert MARK not in json.dumps(examples) and len(examples) == 1
    assert report.removed["written for a customer"] == 2
    assert report.removed["thumbs down or retired"] == 0  # not counted as rated down


def test_a_faq_draft_quotes_no_answer_written_for_a_customer_and_redacts_the_rest(db):
    _, personal = log(db, "tent?", f"Your {MARK} tent.", "up", "up", customer="cust-4471")
    _, generic = log(db, "tent?", "The Ridgeback 2. Ask jo@example.com for a fitting.", "up")
    _, only_personal = log(db, "tent?", f"As you bought {MARK}.", "up", context=CUSTOMER_CONTEXT)
    feedback = feedback_by_turn(db)

    answer = best_rated_answer(db, [personal, generic], feedback)

    assert answer == "The Ridgeback 2. Ask [EMAIL] for a fitting."
    assert best_rated_answer(db, [only_personal], feedback) == ""


# --- forgetting reaches the copies ------------------------------------------------------------


@pytest.mark.real
def test_forgetting_an_answer_erases_the_copies_served_to_other_shoppers(assistant, settings):
    db = assistant.db
    source_session, source = log(db, TENT_QUESTION, f"The Ridgeback 2, ask for {MARK}.", "up")
    served = assistant.reply("What is the lightest two person tent you have?")
    assert served.status == "reused" and served.timings["reused_from_turn"] == source
    assistant.feedback(served.turn_id, "up", "great")
    kept = assistant.reply("how long do I have to return boots?", served.session_id)

    report = forget_session(db, source_session)

    assert report.rows["reused_copies"] == 1 and report.wal_cleared
    assert served.turn_id not in turn_ids(db) and kept.turn_id in turn_ids(db)
    assert MARK.encode() not in raw_bytes(settings.database_path)


def test_forget_customer_erases_copies_of_their_answers_stored_before_this_was_refused(
    db, settings
):
    # Reuse no longer serves such an answer; a database from before may hold copies of one.
    _, personal = log(db, TENT_QUESTION, f"Your {MARK} tent.", "up", customer="cust-4471")
    copy_session, _ = copy_of(db, personal)

    report = forget_customer(db, "cust-4471")

    assert report.rows["reused_copies"] == 1
    assert turn_ids(db) == [] and InteractionStore(db).session_exists(copy_session)
    assert MARK.encode() not in raw_bytes(settings.database_path)


def test_a_purge_erases_old_copies_of_personal_answers_and_keeps_other_copies(db):
    _, personal = log(db, "harness?", f"Your {MARK} harness.", "up", context=CUSTOMER_CONTEXT)
    _, personal_copy = copy_of(db, personal)
    _, generic = log(db, TENT_QUESTION, "The Ridgeback 2.", "up")
    _, generic_copy = copy_of(db, generic)
    then = (datetime.now(UTC) - timedelta(days=45)).isoformat(timespec="seconds")
    db.execute("UPDATE turns SET created_at = ? WHERE id = ?", [then, generic])
    db.conn.commit()

    report = purge_expired(db, 30)

    assert report.rows["personal_copies"] == 1
    # The expired original goes; its copy is another shopper's turn and keeps its own age.
    assert turn_ids(db) == [personal, generic_copy] and personal_copy not in turn_ids(db)
