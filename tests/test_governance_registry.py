"""Purge and forget on the real registries (no fakes): every derived store and personal table
that exists in the schema is registered, and its real rows are erased from the files.

The foreign-key cascade would delete rows that refer to turns or customers anyway, so these
tests turn it off: what they prove is that the registered functions do the erasing.
"""

from datetime import UTC, datetime, timedelta

import pytest
from sqlite_files import raw_bytes

from localbot import governance
from localbot.db import open_database
from localbot.governance import forget_customer, forget_session, purge_expired
from localbot.store import InteractionStore, TurnRecord

MARK = "regmark-7319"


@pytest.fixture
def db(settings):
    database = open_database(settings.database_path)
    yield database
    database.close()


def logged_turn(db, customer_id=None, mark=MARK):
    """A turn with a row in every derived store: a question vector, an answer review, feedback."""
    store = InteractionStore(db)
    session = store.start_session(customer_id=customer_id)
    record = TurnRecord(session, f"tent {mark}?", f"context {mark}", f"answer {mark}", "complete",
                        "m", [], [], [], {})  # fmt: skip
    turn = store.record_turn(record)
    store.add_feedback(turn, "up", f"comment {mark}")
    db.execute("INSERT INTO question_vectors(turn_id, model, content_hash, embedding)"
               " VALUES (?, 'm', ?, ?)", [turn, mark, mark.encode()])  # fmt: skip
    db.execute("INSERT INTO answer_reviews(turn_id, decision, decided_at) VALUES (?, 'approved', ?)",
               [turn, mark])  # fmt: skip
    db.conn.commit()
    return session, turn


def without_cascade(db):
    db.execute("PRAGMA foreign_keys = OFF")


def counts(db, *tables):
    return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}


def tables_referring_to(db, parent):
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {t for t in tables
            if any(fk[2] == parent for fk in db.execute(f"PRAGMA foreign_key_list([{t}])"))}  # fmt: skip


DERIVED = ("question_vectors", "answer_reviews", "feedback", "turns", "sessions")


def test_every_table_derived_from_turns_is_registered(db):
    # reused_copies are rows of turns itself (a reused reply names its source in its timings)
    registered = {store.name for store in governance.DERIVED_STORES} - {"reused_copies"}
    # feedback is deleted by purge and forget themselves, with the turns it rates
    assert tables_referring_to(db, "turns") - {"feedback"} == registered


def test_every_table_about_a_customer_is_registered(db):
    registered = {entry.table for entry in governance.PERSONAL_TABLES}
    tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with_customer_id = {t for t in tables
                        if any(c[1] == "customer_id" for c in db.execute(f"PRAGMA table_info([{t}])"))}  # fmt: skip
    # quarantine: import problems whose reason may name a customer id or loyalty number
    expected = with_customer_id | tables_referring_to(db, "customers") | {"customers", "quarantine"}
    assert expected == registered


def test_purge_erases_real_derived_rows_of_expired_turns(db, settings):
    logged_turn(db)
    then = (datetime.now(UTC) - timedelta(days=45)).isoformat(timespec="seconds")
    for table in ("sessions", "turns", "feedback"):
        db.execute(f"UPDATE {table} SET created_at = ?", [then])
    db.conn.commit()
    kept_session, _ = logged_turn(db, mark="recent-4410")
    without_cascade(db)

    report = purge_expired(db, 30)

    assert {name: report.rows[name] for name in DERIVED} == dict.fromkeys(DERIVED, 1)
    assert counts(db, *DERIVED) == dict.fromkeys(DERIVED, 1)  # the recent turn's rows stay
    assert db.execute("SELECT id FROM sessions").fetchone()[0] == kept_session
    data = raw_bytes(settings.database_path)
    assert MARK.encode() not in data and b"recent-4410" in data


def test_forget_session_erases_real_derived_rows(db, settings):
    session, _ = logged_turn(db)
    without_cascade(db)

    report = forget_session(db, session)

    assert {name: report.rows[name] for name in DERIVED} == dict.fromkeys(DERIVED, 1)
    assert counts(db, *DERIVED) == dict.fromkeys(DERIVED, 0)
    assert MARK.encode() not in raw_bytes(settings.database_path)


def test_forget_customer_erases_every_real_table(db, settings):
    db.execute("INSERT INTO customers(id, display_name, loyalty_number, email, phone, created_at,"
               " content_hash, updated_at) VALUES ('cust-reg', ?, 'LOY-7319', ?, '+44 7700 900731',"
               " 't', 'h', 't')", [f"Name {MARK}", f"{MARK}@example.com"])  # fmt: skip
    db.execute("INSERT INTO customer_purchases(customer_id, sku, quantity, price, purchased_at)"
               " VALUES ('cust-reg', ?, 1, 9.5, 't')", [f"SKU-{MARK}"])  # fmt: skip
    db.execute("INSERT INTO customer_events(customer_id, sku, kind, occurred_at)"
               " VALUES ('cust-reg', ?, 'view', 't')", [f"SKU-{MARK}"])  # fmt: skip
    problems = ["customer cust-reg is not known; import the customer first",
                "duplicate loyalty number LOY-7319 (first seen at customers:a.csv row 2)",
                "customer cust-reg2 is not known; import the customer first"]  # fmt: skip
    for number, reason in enumerate(problems):
        db.execute("INSERT INTO quarantine(source, row_number, reason, raw, created_at)"
                   " VALUES ('customers:a.csv', ?, ?, '', 't')", [number, reason])  # fmt: skip
    db.conn.commit()
    logged_turn(db, customer_id="cust-reg")
    without_cascade(db)

    report = forget_customer(db, "cust-reg")

    personal = ("customers", "customer_purchases", "customer_events")
    assert {name: report.rows[name] for name in (*DERIVED, *personal)} == dict.fromkeys(
        (*DERIVED, *personal), 1
    )
    assert counts(db, *DERIVED, *personal) == dict.fromkeys((*DERIVED, *personal), 0)
    assert report.rows["quarantine"] == 2
    assert [r[0] for r in db.execute("SELECT reason FROM quarantine")] == [problems[2]]
    data = raw_bytes(settings.database_path).replace(b"cust-reg2", b"")
    for erased in (MARK.encode(), b"cust-reg", b"LOY-7319", b"7700 900731"):
        assert erased not in data, erased


def quarantine_row(db, source, reason):
    db.execute("INSERT INTO quarantine(source, row_number, reason, raw, created_at)"
               " VALUES (?, 1, ?, '', 't')", [source, reason])  # fmt: skip
    db.conn.commit()


def test_forget_customer_leaves_catalogue_quarantine_rows_alone(db, settings):
    catalogue = str(settings.home / "knowledge" / "products.csv")
    quarantine_row(db, catalogue, "price C0002 is not a number; fix the price column")
    quarantine_row(db, "customers:a.csv", "customer C0002 is not known; import the customer first")

    report = forget_customer(db, "C0002")

    assert report.rows["quarantine"] == 1
    assert [r[0] for r in db.execute("SELECT source FROM quarantine")] == [catalogue]


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_id_is_refused_and_nothing_is_deleted(db, blank):
    quarantine_row(db, "/shop/products.csv", "row 4 has no SKU; fill it in")
    quarantine_row(db, "customers:a.csv", "customer C0009 is not known")
    logged_turn(db)

    for erase in (forget_customer, forget_session, governance.export_customer):
        with pytest.raises(governance.ErasureError, match="id is empty"):
            erase(db, blank)

    assert counts(db, "quarantine", "sessions", "turns", "erased_customers") == {
        "quarantine": 2, "sessions": 1, "turns": 1, "erased_customers": 0}  # fmt: skip
