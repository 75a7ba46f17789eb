"""Kiosk commands: ``pin set`` and ``pin clear`` for the staff PIN that guards leaving kiosk mode.

The PIN is stored only as a salted hash, in the ``staff_pin_hash`` line of the config file the
settings are read from (``LOCALBOT_CONFIG`` or ``localbot.toml`` in the data home); the rest of
the file is left exactly as it was.
"""

from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

from localbot.commands import UserError, settings_from

PIN_LINE = re.compile(r"^staff_pin_hash\s*=.*$", re.MULTILINE)
ENV_NAME = "LOCALBOT_STAFF_PIN_HASH"


def register(subparsers: Any) -> None:
    """Add the ``pin`` command and its actions."""
    pin = subparsers.add_parser("pin", help="set the staff PIN needed to leave kiosk mode")
    actions = pin.add_subparsers(dest="pin_action", metavar="ACTION", required=True)
    set_pin = actions.add_parser(
        "set", help="set or change the staff PIN (4-12 digits; stored hashed)"
    )
    set_pin.add_argument("--stdin", action="store_true", help="read the PIN from standard input")
    set_pin.set_defaults(handler=run_pin_set)
    clear = actions.add_parser(
        "clear", help="remove the staff PIN (anyone can then leave kiosk mode)"
    )
    clear.set_defaults(handler=run_pin_clear)


def config_file(args: argparse.Namespace) -> Path:
    """The config file the settings are read from, where the PIN hash is written."""
    from localbot.paths import CONFIG_NAME

    override = os.environ.get("LOCALBOT_CONFIG")
    return Path(override) if override else settings_from(args).home / CONFIG_NAME


def run_pin_set(args: argparse.Namespace) -> int:
    """Ask for a new PIN (twice when typed), hash it and store the hash in the config file."""
    from localbot.pin import PinError, check_pin_rules, hash_pin

    pin = _read_pin(args.stdin)
    try:
        stored = hash_pin(check_pin_rules(pin))
    except PinError as error:
        raise UserError(str(error)) from error
    path = config_file(args)
    write_pin_hash(path, stored)
    print(f"staff PIN set (salted hash stored in {path})")
    _warn_if_env_overrides()
    return 0


def run_pin_clear(args: argparse.Namespace) -> int:
    """Remove the PIN hash from the config file."""
    path = config_file(args)
    write_pin_hash(path, "")
    print(f"staff PIN removed from {path}; anyone can now leave kiosk mode")
    _warn_if_env_overrides()
    return 0


def write_pin_hash(path: Path, stored: str) -> None:
    """Set the ``staff_pin_hash`` line of the config file, creating the file if needed."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    line = f'staff_pin_hash = "{stored}"'
    # A new line goes first: top-level keys must come before any [table] header.
    updated = PIN_LINE.sub(line, text, count=1) if PIN_LINE.search(text) else f"{line}\n{text}"
    try:
        tomllib.loads(updated)
    except tomllib.TOMLDecodeError as error:
        raise UserError(
            f"{path} is not valid TOML ({error}); fix it, then set the PIN again"
        ) from error
    _write_private(path, updated)


def _read_pin(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("New staff PIN (4-12 digits): ")
    if getpass.getpass("Type it again: ") != first:
        raise UserError("the two PINs differ; nothing was changed")
    return first.strip()


def _write_private(path: Path, text: str) -> None:
    """Write the file readable by its owner only: it holds the PIN hash."""
    from localbot.paths import ensure_private_dir

    # Every folder made on the way is 0700, not only the last one (mkdir's mode= gives that).
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file that existed keeps its old mode otherwise
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def _warn_if_env_overrides() -> None:
    if os.environ.get(ENV_NAME):
        print(
            f"note: {ENV_NAME} is set in the environment and overrides the config file",
            file=sys.stderr,
        )
