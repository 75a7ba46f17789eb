"""Retention, erasure, export and file permissions on real SQLite files, through the API and the CLI."""

import json
import os
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlite_files import raw_bytes

from localbot import governance
from localbot.cli import main
from localbot.config import load_settings
from localbot.db import open_database
from localbot.governance import (
    DerivedStore,
    PersonalTable,
    export_customer,
    forget_customer,
    forget_session,
    iter_interactions,
    loose_permissions,
    open_private,
    privacy_at_startup,
    purge_expired,
    restrict_permissions,
)
from localbot.store import InteractionStore, TurnRecord


@pytest.fixture
def db(settings):
    database = open_database(settings.database_path)
    yield database
    database.close()


def add_turn(store, session_id, question, answer="Try the Vertex shell."):
    record = TurnRecord(session_id, question, "context", answer, "complete", "m", [], [], [], {})
    return store.record_turn(record)


def age(db, days):
    """Move every stored row ``days`` into the past."""
    then = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    for table in ("sessions", "turns", "feedback"):
        db.execute(f"UPDATE {table} SET created_at = ?", [then])
    db.conn.commit()


# --- erasure ------------------------------------------------------------------------------------


def test_forget_session_erases_rows_and_their_bytes_from_the_files(db, settings):
    store = InteractionStore(db)
    gone = store.start_session(customer_id="cust-zq81")
    turn = add_turn(store, gone, "tent for marker-question-7731", "marker-answer-7731")
    store.add_feedback(turn, "down", "marker-comment-7731")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # some rows in the main file, some in the WAL
    add_turn(store, gone, "second marker-question-7732")
    kept = store.start_session()
    add_turn(store, kept, "kept-question-4412")

    report = forget_session(db, gone)

    assert report.rows["sessions"] == 1 and report.rows["turns"] == 2
    assert report.rows["feedback"] == 1 and report.wal_cleared
    data = raw_bytes(settings.database_path)
    for erased in (b"marker-question-773", b"marker-answer-7731", b"marker-comment-7731",
                   b"cust-zq81", gone.encode()):  # fmt: skip
        assert erased not in data
    assert b"kept-question-4412" in data
    assert store.session_exists(kept) and not store.session_exists(gone)


def test_forget_customer_covers_every_registered_table(db, settings, monkeypatch):
    db.execute("CREATE TABLE purchases (customer_id TEXT, item TEXT)")
    db.execute(
        "INSERT INTO purchases VALUES ('cust-7', 'receipt-marker-5150'), ('cust-8', 'other')"
    )
    db.conn.commit()
    tables = [*governance.PERSONAL_TABLES, PersonalTable("purchases", "customer_id", "receipts")]
    monkeypatch.setattr(governance, "PERSONAL_TABLES", tables)
    store = InteractionStore(db)
    for _ in range(2):
        add_turn(store, store.start_session(customer_id="cust-7"), "customer-marker-6060")
    other = store.start_session(customer_id="cust-8")
    add_turn(store, other, "other-customer-question")

    report = forget_customer(db, "cust-7")

    # Tables registered by other features (customers, purchases, events) report 0 here.
    deleted = {table: count for table, count in report.rows.items() if count}
    assert deleted == {"turns": 2, "sessions": 2, "purchases": 1}
    data = raw_bytes(settings.database_path)
    assert b"customer-marker-6060" not in data and b"receipt-marker-5150" not in data
    assert store.session_exists(other)
    assert db.execute("SELECT count(*) FROM purchases").fetchone()[0] == 1


def test_forget_erases_derived_data_through_its_registered_function(db, monkeypatch):
    calls = []  # question_vectors is the real table of migration 0006

    def erase_vectors(database, turn_ids):
        calls.append(sorted(turn_ids))
        marks = ",".join("?" * len(turn_ids))
        sql = f"DELETE FROM question_vectors WHERE turn_id IN ({marks})"
        return database.execute(sql, list(turn_ids)).rowcount

    store_entry = DerivedStore("question_vectors", "embeddings of questions", erase_vectors)
    monkeypatch.setattr(governance, "DERIVED_STORES", [store_entry])
    store = InteractionStore(db)
    session = store.start_session()
    turns = [add_turn(store, session, f"question {n}") for n in range(3)]
    for turn in turns:
        db.execute(
            "INSERT INTO question_vectors(turn_id, model, content_hash, embedding)"
            " VALUES (?, 'm', 'h', x'00ff')",
            [turn],
        )
    db.conn.commit()

    report = forget_session(db, session)

    assert calls == [turns] and report.rows["question_vectors"] == 3
    assert db.execute("SELECT count(*) FROM question_vectors").fetchone()[0] == 0


def test_deleting_a_conversation_in_the_ui_erases_it_like_forget(db, settings):
    from localbot.assistant import Assistant

    bot = Assistant(settings, db=db)  # the UI's delete goes through Assistant.delete_session
    session = bot.store.start_session()
    turn = add_turn(bot.store, session, "ui-delete-marker-5521", "ui-answer-marker-5521")
    bot.store.add_feedback(turn, "up", "ui-comment-marker-5521")
    db.execute("INSERT INTO question_vectors(turn_id, model, content_hash, embedding)"
               " VALUES (?, 'm', 'h', x'00ff')", [turn])  # fmt: skip
    db.execute("INSERT INTO answer_reviews(turn_id, decision, decided_at) VALUES (?, 'approved', 't')",
               [turn])  # fmt: skip
    db.conn.commit()

    report = bot.delete_session(session)

    assert report.wal_cleared and {k: v for k, v in report.rows.items() if v} == {
        "question_vectors": 1, "answer_reviews": 1, "feedback": 1, "turns": 1, "sessions": 1,
    }  # fmt: skip
    assert b"marker-5521" not in raw_bytes(settings.database_path)


def test_a_busy_reader_is_reported_instead_of_claiming_the_bytes_are_gone(db, settings):
    store = InteractionStore(db)
    session = store.start_session()
    add_turn(store, session, "question")
    reader = sqlite3.connect(settings.database_path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM turns").fetchone()  # holds a read snapshot open
    db.execute("PRAGMA busy_timeout = 50")
    try:
        report = forget_session(db, session)
    finally:
        reader.close()
    assert report.rows["turns"] == 1 and not report.wal_cleared


# --- retention ----------------------------------------------------------------------------------


def test_retention_defaults_to_30_days(settings):
    assert load_settings().retention_days == 30


def test_purge_removes_only_what_is_past_retention(db, monkeypatch):
    erased = []
    monkeypatch.setattr(governance, "DERIVED_STORES", [
        DerivedStore("fts_questions", "FTS over questions", lambda d, ids: erased.extend(ids) or len(ids)),
    ])  # fmt: skip
    store = InteractionStore(db)
    old_session = store.start_session()
    old_turn = add_turn(store, old_session, "old question")
    store.add_feedback(old_turn, "up")
    age(db, 31)
    recent = store.start_session()
    add_turn(store, recent, "recent question")

    report = purge_expired(db, 30)

    assert report.rows == {"fts_questions": 1, "feedback": 1, "turns": 1, "sessions": 1}
    assert erased == [old_turn]
    assert not store.session_exists(old_session) and store.session_exists(recent)


def test_purge_keeps_a_long_conversation_that_is_still_active(db):
    store = InteractionStore(db)
    session = store.start_session()
    add_turn(store, session, "asked long ago")
    age(db, 40)
    add_turn(store, session, "asked today")

    report = purge_expired(db, 30)

    assert report.rows["turns"] == 1 and report.rows["sessions"] == 0
    assert [t["question"] for t in store.turns(session)] == ["asked today"]


def test_startup_duties_purge_and_make_files_owner_only(db, settings):
    store = InteractionStore(db)
    add_turn(store, store.start_session(), "old")
    age(db, 60)
    settings.database_path.chmod(0o644)

    report = privacy_at_startup(db, settings.retention_days, settings.home)

    assert report.rows["turns"] == 1
    assert stat.S_IMODE(settings.database_path.stat().st_mode) == 0o600


# --- access -------------------------------------------------------------------------------------


def test_export_customer_holds_their_sessions_turns_and_feedback(db):
    store = InteractionStore(db)
    session = store.start_session(customer_id="cust-1")
    turn = add_turn(store, session, "boots size 9?", "We have the Ridge boots.")
    store.add_feedback(turn, "up", "helpful")
    add_turn(store, store.start_session(customer_id="cust-2"), "not theirs")

    export = export_customer(db, "cust-1")

    json.dumps(export)  # plain data
    [exported] = export["tables"]["sessions"]
    assert exported["id"] == session and exported["customer_id"] == "cust-1"
    assert [t["question"] for t in exported["turns"]] == ["boots size 9?"]
    assert exported["turns"][0]["feedback"][0]["comment"] == "helpful"
    assert "not theirs" not in json.dumps(export)


def test_interaction_export_is_redacted_and_has_no_customer_ids(db):
    store = InteractionStore(db)
    session = store.start_session(customer_id="cust-secret-1")
    turn = add_turn(store, session, "call me on 541-555-0142", "Sure, Ms Garcia.")
    store.add_feedback(turn, "down", "mail me at a@b.com")

    [record] = list(iter_interactions(db))

    assert record["question"] == "call me on [PHONE]"
    assert record["answer"] == "Sure, Ms [NAME]."
    assert record["feedback"][0]["comment"] == "mail me at [EMAIL]"
    assert record["customer_linked"] is True
    assert "cust-secret-1" not in json.dumps(record)


# --- files --------------------------------------------------------------------------------------


def test_database_files_are_created_owner_only(db, settings):
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{settings.database_path}{suffix}")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert loose_permissions(settings.home) == []


def test_private_files_are_owner_only_even_with_a_permissive_umask(tmp_path):
    existing = tmp_path / "export.json"
    existing.write_text("old")
    existing.chmod(0o644)
    previous = os.umask(0)
    try:
        for path in (existing, tmp_path / "localbot.log"):
            with open_private(path) as handle:
                handle.write("x")
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
    finally:
        os.umask(previous)


def test_folders_created_for_the_home_are_owner_only_even_with_a_permissive_umask(
    tmp_path, monkeypatch, capsys
):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    monkeypatch.setenv("LOCALBOT_HOME", str(shared / "shop" / "data" / "localbot"))
    previous = os.umask(0)
    try:
        assert main(["customers", "list", "--json"]) == 0  # the first command creates the home
        assert main(["export", "--interactions", "--output", str(shared / "out" / "a.jsonl")]) == 0
    finally:
        os.umask(previous)
    for folder in ("shop", "shop/data", "shop/data/localbot", "out"):
        assert stat.S_IMODE((shared / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755  # existing folders are left alone
    db_file = shared / "shop" / "data" / "localbot" / "localbot.db"
    assert stat.S_IMODE(db_file.stat().st_mode) == 0o600


def test_restrict_permissions_fixes_a_copied_database(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    (home / "localbot.db").write_bytes(b"")
    (home / "localbot.db").chmod(0o644)
    (home / "notes.txt").write_text("not ours")
    (home / "notes.txt").chmod(0o644)
    assert {p.name for p in restrict_permissions(home)} == {"home", "localbot.db"}
    assert loose_permissions(home) == []
    assert stat.S_IMODE((home / "notes.txt").stat().st_mode) == 0o644  # not localbot's to change


# --- commands -----------------------------------------------------------------------------------


def test_forget_and_export_commands(db, settings, capsys, tmp_path):
    store = InteractionStore(db)
    session = store.start_session(customer_id="cust-9")
    add_turn(store, session, "cli-marker-question")
    out_file = tmp_path / "sar.json"

    assert main(["export", "--customer", "cust-9", "--output", str(out_file)]) == 0
    assert json.loads(out_file.read_text())["tables"]["sessions"][0]["id"] == session
    assert stat.S_IMODE(out_file.stat().st_mode) == 0o600
    assert main(["export", "--interactions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["cli-marker-question"]

    assert main(["forget", "--customer", "cust-9"]) == 0
    assert "erased customer cust-9: sessions: 1, turns: 1;" in capsys.readouterr().out
    assert main(["forget", "--session", session]) == 1
    assert "nothing stored about session" in capsys.readouterr().out
    assert b"cli-marker-question" not in raw_bytes(settings.database_path)


def test_export_of_an_unknown_customer_is_an_error_and_writes_nothing(db, capsys, tmp_path):
    add_turn(InteractionStore(db), InteractionStore(db).start_session(customer_id="cust-1"), "q")
    out_file = tmp_path / "sar.json"

    assert main(["export", "--customer", "cust-404", "--output", str(out_file)]) == 1

    captured = capsys.readouterr()
    assert captured.out == "" and not out_file.exists()
    assert captured.err.strip().splitlines() == [
        "error: nothing stored about customer cust-404 (erased, or a mistyped id?); nothing written"
    ]


def test_purge_command_reports_counts(db, capsys):
    store = InteractionStore(db)
    add_turn(store, store.start_session(), "old")
    age(db, 10)
    assert main(["purge", "--days", "7", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["retention_days"] == 7 and report["rows"]["turns"] == 1 and report["wal_cleared"]


def aged_and_recent_turns(db):
    """One conversation 40 days old (past the default 30-day retention) and one from today."""
    store = InteractionStore(db)
    old = add_turn(store, store.start_session(), "expired-marker-8841 tent?")
    store.add_feedback(old, "down", "expired-comment-8841")
    age(db, 40)
    add_turn(store, store.start_session(), "recent-marker-2290 boots?")
    db.close()  # the command opens the file itself, as a separate process would


def test_export_interactions_purges_what_is_past_retention_before_reading(db, settings, capsys):
    aged_and_recent_turns(db)

    assert main(["export", "--interactions"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["question"] for line in lines] == ["recent-marker-2290 boots?"]
    assert b"expired-marker-8841" not in raw_bytes(settings.database_path)  # purged, not hidden


def test_insights_purges_what_is_past_retention_before_reading(db, settings, capsys):
    aged_and_recent_turns(db)

    assert main(["insights", "--json"]) == 0

    report = json.loads(capsys.readouterr().out)
    assert report["turns"] == 1 and report["thumbs_down"] == 0
    data = raw_bytes(settings.database_path)
    assert b"expired-marker-8841" not in data and b"expired-comment-8841" not in data


def test_customers_and_doctor_commands_purge_too(db, settings, capsys):
    aged_and_recent_turns(db)
    assert main(["customers", "list", "--json"]) == 0
    capsys.readouterr()
    assert b"expired-marker-8841" not in raw_bytes(settings.database_path)

    other = open_database(settings.database_path)  # closed, not left for the collector
    aged_and_recent_turns(other)
    other.close()
    main(["doctor", "--json"])
    privacy = {c["name"]: c for c in json.loads(capsys.readouterr().out)}["privacy"]
    assert "(oldest stored: 0 days)" in privacy["detail"]  # not 40: it purged before looking
    assert b"expired-marker-8841" not in raw_bytes(settings.database_path)


def test_commands_without_a_database_create_none(settings, capsys):
    assert main(["purge"]) == 0
    assert main(["forget", "--session", "abc"]) == 1
    assert main(["export", "--interactions"]) == 0
    assert main(["export", "--customer", "cust-1"]) == 1
    assert not settings.database_path.exists()


def test_doctor_states_the_privacy_settings_in_plain_words(db, settings, capsys, monkeypatch):
    add_turn(InteractionStore(db), InteractionStore(db).start_session(), "q")
    main(["doctor", "--json"])
    checks = {c["name"]: c for c in json.loads(capsys.readouterr().out)}
    privacy, offline = checks["privacy"], checks["offline"]
    assert privacy["ok"] and "redacted before storage" in privacy["detail"]
    assert "deleted after 30 days (oldest stored: 0 days)" in privacy["detail"]
    assert "readable by you only" in privacy["detail"]
    assert offline["ok"] and "no network" in offline["detail"]

    settings.database_path.chmod(0o644)
    main(["doctor", "--json"])
    privacy = {c["name"]: c for c in json.loads(capsys.readouterr().out)}["privacy"]
    assert privacy["ok"] and "(just made localbot.db owner-only)" in privacy["detail"]
    assert stat.S_IMODE(settings.database_path.stat().st_mode) == 0o600

    monkeypatch.setenv("LOCALBOT_REDACT", "false")
    main(["doctor", "--json"])
    privacy = {c["name"]: c for c in json.loads(capsys.readouterr().out)}["privacy"]
    assert not privacy["ok"] and "REDACTION IS OFF" in privacy["detail"]


@pytest.mark.parametrize(
    "argv",
    [["forget", "--customer", ""], ["forget", "--session", " "],
     ["forget", "--allow-reimport", ""], ["export", "--customer", ""]],
)  # fmt: skip
def test_commands_refuse_an_empty_id_in_one_line(db, argv, capsys):
    store = InteractionStore(db)
    session = store.start_session(customer_id="cust-3")
    add_turn(store, session, "kept-question-5120")

    assert main(argv) == 2

    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "got an empty id" in error and argv[1] in error
    assert store.session_exists(session) and store.turns(session)
