"""Importing customers, purchases and events into a real copy of the demo database, API and CLI."""

import json

import pytest
from customer_helpers import (
    CONSENTING,
    customers_db,
    customers_db_path,
    customers_template,
    write_lines,
)

from localbot.catalogue.readers import find_files
from localbot.cli import main
from localbot.customers.importer import import_customer_files
from localbot.db import get_meta, open_database
from localbot.governance import export_customer, forget_customer
from localbot.paths import knowledge_dir

pytestmark = pytest.mark.real
# pytest finds fixtures by name in the test module; importing them is what makes them visible.
FIXTURES = (customers_db, customers_db_path, customers_template)

CUSTOMERS = """
id,display_name,loyalty_number,email,phone,consent,home_address
Z1,Rowan Marker-Alpha,RL-900001,rowan.alpha@example.com,+1 303 555 0111,yes,12 Elm Street
Z2,Sasha Marker-Beta,RL-900002,not-an-email,,no,3 Oak Road
Z3,Tobi Marker-Gamma,RL-900001,,,yes,
Z1,Rowan Again,,,,no,
"""
PURCHASES = """
customer_id,sku,quantity,price,purchased_at
Z1,KIT-0001,1,49.95,2025-03-01T10:00:00Z
Z1,KIT-0006,3,5.49,2025-03-01T10:00:00Z
Z1,NOPE-1,1,5.00,2025-03-01T10:00:00Z
Z9,KIT-0001,1,49.95,2025-03-01T10:00:00Z
Z1,KIT-0006,1,5.49,2025-03-01T10:00:00Z
Z1,KIT-0010,1,44.95,2030-01-01
Z1,KIT-0011,1,69.95,2025-03-01,extra
Z1,KIT-0012,1
"""


@pytest.fixture
def db(demo_db_path):
    database = open_database(demo_db_path)
    yield database
    database.close()


def quarantine(db):
    return db.execute(
        "SELECT source, row_number, reason, raw FROM quarantine WHERE source LIKE 'customers:%'"
        " ORDER BY source, row_number"
    ).fetchall()


def test_demo_customers_import_cleanly_and_a_reimport_changes_nothing(db):
    report = import_customer_files(db, [knowledge_dir() / "customers"])
    counts = report.counts
    assert counts["customers"]["inserted"] >= 200 and counts["purchases"]["inserted"] >= 3000
    assert counts["events"]["inserted"] > 1000 and report.quarantined == 0
    version = get_meta(db, "customers_version")
    again = import_customer_files(db, [knowledge_dir() / "customers"])
    assert (
        not again.changed
        and again.counts["purchases"]["unchanged"] == counts["purchases"]["inserted"]
    )
    assert get_meta(db, "customers_version") == version  # recommendations are not rebuilt


def test_ingest_never_reads_the_customer_files():
    found, _ = find_files([knowledge_dir()])
    assert found and not [path for path in found if "customers" in path.parts]


def test_bad_rows_are_quarantined_with_reasons_and_without_personal_values(
    db, tmp_path, demo_db_path
):
    folder = tmp_path / "crm"
    folder.mkdir()
    write_lines(folder / "customers.csv", CUSTOMERS)
    write_lines(folder / "purchases.csv", PURCHASES)
    report = import_customer_files(db, [folder])
    assert report.counts["customers"]["inserted"] == 1  # Z1 only
    assert report.counts["purchases"]["inserted"] == 2
    assert report.ignored_columns == ["home_address"]
    reasons = {(source, row): reason for source, row, reason, _ in quarantine(db)}
    assert reasons == {
        ("customers:customers.csv", 3): "email is not an address like name@example.com",
        ("customers:customers.csv", 4): "duplicate loyalty number RL-900001 (first seen at "
        "customers:customers.csv row 2)",
        ("customers:customers.csv", 5): "duplicate customer id Z1 (first seen at "
        "customers:customers.csv row 2)",
        ("customers:purchases.csv", 4): "sku NOPE-1 is not in the catalogue; import products "
        "first (ingest)",
        ("customers:purchases.csv", 5): "customer Z9 is not known; import the customer first",
        ("customers:purchases.csv", 6): "duplicate purchase line (same customer, sku and time) "
        "(first seen at customers:purchases.csv row 3); add up the quantities",
        ("customers:purchases.csv", 7): "purchased_at 2030-01-01 is not a plausible date "
        "(before 1990 or future)",
        ("customers:purchases.csv", 8): "more values than columns; check delimiters",
        ("customers:purchases.csv", 9): "fewer values than columns (no price, purchased_at)",
    }
    # The quarantine keeps SKUs, times and reasons: never names, contacts or addresses.
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in demo_db_path.parent.glob(demo_db_path.name + "*"))
    for personal in (b"Marker-Beta", b"Marker-Gamma", b"Rowan Again", b"not-an-email", b"Oak Road",
                     b"12 Elm Street"):  # fmt: skip
        assert personal not in stored


def test_a_changed_row_is_updated_and_file_problems_are_reported(db, tmp_path):
    first = write_lines(
        tmp_path / "people.jsonl", '{"id": "Z5", "display_name": "Pat", "consent": false}'
    )
    import_customer_files(db, [first])
    write_lines(first, '{"id": "Z5", "display_name": "Pat", "consent": true}')
    (tmp_path / "empty.csv").write_text("")
    write_lines(tmp_path / "odd.json", '{"colour": "red"}')
    report = import_customer_files(db, [first, tmp_path / "empty.csv", tmp_path / "odd.json"])
    assert report.counts["customers"]["updated"] == 1
    assert (
        db.execute("SELECT consent_personalisation FROM customers WHERE id = 'Z5'").fetchone()[0]
        == 1
    )
    assert report.problems == [
        "customers:empty.csv is empty; export the customer data again",
        "customers:odd.json must hold a list of records or an object with lists named customers,"
        " purchases and events",
    ]


def test_one_json_file_can_hold_all_three_kinds(db, tmp_path):
    data = {
        "customers": [{"id": "Z7", "display_name": "Kim", "consent": True}],
        "purchases": [{"customer": "Z7", "sku": "LGT-0001", "price": 44.95, "time": "2025-01-02"}],
        "events": [{"customer": "Z7", "sku": "LGT-0002", "kind": "wishlist", "time": "2025-01-01"}],
    }
    (tmp_path / "export.json").write_text(json.dumps(data))
    report = import_customer_files(db, [tmp_path / "export.json"])
    assert [report.counts[k]["inserted"] for k in ("customers", "purchases", "events")] == [1, 1, 1]


def test_cli_import_exit_codes_and_kiosk_refusal(tmp_path, capsys, demo_db_path, monkeypatch):
    bad = write_lines(tmp_path / "bad.csv", "id,display_name\n,Nobody")
    assert main(["customers", "import", str(bad)]) == 1
    assert "missing required field: id" in capsys.readouterr().err
    assert main(["customers", "import", str(knowledge_dir() / "customers"), "--quiet"]) == 0
    assert "customers: 240 inserted" in capsys.readouterr().out
    assert main(["customers", "import", str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    monkeypatch.setenv("LOCALBOT_MODE", "kiosk")
    assert main(["customers", "import", str(knowledge_dir() / "customers")]) == 2
    assert "not available in kiosk mode" in capsys.readouterr().err


def test_list_show_and_consent_commands(customers_db_path, capsys):
    assert main(["customers", "list", "--search", "kara"]) == 0
    out = capsys.readouterr().out
    assert "Kara Haddad" in out and "@" not in out  # no contact details in lists
    assert main(["customers", "list", "--search", "rl-401", "--json"]) == 0
    assert [c["id"] for c in json.loads(capsys.readouterr().out)] == [CONSENTING]
    assert main(["customers", "consent", CONSENTING, "no"]) == 0
    assert "withdrawn" in capsys.readouterr().out
    assert main(["customers", "show", CONSENTING, "--json"]) == 0
    profile = json.loads(capsys.readouterr().out)
    assert profile["personalised"] is False and profile["recent_purchases"] == []
    assert main(["customers", "show", "NOBODY"]) == 2
    assert "no customer 'NOBODY'" in capsys.readouterr().err


def test_forget_and_export_cover_every_customer_table(customers_db, customers_db_path):
    exported = export_customer(customers_db, CONSENTING)["tables"]
    assert exported["customers"][0]["email"] == "kara.haddad2@example.com"
    assert exported["customer_purchases"] and exported["customer_events"]
    purchases = len(exported["customer_purchases"])
    report = forget_customer(customers_db, CONSENTING)
    assert report.rows["customers"] == 1 and report.rows["customer_purchases"] == purchases
    assert report.wal_cleared
    files = sorted(customers_db_path.parent.glob(customers_db_path.name + "*"))
    data = b"".join(path.read_bytes() for path in files)
    assert b"kara.haddad2@example.com" not in data and b"Kara Haddad" not in data
