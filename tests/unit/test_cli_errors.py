"""Bad input and broken setups end a command with one line that says what to fix, never a traceback."""

from __future__ import annotations

import pytest

from localbot import cli


def _run_handler(monkeypatch: pytest.MonkeyPatch, handler) -> None:
    """Make every command run ``handler`` (as test_cli_pipe does), to test main's own handling."""
    plain = cli.build_parser

    def build():
        parser = plain()
        parser.set_defaults(handler=handler)
        return parser

    monkeypatch.setattr(cli, "build_parser", build)


def _boom(args):
    raise RuntimeError("disk on fire\nsecond line")


def test_an_unexpected_error_is_one_line_that_points_at_doctor(monkeypatch, capsys):
    _run_handler(monkeypatch, _boom)
    assert cli.main([]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "error: unexpected RuntimeError: disk on fire second line; run 'localbot doctor' to"
        " check the setup (LOCALBOT_DEBUG=1 shows the traceback)\n"
    )


def test_localbot_debug_shows_the_traceback(monkeypatch):
    _run_handler(monkeypatch, _boom)
    monkeypatch.setenv("LOCALBOT_DEBUG", "1")
    with pytest.raises(RuntimeError, match="disk on fire"):
        cli.main([])


def test_an_interrupt_is_still_reported_as_one(monkeypatch, capsys):
    def interrupt(args):
        raise KeyboardInterrupt

    _run_handler(monkeypatch, interrupt)
    assert cli.main([]) == 130
    assert capsys.readouterr().err == "interrupted\n"


@pytest.mark.parametrize("command", [["ingest", "x.csv"], ["search", "tent"]])
def test_a_data_home_that_is_a_file_is_named(tmp_path, monkeypatch, capsys, command):
    home = tmp_path / "afile"
    home.write_text("not a folder")
    monkeypatch.setenv("LOCALBOT_HOME", str(home))
    assert cli.main(command) == 2
    assert capsys.readouterr().err == (
        f"error: cannot create the database {home / 'localbot.db'} ({home} is not a folder);"
        " point LOCALBOT_HOME or --home at a folder you may write to\n"
    )
    assert home.read_text() == "not a folder"


@pytest.mark.parametrize("command", [["search", "tent"], ["eval"]])
def test_search_and_eval_on_an_empty_catalogue_say_so(isolated_home, capsys, command):
    assert cli.main(command) == 2
    assert capsys.readouterr().err == (
        "error: the catalogue is empty; run 'localbot ingest knowledge' for the demo store, or"
        " 'localbot ingest' with your own product files and documents\n"
    )
    assert not isolated_home.exists()  # no empty database is left behind


def test_a_catalogue_database_without_rows_is_empty_too(isolated_home, capsys):
    from localbot.db import open_database

    open_database(isolated_home / "localbot.db").close()
    assert cli.main(["search", "tent"]) == 2
    assert "error: the catalogue is empty;" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'{"question": "kayak paddle", "relevant": {"WAT-0010": "high"}}\n',
            "line 1: the relevance of 'WAT-0010' must be a number above 0 (1 = relevant,"
            ' 2 = very), not "high"',
        ),
        (b'{"question": "q", "relevant": {"A-1": 0}}\n', "the relevance of 'A-1' must be"),
        (b'{"question": "q", "relevant": {"A-1": true}}\n', "not true"),
        (b'{"question": "caf\xe9", "relevant": []}\n', "is not UTF-8 text (byte 17); save it"),
    ],
)
def test_a_bad_question_file_is_one_line(tmp_path, capsys, content, message):
    path = tmp_path / "q.jsonl"
    path.write_bytes(content)
    assert cli.main(["eval", "--questions", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and message in err and err.count("\n") == 1


def test_a_folder_given_as_the_question_file_is_named_a_folder(tmp_path, capsys):
    assert cli.main(["eval", "--questions", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        f"error: {tmp_path} is a folder, not a file; pass --questions FILE.jsonl\n"
    )


@pytest.mark.parametrize("command", [["customers", "list"], ["purge"], ["doctor"]])
def test_every_command_names_a_data_home_that_is_a_file(tmp_path, monkeypatch, capsys, command):
    home = tmp_path / "afile"
    home.write_text("not a folder")
    monkeypatch.setenv("LOCALBOT_HOME", str(home))
    assert cli.main(command) != 0
    captured = capsys.readouterr()
    assert f"{home}" in captured.err + captured.out
    assert "point LOCALBOT_HOME or --home at a folder" in captured.err + captured.out
    assert "localbot doctor" not in captured.err  # not the unexpected-error fallback
    assert home.read_text() == "not a folder"
