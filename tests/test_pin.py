"""The staff PIN: rules, salted hashing, verification and the ``localbot pin`` command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from localbot.cli import main
from localbot.config import load_settings
from localbot.pin import PinError, PinGate, check_pin_rules, hash_pin, is_valid_hash, verify_pin


def test_a_pin_verifies_against_its_own_hash_only() -> None:
    stored = hash_pin("2468")
    assert verify_pin("2468", stored)
    assert not verify_pin("2469", stored)
    assert not verify_pin("", stored)


def test_the_hash_is_salted_and_does_not_contain_the_pin() -> None:
    first, second = hash_pin("135790"), hash_pin("135790")
    assert first != second
    assert "135790" not in first
    assert first.startswith("scrypt$")


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "12 34", "١٢٣٤"])
def test_pins_must_be_four_to_twelve_ascii_digits(pin: str) -> None:
    with pytest.raises(PinError):
        check_pin_rules(pin)


@pytest.mark.parametrize("stored", ["", "2468", "scrypt$1$2$3$x$y", "bcrypt$16384$8$1$AA==$AA=="])
def test_a_malformed_hash_is_reported_not_crashed_on(stored: str) -> None:
    assert not is_valid_hash(stored)
    with pytest.raises(PinError, match="set the PIN again"):
        verify_pin("2468", stored)


def test_pin_set_stores_only_a_hash_and_keeps_the_rest_of_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = (
        tmp_path / "no-config.toml"
    )  # the file the isolated_home fixture points LOCALBOT_CONFIG at
    config.write_text('mode = "kiosk"\nkiosk_idle_seconds = 60\n')
    monkeypatch.setattr("sys.stdin", io.StringIO("8642\n"))
    assert main(["pin", "set", "--stdin"]) == 0
    settings = load_settings()
    assert (settings.mode, settings.kiosk_idle_seconds) == ("kiosk", 60)
    assert verify_pin("8642", settings.staff_pin_hash)
    assert "8642" not in config.read_text()
    assert config.stat().st_mode & 0o077 == 0


def test_pin_set_again_replaces_the_old_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for pin in ("1111", "2222"):
        monkeypatch.setattr("sys.stdin", io.StringIO(pin + "\n"))
        assert main(["pin", "set", "--stdin"]) == 0
    text = (tmp_path / "no-config.toml").read_text()
    assert text.count("staff_pin_hash") == 1
    assert verify_pin("2222", load_settings().staff_pin_hash)


def test_a_bad_pin_is_refused_with_the_rule(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("12\n"))
    assert main(["pin", "set", "--stdin"]) == 2
    assert "4 to 12 digits" in capsys.readouterr().err
    assert load_settings().staff_pin_hash == ""


def test_pin_clear_removes_the_hash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("4321\n"))
    main(["pin", "set", "--stdin"])
    assert main(["pin", "clear"]) == 0
    assert load_settings().staff_pin_hash == ""


def test_the_gate_pauses_after_repeated_wrong_pins() -> None:
    now = [1000.0]
    gate = PinGate(hash_pin("2468"), clock=lambda: now[0], max_tries=3, pause_seconds=30)
    assert gate.required
    assert [gate.check("0000") for _ in range(3)] == [False, False, False]
    assert gate.locked_for() == 30
    assert not gate.check("2468")  # even the right PIN waits out the pause
    now[0] += 31
    assert gate.check("2468")


def test_without_a_stored_hash_no_pin_is_required() -> None:
    assert not PinGate("").required
