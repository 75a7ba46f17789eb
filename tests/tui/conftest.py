"""Fixtures for the terminal UI: the app built by the CLI's factory over the real small model.

Every app here gets the shared ``assistant`` fixture's database copy, embedder and model, with a
short ``max_tokens`` so answers stay quick; the kiosk's clock is a fake that tests move forward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlite_utils
from customer_helpers import customers_db, customers_db_path, customers_template
from tui_helpers import PIN, SHORT_ANSWER_TOKENS, FakeClock

from localbot.assistant import Assistant
from localbot.config import Settings
from localbot.embeddings import Embedder
from localbot.llm import ChatModel
from localbot.pin import hash_pin
from localbot.tui.app import LocalbotApp, make_app

# pytest finds fixtures by name in the conftest; importing them is what makes them visible.
FIXTURES = (customers_db, customers_db_path, customers_template)


@pytest.fixture(scope="session")
def pin_hash() -> str:
    """The staff PIN's hash, computed once (scrypt is deliberately slow)."""
    return hash_pin(PIN)


@pytest.fixture
def clock() -> FakeClock:
    """The kiosk's idle clock and the PIN pad's pause."""
    return FakeClock()


def sharing(assistant: Assistant, settings: Settings) -> Assistant:
    """An Assistant with other settings over the fixture's database, embedder and model."""
    return Assistant(
        settings, db=assistant.db, embedder=assistant.embedder, chat_model=assistant.chat_model
    )


def builder(assistant: Assistant, clock: FakeClock, pin_hash: str) -> Callable[..., LocalbotApp]:
    """``build(mode, **settings)``: the app over ``assistant``'s database and models.

    ``mode`` None starts the app in the settings' mode, as ``localbot chat`` does without ``--kiosk``.
    """

    def build(mode: str | None = "staff", /, **overrides: Any) -> LocalbotApp:
        overrides = {"max_tokens": SHORT_ANSWER_TOKENS, "staff_pin_hash": pin_hash, **overrides}
        settings = assistant.settings.with_overrides(**overrides)
        quick = sharing(assistant, settings)
        return make_app(settings, mode, open_assistant=lambda: quick, clock=clock)

    return build


@pytest.fixture
def build_app(assistant: Assistant, clock: FakeClock, pin_hash: str) -> Callable[..., LocalbotApp]:
    """``build_app(mode, **settings)``: the app over the real model, a PIN set, a fake clock."""
    return builder(assistant, clock, pin_hash)


@pytest.fixture
def customers_assistant(
    settings: Settings,
    customers_db: sqlite_utils.Database,
    embedder: Embedder,
    chat_model: ChatModel,
) -> Assistant:
    """An Assistant on a copy of the demo database with the demo customers imported."""
    return Assistant(settings, db=customers_db, embedder=embedder, chat_model=chat_model)


@pytest.fixture
def build_customers_app(
    customers_assistant: Assistant, clock: FakeClock, pin_hash: str
) -> Callable[..., LocalbotApp]:
    """Like ``build_app``, over the database with the demo customers."""
    return builder(customers_assistant, clock, pin_hash)


@pytest.fixture
def anyio_backend() -> str:
    """Textual runs on asyncio."""
    return "asyncio"
