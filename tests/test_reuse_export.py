"""Training export of approved answers: redacted, deduplicated, thumbs-down and retired left out."""

from __future__ import annotations

import json

from localbot.cli import main
from localbot.db import open_database
from localbot.reuse import decide
from localbot.store import InteractionStore, TurnRecord
from localbot.training import training_examples


def log(store, question, answer, *ratings):
    session = store.start_session()
    turn = store.record_turn(
        TurnRecord(session, question, "", answer, "complete", "m", [], [], [], {})
    )
    for rating in ratings:
        store.add_feedback(turn, rating)
    return turn


def test_export_is_redacted_deduplicated_and_reports_why(settings, tmp_path, capsys):
    db = open_database(settings.database_path)
    store = InteractionStore(db)
    log(store, "do you deliver on saturday?", "Yes, Saturday delivery costs $9.95.", "up")
    log(store, "do you  deliver on saturday?", "Yes, Saturday delivery costs $9.95.", "up")
    log(
        store,
        "my email is jo@example.com, any tents?",
        "Email jo@example.com or call 07700 900123.",
        "up",
    )
    retired = log(store, "what about repairs?", "We repair zips.", "up")
    decide(db, retired, "retired")  # staff retired it: rated up, yet never exported
    log(store, "hours?", "(no answer)", "up")
    log(store, "not rated", "Nothing to learn here.")

    examples, report = training_examples(db)

    assert report.as_dict() == {
        "rated_up": 5,
        "approved": 4,
        "written": 2,
        "redacted": 1,
        "removed": {"thumbs down or retired": 1, "duplicate": 1, "empty answer": 1},
    }
    text = json.dumps(examples)
    assert "jo@example.com" not in text and "07700" not in text and "[EMAIL]" in text
    assert [m["role"] for m in examples[0]["messages"]] == ["system", "user", "assistant"]
    out = tmp_path / "train.jsonl"
    assert main(["export", "--training", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert lines == examples and (out.stat().st_mode & 0o077) == 0
    assert "removed: duplicate: 1" in capsys.readouterr().err
