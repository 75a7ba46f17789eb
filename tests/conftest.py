"""Shared fixtures: an isolated LOCALBOT_HOME per test, and the real demo store, embedder and model.

The demo catalogue is ingested once per test session with the real embedder into a template
SQLite file; each test that needs it gets its own copy, so tests never share writes.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from localbot.assistant import Assistant
from localbot.catalogue.ingest import ingest_paths
from localbot.config import Settings, load_settings
from localbot.db import open_database
from localbot.embeddings import Embedder
from localbot.llm import ChatModel
from localbot.modelfiles import resolve_model
from localbot.paths import default_models_dir, knowledge_dir

# The suite must give the same verdict on every run, so by default hypothesis replays a fixed
# set of examples. `make fuzz` explores many random ones; a failure it finds becomes a named
# regression test beside the property.
hypothesis_settings.register_profile("default", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("fuzz", max_examples=20_000, deadline=None)
hypothesis_settings.load_profile("default")


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets an empty data home and defaults; no test touches a real store's data.

    Every ``LOCALBOT_*`` variable of the shell running the tests is cleared (a model, a mode,
    LOCALBOT_DEBUG...), so the suite gives the same verdict on every machine.
    """
    for name in [name for name in os.environ if name.startswith("LOCALBOT_")]:
        monkeypatch.delenv(name)
    home = tmp_path / "home"
    monkeypatch.setenv("LOCALBOT_HOME", str(home))
    monkeypatch.setenv("LOCALBOT_CONFIG", str(tmp_path / "no-config.toml"))
    return home


@pytest.fixture
def settings(isolated_home: Path) -> Settings:
    """Settings for the isolated home, defaults otherwise."""
    return load_settings()


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real all-MiniLM-L6-v2, loaded once."""
    real = Embedder()
    real.load()
    return real


@pytest.fixture(scope="session")
def chat_model() -> ChatModel:
    """The real default GGUF (SmolLM2-135M), loaded once."""
    model = ChatModel(resolve_model("smollm2-135m-instruct", default_models_dir()), n_ctx=4096)
    model.load()
    return model


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Path:
    """The demo store from knowledge/, ingested once into a closed, checkpointed SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "template.db"
    db = open_database(path)
    ingest_paths(db, [knowledge_dir()], embedder)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


@pytest.fixture
def demo_db_path(settings: Settings, demo_db_template: Path) -> Path:
    """A private copy of the demo database at the test's settings.database_path."""
    settings.database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(demo_db_template, settings.database_path)
    settings.database_path.chmod(0o600)  # as localbot creates it: readable by the owner only
    return settings.database_path


@pytest.fixture
def assistant(
    settings: Settings, demo_db_path: Path, embedder: Embedder, chat_model: ChatModel
) -> Iterator[Assistant]:
    """An Assistant on the real model, the real embedder and a real copy of the demo database."""
    db = open_database(demo_db_path)
    yield Assistant(settings, db=db, embedder=embedder, chat_model=chat_model)
    db.close()


def row_count(path: Path, table: str) -> int:
    """Rows in a table of a database file (a separate connection, as another process would see it)."""
    with sqlite3.connect(path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
