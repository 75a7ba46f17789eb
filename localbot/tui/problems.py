"""Turning exceptions into what a person can act on: what happened, the detail, and what to run.

The UI never shows a traceback; every error the assistant can raise becomes a :class:`Problem`
whose ``fix`` names a command or a key, so the screen always says how to get going again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """An error described for a person."""

    title: str
    detail: str
    fix: str
    fatal: bool = False  # the assistant cannot work at all until the fix is applied


def describe_error(error: BaseException, retry: str = "ask again") -> Problem:
    """The :class:`Problem` for an exception raised while loading or answering.

    ``retry`` is how to try again where the error happened: "ask again" after a question,
    "choose Try again" on the screen shown when starting failed.
    """
    from localbot.assistant import AssistantError
    from localbot.db import DatabaseError
    from localbot.embeddings import EmbedderError
    from localbot.llm import ContextTooSmall, ModelError
    from localbot.modelfiles import ModelFileError
    from localbot.store import StoreError

    detail = str(error) or type(error).__name__
    if isinstance(error, ContextTooSmall):
        return Problem(
            "This conversation is too long for the model",
            detail,
            "Start a new conversation with Ctrl+N, or ask a shorter question.",
        )
    if isinstance(error, ModelError | ModelFileError):
        return Problem(
            "The chat model could not be loaded",
            detail,
            "Run 'localbot models' to see the models here, or 'make setup' to fetch "
            "the default one; 'localbot doctor' checks everything.",
            fatal=True,
        )
    if isinstance(error, EmbedderError):
        return Problem(
            "The search model could not be loaded",
            detail,
            "Run 'make setup', then 'localbot doctor'.",
            fatal=True,
        )
    if isinstance(error, sqlite3.OperationalError) and "locked" in detail:
        return database_locked(detail, retry)
    if isinstance(error, DatabaseError | sqlite3.DatabaseError):
        return Problem(
            "The database could not be used",
            detail,
            "Run 'localbot doctor'; if the file is damaged, move it aside and run "
            "'localbot ingest knowledge'.",
            fatal=True,
        )
    if isinstance(error, AssistantError | StoreError):
        return Problem("That could not be done", detail, _fix_in_message(detail))
    return Problem(
        f"Something went wrong ({type(error).__name__})",
        detail,
        "Try again; if it keeps happening, run 'localbot doctor'.",
    )


def database_locked(detail: str, retry: str = "ask again") -> Problem:
    """The problem shown when another program holds the database's write lock too long."""
    return Problem(
        "The database is busy",
        detail,
        "Another localbot program (an import, an export) is writing to it. Wait for it to "
        f"finish, then {retry}.",
    )


def empty_catalogue() -> Problem:
    """The problem shown when there is nothing to search."""
    return Problem(
        "The catalogue is empty",
        "There are no products or store documents to answer from.",
        "Import the demo store with 'localbot ingest knowledge' (or your own files with "
        "'localbot ingest PATH') in another terminal, then choose Try again.",
        fatal=True,
    )


def _fix_in_message(detail: str) -> str:
    """The assistant's messages end with the fix after a semicolon; show it on its own line."""
    _, _, fix = detail.partition("; ")
    return fix[:1].upper() + fix[1:] + "." if fix else "Try again."
