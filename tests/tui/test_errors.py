"""Errors are shown with what to run, never crashed on: model, catalogue, database."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static
from tui_helpers import NO_MATCH, settle

from localbot.assistant import Assistant
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.tui.app import make_app
from localbot.tui.screens.chat import ChatScreen
from localbot.tui.screens.dialogs import ProblemScreen
from localbot.tui.widgets.conversation import AnswerView, ProblemNote

pytestmark = [pytest.mark.anyio, pytest.mark.real]


def problem_text(app: Any) -> str:
    screen = app.screen
    assert isinstance(screen, ProblemScreen), f"expected the problem screen, got {screen}"
    return " ".join(str(w.content) for w in screen.query(Static))


async def shown_problem(settings: Any, opener: Any) -> str:
    app = make_app(settings, open_assistant=opener)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.is_running and not app.ready
        return problem_text(app)


async def test_a_missing_model_says_which_commands_fix_it(assistant) -> None:
    settings = assistant.settings.with_overrides(model="no-such-model")
    text = await shown_problem(
        settings, lambda: Assistant(settings, db=assistant.db, embedder=assistant.embedder)
    )
    assert "The chat model could not be loaded" in text
    assert "no-such-model" in text and "localbot models" in text and "make setup" in text


async def test_a_missing_model_is_reported_before_the_embedder_loads(
    assistant, monkeypatch
) -> None:
    settings = assistant.settings.with_overrides(model="/tmp/no-such-dir/nothing.gguf")
    embedder = Embedder()  # not loaded yet, as at start-up
    loads: list[str] = []
    monkeypatch.setattr(embedder, "load", lambda: loads.append("embedder"))
    text = await shown_problem(
        settings, lambda: Assistant(settings, db=assistant.db, embedder=embedder)
    )
    assert "The chat model could not be loaded" in text and "nothing.gguf" in text
    assert loads == []  # seconds of loading saved before saying the model is missing


async def test_a_database_locked_at_start_up_says_to_choose_try_again(settings) -> None:
    def locked() -> Assistant:
        raise sqlite3.OperationalError("database is locked")

    text = await shown_problem(settings, locked)
    assert "The database is busy" in text and "then choose Try again" in text
    assert "ask again" not in text  # nothing was asked


async def test_a_corrupt_model_file_is_named(assistant, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a model at all" * 100)
    settings = assistant.settings.with_overrides(model=str(broken))
    text = await shown_problem(
        settings, lambda: Assistant(settings, db=assistant.db, embedder=assistant.embedder)
    )
    assert "could not be loaded" in text and "broken.gguf" in text and "not a GGUF" in text


async def test_a_model_file_damaged_after_its_magic_is_called_damaged(
    assistant, tmp_path: Path
) -> None:
    """Random bytes after a valid magic once asked for exabytes (MemoryError on screen)."""
    broken = tmp_path / "damaged.gguf"
    broken.write_bytes(b"GGUF" + random.Random(5).randbytes(100_000))
    settings = assistant.settings.with_overrides(model=str(broken))
    text = await shown_problem(
        settings, lambda: Assistant(settings, db=assistant.db, embedder=assistant.embedder)
    )
    assert "The chat model could not be loaded" in text and "damaged.gguf is damaged" in text
    assert "localbot models" in text and "make setup" in text


async def test_an_empty_catalogue_says_to_ingest(assistant, tmp_path: Path) -> None:
    empty = open_database(tmp_path / "empty.db")
    settings = assistant.settings

    def opener() -> Assistant:
        return Assistant(
            settings, db=empty, embedder=assistant.embedder, chat_model=assistant.chat_model
        )

    app = make_app(settings, open_assistant=opener)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "The catalogue is empty" in problem_text(app)
        assert "localbot ingest knowledge" in problem_text(app)
        await pilot.click("#retry")  # still empty: the same screen comes back
        await settle(pilot)
        assert "The catalogue is empty" in problem_text(app)
        await pilot.click("#quit")
        await pilot.pause()
        assert not app.is_running


async def test_a_damaged_database_file_is_reported(settings) -> None:
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    settings.database_path.write_bytes(b"this is not sqlite" * 1000)
    text = await shown_problem(settings, lambda: Assistant(settings))
    assert "The database could not be used" in text and "localbot doctor" in text


async def test_a_locked_database_is_shown_in_the_answer_and_the_app_carries_on(
    assistant, build_app, demo_db_path: Path
) -> None:
    assistant.db.execute("PRAGMA busy_timeout = 50")  # fail fast instead of after 15 s
    other = sqlite3.connect(demo_db_path)
    app = build_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        other.execute("BEGIN IMMEDIATE")
        await pilot.click("#question")
        await pilot.press(*NO_MATCH, "enter")
        await settle(pilot)
        note = app.screen.query_one(ProblemNote)
        assert "The database is busy" in str(note.content)
        assert "then ask again" in str(note.content)
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.query_one("#question", Input).value == NO_MATCH  # not lost
        other.rollback()
        await pilot.press("enter")  # asked again as it was
        await settle(pilot)
        assert app.screen.query(AnswerView).last().turn_id is not None
    other.close()
