"""Whatever files staff import: clear messages, valid rows kept, invalid rows quarantined."""

import csv
import hashlib
import json

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
