"""A reader that stops early ('localbot answers | head') ends the command quietly."""

from __future__ import annotations

import subprocess
import sys

LONG_OUTPUT = """
import sys
from localbot import cli

plain = cli.build_parser

def build():
    parser = plain()
    parser.set_defaults(handler=lambda args: [print("row", i) for i in range(200_000)] and 0)
    return parser

cli.build_parser = build
sys.exit(cli.main([]))
"""


def test_a_closed_pipe_ends_the_command_without_a_traceback():
    process = subprocess.Popen(
        [sys.executable, "-c", LONG_OUTPUT], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline() == b"row 0\n"
    process.stdout.close()  # as 'head -1' does after its line
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141
    assert "Traceback" not in error and "BrokenPipe" not in error
