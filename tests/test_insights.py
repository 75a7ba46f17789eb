"""Insights on a real database with the real embedder: a seeded simulated history of 300 turns."""

from __future__ import annotations

import importlib.util
import json
import stat
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from localbot import governance
from localbot.catalogue.ingest import ingest_paths
from localbot.catalogue.search import CatalogueSearch
from localbot.cli import main
from localbot.db import open_database
from localbot.insights import (
    DOCUMENT_COVERED,
    best_rated_answer,
    build_report,
    faq_drafts,
    feedback_by_turn,
    load_turns,
    write_faq_drafts,
)
from localbot.store import InteractionStore, TurnRecord

ROOT = Path(__file__).resolve().parents[1]
END = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)


def load_simulator():
    """scripts/ is not a package: load the simulator from its file."""
    spec = importlib.util.spec_from_file_location(
        "simulate_history", ROOT / "scripts/simulate_history.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("simulate_history", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def history_db(demo_db_path):
    """The demo store with 300 simulated turns over 4 weeks ending at END."""
    db = open_database(demo_db_path)
    load_simulator().simulate(db, turns=300, weeks=4, seed=11, end=END)
    yield db
    db.close()


def summary(report):
    return [(c.name, c.size, tuple(c.terms), tuple(c.turn_ids)) for c in report.clusters]


def test_simulator_writes_through_the_store(history_db):
    turns = load_turns(history_db)
    assert len(turns) == 300
    assert {t.status for t in turns} == {"complete", "no_match"}
    assert (
        min(t.created_at for t in turns) < "2026-10-08"
        and max(t.created_at for t in turns) < "2026-11-02"
    )
    assert (
        history_db.execute(
            "SELECT count(*) FROM feedback WHERE rating = 'down' AND comment != ''"
        ).fetchone()[0]
        > 0
    )
    assert not any("@" in t.question or "07700" in t.question for t in turns)


def test_clusters_are_stable_and_group_meanings(history_db, embedder):
    first = build_report(history_db, embedder, now=END)
    second = build_report(history_db, embedder, now=END)  # from cached vectors
    assert summary(first) == summary(second)
    assert sum(c.size for c in first.clusters) == first.turns == 300
    opening = next(
        c for c in first.clusters if any(p.text == "what time do you open" for p in c.phrasings)
    )
    wordings = {p.text for p in opening.phrasings}
    assert wordings & {"are you open on sunday", "opening hours today", "when do you close tonight"}
    stored = history_db.execute("SELECT count(*) FROM question_vectors").fetchone()[0]
    assert stored == 300


def test_same_seed_same_clusters_on_a_fresh_database(
    history_db, embedder, tmp_path, demo_db_template
):
    other_path = tmp_path / "other.db"
    other_path.write_bytes(demo_db_template.read_bytes())
    other = open_database(other_path)
    load_simulator().simulate(other, turns=300, weeks=4, seed=11, end=END)
    names = [(c.name, c.size) for c in build_report(other, embedder, now=END).clusters]
    other.close()
    assert names == [(c.name, c.size) for c in build_report(history_db, embedder, now=END).clusters]


def test_pain_points_demand_and_volume(history_db, embedder):
    report = build_report(history_db, embedder, now=END)
    worst = report.pain_points()[0]
    assert worst.no_match + worst.thumbs_down > 0
    assert (
        report.no_match
        == history_db.execute("SELECT count(*) FROM turns WHERE status='no_match'").fetchone()[0]
    )
    assert report.top_products and report.top_products[0].asks >= report.top_products[-1].asks
    for product in report.out_of_stock:
        stock = history_db.execute(
            "SELECT stock FROM products WHERE sku = ?", [product.sku]
        ).fetchone()[0]
        assert stock == product.stock == 0
    assert sum(report.volume_by_hour.values()) == 300 and set(report.volume_by_hour) <= set(
        range(8, 21)
    )
    assert 300 < report.median_ttft_ms < 3000
    assert 0.1 < report.feedback_rate < 0.4


def test_reused_replies_do_not_count_towards_time_to_first_token(history_db, embedder):
    before = build_report(history_db, embedder, now=END).median_ttft_ms
    store = InteractionStore(history_db)
    session = store.start_session()
    for _ in range(200):
        record = TurnRecord(
            session, "tent?", "", "A tent.", "complete", "reused", [], [], [], {"ttft_ms": 1.0}
        )
        store.record_turn(record)
    assert build_report(history_db, embedder).median_ttft_ms == before


def test_since_limits_the_window(history_db, embedder):
    report = build_report(history_db, embedder, since_days=7, now=END)
    assert 0 < report.turns < 150
    assert min(report.volume_by_day) >= "2026-10-25"


def test_forget_erases_question_vectors(history_db, embedder):
    build_report(history_db, embedder, now=END)
    session = history_db.execute("SELECT session_id FROM turns ORDER BY id LIMIT 1").fetchone()[0]
    report = governance.forget_session(history_db, session)
    assert report.rows["question_vectors"] >= 1
    orphans = history_db.execute(
        "SELECT count(*) FROM question_vectors WHERE turn_id NOT IN (SELECT id FROM turns)"
    ).fetchone()[0]
    assert orphans == 0


def test_cli_prints_text_and_json(history_db, embedder, capsys, monkeypatch):
    # The history ends at a fixed date; commands purge what is past retention before reading.
    monkeypatch.setenv("LOCALBOT_RETENTION_DAYS", "3650")
    build_report(history_db, embedder)  # caches the vectors, so the CLI needs no model load
    assert main(["insights"]) == 0
    text = capsys.readouterr().out
    assert "Most common questions" in text and "Questions by hour" in text
    assert main(["insights", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["turns"] == 300 and data["clusters"][0]["down_rate"] >= 0


def test_faq_drafts_use_the_best_rated_answer_and_are_marked(history_db, embedder, tmp_path):
    drafts = faq_drafts(history_db, embedder, limit=3, now=END)
    assert drafts and all(d.coverage < DOCUMENT_COVERED for d in drafts)
    feedback = feedback_by_turn(history_db)
    for draft in drafts:
        assert "DRAFT for review" in draft.markdown and "## How shoppers ask it" in draft.markdown
        assert draft.answer == best_rated_answer(history_db, draft.cluster.turn_ids, feedback)
        if draft.answer:
            assert draft.answer in draft.markdown
    up_turns = {t for t, ratings in feedback.items() if ratings == [("up", r[1]) for r in ratings]}
    answers = {
        history_db.execute("SELECT answer FROM turns WHERE id=?", [t]).fetchone()[0]
        for t in up_turns
    }
    assert all(d.answer in answers for d in drafts if d.answer)


def test_a_draft_moved_into_knowledge_is_ingested_and_then_covers_its_questions(
    history_db, embedder, tmp_path
):
    draft = faq_drafts(history_db, embedder, limit=1, now=END)[0]
    knowledge = tmp_path / "knowledge" / "docs"
    [path] = write_faq_drafts([draft], knowledge)
    ingest_paths(history_db, [knowledge], embedder)
    results = CatalogueSearch(history_db, embedder).search(draft.cluster.phrasings[0].text, 5)
    assert any(hit.passage and hit.passage.path.endswith(path.name) for hit in results.hits)
    again = faq_drafts(history_db, embedder, limit=20, now=END)
    assert draft.cluster.name not in [d.cluster.name for d in again]


def test_cli_faq_writes_drafts(history_db, embedder, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LOCALBOT_RETENTION_DAYS", "3650")  # the history ends at a fixed date
    build_report(history_db, embedder)
    assert main(["insights", "faq"]) == 2  # --out is required
    out = tmp_path / "drafts"
    assert main(["insights", "faq", "--out", str(out), "--limit", "2"]) == 0
    drafts = list(out.glob("faq-*.md"))
    assert len(drafts) == 2
    # They quote how shoppers asked: readable by the owner only, like every file localbot writes.
    assert {stat.S_IMODE(p.stat().st_mode) for p in drafts} == {0o600}
    assert stat.S_IMODE(out.stat().st_mode) == 0o700  # created by the command
    assert "for review" in capsys.readouterr().out
