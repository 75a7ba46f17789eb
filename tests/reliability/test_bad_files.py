"""Whatever files staff import: clear messages, valid rows kept, invalid rows quarantined."""

import csv
import hashlib
import json
import os
from pathlib import Path

import numpy as np
import pytest

from localbot.catalogue.ingest import ingest_paths
from localbot.cli import main
from localbot.db import open_database

HEADER = "sku,name,price,currency,stock,description\n"


class HashEmbedder:
    """Deterministic stand-in for MiniLM where only the importer is under test (100k rows)."""

    name = "hash-embedder"

    def embed(self, texts, batch_size=64):
        rows = [
            np.frombuffer(hashlib.sha256(t.encode()).digest() * 48, dtype=np.uint8)[:384]
            for t in texts
        ]
        matrix = np.asarray(rows, dtype=np.float32) - 127.5
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def ingest(paths, embedder, db_path):
    db = open_database(db_path)
    try:
        return ingest_paths(db, paths, embedder)
    finally:
        db.close()


def rows(db_path, sql):
    db = open_database(db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.mark.real
def test_semicolon_latin1_bom_and_quoted_newlines(tmp_path, embedder, settings):
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_text("sku;name;price;currency\nSC-1;Trail Mug;9.99;USD\n")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(
        (HEADER + "LA-1,Crème Brûlée Stove,45.00,EUR,3,Café-grade heat\n").encode("latin-1")
    )
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + (HEADER + 'BO-1,Map,5.00,USD,2,"two\nlines"\n').encode())
    report = ingest([semicolon, latin1, bom], embedder, settings.database_path)
    assert (report.inserted, report.quarantined, report.problems) == (3, 0, [])
    names = dict(rows(settings.database_path, "SELECT sku, name FROM products"))
    assert names == {"SC-1": "Trail Mug", "LA-1": "Crème Brûlée Stove", "BO-1": "Map"}
    description = rows(settings.database_path, "SELECT description FROM products WHERE sku='BO-1'")
    assert description == [("two lines",)]


def test_missing_required_columns_is_one_file_message(tmp_path, capsys):
    path = tmp_path / "partial.csv"
    path.write_text("sku,name,stock\nA-1,Thing,3\n")
    assert main(["ingest", str(path)]) == 1
    assert "partial.csv has no price, currency columns" in capsys.readouterr().err


def test_huge_description_is_quarantined_not_fatal(tmp_path, settings):
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "price", "currency", "description"])
        writer.writerow(["BIG-1", "Huge", "1.00", "USD", "x" * 1_000_000])
        writer.writerow(["OK-1", "Fine", "2.00", "USD", "normal"])
    report = ingest([path], HashEmbedder(), settings.database_path)
    assert report.inserted == 1 and report.quarantined == 1
    reason = rows(settings.database_path, "SELECT row_number, reason FROM quarantine")
    assert reason == [(2, "description is 1,000,000 characters; the limit is 20,000")]


def test_markdown_with_binary_junk_is_refused_and_other_files_still_import(
    tmp_path, settings, capsys
):
    junk = tmp_path / "junk.md"
    junk.write_bytes(b"# Title\n" + bytes(range(256)) * 40)
    good = tmp_path / "ok.jsonl"
    good.write_text(json.dumps({"sku": "J-1", "name": "Jar", "price": 3, "currency": "USD"}) + "\n")
    assert main(["ingest", str(junk), str(good)]) == 0  # something was imported
    err = capsys.readouterr().err
    assert "junk.md looks like binary data" in err


def test_json_lines_with_broken_lines(tmp_path, settings):
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"sku": "A-1", "name": "A", "price": 1, "currency": "USD"}\n'
        "{broken\n"
        '["not", "an", "object"]\n'
        '{"sku": "A-2", "name": "B", "price": 2, "currency": "USD", "stock": true}\n'
    )
    report = ingest([path], HashEmbedder(), settings.database_path)
    assert report.inserted == 1 and report.quarantined == 3
    reasons = [
        r
        for _, r in rows(
            settings.database_path, "SELECT row_number, reason FROM quarantine ORDER BY 1"
        )
    ]
    assert reasons[0].startswith("line is not valid JSON")
    assert reasons[1] == "expected an object with product fields, got list"
    assert reasons[2].startswith("stock must be a whole number")


def test_reimport_replaces_quarantine_instead_of_duplicating(tmp_path, settings):
    path = tmp_path / "p.csv"
    path.write_text(HEADER + "A-1,A,oops,USD,1,\n")
    for _ in range(3):
        ingest([path], HashEmbedder(), settings.database_path)
    assert rows(settings.database_path, "SELECT count(*) FROM quarantine") == [(1,)]


def test_hundred_thousand_rows(tmp_path, settings):
    path = tmp_path / "big.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sku", "name", "price", "currency", "stock", "colour"])
        for n in range(100_000):
            price = "-1" if n % 10_000 == 0 else f"{n % 500 + 0.99:.2f}"
            writer.writerow([f"BULK-{n}", f"Bulk item {n}", price, "USD", n % 7, "red"])
    report = ingest([path], HashEmbedder(), settings.database_path)
    assert report.inserted == 99_990 and report.quarantined == 10
    assert rows(
        settings.database_path, "SELECT count(*) FROM search_items WHERE embedding IS NULL"
    ) == [(0,)]
    again = ingest([path], HashEmbedder(), settings.database_path)
    assert (again.unchanged, again.embedded) == (99_990, 0)


# --- files that cannot be read, short rows, progress through a big file ------------------------


def _csv(path, *rows, header="sku,name,price,currency"):
    path.write_text(header + "\n" + "".join(row + "\n" for row in rows))
    return path


def test_a_dangling_link_is_quarantined_and_the_run_goes_on(tmp_path, settings):
    folder = tmp_path / "shop"
    folder.mkdir()
    kept = _csv(folder / "kept.csv", "K-1,Kettle,20.00,USD", "K-2,Kite,9.00,USD")
    ingest([folder], HashEmbedder(), settings.database_path)
    _csv(kept, "K-1,Kettle,20.00,USD", "K-3,Kazoo,2.00,USD")  # K-2 left, K-3 came
    (folder / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    report = ingest([folder], HashEmbedder(), settings.database_path)
    assert report.problems == [
        f"{folder / 'gone.csv'} links to {(tmp_path / 'nowhere.csv').as_posix()}, which does"
        " not exist; fix or remove the link"
    ]
    assert (report.quarantined, report.files_quarantined) == (1, 1)
    # The other file's removal and the embedding still happened.
    assert (report.inserted, report.removed, report.embedded) == (1, 1, 1)
    skus = rows(settings.database_path, "SELECT sku FROM products ORDER BY 1")
    assert skus == [("K-1",), ("K-3",)]


def test_a_file_that_cannot_be_read_keeps_what_it_held(tmp_path, settings, monkeypatch):
    # Tests may run as root, whom file modes do not stop: refuse the read itself.
    locked = _csv(tmp_path / "locked.csv", "L-1,Lamp,5.00,USD")
    ingest([locked], HashEmbedder(), settings.database_path)
    real_read = Path.read_bytes

    def read_bytes(path):
        if path.name == "locked.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    report = ingest([locked], HashEmbedder(), settings.database_path)
    assert report.problems == [
        f"{locked} cannot be read (Permission denied); check that it exists and may be read;"
        " what was imported from it before is kept until it can be read"
    ]
    assert rows(settings.database_path, "SELECT sku FROM products") == [("L-1",)]
    assert rows(settings.database_path, "SELECT row_number, source FROM quarantine") == [
        (0, locked.resolve().as_posix())
    ]


def test_a_folder_that_cannot_be_listed_keeps_its_products(tmp_path, settings, monkeypatch):
    shop = tmp_path / "shop"
    (shop / "locked").mkdir(parents=True)
    _csv(shop / "locked" / "a.csv", "A-1,Axe,30.00,USD")
    _csv(shop / "b.csv", "B-1,Bag,10.00,USD")
    ingest([shop], HashEmbedder(), settings.database_path)
    real_scandir = os.scandir

    def scandir(path="."):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = ingest([shop], HashEmbedder(), settings.database_path)
    assert report.removed == 0
    assert rows(settings.database_path, "SELECT sku FROM products ORDER BY 1") == [
        ("A-1",),
        ("B-1",),
    ]
    assert report.problem_lines() == [
        f"skipped {shop / 'locked'}{os.sep} (cannot be read (Permission denied); what was"
        " imported from it is kept)"
    ]


def test_a_file_without_a_price_column_is_counted_and_shown_even_when_quiet(tmp_path, capsys):
    broken = _csv(tmp_path / "nocol.csv", "Q-1,Thing,1.00,USD", header="sku,name,cost,currency")
    good = _csv(tmp_path / "good.csv", "Q-2,Thing,1.00,USD")
    code = main(["ingest", "--quiet", str(broken), str(good)])
    out, err = capsys.readouterr()
    assert code == 0
    assert "0 unchanged, 0 removed, 1 quarantined; documents:" in out
    assert out.rstrip().endswith("; 1 file quarantined whole")
    assert err.strip() == (
        f"quarantined file: {broken} has no price column (header: sku, name, cost, currency);"
        " the first line must name the columns"
    )
    assert main(["ingest", "--json", str(broken), str(good)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["quarantined"], report["files_quarantined"]) == (1, 1)


def test_quiet_still_lists_quarantined_rows(tmp_path, capsys):
    path = _csv(tmp_path / "p.csv", "R-1,Rope,oops,USD", "R-2,Rope,4.00,USD")
    assert main(["ingest", "--quiet", str(path)]) == 0
    err = capsys.readouterr().err
    assert err.strip() == f"quarantined: {path} row 2: price 'oops' is not a number (use 12.99)"


def test_a_short_csv_row_is_quarantined_and_keeps_its_last_good_version(tmp_path, settings):
    header = "sku,name,price,currency,stock,brand"
    path = _csv(tmp_path / "short.csv", "ZZ-1,Mug,9.99,USD,7,Acme", header=header)
    ingest([path], HashEmbedder(), settings.database_path)
    _csv(
        path, "ZZ-1,Mug,9.99,USD", "ZZ-2,Cup,3.00,USD,4,Acme", "ZZ-3,Cap,5.00,USD,,", header=header
    )
    report = ingest([path], HashEmbedder(), settings.database_path)
    assert (report.quarantined, report.inserted, report.removed) == (1, 2, 0)
    assert report.quarantine_samples == [
        f"{path} row 2: 2 fewer values than columns (no stock, brand); check delimiters and"
        " quotes (an empty cell still needs its delimiter)"
    ]
    stock = rows(settings.database_path, "SELECT sku, stock FROM products ORDER BY 1")
    assert stock == [("ZZ-1", 7), ("ZZ-2", 4), ("ZZ-3", 0)]  # an empty cell is no stock


def progress_calls(settings, path):
    """The progress callbacks of one ingest of ``path`` into the test's database."""
    calls = []
    db = open_database(settings.database_path)
    try:
        ingest_paths(db, [path], HashEmbedder(), lambda *call: calls.append(call))
    finally:
        db.close()
    return calls


def test_progress_moves_through_one_big_file(tmp_path, settings):
    path = tmp_path / "big.csv"
    count = 1_234
    _csv(path, *(f"P-{n},Item {n},1.00,USD" for n in range(count)))
    calls = progress_calls(settings, path)
    row_calls = [(done, total) for stage, done, total in calls if stage == "rows"]
    assert row_calls == [(500, count), (1000, count), (count, count), (count, count)]
    assert [call for call in calls if call[0] == "read"] == [("read", 1, 1)]


def test_a_small_file_reports_no_row_progress(tmp_path, settings):
    path = _csv(tmp_path / "small.csv", "S-1,Sock,1.00,USD")
    calls = progress_calls(settings, path)
    assert [stage for stage, _, _ in calls] == ["read", "embed"]
