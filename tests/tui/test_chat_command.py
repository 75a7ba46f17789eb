"""``localbot chat``: a kiosk never runs without the terminal UI, and a broken UI is reported.

The plain line-based chat has no staff PIN and no idle reset, so ``--plain`` is refused in
kiosk mode (by flag or by setting), and a failed import of the UI is an error rather than a
quiet fall back to the plain chat; only a missing Textual falls back, outside kiosk mode.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from localbot.cli import main
from localbot.commands import conversation


@pytest.fixture
def plain_chats(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Calls of the plain chat (stubbed: it would load the models and read stdin)."""
    calls: list[Any] = []
    monkeypatch.setattr(conversation, "_plain_chat", lambda args: calls.append(args) or 0)
    return calls


def without(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make ``import module`` fail, and the UI be imported afresh (sys.modules is restored)."""
    monkeypatch.delitem(sys.modules, "localbot.tui.app", raising=False)
    monkeypatch.setitem(sys.modules, module, None)


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return err


@pytest.mark.parametrize(
    ("argv", "env"), [(["chat", "--kiosk", "--plain"], None), (["chat", "--plain"], "kiosk")]
)
def test_plain_chat_is_refused_in_kiosk_mode(
    argv: list[str], env: str | None, monkeypatch, capsys, plain_chats
) -> None:
    if env:
        monkeypatch.setenv("LOCALBOT_MODE", env)  # 'mode = "kiosk"' in the settings
    assert main(argv) == 2
    assert "--plain is not available in kiosk mode" in error_line(capsys)
    assert plain_chats == []


@pytest.mark.parametrize("flags", [[], ["--kiosk"]])
def test_a_broken_ui_import_is_reported_not_swapped_for_the_plain_chat(
    flags: list[str], monkeypatch, capsys, plain_chats
) -> None:
    without(monkeypatch, "localbot.tui.screens.chat")
    assert main(["chat", *flags]) == 2
    line = error_line(capsys)
    assert "terminal UI could not be loaded" in line and "localbot.tui.screens.chat" in line
    assert plain_chats == []


def test_without_textual_staff_get_the_plain_chat_and_are_told(
    monkeypatch, capsys, plain_chats
) -> None:
    without(monkeypatch, "textual")
    assert main(["chat"]) == 0
    assert len(plain_chats) == 1
    assert "Textual is not installed" in capsys.readouterr().err


def test_without_textual_a_kiosk_does_not_start(monkeypatch, capsys, plain_chats) -> None:
    without(monkeypatch, "textual")
    assert main(["chat", "--kiosk"]) == 2
    assert "make setup" in error_line(capsys) and plain_chats == []
