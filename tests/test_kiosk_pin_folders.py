"""``localbot pin set`` creates the config file's missing folders owner-only, every one of them."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from localbot.cli import main


def test_every_folder_made_for_the_pin_file_is_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "etc" / "shop" / "localbot" / "localbot.toml"
    monkeypatch.setenv("LOCALBOT_CONFIG", str(config))
    monkeypatch.setattr("sys.stdin", io.StringIO("2468\n"))
    old_umask = os.umask(0)  # the worst case: without care, new folders would be 0777
    try:
        assert main(["pin", "set", "--stdin"]) == 0
    finally:
        os.umask(old_umask)

    for folder in (tmp_path / "etc", tmp_path / "etc" / "shop", config.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert "staff_pin_hash" in config.read_text()
