"""The CLI's commands, one module per area, and what they share (settings, opening the assistant)."""

from __future__ import annotations

import argparse
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from localbot.assistant import Assistant
    from localbot.config import Settings


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
