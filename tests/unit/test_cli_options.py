"""'--home' and '--model' work before or after the command, nested commands included."""

from __future__ import annotations

import pytest

from localbot.cli import build_parser


@pytest.mark.parametrize(
    "argv",
    [
        ["--model", "m.gguf", "--home", "/h", "ask", "a tent?"],
        ["ask", "a tent?", "--model", "m.gguf", "--home", "/h"],
        ["--home", "/h", "ask", "--model", "m.gguf", "a tent?"],
    ],
)
def test_global_options_are_read_wherever_they_stand(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.model, args.home, args.question) == ("m.gguf", "/h", "a tent?")


def test_nested_commands_take_them_too_and_unset_stays_none() -> None:
    args = build_parser().parse_args(["customers", "list", "--home", "/h"])
    assert args.home == "/h" and args.model is None
