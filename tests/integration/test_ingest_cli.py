"""Ingest through the CLI into a real SQLite file with the real embedder."""

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from localbot.cli import main
from localbot.paths import knowledge_dir

pytestmark = pytest.mark.real


def run_json(capsys, *args):
    code = main([*args, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_demo_ingest_then_reingest_changes_only_what_changed(tmp_path, capsys, isolated_home):
    knowledge = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir(), knowledge)
    code, first = run_json(capsys, "ingest", str(knowledge))
    assert code == 0
    assert first["inserted"] >= 300 and first["quarantined"] == 0
    assert first["documents_inserted"] >= 10
    assert first["embedded"] == first["inserted"] + _chunks(isolated_home)
    code, again = run_json(capsys, "ingest", str(knowledge))
    assert (again["inserted"], again["updated"], again["embedded"]) == (0, 0, 0)
    assert again["unchanged"] == first["inserted"]

    tents = knowledge / "products" / "tents.jsonl"
    rows = [json.loads(line) for line in tents.read_text().splitlines()]
    rows[0]["price"] = 1.23
    rows[1]["description"] += " Now with a stuff sack."
    tents.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, changed = run_json(capsys, "ingest", str(knowledge))
    # Both rows are updated; only the description change alters the searchable text and is
    # re-embedded (prices are filters, not search text).
    assert (changed["updated"], changed["embedded"]) == (2, 1)
    with sqlite3.connect(isolated_home / "localbot.db") as conn:
        price = conn.execute(
            "SELECT price FROM products WHERE sku = ?", [rows[0]["sku"]]
        ).fetchone()[0]
    assert price == 1.23


def _chunks(home):
    with sqlite3.connect(home / "localbot.db") as conn:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_malformed_csv_keeps_valid_rows_and_quarantines_the_rest(tmp_path, capsys, isolated_home):
    csv_file = tmp_path / "supplier.csv"
    csv_file.write_text(
        "sku,name,brand,category,description,price,currency,stock,colour\n"
        "AB-1,Trail Mug,Embertrail,Camp Kitchen,Steel mug,9.99,USD,5,red\n"
        "AB-2,No Price,Embertrail,Camp Kitchen,,,USD,5,\n"
        "AB-3,Negative,Embertrail,Camp Kitchen,,-4,USD,5,\n"
        "AB-1,Duplicate,Embertrail,Camp Kitchen,,3.00,USD,1,\n"
        "AB-4,Odd Money,Embertrail,Camp Kitchen,,3.00,XXX,1,\n"
        'AB-5,"Spork, titanium",Embertrail,Camp Kitchen,"Light,\nstrong",12.50,USD,7,grey\n'
        "AB-6,Too many,Embertrail,Camp Kitchen,,3.00,USD,1,blue,extra\n"
    )
    code, report = run_json(capsys, "ingest", str(csv_file))
    assert code == 0
    assert report["inserted"] == 2 and report["quarantined"] == 5
    with sqlite3.connect(isolated_home / "localbot.db") as conn:
        reasons = dict(
            conn.execute("SELECT row_number, reason FROM quarantine ORDER BY row_number")
        )
        spork = conn.execute("SELECT name, attributes FROM products WHERE sku = 'AB-5'").fetchone()
    assert "price" in reasons[3] and "price must be a number >= 0" in reasons[4]
    assert "duplicate sku AB-1" in reasons[5] and "currency" in reasons[6]
    assert "more value than columns" in reasons[8]
    assert spork[0] == "Spork, titanium" and json.loads(spork[1]) == {"colour": "grey"}


def test_file_that_cannot_be_read_is_reported_and_exit_code_is_non_zero(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    not_a_list = tmp_path / "products.json"
    not_a_list.write_text('{"sku": "A"}')
    code = main(["ingest", str(empty), str(not_a_list)])
    err = capsys.readouterr().err
    assert code == 1
    assert "empty.csv is empty" in err
    assert "must be a list of product objects" in err


def test_missing_path_is_one_clear_line(tmp_path, capsys):
    code = main(["ingest", str(tmp_path / "nope.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and err == [f"error: {tmp_path / 'nope.csv'} does not exist; check the path"]


def test_same_named_files_in_two_folders_keep_both_quarantined_rows(
    tmp_path, capsys, isolated_home
):
    files = []
    for folder in ("q1", "q2"):
        (tmp_path / folder).mkdir()
        files.append(tmp_path / folder / "products.csv")
        files[-1].write_text(f"sku,name,price,currency\n{folder}-1,Mug,oops,USD\n")
    code, report = run_json(capsys, "ingest", *map(str, files))
    assert code == 1 and report["quarantined"] == 2
    with sqlite3.connect(isolated_home / "localbot.db") as conn:
        sources = [row[0] for row in conn.execute("SELECT source FROM quarantine ORDER BY 1")]
    assert sources == [str(path.resolve()) for path in files]


def test_reingest_reports_removed_quarantined_and_skipped(tmp_path, capsys, isolated_home):
    knowledge = tmp_path / "knowledge"
    (knowledge / "products").mkdir(parents=True)
    shutil.copy(knowledge_dir() / "products" / "tents.jsonl", knowledge / "products")
    shutil.copytree(knowledge_dir() / "docs", knowledge / "docs")
    shutil.copytree(knowledge_dir() / "customers", knowledge / "customers")
    (knowledge / "drafts").mkdir()
    (knowledge / "drafts" / "faq.md").write_text("# Draft\n\nNot reviewed yet.\n")
    code, first = run_json(capsys, "ingest", str(knowledge))
    assert code == 0 and first["removed"] == first["documents_removed"] == 0
    assert {Path(item["path"]).name for item in first["skipped"]} == {"customers", "drafts"}

    tents = knowledge / "products" / "tents.jsonl"
    lines = tents.read_text().splitlines()
    tents.write_text("\n".join(lines[1:]) + "\n")
    (knowledge / "docs" / "rentals.md").unlink()
    (knowledge / "docs" / "opening.md").write_text("# Opening times\n\n## Weekdays\n")
    assert main(["ingest", str(knowledge / "docs"), str(tents)]) == 0
    out, err = capsys.readouterr()
    assert "products: 0 inserted, 0 updated, " in out and " 1 removed, 0 quarantined;" in out
    assert "13 unchanged, 1 removed, 1 quarantined; 0 embedded" in out
    removed_sku = json.loads(lines[0])["sku"]
    assert f"removed: 1 product no longer in {tents}: {removed_sku}" in err
    assert "removed: document docs/rentals.md" in err
    assert "quarantined file: " in err and "opening.md has no text, only headings" in err
    with sqlite3.connect(isolated_home / "localbot.db") as conn:
        gone = conn.execute(
            "SELECT count(*) FROM search_items WHERE ref = ? OR ref LIKE 'docs/rentals.md#%'",
            [removed_sku],
        ).fetchone()[0]
        paths = {row[0] for row in conn.execute("SELECT path FROM documents")}
    assert (
        gone == 0 and "docs/rentals.md" not in paths and all(p.startswith("docs/") for p in paths)
    )


def test_a_broken_embedder_keeps_the_rows_for_the_next_run(tmp_path, capsys, monkeypatch):
    path = tmp_path / "p.csv"
    path.write_text("sku,name,price,currency\nE-1,Enamel mug,8.00,USD\n")
    empty = tmp_path / "no-model"
    empty.mkdir()
    monkeypatch.setenv("LOCALBOT_EMBEDDER", str(empty))
    assert main(["ingest", str(path)]) == 2
    assert capsys.readouterr().err.endswith(
        f"error: {empty} holds no sentence-transformers model; point the 'embedder' setting at a"
        " sentence-transformers model folder, or remove it; what was read"
        " is stored, and 'localbot ingest' again adds its vectors\n"
    )
    monkeypatch.delenv("LOCALBOT_EMBEDDER")
    code, report = run_json(capsys, "ingest", str(path))
    assert (code, report["unchanged"], report["embedded"]) == (0, 1, 1)
