"""The catalogue follows its files: source identity, quarantine per file, removals, skipped folders.

A deterministic stand-in embedder keeps these fast; the real one is used in tests/integration.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from localbot.catalogue.ingest import IngestReport, ingest_paths
from localbot.db import get_meta, open_database

HEADER = "sku,name,price,currency\n"


class FakeEmbedder:
    """Unit vectors derived from a hash of the text."""

    name = "fake-embedder"

    def __init__(self):
        self.texts = []

    def embed(self, texts, batch_size=64):
        self.texts += texts
        rows = [np.frombuffer(hashlib.sha256(t.encode()).digest() * 12, np.uint8) for t in texts]
        matrix = np.asarray(rows, dtype=np.float32) - 127.5
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "catalogue.db")
    yield database
    database.close()


def ingest(db, *paths) -> IngestReport:
    return ingest_paths(db, [Path(p) for p in paths], FakeEmbedder())


def rows(db, sql, params=()):
    return db.execute(sql, list(params)).fetchall()


def jsonl(path, *skus, price=10):
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [{"sku": s, "name": f"Item {s}", "price": price, "currency": "USD"} for s in skus]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))


def markdown(path, title, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"# {title}\n\n{text}\n")


# --- A: a file is known by its resolved path ---------------------------------------------------


def test_same_named_files_in_different_folders_keep_their_own_quarantine(db, tmp_path):
    for folder, bad in (("q1", "oops"), ("q2", "-1")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "products.csv").write_text(HEADER + f"{folder}-1,A,{bad},USD\n")
    files = [tmp_path / "q1" / "products.csv", tmp_path / "q2" / "products.csv"]
    for _ in range(2):  # a re-import replaces each file's rows, never another file's
        report = ingest(db, *files)
        assert report.quarantined == 2
        stored = rows(db, "SELECT source, row_number FROM quarantine ORDER BY source")
        assert stored == [(files[0].resolve().as_posix(), 2), (files[1].resolve().as_posix(), 2)]
    assert "q1/products.csv row 2" in report.quarantine_samples[0]

    files[0].write_text(HEADER + "q1-1,A,1.00,USD\n")
    ingest(db, files[0])
    assert rows(db, "SELECT source FROM quarantine") == [(files[1].resolve().as_posix(),)]


def test_the_same_folder_from_another_working_directory_is_the_same_source(
    db, tmp_path, monkeypatch
):
    jsonl(tmp_path / "shop" / "products" / "a.jsonl", "A-1")
    (tmp_path / "shop" / "products" / "b.csv").write_text(HEADER + "B-1,B,oops,USD\n")
    markdown(tmp_path / "shop" / "docs" / "returns.md", "Returns", "Thirty days.")
    monkeypatch.chdir(tmp_path)
    ingest(db, "shop")
    monkeypatch.chdir(tmp_path / "shop" / "docs")
    again = ingest(db, "../../shop")
    assert (again.unchanged, again.documents_unchanged, again.removed) == (1, 1, 0)
    assert rows(db, "SELECT count(*) FROM quarantine") == [(1,)]
    assert rows(db, "SELECT path FROM documents") == [("docs/returns.md",)]


# --- B: documents keep one identity -------------------------------------------------------------


def test_documents_reached_through_another_folder_are_updated_not_copied(db, tmp_path):
    knowledge = tmp_path / "knowledge"
    markdown(knowledge / "docs" / "returns.md", "Returns", "Thirty days with a receipt.")
    markdown(knowledge / "docs" / "warranty.md", "Warranty", "Two years on everything.")
    ingest(db, knowledge)
    again = ingest(db, knowledge / "docs")
    assert (again.documents_inserted, again.documents_unchanged, again.embedded) == (0, 2, 0)

    markdown(knowledge / "docs" / "returns.md", "Returns", "Sixty days with a receipt.")
    changed = ingest(db, knowledge / "docs" / "returns.md")
    assert (changed.documents_inserted, changed.documents_updated) == (0, 1)
    paths = rows(db, "SELECT DISTINCT path FROM documents ORDER BY path")
    assert paths == [("docs/returns.md",), ("docs/warranty.md",)]
    assert rows(db, "SELECT count(*) FROM search_items WHERE kind = 'document'") == [(2,)]


def test_same_named_documents_in_two_folders_are_both_kept(db, tmp_path):
    markdown(tmp_path / "north" / "returns.md", "Returns north", "Thirty days.")
    markdown(tmp_path / "south" / "returns.md", "Returns south", "Sixty days.")
    report = ingest(db, tmp_path / "north", tmp_path / "south")
    assert report.documents_inserted == 2
    titles = dict(rows(db, "SELECT path, title FROM documents"))
    assert titles == {"returns.md": "Returns north", "south/returns.md": "Returns south"}


def test_a_moved_folder_updates_its_documents(db, tmp_path):
    markdown(tmp_path / "old" / "docs" / "returns.md", "Returns", "Thirty days.")
    ingest(db, tmp_path / "old")
    (tmp_path / "old").rename(tmp_path / "new")
    moved = ingest(db, tmp_path / "new")
    assert (moved.documents_inserted, moved.documents_unchanged, moved.embedded) == (0, 1, 0)
    source = (tmp_path / "new" / "docs" / "returns.md").resolve().as_posix()
    assert rows(db, "SELECT path, source FROM documents") == [("docs/returns.md", source)]


# --- C: nothing is dropped or skipped without a word --------------------------------------------


def test_heading_only_markdown_is_quarantined_with_a_reason(db, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_text("# Store hours\n\n## Weekdays\n\n## Weekends\n")
    report = ingest(db, empty)
    assert (report.documents_inserted, report.documents_quarantined) == (0, 1)
    assert not report.imported_anything
    assert "empty.md has no text, only headings" in report.problems[0]
    reason = rows(db, "SELECT source, reason FROM quarantine")
    assert reason == [(empty.resolve().as_posix(), report.problems[0])]
    assert rows(db, "SELECT count(*) FROM documents") == [(0,)]


def test_skipped_folders_and_files_are_reported_with_the_reason(db, tmp_path):
    jsonl(tmp_path / "products" / "a.jsonl", "A-1")
    for folder in ("customers", "drafts", "eval", ".git"):
        jsonl(tmp_path / folder / "x.jsonl", f"{folder}-1")
    (tmp_path / "products" / "notes.txt").write_text("not catalogue data")
    report = ingest(db, tmp_path)
    assert report.inserted == 1
    reasons = {Path(item["path"]).name: item["reason"] for item in report.skipped}
    assert "customers import" in reasons["customers"]
    assert "review" in reasons["drafts"] and "localbot eval" in reasons["eval"]
    assert reasons[".git"] == "hidden" and "not a .csv" in reasons["notes.txt"]
    assert f"skipped {tmp_path / 'drafts'}/ (" in "\n".join(report.details())


# --- D: the catalogue follows its files ---------------------------------------------------------


def test_products_and_documents_gone_from_their_files_are_removed(db, tmp_path):
    jsonl(tmp_path / "products" / "tents.jsonl", "T-1", "T-2", "T-3")
    jsonl(tmp_path / "products" / "lights.jsonl", "L-1")
    markdown(tmp_path / "docs" / "rentals.md", "Rentals", "Kayaks by the day.")
    markdown(tmp_path / "docs" / "returns.md", "Returns", "Thirty days.")
    ingest(db, tmp_path)
    version = get_meta(db, "index_version")

    jsonl(tmp_path / "products" / "tents.jsonl", "T-1", "T-3")
    (tmp_path / "products" / "lights.jsonl").unlink()
    (tmp_path / "docs" / "rentals.md").unlink()
    report = ingest(db, tmp_path)
    assert (report.removed, report.unchanged, report.documents_removed) == (2, 2, 1)
    assert "1 product no longer in" in report.details()[0] and "T-2" in report.details()[0]
    assert any("document docs/rentals.md" in line for line in report.details())
    assert rows(db, "SELECT sku FROM products ORDER BY sku") == [("T-1",), ("T-3",)]
    keys = {key for (key,) in rows(db, "SELECT item_key FROM search_items")}
    assert keys == {"product:T-1", "product:T-3", "document:docs/returns.md#0"}
    assert rows(db, "SELECT count(*) FROM search_fts WHERE search_fts MATCH 'kayaks'") == [(0,)]
    assert rows(db, "SELECT count(*) FROM search_fts") == [(3,)]
    assert get_meta(db, "index_version") != version  # vector matrices reload without them

    again = ingest(db, tmp_path)
    assert (again.removed, again.documents_removed, again.embedded) == (0, 0, 0)


@pytest.mark.parametrize("direction", ["to a later file", "to an earlier file"])
def test_a_product_moved_between_files_in_one_run_is_kept(db, tmp_path, direction):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    origin, target = (first, second) if direction == "to a later file" else (second, first)
    jsonl(origin, "M-1", "O-1")
    jsonl(target, "T-1")
    ingest(db, tmp_path)
    jsonl(origin, "O-1")
    jsonl(target, "T-1", "M-1")
    report = ingest(db, tmp_path)
    assert (report.removed, report.unchanged, report.embedded) == (0, 3, 0)
    assert rows(db, "SELECT source FROM products WHERE sku = 'M-1'") == [
        (target.resolve().as_posix(),)
    ]
    jsonl(target, "T-1")  # now it is gone from every file
    assert ingest(db, tmp_path).removed == 1


def test_quarantined_or_unreadable_rows_never_remove_products(db, tmp_path):
    path = tmp_path / "p.jsonl"
    jsonl(path, "A-1", "A-2")
    ingest(db, path)
    path.write_text('{"sku": "A-1", "name": "A", "price": "oops", "currency": "USD"}\n')
    typo = ingest(db, path)
    assert (typo.quarantined, typo.removed) == (1, 1)  # A-1 keeps its last good version
    assert rows(db, "SELECT sku FROM products") == [("A-1",)]

    path.write_text("{broken\n")
    broken = ingest(db, path)
    assert broken.removed == 0 and "kept until every row" in broken.notes[0]
    path.write_text("")
    empty = ingest(db, path)
    assert empty.removed == 0 and "is kept until it can be read" in empty.problems[0]
    assert rows(db, "SELECT sku FROM products") == [("A-1",)]


def test_naming_one_file_removes_nothing_from_the_others(db, tmp_path):
    jsonl(tmp_path / "a.jsonl", "A-1")
    jsonl(tmp_path / "b.jsonl", "B-1")
    ingest(db, tmp_path)
    (tmp_path / "b.jsonl").unlink()
    assert ingest(db, tmp_path / "a.jsonl").removed == 0
    assert ingest(db, tmp_path).removed == 1
