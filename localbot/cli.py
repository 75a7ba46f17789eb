"""Command line: ``localbot COMMAND``. A thin shell: each command calls the domain modules.

Commands live in :mod:`localbot.commands`, one module per area; each module has a
``register(subparsers)`` that adds its commands with a ``handler`` default. Errors that a user can
fix end the program with one line on stderr and exit code 2; nothing is printed as a traceback.
Anything unexpected also ends in one line (exit code 1) that points at ``localbot doctor``;
``LOCALBOT_DEBUG=1`` shows its traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from localbot import __version__
from localbot.commands import COMMAND_MODULES, UserError
from localbot.offline import enforce_offline_environment

# Set to 1 to see the traceback of an unexpected error instead of its one line.
DEBUG_VARIABLE = "LOCALBOT_DEBUG"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="localbot", description="An offline, on-device shop assistant."
    )
    parser.add_argument("--version", action="version", version=f"localbot {__version__}")
    _add_global_options(parser, default=None)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    _accept_global_options_after_commands(subparsers)
    return parser


def _add_global_options(parser: argparse.ArgumentParser, default: object) -> None:
    parser.add_argument(
        "--home",
        default=default,
        help="data folder (default: LOCALBOT_HOME or ~/.local/share/localbot)",
    )
    parser.add_argument(
        "--model",
        default=default,
        help="chat model: manifest name, GGUF file in models/, or a path",
    )


def _accept_global_options_after_commands(subparsers: argparse._SubParsersAction) -> None:
    """Let '--home' and '--model' follow the command too ('localbot ask Q --model X').

    Their default there is SUPPRESS, so a value given before the command is not overwritten.
    """
    for command in set(subparsers.choices.values()):
        _add_global_options(command, default=argparse.SUPPRESS)
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                _accept_global_options_after_commands(action)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    enforce_offline_environment()  # before any library that could reach a model hub is imported
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away ('localbot answers | head'): stop quietly, as other tools do.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as error:
        if os.environ.get(DEBUG_VARIABLE, "").strip() not in ("", "0"):
            raise
        print(unexpected_error_line(error), file=sys.stderr)
        return 1


def unexpected_error_line(error: Exception) -> str:
    """One line for an error no command expected: what happened, and where to look next."""
    detail = " ".join(str(error).split())[:300]
    what = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return (
        f"error: unexpected {what}; run 'localbot doctor' to check the setup"
        f" ({DEBUG_VARIABLE}=1 shows the traceback)"
    )
