"""`localbot search` on the real embedder and a copy of the demo database: output, JSON, bad input."""

from __future__ import annotations

import json

import pytest

from localbot.cli import main


def search_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    capsys.readouterr()
    assert main(["search", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_search_applies_the_filters_it_reads_and_lists_them(demo_db_path, capsys) -> None:
    found = search_json(capsys, "tent under $150 in stock", "--limit", "5")
    assert found["filters"] and "150" in found["filters"]
    products = [r for r in found["results"] if r["kind"] == "product"]
    assert 0 < len(found["results"]) <= 5 and products
    for row in products:
        assert {"sku", "name", "price", "currency", "stock", "score"} <= row.keys()
        assert row["price"] < 150 and row["stock"] > 0


def test_search_text_output_has_a_row_per_result_and_the_time(demo_db_path, capsys) -> None:
    assert main(["search", "waterproof hiking boots", "--limit", "3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:3] == ["#", "kind", "id"]
    assert out[-1].startswith("3 results in") and len(out) == 5


def test_personal_data_in_a_search_is_redacted_before_it_is_embedded(demo_db_path, capsys):
    found = search_json(capsys, "tent for jane.doe@example.com", "--limit", "1")
    assert found["query"] == "tent for [EMAIL]"


@pytest.mark.parametrize("limit", ["0", "-3", "many"])
def test_a_limit_below_one_is_refused_with_one_line(demo_db_path, capsys, limit) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["search", "tent", "--limit", limit])
    assert stop.value.code == 2
    assert "--limit: must be a whole number of at least 1" in capsys.readouterr().err


def test_an_empty_search_is_refused(demo_db_path, capsys) -> None:
    assert main(["search", "   "]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: the search is empty; type what you are looking for"
    )


@pytest.mark.parametrize("command", [["search", "tent"], ["eval"]])
def test_a_broken_embedder_is_one_line(demo_db_path, tmp_path, monkeypatch, capsys, command):
    empty = tmp_path / "no-model"
    empty.mkdir()
    monkeypatch.setenv("LOCALBOT_EMBEDDER", str(empty))
    assert main(command) == 2
    assert capsys.readouterr().err == (
        f"error: {empty} holds no sentence-transformers model; point the 'embedder' setting at a"
        " sentence-transformers model folder, or remove it; then run"
        " 'localbot doctor' to check\n"
    )
