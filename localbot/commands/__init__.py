"""The CLI's commands, one module per area, and what they share (settings, opening the database
and the assistant).

A command that reads stored data reaches the database only through :func:`open_db` (or
:func:`open_assistant`, whose Assistant does the same duties), so retention and file modes are
enforced before it reads a row: no command shows or exports data past ``retention_days``.
(``ingest`` writes only the catalogue and opens the database directly.)
"""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

    from localbot.assistant import Assistant
    from localbot.config import Settings
    from localbot.governance import ErasureReport


class UserError(Exception):
    """An error the user can fix; the CLI prints its one-line message and exits with code 2."""


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings merged from defaults, the config file, the environment and the global flags."""
    from localbot.config import SettingsError, load_settings

    flags = {"home": getattr(args, "home", None), "model": getattr(args, "model", None)}
    try:
        return load_settings(flags)
    except SettingsError as error:
        raise UserError(str(error)) from error


def open_db(
    settings: Settings, retention_days: int | None = None, migrate: bool = True
) -> tuple[sqlite_utils.Database, ErasureReport]:
    """The database and what opening it purged; see :func:`localbot.governance.open_governed`.

    Creates the database if there is none: check ``settings.database_path.exists()`` first where
    a command must not create one. Database problems become one-line errors.
    """
    from localbot.db import DatabaseError
    from localbot.governance import open_governed

    try:
        return open_governed(settings, retention_days, migrate)
    except DatabaseError as error:
        raise UserError(str(error)) from error


def open_assistant(args: argparse.Namespace) -> Assistant:
    """Build the Assistant for a command, turning setup problems into one-line errors."""
    from localbot.assistant import Assistant
    from localbot.db import DatabaseError

    try:
        return Assistant(settings_from(args))
    except DatabaseError as error:
        raise UserError(str(error)) from error


def _modules() -> list[ModuleType]:
    from localbot.commands import (
        catalogue,
        conversation,
        customers,
        insights,
        kiosk,
        privacy,
        system,
    )

    return [catalogue, conversation, system, kiosk, privacy, customers, insights]


COMMAND_MODULES = _modules()
